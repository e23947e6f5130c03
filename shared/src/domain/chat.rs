use super::ids::{AgentId, ChatId, GroupId};
use super::time::Timestamp;

/// Where a chat is in its life. Deletion is not a state: a deleted chat keeps its state and
/// carries `deleted_at`, so restoring it brings it back exactly as it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChatState {
    /// Waiting in its group's queue for an agent.
    Queued,
    /// Assigned to an agent.
    Active,
    /// Ended by either side.
    Inactive,
}

impl ChatState {
    pub fn as_str(self) -> &'static str {
        match self {
            ChatState::Queued => "queued",
            ChatState::Active => "active",
            ChatState::Inactive => "inactive",
        }
    }

    pub fn parse(s: &str) -> Option<ChatState> {
        match s {
            "queued" => Some(ChatState::Queued),
            "active" => Some(ChatState::Active),
            "inactive" => Some(ChatState::Inactive),
            _ => None,
        }
    }

    /// A live chat is one a customer can still write in.
    pub fn is_live(self) -> bool {
        !matches!(self, ChatState::Inactive)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Customer {
    /// The name the customer wants to be called during the chat.
    pub name: String,
    pub email: Option<String>,
    /// The website's id of this user, present only when the website vouched for it with identity
    /// validation (an HMAC of the id under the deployment's secret).
    pub verified_user_id: Option<String>,
}

/// The customer's satisfaction with an ended chat: 1 (poor) to 5 (excellent), given once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rating {
    pub score: u8,
    pub comment: Option<String>,
    pub at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowUp {
    pub due_at: Timestamp,
    pub note: String,
    pub set_by: AgentId,
}

/// Who did something to a chat.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Party {
    Customer,
    Agent {
        id: AgentId,
        name: String,
    },
    /// The group's automatic distribution (no person acted).
    Automatic,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chat {
    pub id: ChatId,
    pub group_id: GroupId,
    pub customer: Customer,
    /// The customer's initial question.
    pub question: String,
    pub state: ChatState,
    pub deleted_at: Option<Timestamp>,
    pub agent_id: Option<AgentId>,
    /// The assigned agent's display name, kept on the chat so lists need no join.
    pub agent_name: Option<String>,
    pub started_at: Timestamp,
    /// Set while queued: when the current stay in the queue began.
    pub queued_since: Option<Timestamp>,
    /// Time spent in the queue in earlier stays (a transfer to a group queues the chat again).
    pub queue_ms: i64,
    /// When an agent first joined; idle time counts from here until an agent writes.
    pub first_assigned_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub ended_by: Option<Party>,
    pub last_agent_message_at: Option<Timestamp>,
    /// Whether the customer wrote after the last agent message (the customer is waiting).
    pub customer_waiting: bool,
    pub message_count: u64,
    /// Sequence number of the chat's latest event; every change to the chat writes exactly the
    /// next one, which is what makes concurrent changes safe (compare-and-set on this number).
    pub last_seq: u64,
    pub follow_up: Option<FollowUp>,
    pub resolution: Option<String>,
    /// How fast each side has been writing (`pace`): bounds messages per chat and per sender.
    pub send_pace: super::pace::SendPace,
    /// When the current agent got the chat (the no-first-response timer counts from here).
    pub assigned_at: Option<Timestamp>,
    /// When the customer's first unanswered message came (while `customer_waiting`).
    pub customer_waiting_since: Option<Timestamp>,
    /// When the assigned agent last showed activity without writing (typing): restarts the
    /// response timers.
    pub agent_active_at: Option<Timestamp>,
    /// How many times hand-off timers moved the chat on.
    pub hand_offs: u32,
    /// Where the chat stands in its queue when not by `queued_since`: a chat handed off back to
    /// the queue stands by its start, ahead of everyone who arrived later.
    pub queue_rank_at: Option<Timestamp>,
    /// Reached its group's hand-off cap: waits in the queue for a person (automatic
    /// distribution passes it by) until someone takes it.
    pub escalated: bool,
    /// The customer's rating, once the chat has ended.
    pub rating: Option<Rating>,
    /// Agents' labels (`tags::tag_set`: normalised, sorted); never shown to the customer.
    pub tags: Vec<String>,
}

impl Chat {
    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }

    /// The instant a queued chat is ordered by in its queue (oldest first).
    pub fn queue_order_at(&self) -> Timestamp {
        self.queue_rank_at
            .or(self.queued_since)
            .unwrap_or(self.started_at)
    }

    /// Total time in the queue: earlier stays plus the current one, still ticking while queued.
    pub fn queue_time_ms(&self, now: Timestamp) -> i64 {
        let current = match (self.state, self.queued_since) {
            (ChatState::Queued, Some(since)) => now.since(since),
            _ => 0,
        };
        self.queue_ms.saturating_add(current)
    }

    /// The instant idle time counts from: the last agent message; before any, the moment an
    /// agent first joined; before that, the start of the chat.
    pub fn idle_since(&self) -> Timestamp {
        self.last_agent_message_at
            .or(self.first_assigned_at)
            .unwrap_or(self.started_at)
    }

    /// Time since an agent last wrote. A customer message never resets it. It stops at the end
    /// of the chat so that completed lists sort stably.
    pub fn idle_ms(&self, now: Timestamp) -> i64 {
        let until = match self.state {
            ChatState::Inactive => self.ended_at.unwrap_or(now),
            _ => now,
        };
        until.since(self.idle_since())
    }
}
