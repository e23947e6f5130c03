//! A chat (SQLite `chats.doc`, DynamoDB `CHAT#{id}` / `META` without the keys the adapter adds:
//! the table's, the list indexes' and a committed purge's mark).

use serde::{Deserialize, Serialize};

use super::{id, readable, FORMAT_VERSION};
use crate::domain::pace::SendPace;
use crate::domain::{Chat, ChatState, Customer, FollowUp, Party, Rating, Timestamp};
use crate::ports::StoreError;

#[derive(Serialize, Deserialize)]
pub(crate) struct ChatRecord {
    #[serde(default)]
    v: u32,
    id: String,
    group_id: String,
    customer: CustomerRecord,
    question: String,
    state: StateRecord,
    deleted_at: Option<i64>,
    agent_id: Option<String>,
    agent_name: Option<String>,
    started_at: i64,
    queued_since: Option<i64>,
    queue_ms: i64,
    first_assigned_at: Option<i64>,
    ended_at: Option<i64>,
    ended_by: Option<PartyRecord>,
    last_agent_message_at: Option<i64>,
    customer_waiting: bool,
    message_count: u64,
    last_seq: u64,
    follow_up: Option<FollowUpRecord>,
    resolution: Option<String>,
    /// Added after the first chats were stored.
    #[serde(default)]
    send_pace: PaceRecord,
    /// The hand-off timers' fields, added after the first chats were stored.
    #[serde(default)]
    assigned_at: Option<i64>,
    #[serde(default)]
    customer_waiting_since: Option<i64>,
    #[serde(default)]
    agent_active_at: Option<i64>,
    #[serde(default)]
    hand_offs: u32,
    #[serde(default)]
    queue_rank_at: Option<i64>,
    #[serde(default)]
    escalated: bool,
    /// Added with satisfaction ratings.
    #[serde(default)]
    rating: Option<RatingRecord>,
    /// Added with tags; not written while there are none, so untagged chats are stored as
    /// before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct RatingRecord {
    score: u8,
    comment: Option<String>,
    at: i64,
}

#[derive(Serialize, Deserialize)]
struct CustomerRecord {
    name: String,
    email: Option<String>,
    /// Added after the first chats were stored.
    #[serde(default)]
    verified_user_id: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct FollowUpRecord {
    due_at: i64,
    note: String,
    set_by: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum StateRecord {
    Queued,
    Active,
    Inactive,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(super) enum PartyRecord {
    Customer,
    Agent { id: String, name: String },
    Automatic,
}

#[derive(Default, Serialize, Deserialize)]
struct PaceRecord {
    #[serde(default)]
    customer: Option<i64>,
    #[serde(default)]
    agent: Option<i64>,
}

impl From<ChatState> for StateRecord {
    fn from(s: ChatState) -> Self {
        match s {
            ChatState::Queued => StateRecord::Queued,
            ChatState::Active => StateRecord::Active,
            ChatState::Inactive => StateRecord::Inactive,
        }
    }
}

impl From<StateRecord> for ChatState {
    fn from(s: StateRecord) -> Self {
        match s {
            StateRecord::Queued => ChatState::Queued,
            StateRecord::Active => ChatState::Active,
            StateRecord::Inactive => ChatState::Inactive,
        }
    }
}

impl From<&Party> for PartyRecord {
    fn from(p: &Party) -> Self {
        match p {
            Party::Customer => PartyRecord::Customer,
            Party::Agent { id, name } => PartyRecord::Agent {
                id: id.to_string(),
                name: name.clone(),
            },
            Party::Automatic => PartyRecord::Automatic,
        }
    }
}

impl TryFrom<PartyRecord> for Party {
    type Error = StoreError;
    fn try_from(p: PartyRecord) -> Result<Self, StoreError> {
        Ok(match p {
            PartyRecord::Customer => Party::Customer,
            PartyRecord::Agent { id: agent, name } => Party::Agent {
                id: id(agent)?,
                name,
            },
            PartyRecord::Automatic => Party::Automatic,
        })
    }
}

fn ms(t: Option<Timestamp>) -> Option<i64> {
    t.map(Timestamp::millis)
}

fn at(ms: Option<i64>) -> Option<Timestamp> {
    ms.map(Timestamp)
}

impl From<&Chat> for ChatRecord {
    fn from(c: &Chat) -> Self {
        ChatRecord {
            v: FORMAT_VERSION,
            id: c.id.to_string(),
            group_id: c.group_id.to_string(),
            customer: CustomerRecord {
                name: c.customer.name.clone(),
                email: c.customer.email.clone(),
                verified_user_id: c.customer.verified_user_id.clone(),
            },
            question: c.question.clone(),
            state: c.state.into(),
            deleted_at: ms(c.deleted_at),
            agent_id: c.agent_id.as_ref().map(|a| a.to_string()),
            agent_name: c.agent_name.clone(),
            started_at: c.started_at.millis(),
            queued_since: ms(c.queued_since),
            queue_ms: c.queue_ms,
            first_assigned_at: ms(c.first_assigned_at),
            ended_at: ms(c.ended_at),
            ended_by: c.ended_by.as_ref().map(PartyRecord::from),
            last_agent_message_at: ms(c.last_agent_message_at),
            customer_waiting: c.customer_waiting,
            message_count: c.message_count,
            last_seq: c.last_seq,
            follow_up: c.follow_up.as_ref().map(|f| FollowUpRecord {
                due_at: f.due_at.millis(),
                note: f.note.clone(),
                set_by: f.set_by.to_string(),
            }),
            resolution: c.resolution.clone(),
            send_pace: PaceRecord {
                customer: ms(c.send_pace.customer),
                agent: ms(c.send_pace.agent),
            },
            assigned_at: ms(c.assigned_at),
            customer_waiting_since: ms(c.customer_waiting_since),
            agent_active_at: ms(c.agent_active_at),
            hand_offs: c.hand_offs,
            queue_rank_at: ms(c.queue_rank_at),
            escalated: c.escalated,
            rating: c.rating.as_ref().map(|r| RatingRecord {
                score: r.score,
                comment: r.comment.clone(),
                at: r.at.millis(),
            }),
            tags: c.tags.clone(),
        }
    }
}

impl TryFrom<ChatRecord> for Chat {
    type Error = StoreError;
    fn try_from(r: ChatRecord) -> Result<Self, StoreError> {
        readable(r.v, "a chat")?;
        Ok(Chat {
            id: id(r.id)?,
            group_id: id(r.group_id)?,
            customer: Customer {
                name: r.customer.name,
                email: r.customer.email,
                verified_user_id: r.customer.verified_user_id,
            },
            question: r.question,
            state: r.state.into(),
            deleted_at: at(r.deleted_at),
            agent_id: r.agent_id.map(id).transpose()?,
            agent_name: r.agent_name,
            started_at: Timestamp(r.started_at),
            queued_since: at(r.queued_since),
            queue_ms: r.queue_ms,
            first_assigned_at: at(r.first_assigned_at),
            ended_at: at(r.ended_at),
            ended_by: r.ended_by.map(Party::try_from).transpose()?,
            last_agent_message_at: at(r.last_agent_message_at),
            customer_waiting: r.customer_waiting,
            message_count: r.message_count,
            last_seq: r.last_seq,
            follow_up: r
                .follow_up
                .map(|f| -> Result<FollowUp, StoreError> {
                    Ok(FollowUp {
                        due_at: Timestamp(f.due_at),
                        note: f.note,
                        set_by: id(f.set_by)?,
                    })
                })
                .transpose()?,
            resolution: r.resolution,
            send_pace: SendPace {
                customer: at(r.send_pace.customer),
                agent: at(r.send_pace.agent),
            },
            assigned_at: at(r.assigned_at),
            customer_waiting_since: at(r.customer_waiting_since),
            agent_active_at: at(r.agent_active_at),
            hand_offs: r.hand_offs,
            queue_rank_at: at(r.queue_rank_at),
            escalated: r.escalated,
            rating: r.rating.map(|r| Rating {
                score: r.score,
                comment: r.comment,
                at: Timestamp(r.at),
            }),
            tags: r.tags,
        })
    }
}
