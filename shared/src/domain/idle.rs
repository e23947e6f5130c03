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

use super::chat::{Chat, ChatState};
use super::time::Timestamp;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Grey,
    Green,
    Yellow,
    Red,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::agent::{Agent, Group, Role};
    use crate::domain::ids::{AgentId, ChatId, ClientMessageId, GroupId};
    use crate::domain::rules::{self, Sender};

    const T0: Timestamp = Timestamp(1_700_000_000_000);

    fn agent() -> Agent {
        Agent {
            id: AgentId::parse("ann").unwrap(),
            username: "ann".into(),
            display_name: "Ann".into(),
            role: Role::Agent,
            groups: vec![GroupId::parse("g").unwrap()],
            available: true,
            max_concurrent_chats: 5,
            session_epoch: 1,
            deactivated_at: None,
        }
    }

    fn started() -> Chat {
        let group = Group {
            id: GroupId::parse("g").unwrap(),
            name: "G".into(),
            distribution: crate::domain::Distribution::Pull,
            hand_off: Default::default(),
            business_hours: None,
            offline: Default::default(),
            texts: Default::default(),
        };
        rules::start_chat(
            ChatId::generate(),
            &group,
            "Sam",
            None,
            "Help",
            ClientMessageId::generate(),
            T0,
        )
        .unwrap()
        .chat
    }

    fn at(secs: i64) -> Timestamp {
        T0.plus_millis(secs * 1000)
    }

    fn thresholds() -> IdleThresholds {
        IdleThresholds::default()
    }

    #[test]
    fn a_customer_message_never_resets_idle_time_an_agent_message_does() {
        let a = agent();
        let chat = rules::take(&started(), &a, at(10)).unwrap().chat;
        assert_eq!(
            chat.idle_ms(at(70)),
            60_000,
            "counts from when the agent joined"
        );
        let chat = rules::send_message(
            &chat,
            Sender::Agent(&a),
            ClientMessageId::generate(),
            "hi",
            at(100),
        )
        .unwrap()
        .chat;
        assert_eq!(chat.idle_ms(at(130)), 30_000);
        let chat = rules::send_message(
            &chat,
            Sender::Customer,
            ClientMessageId::generate(),
            "?",
            at(200),
        )
        .unwrap()
        .chat;
        assert_eq!(
            chat.idle_ms(at(230)),
            130_000,
            "the customer's message did not reset it"
        );
    }

    #[test]
    fn colours_follow_the_thresholds_while_the_customer_waits() {
        let a = agent();
        let t = thresholds();
        let chat = rules::take(&started(), &a, at(0)).unwrap().chat;
        // The customer asked and no agent has answered: waiting.
        assert_eq!(idle_severity(&chat, at(119), &t), Severity::Green);
        assert_eq!(idle_severity(&chat, at(120), &t), Severity::Yellow);
        assert_eq!(idle_severity(&chat, at(299), &t), Severity::Yellow);
        assert_eq!(idle_severity(&chat, at(300), &t), Severity::Red);
        // The agent answers: the agent has the last word, grey however long it stays quiet.
        let chat = rules::send_message(
            &chat,
            Sender::Agent(&a),
            ClientMessageId::generate(),
            "hi",
            at(310),
        )
        .unwrap()
        .chat;
        assert_eq!(idle_severity(&chat, at(10_000), &t), Severity::Grey);
        // The customer writes: waiting again, measured from the agent's last message.
        let chat = rules::send_message(
            &chat,
            Sender::Customer,
            ClientMessageId::generate(),
            "?",
            at(400),
        )
        .unwrap()
        .chat;
        assert_eq!(idle_severity(&chat, at(420), &t), Severity::Green);
        assert_eq!(
            idle_severity(&chat, at(430), &t),
            Severity::Yellow,
            "120 s after the agent's message"
        );
        assert_eq!(idle_severity(&chat, at(610), &t), Severity::Red);
    }

    #[test]
    fn queued_is_grey_ended_and_deleted_are_red() {
        let a = agent();
        let t = thresholds();
        let queued = started();
        assert_eq!(idle_severity(&queued, at(10_000), &t), Severity::Grey);
        let ended = rules::end(&queued, rules::EndedBy::Customer, None, at(5))
            .unwrap()
            .chat;
        assert_eq!(idle_severity(&ended, at(6), &t), Severity::Red);
        let deleted = rules::delete(&ended, &a, at(7)).unwrap().chat;
        let icons = status_icons(&deleted, at(8), &t);
        assert_eq!(icons.state, Severity::Red);
        assert_eq!(icons.idle, Severity::Red);
    }

    #[test]
    fn state_and_follow_up_icons() {
        let a = agent();
        let t = thresholds();
        assert_eq!(status_icons(&started(), at(1), &t).state, Severity::Grey);
        let active = rules::take(&started(), &a, at(1)).unwrap().chat;
        assert_eq!(status_icons(&active, at(1), &t).state, Severity::Green);
        assert_eq!(status_icons(&active, at(1), &t).follow_up, None);
        let with = rules::set_follow_up(&active, &a, Some((at(60), "call back")), at(1))
            .unwrap()
            .chat;
        assert_eq!(
            status_icons(&with, at(59), &t).follow_up,
            Some(Severity::Green)
        );
        assert_eq!(
            status_icons(&with, at(60), &t).follow_up,
            Some(Severity::Red)
        );
    }

    #[test]
    fn thresholds_are_configurable_and_checked() {
        let t = IdleThresholds::new(10_000, 20_000).unwrap();
        let chat = rules::take(&started(), &agent(), at(0)).unwrap().chat;
        assert_eq!(idle_severity(&chat, at(10), &t), Severity::Yellow);
        assert_eq!(idle_severity(&chat, at(20), &t), Severity::Red);
        assert!(IdleThresholds::new(0, 10).is_err());
        assert!(IdleThresholds::new(20, 10).is_err());
    }

    #[test]
    fn queue_time_counts_every_stay_in_the_queue() {
        let a = agent();
        let g2 = Group {
            id: GroupId::parse("h").unwrap(),
            name: "H".into(),
            distribution: crate::domain::Distribution::Pull,
            hand_off: Default::default(),
            business_hours: None,
            offline: Default::default(),
            texts: Default::default(),
        };
        let chat = started();
        assert_eq!(chat.queue_time_ms(at(30)), 30_000, "ticks while queued");
        let chat = rules::take(&chat, &a, at(30)).unwrap().chat;
        assert_eq!(chat.queue_time_ms(at(500)), 30_000, "stops when taken");
        let chat = rules::transfer_to_group(&chat, &a, &g2, at(100))
            .unwrap()
            .chat;
        assert_eq!(chat.queue_time_ms(at(110)), 40_000, "adds the second stay");
    }
}
