//! The rules of every chat action, as pure functions from (chat before, who acts, now) to the
//! chat after, the event to record, and the change to agents' active-chat counts. Stores apply a
//! mutation atomically and only if the chat is still at the sequence number it was read at.

use super::agent::{Agent, Group};
use super::attachment::AttachedFile;
use super::chat::{Chat, ChatState, Customer, FollowUp, Party, Rating};
use super::error::DomainError;
use super::event::{Author, EventKind};
use super::ids::{AgentId, ChatId, ClientMessageId};
use super::limits;
use super::pace::{SendPace, Side};
use super::time::Timestamp;

/// Changes to agents' active-chat counters that must commit together with the chat.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadChange {
    /// Add one active chat to this agent, refused if they already have `limit`.
    pub acquire: Option<(AgentId, u32)>,
    /// Remove one active chat from this agent.
    pub release: Option<AgentId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mutation {
    pub chat: Chat,
    pub event: EventKind,
    pub load: LoadChange,
}

fn party(agent: &Agent) -> Party {
    Party::Agent {
        id: agent.id.clone(),
        name: agent.display_name.clone(),
    }
}

fn not_deleted(chat: &Chat) -> Result<(), DomainError> {
    if chat.is_deleted() {
        Err(DomainError::InvalidState(format!(
            "chat {} is deleted; restore it first",
            chat.id
        )))
    } else {
        Ok(())
    }
}

/// Refuses a customer's action on a chat that is over, deleted or not, the same way: agents
/// delete only ended chats, and that they did is theirs to know (an agents-only event), not
/// something to tell the customer, who cannot restore it anyway.
fn live_for_customer(chat: &Chat) -> Result<(), DomainError> {
    if chat.is_deleted() || !chat.state.is_live() {
        Err(DomainError::InvalidState(format!(
            "chat {} has ended",
            chat.id
        )))
    } else {
        Ok(())
    }
}

/// Agents see the chats of their groups, and chats assigned to them.
pub fn can_view(chat: &Chat, agent: &Agent) -> bool {
    agent.is_member_of(&chat.group_id) || chat.agent_id.as_ref() == Some(&agent.id)
}

/// Refuses, the same way whatever the chat's state, an agent who may not read the chat: checked
/// before anything else, so the answer says nothing about a chat that is not theirs.
fn require_reader(chat: &Chat, agent: &Agent) -> Result<(), DomainError> {
    if can_view(chat, agent) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(format!(
            "chat {} belongs to a group you are not a member of",
            chat.id
        )))
    }
}

fn require_member(chat: &Chat, agent: &Agent) -> Result<(), DomainError> {
    if agent.is_member_of(&chat.group_id) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(format!(
            "you are not a member of the group of chat {}",
            chat.id
        )))
    }
}

/// The assigned agent, or a manager/administrator of the chat's group, may steer an active chat;
/// any member of the group may steer a queued one.
fn require_may_steer(chat: &Chat, actor: &Agent) -> Result<(), DomainError> {
    let assigned_to_actor = chat.agent_id.as_ref() == Some(&actor.id);
    if assigned_to_actor {
        return Ok(());
    }
    require_member(chat, actor)?;
    if chat.state == ChatState::Queued || actor.role.is_manager_or_admin() {
        Ok(())
    } else {
        Err(DomainError::Forbidden(format!(
            "chat {} is assigned to another agent; only they or a manager may do that",
            chat.id
        )))
    }
}

/// Leaves the queue: the current stay is added to the queue time.
fn leave_queue(chat: &mut Chat, now: Timestamp) {
    if let Some(since) = chat.queued_since.take() {
        chat.queue_ms += now.since(since);
    }
    chat.queue_rank_at = None;
}

pub struct NewChat {
    pub chat: Chat,
    pub events: Vec<EventKind>,
}

/// A customer starts a chat: it is queued in the group, and the initial question is its first
/// message.
pub fn start_chat(
    id: ChatId,
    group: &Group,
    customer_name: &str,
    customer_email: Option<&str>,
    question: &str,
    client_msg_id: ClientMessageId,
    now: Timestamp,
) -> Result<NewChat, DomainError> {
    let name = limits::single_line("name", customer_name, limits::MAX_NAME_CHARS)?;
    let email = customer_email
        .filter(|e| !e.trim().is_empty())
        .map(limits::email)
        .transpose()?;
    let question = limits::multi_line("question", question, limits::MAX_QUESTION_CHARS)?;
    let chat = Chat {
        id,
        group_id: group.id.clone(),
        customer: Customer {
            name: name.clone(),
            email,
            verified_user_id: None,
        },
        question: question.clone(),
        state: ChatState::Queued,
        deleted_at: None,
        agent_id: None,
        agent_name: None,
        started_at: now,
        queued_since: Some(now),
        queue_ms: 0,
        first_assigned_at: None,
        ended_at: None,
        ended_by: None,
        last_agent_message_at: None,
        customer_waiting: true,
        message_count: 1,
        last_seq: 2,
        follow_up: None,
        resolution: None,
        send_pace: SendPace::default(),
        assigned_at: None,
        customer_waiting_since: Some(now),
        agent_active_at: None,
        hand_offs: 0,
        queue_rank_at: None,
        escalated: false,
        rating: None,
        tags: Vec::new(),
    };
    Ok(NewChat {
        chat,
        events: vec![
            EventKind::Started {
                group_id: group.id.clone(),
            },
            EventKind::Message {
                client_msg_id,
                author: Author::Customer { name },
                body: question,
            },
        ],
    })
}

/// Pull or take: the actor becomes the chat's agent. Queued chats may be taken by any member of
/// the group; an active chat only by a manager/administrator of the group (taking it from a
/// colleague).
pub fn take(chat: &Chat, actor: &Agent, now: Timestamp) -> Result<Mutation, DomainError> {
    require_member(chat, actor)?;
    not_deleted(chat)?;
    match chat.state {
        ChatState::Queued => {}
        ChatState::Active if chat.agent_id.as_ref() == Some(&actor.id) => {
            return Err(DomainError::InvalidState(format!(
                "chat {} is already yours",
                chat.id
            )))
        }
        ChatState::Active if actor.role.is_manager_or_admin() => {}
        ChatState::Active => {
            return Err(DomainError::Forbidden(format!(
                "chat {} is assigned to another agent; only a manager may take it",
                chat.id
            )))
        }
        ChatState::Inactive => {
            return Err(DomainError::InvalidState(format!(
                "chat {} has ended",
                chat.id
            )))
        }
    }
    Ok(assign(chat, actor, party(actor), now))
}

/// Pull from the queue: like `take`, but only while the chat still waits there (a chat taken by a
/// colleague meanwhile is theirs).
pub fn pull(chat: &Chat, actor: &Agent, now: Timestamp) -> Result<Mutation, DomainError> {
    require_member(chat, actor)?;
    if chat.state != ChatState::Queued || chat.is_deleted() {
        return Err(DomainError::InvalidState(format!(
            "chat {} is no longer waiting in the queue",
            chat.id
        )));
    }
    take(chat, actor, now)
}

/// The group's automatic distribution hands a queued chat to `target` (chosen by
/// `distribution::offer_order`). Applies only while the chat still waits: if an agent pulled it
/// meanwhile, that stands.
pub fn assign_automatically(
    chat: &Chat,
    target: &Agent,
    now: Timestamp,
) -> Result<Mutation, DomainError> {
    not_deleted(chat)?;
    if chat.state != ChatState::Queued {
        return Err(DomainError::InvalidState(format!(
            "chat {} no longer waits in the queue",
            chat.id
        )));
    }
    if !target.is_member_of(&chat.group_id) || !target.available {
        return Err(DomainError::InvalidState(format!(
            "{} cannot receive chats of this group now",
            target.display_name
        )));
    }
    if chat.escalated {
        return Err(DomainError::InvalidState(format!(
            "chat {} reached its hand-off limit and waits for a person",
            chat.id
        )));
    }
    Ok(assign(chat, target, Party::Automatic, now))
}

fn assign(chat: &Chat, to: &Agent, by: Party, now: Timestamp) -> Mutation {
    let mut next = chat.clone();
    let previous = next.agent_id.take();
    leave_queue(&mut next, now);
    next.state = ChatState::Active;
    next.agent_id = Some(to.id.clone());
    next.agent_name = Some(to.display_name.clone());
    next.first_assigned_at.get_or_insert(now);
    next.assigned_at = Some(now);
    next.agent_active_at = None;
    next.escalated = false;
    Mutation {
        chat: next,
        event: EventKind::Assigned {
            agent_id: to.id.clone(),
            agent_name: to.display_name.clone(),
            by,
        },
        load: LoadChange {
            acquire: Some((to.id.clone(), to.max_concurrent_chats)),
            release: previous,
        },
    }
}

/// Back into a group's queue (the same group or another).
pub fn transfer_to_group(
    chat: &Chat,
    actor: &Agent,
    target: &Group,
    now: Timestamp,
) -> Result<Mutation, DomainError> {
    require_reader(chat, actor)?;
    not_deleted(chat)?;
    if !chat.state.is_live() {
        return Err(DomainError::InvalidState(format!(
            "chat {} has ended and cannot be transferred",
            chat.id
        )));
    }
    require_may_steer(chat, actor)?;
    if chat.state == ChatState::Queued && chat.group_id == target.id {
        return Err(DomainError::InvalidState(format!(
            "chat {} is already queued in {}",
            chat.id, target.name
        )));
    }
    let mut next = chat.clone();
    let previous = next.agent_id.take();
    next.agent_name = None;
    leave_queue(&mut next, now);
    next.state = ChatState::Queued;
    next.group_id = target.id.clone();
    next.queued_since = Some(now);
    next.assigned_at = None;
    next.agent_active_at = None;
    // A person sent it here: it is theirs to steer, not the hand-off cap's.
    next.escalated = false;
    Ok(Mutation {
        chat: next,
        event: EventKind::Requeued {
            group_id: target.id.clone(),
            by: party(actor),
        },
        load: LoadChange {
            acquire: None,
            release: previous,
        },
    })
}

/// To another group as it is, because its own group is being removed: a queued chat keeps its
/// place by waiting time, an active one its agent, an ended or deleted one its transcript. Only
/// the group changes. (Administrators do this; they need not be members of either group.)
pub fn move_to_group(chat: &Chat, actor: &Agent, target: &Group) -> Result<Mutation, DomainError> {
    if chat.group_id == target.id {
        return Err(DomainError::InvalidState(format!(
            "chat {} is in {} already",
            chat.id, target.name
        )));
    }
    let mut next = chat.clone();
    next.group_id = target.id.clone();
    Ok(Mutation {
        chat: next,
        event: EventKind::Moved {
            from_group_id: chat.group_id.clone(),
            group_id: target.id.clone(),
            by: party(actor),
        },
        load: LoadChange::default(),
    })
}

/// Straight to another agent's active chats. The target must be available and a member of the
/// chat's group.
pub fn transfer_to_agent(
    chat: &Chat,
    actor: &Agent,
    target: &Agent,
    now: Timestamp,
) -> Result<Mutation, DomainError> {
    require_reader(chat, actor)?;
    not_deleted(chat)?;
    if !chat.state.is_live() {
        return Err(DomainError::InvalidState(format!(
            "chat {} has ended and cannot be transferred",
            chat.id
        )));
    }
    require_may_steer(chat, actor)?;
    if chat.agent_id.as_ref() == Some(&target.id) {
        return Err(DomainError::InvalidState(format!(
            "chat {} is already assigned to {}",
            chat.id, target.display_name
        )));
    }
    if !target.is_member_of(&chat.group_id) {
        return Err(DomainError::InvalidState(format!(
            "{} is not a member of the chat's group; transfer to one of their groups instead",
            target.display_name
        )));
    }
    if !target.available {
        return Err(DomainError::InvalidState(format!(
            "{} is unavailable",
            target.display_name
        )));
    }
    Ok(assign(chat, target, party(actor), now))
}

/// Ends a live chat. `by` is the customer (their own chat, checked by the caller) or an agent
/// who may steer it.
pub fn end(
    chat: &Chat,
    by: EndedBy<'_>,
    resolution: Option<&str>,
    now: Timestamp,
) -> Result<Mutation, DomainError> {
    match &by {
        EndedBy::Agent(actor) => require_reader(chat, actor)?,
        EndedBy::Customer => live_for_customer(chat)?,
    }
    not_deleted(chat)?;
    if !chat.state.is_live() {
        return Err(DomainError::InvalidState(format!(
            "chat {} has already ended",
            chat.id
        )));
    }
    let resolution = resolution
        .filter(|r| !r.trim().is_empty())
        .map(|r| limits::multi_line("resolution", r, limits::MAX_NOTE_CHARS))
        .transpose()?;
    let by = match by {
        EndedBy::Customer => {
            if resolution.is_some() {
                return Err(DomainError::invalid(
                    "resolution",
                    "only agents record resolutions",
                ));
            }
            Party::Customer
        }
        EndedBy::Agent(actor) => {
            require_may_steer(chat, actor)?;
            party(actor)
        }
    };
    let mut next = chat.clone();
    leave_queue(&mut next, now);
    next.state = ChatState::Inactive;
    next.ended_at = Some(now);
    next.ended_by = Some(by.clone());
    next.resolution = resolution.clone();
    let release = if chat.state == ChatState::Active {
        chat.agent_id.clone()
    } else {
        None
    };
    Ok(Mutation {
        chat: next,
        event: EventKind::Ended { by, resolution },
        load: LoadChange {
            acquire: None,
            release,
        },
    })
}

pub enum EndedBy<'a> {
    Customer,
    Agent(&'a Agent),
}

/// Soft delete. Only ended chats: a live chat must be ended first, so a customer is never cut
/// off by a deletion they cannot see.
pub fn delete(chat: &Chat, actor: &Agent, now: Timestamp) -> Result<Mutation, DomainError> {
    require_member(chat, actor)?;
    if chat.is_deleted() {
        return Err(DomainError::InvalidState(format!(
            "chat {} is already deleted",
            chat.id
        )));
    }
    if chat.state.is_live() {
        return Err(DomainError::InvalidState(format!(
            "chat {} is still {}; end it before deleting it",
            chat.id,
            chat.state.as_str()
        )));
    }
    let mut next = chat.clone();
    next.deleted_at = Some(now);
    Ok(Mutation {
        chat: next,
        event: EventKind::Deleted { by: party(actor) },
        load: LoadChange::default(),
    })
}

pub fn restore(chat: &Chat, actor: &Agent) -> Result<Mutation, DomainError> {
    require_member(chat, actor)?;
    if !actor.role.is_manager_or_admin() {
        return Err(DomainError::Forbidden(
            "only managers and administrators may restore deleted chats".into(),
        ));
    }
    if !chat.is_deleted() {
        return Err(DomainError::InvalidState(format!(
            "chat {} is not deleted",
            chat.id
        )));
    }
    let mut next = chat.clone();
    next.deleted_at = None;
    Ok(Mutation {
        event: EventKind::Restored {
            by: party(actor),
            state: next.state,
        },
        chat: next,
        load: LoadChange::default(),
    })
}

/// Purging removes a deleted chat and its transcript for good: administrators only.
pub fn check_purge(chat: &Chat, actor: &Agent) -> Result<(), DomainError> {
    require_member(chat, actor)?;
    if actor.role != super::agent::Role::Administrator {
        return Err(DomainError::Forbidden(
            "only administrators may purge chats".into(),
        ));
    }
    if !chat.is_deleted() {
        return Err(DomainError::InvalidState(format!(
            "chat {} must be deleted before it can be purged",
            chat.id
        )));
    }
    Ok(())
}

/// Schedules (or with `None`, clears) a follow-up on a chat of one of the actor's groups.
/// Replaces the chat's tags (an agent who may see it; any state but deleted). `InvalidState`
/// when they are already these.
pub fn set_tags(chat: &Chat, actor: &Agent, tags: &[String]) -> Result<Mutation, DomainError> {
    require_reader(chat, actor)?;
    not_deleted(chat)?;
    let tags = super::tags::tag_set(tags)?;
    if tags == chat.tags {
        return Err(DomainError::InvalidState(format!(
            "chat {} already has these tags",
            chat.id
        )));
    }
    let mut next = chat.clone();
    next.tags = tags.clone();
    Ok(Mutation {
        chat: next,
        event: EventKind::Tagged {
            tags,
            by: party(actor),
        },
        load: LoadChange::default(),
    })
}

pub fn set_follow_up(
    chat: &Chat,
    actor: &Agent,
    follow_up: Option<(Timestamp, &str)>,
    now: Timestamp,
) -> Result<Mutation, DomainError> {
    require_reader(chat, actor)?;
    not_deleted(chat)?;
    let mut next = chat.clone();
    let event = match follow_up {
        Some((due_at, note)) => {
            let due_at = super::time::follow_up_due(due_at, now)?;
            let note = limits::multi_line("note", note, limits::MAX_NOTE_CHARS)?;
            next.follow_up = Some(FollowUp {
                due_at,
                note: note.clone(),
                set_by: actor.id.clone(),
            });
            EventKind::FollowUpSet {
                due_at,
                note,
                by: party(actor),
            }
        }
        None => {
            if chat.follow_up.is_none() {
                return Err(DomainError::InvalidState(format!(
                    "chat {} has no follow-up to clear",
                    chat.id
                )));
            }
            next.follow_up = None;
            EventKind::FollowUpCleared { by: party(actor) }
        }
    };
    Ok(Mutation {
        chat: next,
        event,
        load: LoadChange::default(),
    })
}

/// Satisfaction scores run from 1 (poor) to 5 (excellent).
pub const RATING_SCORES: std::ops::RangeInclusive<u8> = 1..=5;

/// The customer rates the chat once it has ended, once (the caller has checked that the
/// customer's token is this chat's). Not while it runs, not twice, not once deleted.
pub fn rate(
    chat: &Chat,
    score: u8,
    comment: Option<&str>,
    now: Timestamp,
) -> Result<Mutation, DomainError> {
    if !RATING_SCORES.contains(&score) {
        return Err(DomainError::invalid(
            "score",
            "must be a whole number from 1 (poor) to 5 (excellent)",
        ));
    }
    let comment = comment
        .filter(|c| !c.trim().is_empty())
        .map(|c| limits::multi_line("comment", c, limits::MAX_NOTE_CHARS))
        .transpose()?;
    if chat.is_deleted() {
        return Err(DomainError::InvalidState(format!(
            "chat {} can no longer be rated",
            chat.id
        )));
    }
    if chat.state.is_live() {
        return Err(DomainError::InvalidState(format!(
            "chat {} is still open; rate it once it has ended",
            chat.id
        )));
    }
    if chat.rating.is_some() {
        return Err(DomainError::InvalidState(format!(
            "chat {} has already been rated",
            chat.id
        )));
    }
    let mut next = chat.clone();
    next.rating = Some(Rating {
        score,
        comment: comment.clone(),
        at: now,
    });
    Ok(Mutation {
        chat: next,
        event: EventKind::Rated { score, comment },
        load: LoadChange::default(),
    })
}

pub enum Sender<'a> {
    Customer,
    Agent(&'a Agent),
}

/// A message from the customer (while the chat is live) or from the assigned agent (while it is
/// active). An agent message resets idle time; a customer message never does.
pub fn send_message(
    chat: &Chat,
    sender: Sender<'_>,
    client_msg_id: ClientMessageId,
    body: &str,
    now: Timestamp,
) -> Result<Mutation, DomainError> {
    let (next, (author, body)) = write_in(chat, sender, now, |_| {
        limits::multi_line("body", body, limits::MAX_MESSAGE_CHARS)
    })?;
    Ok(Mutation {
        chat: next,
        event: EventKind::Message {
            client_msg_id,
            author,
            body,
        },
        load: LoadChange::default(),
    })
}

/// A confirmed upload joins the chat like a message: the same people may post it, in the same
/// states, and it counts as one. Its client id is the attachment's, so it is stored once.
pub fn attach_file(
    chat: &Chat,
    sender: Sender<'_>,
    file: AttachedFile,
    now: Timestamp,
) -> Result<Mutation, DomainError> {
    let client_msg_id = ClientMessageId::parse(file.id.as_str())?;
    let (next, (author, ())) = write_in(chat, sender, now, |_| Ok(()))?;
    Ok(Mutation {
        chat: next,
        event: EventKind::Attachment {
            client_msg_id,
            author,
            file,
        },
        load: LoadChange::default(),
    })
}

/// Who may write in a chat and what writing changes (waiting, pace, counts): shared by messages
/// and attachments. `check` validates the content once the writer is known to be allowed.
fn write_in<T>(
    chat: &Chat,
    sender: Sender<'_>,
    now: Timestamp,
    check: impl FnOnce(&Chat) -> Result<T, DomainError>,
) -> Result<(Chat, (Author, T)), DomainError> {
    // Who may write comes first, so someone who may not learns nothing of the chat's state.
    match &sender {
        Sender::Agent(agent) => {
            if !can_view(chat, agent) {
                return Err(DomainError::Forbidden(format!(
                    "chat {} belongs to a group you are not a member of",
                    chat.id
                )));
            }
        }
        Sender::Customer => live_for_customer(chat)?,
    }
    not_deleted(chat)?;
    let content = check(chat)?;
    let mut next = chat.clone();
    let author = match sender {
        Sender::Customer => {
            next.send_pace.accept(Side::Customer, now)?;
            if !chat.customer_waiting || chat.customer_waiting_since.is_none() {
                next.customer_waiting_since = Some(now);
            }
            next.customer_waiting = true;
            Author::Customer {
                name: chat.customer.name.clone(),
            }
        }
        Sender::Agent(agent) => {
            if chat.state != ChatState::Active || chat.agent_id.as_ref() != Some(&agent.id) {
                return Err(DomainError::Forbidden(format!(
                    "only the agent assigned to chat {} may write in it while it is active",
                    chat.id
                )));
            }
            next.send_pace.accept(Side::Agent, now)?;
            next.customer_waiting = false;
            next.customer_waiting_since = None;
            next.agent_active_at = None;
            next.last_agent_message_at = Some(now);
            Author::Agent {
                id: agent.id.clone(),
                name: agent.display_name.clone(),
            }
        }
    };
    next.message_count += 1;
    Ok((next, (author, content)))
}

#[cfg(test)]
mod tests;
