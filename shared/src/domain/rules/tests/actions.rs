//! Every action a person (or the distribution) can ask of a chat, and the one way the tests call
//! the rule behind it, so the tables and the property tests exercise the same calls.

use crate::domain::agent::{Agent, Group};
use crate::domain::chat::Chat;
use crate::domain::error::DomainError;
use crate::domain::ids::ClientMessageId;
use crate::domain::rules::{self, EndedBy, Mutation, Sender};
use crate::domain::time::{Timestamp, DAY_MS};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Take,
    Pull,
    /// The group's distribution hands the chat to the "actor".
    AssignAutomatically,
    /// To Sales in the tables.
    TransferToGroup,
    /// To Tina in the tables.
    TransferToAgent,
    End,
    EndWithResolution,
    Delete,
    Restore,
    /// `check_purge`: the go-ahead to remove the chat for good, no mutation.
    Purge,
    SetFollowUp,
    ClearFollowUp,
    Send,
}

impl Action {
    pub const ALL: [Action; 13] = [
        Action::Take,
        Action::Pull,
        Action::AssignAutomatically,
        Action::TransferToGroup,
        Action::TransferToAgent,
        Action::End,
        Action::EndWithResolution,
        Action::Delete,
        Action::Restore,
        Action::Purge,
        Action::SetFollowUp,
        Action::ClearFollowUp,
        Action::Send,
    ];
}

pub const RESOLUTION: &str = "Reset the password from the account page";
pub const NOTE: &str = "Call back about the invoice";
pub const BODY: &str = "Let me check that for you";

/// The follow-up every `SetFollowUp` asks for: a day after it is set.
pub fn follow_up_due(now: Timestamp) -> Timestamp {
    now.plus_millis(DAY_MS)
}

pub fn message_id() -> ClientMessageId {
    ClientMessageId::parse("m-new").unwrap()
}

#[derive(Clone, Copy)]
pub enum By<'a> {
    /// The chat's own customer.
    Customer,
    Agent(&'a Agent),
}

/// Where transfers send the chat.
#[derive(Clone, Copy)]
pub struct Targets<'a> {
    pub agent: &'a Agent,
    pub group: &'a Group,
}

/// A rule's answer: a mutation, or `None` for the purge check's go-ahead.
pub type Answer = Result<Option<Mutation>, DomainError>;

/// Calls the rule behind `action`; `None` when `by` has no way to ask for it (a customer cannot
/// take a chat: the rule does not even take a customer).
pub fn perform(
    action: Action,
    chat: &Chat,
    by: By<'_>,
    targets: Targets<'_>,
    now: Timestamp,
) -> Option<Answer> {
    let mutation = |m: Result<Mutation, DomainError>| Some(m.map(Some));
    let agent = match by {
        By::Agent(agent) => Some(agent),
        By::Customer => None,
    };
    match (action, agent) {
        (Action::End | Action::EndWithResolution, _) => {
            let ended_by = agent.map_or(EndedBy::Customer, EndedBy::Agent);
            let resolution = (action == Action::EndWithResolution).then_some(RESOLUTION);
            mutation(rules::end(chat, ended_by, resolution, now))
        }
        (Action::Send, _) => {
            let sender = agent.map_or(Sender::Customer, Sender::Agent);
            mutation(rules::send_message(chat, sender, message_id(), BODY, now))
        }
        (_, None) => None,
        (Action::Take, Some(a)) => mutation(rules::take(chat, a, now)),
        (Action::Pull, Some(a)) => mutation(rules::pull(chat, a, now)),
        (Action::AssignAutomatically, Some(a)) => {
            mutation(rules::assign_automatically(chat, a, now))
        }
        (Action::TransferToGroup, Some(a)) => {
            mutation(rules::transfer_to_group(chat, a, targets.group, now))
        }
        (Action::TransferToAgent, Some(a)) => {
            mutation(rules::transfer_to_agent(chat, a, targets.agent, now))
        }
        (Action::Delete, Some(a)) => mutation(rules::delete(chat, a, now)),
        (Action::Restore, Some(a)) => mutation(rules::restore(chat, a)),
        (Action::Purge, Some(a)) => Some(rules::check_purge(chat, a).map(|()| None)),
        (Action::SetFollowUp, Some(a)) => mutation(rules::set_follow_up(
            chat,
            a,
            Some((follow_up_due(now), NOTE)),
            now,
        )),
        (Action::ClearFollowUp, Some(a)) => mutation(rules::set_follow_up(chat, a, None, now)),
    }
}

/// A refusal's kind: what the API turns into a status code and an error code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Forbidden,
    InvalidState,
    InvalidInput,
    NotFound,
    AtCapacity,
    TooFast,
}

pub fn kind(error: &DomainError) -> Kind {
    match error {
        DomainError::Forbidden(_) => Kind::Forbidden,
        DomainError::InvalidState(_) => Kind::InvalidState,
        DomainError::InvalidInput { .. } => Kind::InvalidInput,
        DomainError::NotFound(_) => Kind::NotFound,
        DomainError::AtCapacity { .. } => Kind::AtCapacity,
        DomainError::TooFast { .. } => Kind::TooFast,
    }
}
