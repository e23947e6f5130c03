//! Offline messages as the inbox shows them, and what creates and changes them.

use serde::{Deserialize, Serialize};

use super::ids::{AgentId, ChatId, GroupId, OfflineMessageId, Timestamp};
use crate::domain::inbox::{EntryKind, MessageAgent};
use crate::{app, domain};

/// Characters of the question a list row carries.
const PREVIEW_CHARS: usize = 160;

/// The leave-a-message form.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeaveMessage {
    /// The group whose inbox receives it.
    pub group_id: String,
    pub name: String,
    /// Required: the answer is e-mailed here.
    pub email: String,
    pub question: String,
}

impl From<LeaveMessage> for app::LeaveMessage {
    fn from(m: LeaveMessage) -> Self {
        app::LeaveMessage {
            group_id: m.group_id,
            name: m.name,
            email: m.email,
            question: m.question,
        }
    }
}

/// Turning a queued chat into a message: the e-mail address, unless the chat was started with
/// one.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatToMessage {
    #[serde(default)]
    pub email: Option<String>,
}

/// What the customer learns of the message they left: that it arrived, and nothing of how it
/// is handled.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MessageReceipt {
    pub id: OfflineMessageId,
    pub group_id: GroupId,
    pub received_at: Timestamp,
    /// Where the answer will be e-mailed.
    pub email: String,
}

impl From<&domain::OfflineMessage> for MessageReceipt {
    fn from(m: &domain::OfflineMessage) -> Self {
        MessageReceipt {
            id: (&m.id).into(),
            group_id: (&m.group_id).into(),
            received_at: m.received_at.into(),
            email: m.email.clone(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    Open,
    Answered,
    Closed,
}

impl From<domain::MessageStatus> for MessageStatus {
    fn from(s: domain::MessageStatus) -> Self {
        match s {
            domain::MessageStatus::Open => MessageStatus::Open,
            domain::MessageStatus::Answered => MessageStatus::Answered,
            domain::MessageStatus::Closed => MessageStatus::Closed,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MessageAgentRef {
    pub id: AgentId,
    pub name: String,
}

impl From<&MessageAgent> for MessageAgentRef {
    fn from(a: &MessageAgent) -> Self {
        MessageAgentRef {
            id: (&a.id).into(),
            name: a.name.clone(),
        }
    }
}

/// One line of an inbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InboxRow {
    pub id: OfflineMessageId,
    pub group_id: GroupId,
    pub name: String,
    pub email: String,
    /// The start of the question.
    pub preview: String,
    pub status: MessageStatus,
    pub assignee: Option<MessageAgentRef>,
    pub received_at: Timestamp,
    pub updated_at: Timestamp,
    pub replies: u32,
    /// The queued chat the customer turned into this message.
    pub from_chat: Option<ChatId>,
    /// Moves with every change: a client keeps the row with the higher one.
    pub revision: u64,
}

impl From<&domain::OfflineMessage> for InboxRow {
    fn from(m: &domain::OfflineMessage) -> Self {
        let mut preview: String = m.question.chars().take(PREVIEW_CHARS).collect();
        if m.question.chars().count() > PREVIEW_CHARS {
            preview.push('…');
        }
        InboxRow {
            id: (&m.id).into(),
            group_id: (&m.group_id).into(),
            name: m.name.clone(),
            email: m.email.clone(),
            preview,
            status: m.status.into(),
            assignee: m.assignee.as_ref().map(Into::into),
            received_at: m.received_at.into(),
            updated_at: m.updated_at.into(),
            replies: u32::try_from(m.replies()).unwrap_or(u32::MAX),
            from_chat: m.from_chat.as_ref().map(Into::into),
            revision: m.revision,
        }
    }
}

/// One step of a message's handling.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ThreadEntryKind {
    /// Sent to the customer by e-mail.
    Reply {
        body: String,
        mail_id: Option<String>,
    },
    /// Agents only.
    Note {
        body: String,
    },
    Assigned {
        to: MessageAgentRef,
    },
    Closed,
    Reopened,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ThreadEntry {
    pub at: Timestamp,
    pub by: MessageAgentRef,
    #[serde(flatten)]
    pub kind: ThreadEntryKind,
}

/// A message with its whole thread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OfflineMessage {
    #[serde(flatten)]
    pub row: InboxRow,
    /// The whole question.
    pub question: String,
    pub thread: Vec<ThreadEntry>,
}

impl From<&domain::OfflineMessage> for OfflineMessage {
    fn from(m: &domain::OfflineMessage) -> Self {
        OfflineMessage {
            row: m.into(),
            question: m.question.clone(),
            thread: m
                .thread
                .iter()
                .map(|e| ThreadEntry {
                    at: e.at.into(),
                    by: (&e.by).into(),
                    kind: match &e.kind {
                        EntryKind::Reply { body, mail_id } => ThreadEntryKind::Reply {
                            body: body.clone(),
                            mail_id: mail_id.clone(),
                        },
                        EntryKind::Note { body } => ThreadEntryKind::Note { body: body.clone() },
                        EntryKind::Assigned { to } => ThreadEntryKind::Assigned { to: to.into() },
                        EntryKind::Closed => ThreadEntryKind::Closed,
                        EntryKind::Reopened => ThreadEntryKind::Reopened,
                    },
                })
                .collect(),
        }
    }
}

/// One page of a group's inbox, newest first.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InboxPage {
    pub group_id: GroupId,
    pub status: MessageStatus,
    pub messages: Vec<InboxRow>,
    /// Pass as `cursor` to read the next page; absent on the last one.
    pub next_cursor: Option<String>,
}

impl From<&app::InboxPage> for InboxPage {
    fn from(p: &app::InboxPage) -> Self {
        InboxPage {
            group_id: (&p.group_id).into(),
            status: p.status.into(),
            messages: p.messages.iter().map(Into::into).collect(),
            next_cursor: p.next.as_ref().map(app::inbox_cursor_to_string),
        }
    }
}

/// A reply or an internal note.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageText {
    pub body: String,
}
