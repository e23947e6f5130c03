//! What agents keep on a chat for each other, as they read and write it: internal notes and
//! tags; and the customer's earlier chats.

use serde::{Deserialize, Serialize};

use super::ids::{AgentId, ChatId, Timestamp};
use crate::domain;

/// A chat's tags, the whole set.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetChatTags {
    /// At most 10; each 1 to 32 characters of letters, digits, `-`, `_` and spaces (kept
    /// lower-cased and trimmed).
    pub tags: Vec<String>,
}

/// A new internal note.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewChatNote {
    /// 1 to 4000 characters; newlines allowed.
    pub text: String,
}

/// An internal note: agents only, never shown to the customer nor in their transcript.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChatNote {
    pub chat_id: ChatId,
    /// The note's place among the chat's notes, from 1.
    pub number: u32,
    pub author_id: AgentId,
    pub author_name: String,
    pub text: String,
    pub created_at: Timestamp,
}

impl From<&domain::ChatNote> for ChatNote {
    fn from(n: &domain::ChatNote) -> Self {
        ChatNote {
            chat_id: (&n.chat_id).into(),
            number: n.number,
            author_id: (&n.author_id).into(),
            author_name: n.author_name.clone(),
            text: n.text.clone(),
            created_at: n.created_at.into(),
        }
    }
}

/// The chat's notes, oldest first.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChatNotes {
    pub notes: Vec<ChatNote>,
}

impl From<&[domain::ChatNote]> for ChatNotes {
    fn from(notes: &[domain::ChatNote]) -> Self {
        ChatNotes {
            notes: notes.iter().map(ChatNote::from).collect(),
        }
    }
}

/// One of the customer's earlier chats, as the history panel lists it.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    pub id: ChatId,
    pub started_at: Timestamp,
    pub group_id: super::ids::GroupId,
    pub group_name: String,
    pub agent_name: Option<String>,
    pub state: super::chat::ChatState,
    pub deleted: bool,
    pub question: String,
    /// The customer's satisfaction score (1-5), when they rated it.
    pub rating: Option<u8>,
}

impl From<&domain::ChatRow> for HistoryEntry {
    fn from(r: &domain::ChatRow) -> Self {
        HistoryEntry {
            id: (&r.id).into(),
            started_at: r.started_at.into(),
            group_id: (&r.group_id).into(),
            group_name: r.group_name.clone(),
            agent_name: r.agent_name.clone(),
            state: r.state.into(),
            deleted: r.deleted,
            question: r.question.clone(),
            rating: r.rating,
        }
    }
}

/// The customer's earlier chats, most recently started first.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CustomerHistory {
    pub chats: Vec<HistoryEntry>,
}
