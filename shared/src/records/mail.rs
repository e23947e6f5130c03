//! A mail in the outbox with its delivery (SQLite `mails.doc`, DynamoDB `MAIL#{id}` / `MAIL`).
//! Flat, so DynamoDB can update the delivery's attributes (`state`, `attempts`,
//! `next_attempt_at`, `last_error`, `sent_at`, `provider_id`, `failure`) in place.

use serde::{Deserialize, Serialize};

use super::{id, readable, FORMAT_VERSION};
use crate::domain::{
    DeliveryState, EmailAddress, MailAbout, MailDelivery, MailPurpose, OutgoingMail, QueuedMail,
    Timestamp,
};
use crate::ports::StoreError;

/// The stored names of the delivery states.
pub(crate) const PENDING: &str = "pending";
pub(crate) const SENT: &str = "sent";
pub(crate) const FAILED: &str = "failed";

#[derive(Serialize, Deserialize)]
pub(crate) struct MailRecord {
    #[serde(default)]
    v: u32,
    id: String,
    to: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reply_to: Option<String>,
    subject: String,
    text: String,
    html: String,
    about: String,
    purpose: String,
    created_at: i64,
    state: String,
    attempts: u32,
    next_attempt_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sent_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    provider_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    failure: Option<String>,
}

impl From<&QueuedMail> for MailRecord {
    fn from(q: &QueuedMail) -> Self {
        let (m, d) = (&q.mail, &q.delivery);
        let (state, sent_at, provider_id, failure) = match &d.state {
            DeliveryState::Pending => (PENDING, None, None, None),
            DeliveryState::Sent { at, provider_id } => {
                (SENT, Some(at.millis()), Some(provider_id.clone()), None)
            }
            DeliveryState::Failed { reason } => (FAILED, None, None, Some(reason.clone())),
        };
        MailRecord {
            v: FORMAT_VERSION,
            id: m.id.to_string(),
            to: m.to.to_string(),
            reply_to: m.reply_to.as_ref().map(ToString::to_string),
            subject: m.subject.clone(),
            text: m.text.clone(),
            html: m.html.clone(),
            about: m.about.key(),
            purpose: m.purpose.as_str().to_owned(),
            created_at: m.created_at.millis(),
            state: state.to_owned(),
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at.millis(),
            last_error: d.last_error.clone(),
            sent_at,
            provider_id,
            failure,
        }
    }
}

fn corrupt(e: crate::domain::DomainError) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

impl TryFrom<MailRecord> for QueuedMail {
    type Error = StoreError;

    fn try_from(r: MailRecord) -> Result<Self, StoreError> {
        readable(r.v, "a mail")?;
        let state = match r.state.as_str() {
            PENDING => DeliveryState::Pending,
            SENT => DeliveryState::Sent {
                at: Timestamp(r.sent_at.unwrap_or(r.next_attempt_at)),
                provider_id: r.provider_id.unwrap_or_default(),
            },
            FAILED => DeliveryState::Failed {
                reason: r.failure.unwrap_or_default(),
            },
            other => return Err(StoreError::Corrupt(format!("unknown mail state {other}"))),
        };
        Ok(QueuedMail {
            mail: OutgoingMail {
                id: id(r.id)?,
                to: EmailAddress::parse(&r.to).map_err(corrupt)?,
                reply_to: r
                    .reply_to
                    .map(|a| EmailAddress::parse(&a))
                    .transpose()
                    .map_err(corrupt)?,
                subject: r.subject,
                text: r.text,
                html: r.html,
                about: MailAbout::parse_key(&r.about).map_err(corrupt)?,
                purpose: MailPurpose::parse(&r.purpose).map_err(corrupt)?,
                created_at: Timestamp(r.created_at),
            },
            delivery: MailDelivery {
                state,
                attempts: r.attempts,
                next_attempt_at: Timestamp(r.next_attempt_at),
                last_error: r.last_error,
            },
        })
    }
}
