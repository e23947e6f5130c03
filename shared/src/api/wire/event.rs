//! A chat's events: the transcript, the live feed and resume after a reconnect.

use serde::{Deserialize, Serialize};

use super::chat::{ChatState, Party};
use super::ids::{AgentId, AttachmentId, ChatId, ClientMessageId, GroupId, Timestamp};
use crate::domain;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Author {
    Customer { name: String },
    Agent { id: AgentId, name: String },
}

impl From<&domain::Author> for Author {
    fn from(a: &domain::Author) -> Self {
        match a {
            domain::Author::Customer { name } => Author::Customer { name: name.clone() },
            domain::Author::Agent { id, name } => Author::Agent {
                id: id.into(),
                name: name.clone(),
            },
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// The chat was created and queued in a group.
    Started {
        group_id: GroupId,
    },
    Message {
        client_msg_id: ClientMessageId,
        author: Author,
        body: String,
    },
    /// A file attached by the customer or the agent (checked by content when its upload was
    /// confirmed). Read it with `GET /api/chats/{chat_id}/attachments/{attachment_id}`.
    Attachment {
        client_msg_id: ClientMessageId,
        author: Author,
        file: AttachedFile,
    },
    /// An agent joined: pulled from the queue, took it, or it was transferred to them.
    Assigned {
        agent_id: AgentId,
        agent_name: String,
        by: Party,
    },
    /// Sent back to a group's queue.
    Requeued {
        group_id: GroupId,
        by: Party,
    },
    Ended {
        by: Party,
        resolution: Option<String>,
    },
    /// Moved from `from_group_id` to `group_id` because its group was removed; its state and
    /// agent stay (agents only).
    Moved {
        from_group_id: GroupId,
        group_id: GroupId,
        by: Party,
    },
    Deleted {
        by: Party,
    },
    Restored {
        by: Party,
        state: ChatState,
    },
    FollowUpSet {
        due_at: Timestamp,
        note: String,
        by: Party,
    },
    FollowUpCleared {
        by: Party,
    },
    /// Agents changed the chat's tags to `tags` (agents only).
    Tagged {
        tags: Vec<String>,
        by: Party,
    },
    /// A hand-off timer ran out: the chat went from its agent to another (`to_agent_id`), or back
    /// to its group's queue (no `to_agent_id`); `escalated` when it reached the group's hand-off
    /// limit and waits in the queue for a person.
    HandedOff {
        reason: HandOffReason,
        from_agent_id: AgentId,
        from_agent_name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to_agent_id: Option<AgentId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to_agent_name: Option<String>,
        escalated: bool,
    },
    /// The customer rated the ended chat: 1 (poor) to 5 (excellent), with an optional comment.
    Rated {
        #[schema(minimum = 1, maximum = 5)]
        score: u8,
        comment: Option<String>,
    },
}

/// A file in a chat.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AttachedFile {
    pub attachment_id: AttachmentId,
    /// The name it was uploaded under, made safe (no path, no quotes or control characters).
    pub file_name: String,
    /// Its media type, by content.
    pub content_type: String,
    /// In bytes.
    pub size: u64,
    /// An image (PNG, JPEG, GIF, WebP), previewed in the chat.
    pub is_image: bool,
}

impl From<&domain::AttachedFile> for AttachedFile {
    fn from(f: &domain::AttachedFile) -> Self {
        AttachedFile {
            attachment_id: (&f.id).into(),
            file_name: f.file_name.clone(),
            content_type: f.kind.mime().to_owned(),
            size: f.size,
            is_image: f.kind.is_image(),
        }
    }
}

/// Why a hand-off timer moved a chat on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HandOffReason {
    /// The agent had not written since the chat was assigned to them.
    NoFirstResponse,
    /// The customer was waiting for an answer.
    NoFollowUp,
    /// The agent's console was gone.
    AgentDisconnected,
}

impl From<domain::HandOffReason> for HandOffReason {
    fn from(r: domain::HandOffReason) -> Self {
        match r {
            domain::HandOffReason::NoFirstResponse => HandOffReason::NoFirstResponse,
            domain::HandOffReason::NoFollowUp => HandOffReason::NoFollowUp,
            domain::HandOffReason::AgentDisconnected => HandOffReason::AgentDisconnected,
        }
    }
}

impl From<&domain::EventKind> for EventKind {
    fn from(k: &domain::EventKind) -> Self {
        use domain::EventKind as D;
        match k {
            D::Started { group_id } => EventKind::Started {
                group_id: group_id.into(),
            },
            D::Message {
                client_msg_id,
                author,
                body,
            } => EventKind::Message {
                client_msg_id: client_msg_id.into(),
                author: author.into(),
                body: body.clone(),
            },
            D::Attachment {
                client_msg_id,
                author,
                file,
            } => EventKind::Attachment {
                client_msg_id: client_msg_id.into(),
                author: author.into(),
                file: file.into(),
            },
            D::Assigned {
                agent_id,
                agent_name,
                by,
            } => EventKind::Assigned {
                agent_id: agent_id.into(),
                agent_name: agent_name.clone(),
                by: by.into(),
            },
            D::Requeued { group_id, by } => EventKind::Requeued {
                group_id: group_id.into(),
                by: by.into(),
            },
            D::Ended { by, resolution } => EventKind::Ended {
                by: by.into(),
                resolution: resolution.clone(),
            },
            D::Moved {
                from_group_id,
                group_id,
                by,
            } => EventKind::Moved {
                from_group_id: from_group_id.into(),
                group_id: group_id.into(),
                by: by.into(),
            },
            D::Deleted { by } => EventKind::Deleted { by: by.into() },
            D::Restored { by, state } => EventKind::Restored {
                by: by.into(),
                state: (*state).into(),
            },
            D::FollowUpSet { due_at, note, by } => EventKind::FollowUpSet {
                due_at: (*due_at).into(),
                note: note.clone(),
                by: by.into(),
            },
            D::FollowUpCleared { by } => EventKind::FollowUpCleared { by: by.into() },
            D::Tagged { tags, by } => EventKind::Tagged {
                tags: tags.clone(),
                by: by.into(),
            },
            D::HandedOff {
                reason,
                from_agent_id,
                from_agent_name,
                to,
                escalated,
            } => EventKind::HandedOff {
                reason: (*reason).into(),
                from_agent_id: from_agent_id.into(),
                from_agent_name: from_agent_name.clone(),
                to_agent_id: to.as_ref().map(|(id, _)| id.into()),
                to_agent_name: to.as_ref().map(|(_, name)| name.clone()),
                escalated: *escalated,
            },
            D::Rated { score, comment } => EventKind::Rated {
                score: *score,
                comment: comment.clone(),
            },
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChatEvent {
    pub chat_id: ChatId,
    pub seq: u64,
    pub at: Timestamp,
    #[serde(flatten)]
    pub kind: EventKind,
}

impl From<&domain::ChatEvent> for ChatEvent {
    fn from(e: &domain::ChatEvent) -> Self {
        ChatEvent {
            chat_id: (&e.chat_id).into(),
            seq: e.seq,
            at: e.at.into(),
            kind: (&e.kind).into(),
        }
    }
}
