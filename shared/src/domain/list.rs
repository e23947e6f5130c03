use super::chat::{Chat, ChatState, FollowUp};
use super::idle::{status_icons, IdleThresholds, StatusIcons};
use super::ids::{AgentId, ChatId, GroupId};
use super::time::Timestamp;

/// One line of a chat list, with every column computed at one instant so that sorting and
/// colouring agree with what the agent sees.
#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// Times hand-off timers moved the chat on.
    pub hand_offs: u32,
    /// Reached its group's hand-off limit: waits in the queue for a person.
    pub escalated: bool,
    /// The customer's satisfaction score (1-5), once they rated the ended chat.
    pub rating: Option<u8>,
    /// The customer wrote after the agent's last message and waits for an answer.
    pub customer_waiting: bool,
    /// Agents' tags on the chat, sorted.
    pub tags: Vec<String>,
    /// The instant the durations were computed at; clients tick from here.
    pub as_of: Timestamp,
}

impl ChatRow {
    pub fn from_chat(
        chat: &Chat,
        group_name: &str,
        now: Timestamp,
        thresholds: &IdleThresholds,
    ) -> ChatRow {
        ChatRow {
            id: chat.id.clone(),
            state: chat.state,
            deleted: chat.is_deleted(),
            follow_up: chat.follow_up.clone(),
            icons: status_icons(chat, now, thresholds),
            user: chat.customer.name.clone(),
            verified_user_id: chat.customer.verified_user_id.clone(),
            group_id: chat.group_id.clone(),
            group_name: group_name.to_owned(),
            started_at: chat.started_at,
            queue_ms: chat.queue_time_ms(now),
            idle_ms: chat.idle_ms(now),
            messages: chat.message_count,
            agent_id: chat.agent_id.clone(),
            agent_name: chat.agent_name.clone(),
            question: chat.question.clone(),
            last_seq: chat.last_seq,
            hand_offs: chat.hand_offs,
            escalated: chat.escalated,
            rating: chat.rating.as_ref().map(|r| r.score),
            customer_waiting: chat.customer_waiting,
            tags: chat.tags.clone(),
            as_of: now,
        }
    }
}
