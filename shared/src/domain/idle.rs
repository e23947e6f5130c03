//! The colours of the Status column.
//!
//! The exact rule (also in `docs/domain.md`):
//!
//! * **state icon**: active = green, queued = grey, inactive (ended) or deleted = red.
//! * **idle icon** (how long the customer has waited for an agent):
//!   1. ended or deleted: red (closed/inactive);
//!   2. queued: grey (no agent yet; the Queue Time column shows the wait);
//!   3. active and an agent wrote the last message: grey (no idle issue);
//!   4. active and the customer is waiting (they wrote after the last agent message, or no agent
//!      has written yet): idle < warning = green; warning <= idle < high = yellow; idle >= high = red.
//! * **follow-up icon**: none = no icon; due in the future = green; due now or overdue = red.
//!
//! Idle time is the time since an agent last sent a message (a customer message never resets
//! it); before any agent message it counts from when an agent first joined.

use serde::{Deserialize, Serialize};

use super::chat::{Chat, ChatState};
use super::time::Timestamp;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Grey,
    Green,
    Yellow,
    Red,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IdleThresholds {
    /// Idle at or above this is a warning (yellow).
    pub warning_ms: i64,
    /// Idle at or above this is a high warning (red).
    pub high_ms: i64,
}

impl Default for IdleThresholds {
    /// Two minutes to a warning, five to a high warning: SmarterTrack's default for handing a chat
    /// on after no follow-up response is five minutes, so red means "about to be overdue".
    fn default() -> Self {
        IdleThresholds {
            warning_ms: 2 * 60 * 1000,
            high_ms: 5 * 60 * 1000,
        }
    }
}

impl IdleThresholds {
    pub fn new(warning_ms: i64, high_ms: i64) -> Result<Self, String> {
        if warning_ms <= 0 || high_ms <= warning_ms {
            return Err(format!(
                "idle thresholds must satisfy 0 < warning ({warning_ms} ms) < high ({high_ms} ms)"
            ));
        }
        Ok(IdleThresholds {
            warning_ms,
            high_ms,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StatusIcons {
    pub state: Severity,
    pub idle: Severity,
    /// `None` when no follow-up is scheduled.
    pub follow_up: Option<Severity>,
}

pub fn idle_severity(chat: &Chat, now: Timestamp, thresholds: &IdleThresholds) -> Severity {
    if chat.is_deleted() || chat.state == ChatState::Inactive {
        return Severity::Red;
    }
    if chat.state == ChatState::Queued {
        return Severity::Grey;
    }
    let customer_waiting = chat.customer_waiting || chat.last_agent_message_at.is_none();
    if !customer_waiting {
        return Severity::Grey;
    }
    let idle = chat.idle_ms(now);
    if idle >= thresholds.high_ms {
        Severity::Red
    } else if idle >= thresholds.warning_ms {
        Severity::Yellow
    } else {
        Severity::Green
    }
}

pub fn status_icons(chat: &Chat, now: Timestamp, thresholds: &IdleThresholds) -> StatusIcons {
    let state = if chat.is_deleted() {
        Severity::Red
    } else {
        match chat.state {
            ChatState::Active => Severity::Green,
            ChatState::Queued => Severity::Grey,
            ChatState::Inactive => Severity::Red,
        }
    };
    let follow_up = chat.follow_up.as_ref().map(|f| {
        if f.due_at <= now {
            Severity::Red
        } else {
            Severity::Green
        }
    });
    StatusIcons {
        state,
        idle: idle_severity(chat, now, thresholds),
        follow_up,
    }
}
