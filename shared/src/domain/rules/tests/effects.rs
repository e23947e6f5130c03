//! What an allowed action changes, one row per action, and the whole chat, event and load change
//! that follow from a row: a test compares the rule's mutation with them field for field, so a
//! change the table does not name (a queue time, an idle field, a name) fails too.

use super::actions::{follow_up_due, message_id, Action, By, Targets, BODY, NOTE, RESOLUTION};
use crate::domain::agent::Agent;
use crate::domain::chat::{Chat, ChatState, FollowUp, Party};
use crate::domain::event::{Author, EventKind};
use crate::domain::pace::Side;
use crate::domain::rules::{LoadChange, Mutation};
use crate::domain::time::Timestamp;

use Acquire::*;
use AgentAfter::*;
use ChatState::*;
use Event::*;
use GroupAfter::*;
use QueueAfter::*;
use Release::*;
use StateAfter::*;

#[derive(Clone, Copy, Debug)]
pub enum StateAfter {
    Stays,
    Becomes(ChatState),
}

#[derive(Clone, Copy, Debug)]
pub enum AgentAfter {
    Kept,
    Nobody,
    /// The actor; the first agent ever to join also starts the idle clock (`first_assigned_at`).
    TheActor,
    TheTarget,
}

#[derive(Clone, Copy, Debug)]
pub enum GroupAfter {
    SameGroup,
    TargetGroup,
}

#[derive(Clone, Copy, Debug)]
pub enum QueueAfter {
    QueueAsIs,
    /// The current stay in the queue, if any, is added to the queue time.
    LeavesQueue,
    /// As `LeavesQueue`, then a new stay starts now.
    BackInQueue,
}

/// Who takes a place under their concurrent-chat limit.
#[derive(Clone, Copy, Debug)]
pub enum Acquire {
    NoOne,
    ForActor,
    ForTarget,
}

/// Whose place is freed.
#[derive(Clone, Copy, Debug)]
pub enum Release {
    NoneFreed,
    /// The agent the chat had before, if any.
    PreviousFreed,
}

/// The event, and the fields of the chat that come with it.
#[derive(Clone, Copy, Debug)]
pub enum Event {
    /// By the actor.
    Assigned,
    AssignedAutomatically,
    /// To the target group, by the actor.
    Requeued,
    /// `ended_at` now, `ended_by` the actor, the resolution if the action gives one.
    Ended,
    /// `deleted_at` now.
    Deleted,
    /// `deleted_at` cleared; the event carries the state the chat comes back in.
    Restored,
    /// The follow-up, set by the actor.
    FollowUpSet,
    FollowUpCleared,
    /// One more message; a customer's leaves the customer waiting, an agent's answers them
    /// and resets the idle clock. Each side's pace counts it.
    Message,
}

pub type Effect = (
    StateAfter,
    AgentAfter,
    GroupAfter,
    QueueAfter,
    Acquire,
    Release,
    Event,
);

/// What each allowed action does. `Purge` has no row: its check changes nothing.
#[rustfmt::skip]
pub const EFFECTS: &[(Action, Effect)] = &[
    //  action                     state               agent      group        queue        acquire    release        event
    (Action::Take,                (Becomes(Active),   TheActor,  SameGroup,   LeavesQueue, ForActor,  PreviousFreed, Assigned)),
    (Action::Pull,                (Becomes(Active),   TheActor,  SameGroup,   LeavesQueue, ForActor,  PreviousFreed, Assigned)),
    (Action::AssignAutomatically, (Becomes(Active),   TheActor,  SameGroup,   LeavesQueue, ForActor,  PreviousFreed, AssignedAutomatically)),
    (Action::TransferToGroup,     (Becomes(Queued),   Nobody,    TargetGroup, BackInQueue, NoOne,     PreviousFreed, Requeued)),
    (Action::TransferToAgent,     (Becomes(Active),   TheTarget, SameGroup,   LeavesQueue, ForTarget, PreviousFreed, Assigned)),
    (Action::End,                 (Becomes(Inactive), Kept,      SameGroup,   LeavesQueue, NoOne,     PreviousFreed, Ended)),
    (Action::EndWithResolution,   (Becomes(Inactive), Kept,      SameGroup,   LeavesQueue, NoOne,     PreviousFreed, Ended)),
    (Action::Delete,              (Stays,             Kept,      SameGroup,   QueueAsIs,   NoOne,     NoneFreed,     Deleted)),
    (Action::Restore,             (Stays,             Kept,      SameGroup,   QueueAsIs,   NoOne,     NoneFreed,     Restored)),
    (Action::SetFollowUp,         (Stays,             Kept,      SameGroup,   QueueAsIs,   NoOne,     NoneFreed,     FollowUpSet)),
    (Action::ClearFollowUp,       (Stays,             Kept,      SameGroup,   QueueAsIs,   NoOne,     NoneFreed,     FollowUpCleared)),
    (Action::Send,                (Stays,             Kept,      SameGroup,   QueueAsIs,   NoOne,     NoneFreed,     Message)),
];

pub fn effect_of(action: Action) -> Option<Effect> {
    EFFECTS
        .iter()
        .find(|(a, _)| *a == action)
        .map(|(_, effect)| *effect)
}

fn party(agent: &Agent) -> Party {
    Party::Agent {
        id: agent.id.clone(),
        name: agent.display_name.clone(),
    }
}

/// The mutation a row stands for, applied to `before`. The customer's side of each field
/// (`ended_by`, the message's author) follows from `by`.
pub fn expected(
    action: Action,
    effect: Effect,
    before: &Chat,
    by: By<'_>,
    targets: Targets<'_>,
    now: Timestamp,
) -> Mutation {
    let (state, agent, group, queue, acquire, release, event) = effect;
    let actor = match by {
        By::Agent(a) => Some(a),
        By::Customer => None,
    };
    let by_party = actor.map_or(Party::Customer, party);
    let mut chat = before.clone();
    if let Becomes(s) = state {
        chat.state = s;
    }
    let joins = match agent {
        Kept => None,
        Nobody => {
            chat.agent_id = None;
            chat.agent_name = None;
            None
        }
        TheActor => actor,
        TheTarget => Some(targets.agent),
    };
    if let Some(a) = joins {
        chat.agent_id = Some(a.id.clone());
        chat.agent_name = Some(a.display_name.clone());
        chat.first_assigned_at = chat.first_assigned_at.or(Some(now));
        // The hand-off clocks start over with the new agent, and a person took it over.
        chat.assigned_at = Some(now);
        chat.agent_active_at = None;
        chat.escalated = false;
    }
    if let TargetGroup = group {
        chat.group_id = targets.group.id.clone();
    }
    if let LeavesQueue | BackInQueue = queue {
        if let Some(since) = chat.queued_since.take() {
            chat.queue_ms += now.0 - since.0;
        }
        chat.queue_rank_at = None;
    }
    if let BackInQueue = queue {
        chat.queued_since = Some(now);
        // Nobody's clock runs for a chat in the queue; a person sent it there.
        chat.assigned_at = None;
        chat.agent_active_at = None;
        chat.escalated = false;
    }
    let resolution = (action == Action::EndWithResolution).then(|| RESOLUTION.to_owned());
    let kind = match event {
        Assigned | AssignedAutomatically => {
            let to = joins.expect("an assignment names who joins");
            EventKind::Assigned {
                agent_id: to.id.clone(),
                agent_name: to.display_name.clone(),
                by: match event {
                    AssignedAutomatically => Party::Automatic,
                    _ => by_party,
                },
            }
        }
        Requeued => EventKind::Requeued {
            group_id: targets.group.id.clone(),
            by: by_party,
        },
        Ended => {
            chat.ended_at = Some(now);
            chat.ended_by = Some(by_party.clone());
            chat.resolution = resolution.clone();
            EventKind::Ended {
                by: by_party,
                resolution,
            }
        }
        Deleted => {
            chat.deleted_at = Some(now);
            EventKind::Deleted { by: by_party }
        }
        Restored => {
            chat.deleted_at = None;
            EventKind::Restored {
                by: by_party,
                state: chat.state,
            }
        }
        FollowUpSet => {
            let a = actor.expect("only agents set follow-ups");
            chat.follow_up = Some(FollowUp {
                due_at: follow_up_due(now),
                note: NOTE.into(),
                set_by: a.id.clone(),
            });
            EventKind::FollowUpSet {
                due_at: follow_up_due(now),
                note: NOTE.into(),
                by: by_party,
            }
        }
        FollowUpCleared => {
            chat.follow_up = None;
            EventKind::FollowUpCleared { by: by_party }
        }
        Message => {
            chat.message_count += 1;
            let author = match actor {
                None => {
                    if !before.customer_waiting || before.customer_waiting_since.is_none() {
                        chat.customer_waiting_since = Some(now);
                    }
                    chat.customer_waiting = true;
                    chat.send_pace.accept(Side::Customer, now).unwrap();
                    Author::Customer {
                        name: chat.customer.name.clone(),
                    }
                }
                Some(a) => {
                    chat.customer_waiting = false;
                    chat.customer_waiting_since = None;
                    chat.agent_active_at = None;
                    chat.last_agent_message_at = Some(now);
                    chat.send_pace.accept(Side::Agent, now).unwrap();
                    Author::Agent {
                        id: a.id.clone(),
                        name: a.display_name.clone(),
                    }
                }
            };
            EventKind::Message {
                client_msg_id: message_id(),
                author,
                body: BODY.into(),
            }
        }
    };
    let limit_of = |a: &Agent| (a.id.clone(), a.max_concurrent_chats);
    let load = LoadChange {
        acquire: match acquire {
            NoOne => None,
            ForActor => actor.map(limit_of),
            ForTarget => Some(limit_of(targets.agent)),
        },
        release: match release {
            NoneFreed => None,
            PreviousFreed => before.agent_id.clone(),
        },
    };
    Mutation {
        chat,
        event: kind,
        load,
    }
}
