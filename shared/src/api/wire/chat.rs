//! A chat as its customer sees it, and what starts one.

use serde::{Deserialize, Serialize};

use super::ids::{AgentId, ChatId, ClientMessageId, GroupId, Timestamp};
use super::list::ChatRow;
use crate::{app, domain};

/// Where a chat is in its life. Deletion is not a state: a deleted chat keeps its state and
/// carries `deleted_at`, so restoring it brings it back exactly as it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChatState {
    /// Waiting in its group's queue for an agent.
    Queued,
    /// Assigned to an agent.
    Active,
    /// Ended by either side.
    Inactive,
}

impl From<domain::ChatState> for ChatState {
    fn from(s: domain::ChatState) -> Self {
        match s {
            domain::ChatState::Queued => ChatState::Queued,
            domain::ChatState::Active => ChatState::Active,
            domain::ChatState::Inactive => ChatState::Inactive,
        }
    }
}

impl From<ChatState> for domain::ChatState {
    fn from(s: ChatState) -> Self {
        match s {
            ChatState::Queued => domain::ChatState::Queued,
            ChatState::Active => domain::ChatState::Active,
            ChatState::Inactive => domain::ChatState::Inactive,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FollowUp {
    pub due_at: Timestamp,
    pub note: String,
    pub set_by: AgentId,
}

impl From<&domain::FollowUp> for FollowUp {
    fn from(f: &domain::FollowUp) -> Self {
        FollowUp {
            due_at: f.due_at.into(),
            note: f.note.clone(),
            set_by: (&f.set_by).into(),
        }
    }
}

/// Who did something to a chat.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Party {
    Customer,
    Agent {
        id: AgentId,
        name: String,
    },
    /// The group's automatic distribution (no person acted).
    Automatic,
}

impl From<&domain::Party> for Party {
    fn from(p: &domain::Party) -> Self {
        match p {
            domain::Party::Customer => Party::Customer,
            domain::Party::Agent { id, name } => Party::Agent {
                id: id.into(),
                name: name.clone(),
            },
            domain::Party::Automatic => Party::Automatic,
        }
    }
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartChat {
    pub group_id: GroupId,
    /// The name the customer wants to be called.
    pub name: String,
    pub email: Option<String>,
    pub question: String,
    /// Makes a retried start idempotent for the question message; generated when absent.
    pub client_msg_id: Option<ClientMessageId>,
    /// For websites that know their users: their user id and `HMAC-SHA256(secret, user_id)` in
    /// hex, computed on the website's server.
    pub identity: Option<CustomerIdentity>,
}

impl From<StartChat> for app::StartChat {
    fn from(s: StartChat) -> Self {
        app::StartChat {
            group_id: s.group_id.into(),
            name: s.name,
            email: s.email,
            question: s.question,
            client_msg_id: s.client_msg_id.map(Into::into),
            identity: s.identity.map(|i| app::CustomerIdentity {
                user_id: i.user_id,
                hash: i.hash,
            }),
        }
    }
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerIdentity {
    pub user_id: String,
    pub hash: String,
}

/// What a customer sees of their chat.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CustomerChat {
    pub id: ChatId,
    pub state: ChatState,
    pub group_id: GroupId,
    pub group_name: String,
    pub name: String,
    pub agent_name: Option<String>,
    /// How many customers wait ahead in the queue (only while queued), counted up to 202:
    /// pages show the exact number up to 10 and only a band further back ("more than 200").
    pub queue_position: Option<u32>,
    pub started_at: Timestamp,
    pub last_seq: u64,
    /// The customer's own satisfaction score (1-5), once they rated the ended chat.
    #[serde(default)]
    pub rating: Option<u8>,
    /// While waiting in the queue: the customer may leave a message instead (waited past the
    /// group's queue wait limit, or nobody can answer now and the group lets them choose).
    #[serde(default)]
    pub offer_message: bool,
}

impl From<&app::CustomerChat> for CustomerChat {
    fn from(c: &app::CustomerChat) -> Self {
        CustomerChat {
            id: (&c.id).into(),
            state: c.state.into(),
            group_id: (&c.group_id).into(),
            group_name: c.group_name.clone(),
            name: c.name.clone(),
            agent_name: c.agent_name.clone(),
            queue_position: c.queue_position,
            started_at: c.started_at.into(),
            last_seq: c.last_seq,
            rating: c.rating,
            offer_message: c.offer_message,
        }
    }
}

/// A chat as the caller may see it: agents get the full list row, the chat's customer their view.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum ChatForCaller {
    Agent(ChatRow),
    Customer(CustomerChat),
}

impl From<&app::ChatForCaller> for ChatForCaller {
    fn from(c: &app::ChatForCaller) -> Self {
        match c {
            app::ChatForCaller::Agent(row) => ChatForCaller::Agent(row.into()),
            app::ChatForCaller::Customer(chat) => ChatForCaller::Customer(chat.into()),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StartedChat {
    pub chat: CustomerChat,
    /// Opens this chat (and only this chat) for the customer.
    pub token: String,
}

impl From<&app::StartedChat> for StartedChat {
    fn from(s: &app::StartedChat) -> Self {
        StartedChat {
            chat: (&s.chat).into(),
            token: s.token.clone(),
        }
    }
}
