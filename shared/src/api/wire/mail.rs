//! E-mail as the console and the chat page see it: whether it is configured, and the state of
//! the mails about a chat.

use serde::{Deserialize, Serialize};

use super::ids::Timestamp;
use crate::{app, domain};

/// Whether this server sends e-mail (the console says "e-mail is not configured" otherwise).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MailStatus {
    pub configured: bool,
    /// The address mails are sent from, when configured.
    pub from: Option<String>,
}

impl From<&app::MailStatus> for MailStatus {
    fn from(s: &app::MailStatus) -> Self {
        MailStatus {
            configured: s.configured,
            from: s.from.clone(),
        }
    }
}

/// Why a mail is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MailPurpose {
    Transcript,
    OfflineReply,
}

impl From<domain::MailPurpose> for MailPurpose {
    fn from(p: domain::MailPurpose) -> Self {
        match p {
            domain::MailPurpose::Transcript => MailPurpose::Transcript,
            domain::MailPurpose::OfflineReply => MailPurpose::OfflineReply,
        }
    }
}

/// Where a mail's delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MailDeliveryState {
    /// Waiting for its next attempt (a mail server that is down delays mail, never drops it).
    Pending,
    Sent,
    /// Refused for good (an address the mail server will never accept).
    Failed,
}

/// One mail and its delivery.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MailState {
    pub id: String,
    pub purpose: MailPurpose,
    pub to: String,
    pub status: MailDeliveryState,
    pub attempts: u32,
    /// While pending: when the next attempt is due.
    pub next_attempt_at: Option<Timestamp>,
    pub sent_at: Option<Timestamp>,
    pub created_at: Timestamp,
    /// Agents only: the mail server's last answer (never shown to customers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

impl From<&app::MailView> for MailState {
    fn from(v: &app::MailView) -> Self {
        MailState {
            id: v.id.to_string(),
            purpose: v.purpose.into(),
            to: v.to.clone(),
            status: match v.state {
                "sent" => MailDeliveryState::Sent,
                "failed" => MailDeliveryState::Failed,
                _ => MailDeliveryState::Pending,
            },
            attempts: v.attempts,
            next_attempt_at: v.next_attempt_at.map(Into::into),
            sent_at: v.sent_at.map(Into::into),
            created_at: v.created_at.into(),
            last_error: v.last_error.clone(),
        }
    }
}

/// Asks for a chat's transcript by e-mail.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendTranscriptRequest {
    /// Where to send it; the address given when the chat started when absent.
    #[serde(default)]
    pub to: Option<String>,
}
