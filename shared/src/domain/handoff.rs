//! Hand-off timers (SmarterTrack's "no initial response", "no follow-up response" and "agent
//! disconnected"): when an assigned agent leaves a customer without an answer for longer than
//! the group allows, the chat moves on. Pure rules: which clock a chat runs on now, whether a
//! timer has run out, and what a hand-off does to the chat. The stores index the clock
//! (`awaiting`) so a sweep finds run-out chats without reading the others; the sweep re-checks
//! here, on the chat as read, inside the compare-and-set commit: a deadline that fires twice,
//! late, or after the agent answered finds nothing to do.

use super::agent::Agent;
use super::chat::{Chat, ChatState};
use super::error::DomainError;
use super::event::EventKind;
use super::ids::AgentId;
use super::rules::{LoadChange, Mutation};
use super::time::Timestamp;

/// The longest a timer may be set to: a day. Longer is not a hand-off any more.
pub const MAX_TIMER_SECS: u32 = 86_400;
/// The most hand-offs a group may allow before a chat waits for a person.
pub const MAX_HAND_OFF_CAP: u32 = 20;

/// A group's hand-off settings. Each timer is in seconds; 0 turns it off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandOffSettings {
    /// An assigned agent has not written since the chat was assigned to them.
    pub no_first_response_secs: u32,
    /// The customer wrote after the agent's last message and the agent has neither answered nor
    /// typed since.
    pub no_follow_up_secs: u32,
    /// The agent's last console connection went away and did not come back.
    pub agent_disconnected_secs: u32,
    /// Hand-offs of one chat before it stops moving: the last one puts it in the queue, where it
    /// waits for a person (automatic distribution leaves it alone) and managers are alerted.
    pub max_hand_offs: u32,
}

impl Default for HandOffSettings {
    /// Two minutes to greet a customer, five to answer them, two for a console to come back
    /// (a reload or a network change takes seconds), three hand-offs.
    fn default() -> Self {
        HandOffSettings {
            no_first_response_secs: 120,
            no_follow_up_secs: 300,
            agent_disconnected_secs: 120,
            max_hand_offs: 3,
        }
    }
}

impl HandOffSettings {
    pub fn validated(self) -> Result<Self, DomainError> {
        for (field, secs) in [
            ("no_first_response_secs", self.no_first_response_secs),
            ("no_follow_up_secs", self.no_follow_up_secs),
            ("agent_disconnected_secs", self.agent_disconnected_secs),
        ] {
            if secs > MAX_TIMER_SECS {
                return Err(DomainError::invalid(
                    field,
                    format!("must be at most {MAX_TIMER_SECS} seconds (0 turns it off)"),
                ));
            }
        }
        if !(1..=MAX_HAND_OFF_CAP).contains(&self.max_hand_offs) {
            return Err(DomainError::invalid(
                "max_hand_offs",
                format!("must be between 1 and {MAX_HAND_OFF_CAP}"),
            ));
        }
        Ok(self)
    }

    /// The timer of a reason, in milliseconds; `None` when it is off.
    pub fn timer_ms(&self, reason: HandOffReason) -> Option<i64> {
        let secs = match reason {
            HandOffReason::NoFirstResponse => self.no_first_response_secs,
            HandOffReason::NoFollowUp => self.no_follow_up_secs,
            HandOffReason::AgentDisconnected => self.agent_disconnected_secs,
        };
        (secs > 0).then(|| i64::from(secs) * 1000)
    }
}

/// Why a chat was handed off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HandOffReason {
    NoFirstResponse,
    NoFollowUp,
    AgentDisconnected,
}

impl HandOffReason {
    pub fn as_str(self) -> &'static str {
        match self {
            HandOffReason::NoFirstResponse => "no_first_response",
            HandOffReason::NoFollowUp => "no_follow_up",
            HandOffReason::AgentDisconnected => "agent_disconnected",
        }
    }

    pub fn parse(s: &str) -> Option<HandOffReason> {
        [
            HandOffReason::NoFirstResponse,
            HandOffReason::NoFollowUp,
            HandOffReason::AgentDisconnected,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// What an assigned chat is waiting for from its agent, indexed by the stores with the instant
/// it has waited since: the timers of the chat's group apply to it at sweep time, so a changed
/// setting applies to every waiting chat at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Awaiting {
    /// No agent message since the chat was assigned to its agent.
    FirstResponse,
    /// The customer wrote after the agent's last message.
    FollowUp,
}

impl Awaiting {
    pub fn reason(self) -> HandOffReason {
        match self {
            Awaiting::FirstResponse => HandOffReason::NoFirstResponse,
            Awaiting::FollowUp => HandOffReason::NoFollowUp,
        }
    }

    /// The letter the stores' deadline keys start with.
    pub fn key(self) -> &'static str {
        match self {
            Awaiting::FirstResponse => "R",
            Awaiting::FollowUp => "F",
        }
    }
}

/// The clock an active chat's agent runs on, if any: since assignment until the agent's first
/// message, then since the customer's first unanswered message. The agent typing restarts it
/// (typing counts as activity). Deleted, queued and ended chats wait for nobody.
pub fn awaiting(chat: &Chat) -> Option<(Awaiting, Timestamp)> {
    if chat.state != ChatState::Active || chat.is_deleted() || chat.agent_id.is_none() {
        return None;
    }
    let assigned = chat.assigned_at.or(chat.first_assigned_at)?;
    let answered_since_assignment = chat.last_agent_message_at.is_some_and(|m| m >= assigned);
    let (kind, since) = if !answered_since_assignment {
        (Awaiting::FirstResponse, assigned)
    } else if chat.customer_waiting {
        (Awaiting::FollowUp, chat.customer_waiting_since?)
    } else {
        return None;
    };
    let since = match chat.agent_active_at {
        Some(active) if active > since => active,
        _ => since,
    };
    Some((kind, since))
}

/// The reason a timer hands the chat off at `now`, if one has run out.
pub fn response_overdue(
    chat: &Chat,
    settings: &HandOffSettings,
    now: Timestamp,
) -> Option<HandOffReason> {
    let (kind, since) = awaiting(chat)?;
    let timer = settings.timer_ms(kind.reason())?;
    (now.since(since) >= timer && now >= since).then_some(kind.reason())
}

/// Whether the agent-disconnected timer has run out for this chat: it is still with `agent`,
/// who has been offline since `offline_since`.
pub fn disconnect_overdue(
    chat: &Chat,
    agent: &AgentId,
    offline_since: Timestamp,
    settings: &HandOffSettings,
    now: Timestamp,
) -> bool {
    chat.state == ChatState::Active
        && !chat.is_deleted()
        && chat.agent_id.as_ref() == Some(agent)
        && settings
            .timer_ms(HandOffReason::AgentDisconnected)
            .is_some_and(|t| now >= offline_since && now.since(offline_since) >= t)
}

/// Whether this hand-off is the one that stops the chat moving (it reaches the group's cap).
pub fn reaches_cap(chat: &Chat, settings: &HandOffSettings) -> bool {
    chat.hand_offs.saturating_add(1) >= settings.max_hand_offs
}

/// Hands an active chat off its agent: to `to` (another available member with room, chosen by
/// the caller), or back to the head of its group's queue when `to` is `None` or the cap is
/// reached. Never to the agent it comes from. The caller has checked that a timer ran out, on
/// this same chat (the commit applies only at its sequence number).
pub fn hand_off(
    chat: &Chat,
    reason: HandOffReason,
    settings: &HandOffSettings,
    to: Option<&Agent>,
    now: Timestamp,
) -> Result<Mutation, DomainError> {
    let from = match (&chat.agent_id, chat.state, chat.is_deleted()) {
        (Some(agent), ChatState::Active, false) => agent.clone(),
        _ => {
            return Err(DomainError::InvalidState(format!(
                "chat {} is not with an agent any more",
                chat.id
            )))
        }
    };
    let escalate = reaches_cap(chat, settings);
    let to = if escalate { None } else { to };
    if let Some(target) = to {
        if target.id == from {
            return Err(DomainError::InvalidState(format!(
                "chat {} cannot be handed back to the agent it comes from",
                chat.id
            )));
        }
        if !target.is_member_of(&chat.group_id) || !target.available {
            return Err(DomainError::InvalidState(format!(
                "{} cannot receive chats of this group now",
                target.display_name
            )));
        }
    }
    let mut next = chat.clone();
    next.hand_offs = chat.hand_offs.saturating_add(1);
    next.agent_active_at = None;
    let from_name = chat.agent_name.clone().unwrap_or_default();
    let load = match to {
        Some(target) => {
            next.agent_id = Some(target.id.clone());
            next.agent_name = Some(target.display_name.clone());
            next.assigned_at = Some(now);
            LoadChange {
                acquire: Some((target.id.clone(), target.max_concurrent_chats)),
                release: Some(from.clone()),
            }
        }
        None => {
            next.state = ChatState::Queued;
            next.agent_id = None;
            next.agent_name = None;
            next.assigned_at = None;
            next.queued_since = Some(now);
            // At the head of the queue: ahead of everyone who arrived after this customer.
            next.queue_rank_at = Some(chat.started_at);
            next.escalated = escalate;
            LoadChange {
                acquire: None,
                release: Some(from.clone()),
            }
        }
    };
    Ok(Mutation {
        chat: next,
        event: EventKind::HandedOff {
            reason,
            from_agent_id: from,
            from_agent_name: from_name,
            to: to.map(|t| (t.id.clone(), t.display_name.clone())),
            escalated: escalate,
        },
        load,
    })
}

/// Whether an agent receives chats and how colleagues see them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    /// Receiving chats: switched to available, with a console open (or closed for less than
    /// the grace period: a reload, a network change).
    Available,
    /// Switched to away by the agent: no new chats.
    Away,
    /// Away automatically: no console open for longer than the grace period. No new chats;
    /// their active chats follow the disconnected timer. A console opening makes them
    /// available again.
    Offline,
}

impl Presence {
    pub fn of(
        available: bool,
        offline_since: Option<Timestamp>,
        grace_ms: i64,
        now: Timestamp,
    ) -> Presence {
        if !available {
            Presence::Away
        } else if receives_chats(available, offline_since, grace_ms, now) {
            Presence::Available
        } else {
            Presence::Offline
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Presence::Available => "available",
            Presence::Away => "away",
            Presence::Offline => "offline",
        }
    }
}

/// Whether an agent may be handed chats now: switched to available, and with a console open or
/// gone for less than `grace_ms` (past it they are away until a console comes back).
pub fn receives_chats(
    available: bool,
    offline_since: Option<Timestamp>,
    grace_ms: i64,
    now: Timestamp,
) -> bool {
    available && offline_since.is_none_or(|since| now.since(since) < grace_ms)
}

#[cfg(test)]
mod tests;
