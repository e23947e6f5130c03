//! The chat lists: rows with their colours, the views, and one page of a view.

use serde::{Deserialize, Serialize};

use super::chat::{ChatState, FollowUp};
use super::ids::{AgentId, ChatId, GroupId, Timestamp};
use super::prefs::SortSpec;
use crate::{app, domain};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Grey,
    Green,
    Yellow,
    Red,
}

impl From<domain::Severity> for Severity {
    fn from(s: domain::Severity) -> Self {
        match s {
            domain::Severity::Grey => Severity::Grey,
            domain::Severity::Green => Severity::Green,
            domain::Severity::Yellow => Severity::Yellow,
            domain::Severity::Red => Severity::Red,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StatusIcons {
    pub state: Severity,
    pub idle: Severity,
    /// `None` when no follow-up is scheduled.
    pub follow_up: Option<Severity>,
}

impl From<domain::StatusIcons> for StatusIcons {
    fn from(i: domain::StatusIcons) -> Self {
        StatusIcons {
            state: i.state.into(),
            idle: i.idle.into(),
            follow_up: i.follow_up.map(Into::into),
        }
    }
}

/// One line of a chat list, with every column computed at one instant so that sorting and
/// colouring agree with what the agent sees.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChatRow {
    pub id: ChatId,
    pub state: ChatState,
    pub deleted: bool,
    pub follow_up: Option<FollowUp>,
    pub icons: StatusIcons,
    /// The name the customer wants to be called.
    pub user: String,
    /// Set when the website vouched for the customer's identity.
    pub verified_user_id: Option<String>,
    pub group_id: GroupId,
    pub group_name: String,
    pub started_at: Timestamp,
    pub queue_ms: i64,
    pub idle_ms: i64,
    pub messages: u64,
    pub agent_id: Option<AgentId>,
    pub agent_name: Option<String>,
    pub question: String,
    pub last_seq: u64,
    /// Times hand-off timers moved the chat on (0 for most chats).
    #[serde(default)]
    pub hand_offs: u32,
    /// Reached its group's hand-off limit: waits in the queue for a person.
    #[serde(default)]
    pub escalated: bool,
    /// The customer's satisfaction score (1-5), once they rated the ended chat.
    #[serde(default)]
    pub rating: Option<u8>,
    /// The customer wrote after the agent's last message and waits for an answer (the console
    /// counts such messages as unread while the chat is not on screen).
    #[serde(default)]
    pub customer_waiting: bool,
    /// Agents' tags on the chat, sorted (agents only).
    #[serde(default)]
    pub tags: Vec<String>,
    /// The instant the durations were computed at; clients tick from here.
    pub as_of: Timestamp,
}

/// A row built to be sent (every pushed row): its strings move instead of being copied.
impl From<domain::ChatRow> for ChatRow {
    fn from(r: domain::ChatRow) -> Self {
        ChatRow {
            id: ChatId(r.id),
            state: r.state.into(),
            deleted: r.deleted,
            follow_up: r.follow_up.as_ref().map(Into::into),
            icons: r.icons.into(),
            user: r.user,
            verified_user_id: r.verified_user_id,
            group_id: GroupId(r.group_id),
            group_name: r.group_name,
            started_at: r.started_at.into(),
            queue_ms: r.queue_ms,
            idle_ms: r.idle_ms,
            messages: r.messages,
            agent_id: r.agent_id.map(AgentId),
            agent_name: r.agent_name,
            question: r.question,
            last_seq: r.last_seq,
            hand_offs: r.hand_offs,
            escalated: r.escalated,
            rating: r.rating,
            customer_waiting: r.customer_waiting,
            tags: r.tags,
            as_of: r.as_of.into(),
        }
    }
}

impl From<&domain::ChatRow> for ChatRow {
    fn from(r: &domain::ChatRow) -> Self {
        ChatRow {
            id: (&r.id).into(),
            state: r.state.into(),
            deleted: r.deleted,
            follow_up: r.follow_up.as_ref().map(Into::into),
            icons: r.icons.into(),
            user: r.user.clone(),
            verified_user_id: r.verified_user_id.clone(),
            group_id: (&r.group_id).into(),
            group_name: r.group_name.clone(),
            started_at: r.started_at.into(),
            queue_ms: r.queue_ms,
            idle_ms: r.idle_ms,
            messages: r.messages,
            agent_id: r.agent_id.as_ref().map(Into::into),
            agent_name: r.agent_name.clone(),
            question: r.question.clone(),
            last_seq: r.last_seq,
            hand_offs: r.hand_offs,
            escalated: r.escalated,
            rating: r.rating,
            customer_waiting: r.customer_waiting,
            tags: r.tags.clone(),
            as_of: r.as_of.into(),
        }
    }
}

/// The lists of the Live Chats navigation pane.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "view", rename_all = "snake_case")]
pub enum ChatView {
    /// Chats assigned to me and still active.
    MyActive,
    /// Chats I had that have ended.
    MyCompleted,
    /// One of my groups: its live chats (queued and active) or its ended ones.
    Group { group_id: GroupId, inactive: bool },
    /// Queued chats of all my groups, oldest first by default.
    Queue,
    /// Every chat of every group; only for members of all groups.
    Global,
    /// Deleted chats of my groups, restorable by managers and administrators.
    Deleted,
}

impl From<&domain::ChatView> for ChatView {
    fn from(v: &domain::ChatView) -> Self {
        use domain::ChatView as D;
        match v {
            D::MyActive => ChatView::MyActive,
            D::MyCompleted => ChatView::MyCompleted,
            D::Group { group_id, inactive } => ChatView::Group {
                group_id: group_id.into(),
                inactive: *inactive,
            },
            D::Queue => ChatView::Queue,
            D::Global => ChatView::Global,
            D::Deleted => ChatView::Deleted,
        }
    }
}

impl From<ChatView> for domain::ChatView {
    fn from(v: ChatView) -> Self {
        use domain::ChatView as D;
        match v {
            ChatView::MyActive => D::MyActive,
            ChatView::MyCompleted => D::MyCompleted,
            ChatView::Group { group_id, inactive } => D::Group {
                group_id: group_id.into(),
                inactive,
            },
            ChatView::Queue => D::Queue,
            ChatView::Global => D::Global,
            ChatView::Deleted => D::Deleted,
        }
    }
}

/// One page of a view. Pages are cut in the lists' index order (the queue's longest-waiting
/// customers come first), then sorted for display.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChatList {
    pub view: ChatView,
    pub sort: SortSpec,
    pub rows: Vec<ChatRow>,
    /// True when the view holds more chats than this page: read on with `next_cursor`.
    pub truncated: bool,
    /// Pass as `cursor` to read the next page (same view); `null` on the last page.
    pub next_cursor: Option<String>,
}

impl From<&app::ChatList> for ChatList {
    fn from(l: &app::ChatList) -> Self {
        ChatList {
            view: (&l.view).into(),
            sort: l.sort.into(),
            rows: l.rows.iter().map(Into::into).collect(),
            truncated: l.truncated,
            next_cursor: l.next_cursor.clone(),
        }
    }
}
