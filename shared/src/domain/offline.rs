//! What a group offers a customer when nobody can answer: outside its business hours, or when
//! none of its members receives chats. The chat page shows this before the customer types, and
//! a customer who has waited in the queue past the group's limit is offered to leave a message
//! instead of waiting.

use super::agent::Group;
use super::chat::{Chat, ChatState};
use super::error::DomainError;
use super::handoff::MAX_TIMER_SECS;
use super::time::Timestamp;

/// What a group offers outside its hours or while no member receives chats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WhenClosed {
    /// Only a message: no chat can start.
    MessageOnly,
    /// The customer chooses: start a chat and wait in the queue, or leave a message.
    #[default]
    ChooseWaitOrMessage,
}

impl WhenClosed {
    pub fn as_str(self) -> &'static str {
        match self {
            WhenClosed::MessageOnly => "message_only",
            WhenClosed::ChooseWaitOrMessage => "choose_wait_or_message",
        }
    }

    pub fn parse(s: &str) -> Option<WhenClosed> {
        [WhenClosed::MessageOnly, WhenClosed::ChooseWaitOrMessage]
            .into_iter()
            .find(|w| w.as_str() == s)
    }
}

/// A group's offline behaviour.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OfflineSettings {
    pub when_closed_or_unstaffed: WhenClosed,
    /// After this long in the queue a waiting customer is offered to leave a message instead;
    /// `None`: never.
    pub queue_wait_limit_secs: Option<u32>,
    /// The group's own address: the Reply-To of the e-mails its agents send (answers to offline
    /// messages), so a customer's answer reaches the group. `None`: replies go to the sender.
    pub reply_to: Option<String>,
}

impl OfflineSettings {
    pub fn validated(self) -> Result<Self, DomainError> {
        if let Some(secs) = self.queue_wait_limit_secs {
            if !(1..=MAX_TIMER_SECS).contains(&secs) {
                return Err(DomainError::invalid(
                    "offline.queue_wait_limit_secs",
                    format!("must be between 1 and {MAX_TIMER_SECS} seconds, or null for no limit"),
                ));
            }
        }
        let reply_to = match self.reply_to.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(address) => Some(
                super::mail::EmailAddress::parse(address)
                    .map_err(|_| {
                        DomainError::invalid("offline.reply_to", "is not an e-mail address")
                    })?
                    .to_string(),
            ),
        };
        Ok(OfflineSettings { reply_to, ..self })
    }
}

/// Whether anyone can answer in a group now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AvailabilityState {
    Open,
    /// Outside the group's business hours (a holiday included).
    OutsideHours,
    /// Within hours, but no member receives chats (all away, or no console open).
    NobodyAvailable,
}

impl AvailabilityState {
    pub fn as_str(self) -> &'static str {
        match self {
            AvailabilityState::Open => "open",
            AvailabilityState::OutsideHours => "outside_hours",
            AvailabilityState::NobodyAvailable => "nobody_available",
        }
    }
}

/// What the chat page offers the customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offer {
    /// Start a chat, as usual.
    Chat,
    /// Leave a message only.
    Message,
    /// Both: wait for a chat or leave a message.
    Choose,
}

impl Offer {
    pub fn as_str(self) -> &'static str {
        match self {
            Offer::Chat => "chat",
            Offer::Message => "message",
            Offer::Choose => "choose",
        }
    }
}

/// A group's availability at one instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Availability {
    pub state: AvailabilityState,
    pub offer: Offer,
    /// When the group opens next, outside its hours (`None` when open, staffed or never opening).
    pub next_open_at: Option<Timestamp>,
}

/// The group's availability at `now`. `anyone_receiving`: some member receives chats now
/// (`handoff::receives_chats`). A group without business hours is always within hours.
pub fn availability(group: &Group, anyone_receiving: bool, now: Timestamp) -> Availability {
    let outside_hours = group
        .business_hours
        .as_ref()
        .is_some_and(|h| !h.is_open(now));
    let state = if outside_hours {
        AvailabilityState::OutsideHours
    } else if !anyone_receiving {
        AvailabilityState::NobodyAvailable
    } else {
        AvailabilityState::Open
    };
    let offer = match (state, group.offline.when_closed_or_unstaffed) {
        (AvailabilityState::Open, _) => Offer::Chat,
        (_, WhenClosed::MessageOnly) => Offer::Message,
        (_, WhenClosed::ChooseWaitOrMessage) => Offer::Choose,
    };
    let next_open_at = match (state, &group.business_hours) {
        (AvailabilityState::OutsideHours, Some(hours)) => hours.next_opening(now),
        _ => None,
    };
    Availability {
        state,
        offer,
        next_open_at,
    }
}

/// Whether a queued chat has waited in the queue (its current stay) past its group's limit.
pub fn queue_wait_limit_passed(chat: &Chat, group: &Group, now: Timestamp) -> bool {
    let (Some(limit), Some(since)) = (group.offline.queue_wait_limit_secs, chat.queued_since)
    else {
        return false;
    };
    chat.state == ChatState::Queued
        && !chat.is_deleted()
        && now >= since
        && now.since(since) >= i64::from(limit) * 1000
}

/// Whether the customer of a chat is offered to leave a message instead of waiting: it waits in
/// the queue, and has waited past the limit or nobody can answer (the group lets the customer
/// choose; a "message only" group would not have let the chat start, and one whose state changed
/// since is offered the message too).
pub fn offers_message(
    chat: &Chat,
    group: &Group,
    now_availability: Availability,
    now: Timestamp,
) -> bool {
    chat.state == ChatState::Queued
        && !chat.is_deleted()
        && (queue_wait_limit_passed(chat, group, now)
            || now_availability.state != AvailabilityState::Open)
}

#[cfg(test)]
mod tests;
