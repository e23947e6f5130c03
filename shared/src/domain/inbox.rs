//! Messages customers leave when nobody can chat (outside business hours, nobody available, or
//! tired of waiting in the queue): each lands in its group's inbox, where agents assign it,
//! reply (the reply is e-mailed), add internal notes and close it.
//!
//! A message is one document: its thread is short (a question, a few replies and notes), and
//! every change is checked against the revision it was read at, so two agents acting at once
//! never lose each other's work.

use super::agent::Agent;
use super::error::DomainError;
use super::ids::{AgentId, ChatId, GroupId, OfflineMessageId};
use super::limits;
use super::time::Timestamp;

/// Replies, notes and status changes a message may gather: bounds the stored document (DynamoDB
/// items hold 400 KB; 60 entries of the longest reply are well under it).
pub const MAX_THREAD_ENTRIES: usize = 60;

/// Where a message stands in the inbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageStatus {
    /// Waiting for an answer.
    Open,
    /// An agent replied; the customer's answer, if any, comes by e-mail.
    Answered,
    /// Done: nothing more to do unless someone reopens it.
    Closed,
}

impl MessageStatus {
    pub const ALL: [MessageStatus; 3] = [
        MessageStatus::Open,
        MessageStatus::Answered,
        MessageStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Open => "open",
            MessageStatus::Answered => "answered",
            MessageStatus::Closed => "closed",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        MessageStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| DomainError::invalid("status", "must be open, answered or closed"))
    }
}

/// What happened to a message, as consoles are told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InboxChange {
    Received,
    Assigned,
    Replied,
    Noted,
    Closed,
    Reopened,
    /// Moved to another group's inbox (its group was removed).
    Moved,
}

impl InboxChange {
    pub fn as_str(self) -> &'static str {
        match self {
            InboxChange::Received => "received",
            InboxChange::Assigned => "assigned",
            InboxChange::Replied => "replied",
            InboxChange::Noted => "noted",
            InboxChange::Closed => "closed",
            InboxChange::Reopened => "reopened",
            InboxChange::Moved => "moved",
        }
    }
}

/// An agent as a message's thread names them (the name at the time, like a chat's author).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageAgent {
    pub id: AgentId,
    pub name: String,
}

impl From<&Agent> for MessageAgent {
    fn from(agent: &Agent) -> Self {
        MessageAgent {
            id: agent.id.clone(),
            name: agent.display_name.clone(),
        }
    }
}

/// One step of a message's handling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryKind {
    /// An answer to the customer, e-mailed to them (`mail_id` names the outgoing e-mail).
    Reply {
        body: String,
        mail_id: Option<String>,
    },
    /// For agents only; never sent to the customer.
    Note {
        body: String,
    },
    /// The message was assigned to this agent.
    Assigned {
        to: MessageAgent,
    },
    Closed,
    Reopened,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageEntry {
    pub at: Timestamp,
    pub by: MessageAgent,
    pub kind: EntryKind,
}

/// What a customer leaves: checked like a chat's start form, but the e-mail address is required
/// (it is the only way back to them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeftMessage {
    pub name: String,
    pub email: String,
    pub question: String,
}

impl LeftMessage {
    pub fn parse(name: &str, email: &str, question: &str) -> Result<Self, DomainError> {
        let name = limits::single_line("name", name, limits::MAX_NAME_CHARS)?;
        if email.trim().is_empty() {
            return Err(DomainError::invalid(
                "email",
                "is required: the answer is sent there",
            ));
        }
        let email = limits::email(email)?;
        let question = limits::multi_line("question", question, limits::MAX_MESSAGE_CHARS)?;
        Ok(LeftMessage {
            name,
            email,
            question,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfflineMessage {
    pub id: OfflineMessageId,
    pub group_id: GroupId,
    pub name: String,
    pub email: String,
    pub question: String,
    pub received_at: Timestamp,
    /// The queued chat the customer turned into this message, if any.
    pub from_chat: Option<ChatId>,
    pub status: MessageStatus,
    pub assignee: Option<MessageAgent>,
    pub thread: Vec<MessageEntry>,
    /// Moves with every change: a write is accepted only over the revision it read.
    pub revision: u64,
    pub updated_at: Timestamp,
}

impl OfflineMessage {
    pub fn new(
        id: OfflineMessageId,
        group_id: GroupId,
        left: LeftMessage,
        from_chat: Option<ChatId>,
        now: Timestamp,
    ) -> Self {
        OfflineMessage {
            id,
            group_id,
            name: left.name,
            email: left.email,
            question: left.question,
            received_at: now,
            from_chat,
            status: MessageStatus::Open,
            assignee: None,
            thread: Vec::new(),
            revision: 1,
            updated_at: now,
        }
    }

    /// Members of the message's group read and act on it, and whoever it is assigned to (as
    /// with chats).
    pub fn readable_by(&self, agent: &Agent) -> bool {
        agent.is_member_of(&self.group_id)
            || self.assignee.as_ref().is_some_and(|a| a.id == agent.id)
    }

    pub fn require_reader(&self, agent: &Agent) -> Result<(), DomainError> {
        if self.readable_by(agent) {
            Ok(())
        } else {
            Err(DomainError::Forbidden(format!(
                "message {} belongs to a group you are not a member of",
                self.id
            )))
        }
    }

    /// The replies sent so far.
    pub fn replies(&self) -> usize {
        self.thread
            .iter()
            .filter(|e| matches!(e.kind, EntryKind::Reply { .. }))
            .count()
    }

    /// Assigns the message to `agent`. False (and nothing changes) when it already is theirs.
    pub fn assign_to(&mut self, agent: &Agent, now: Timestamp) -> Result<bool, DomainError> {
        self.require_reader(agent)?;
        if self.assignee.as_ref().is_some_and(|a| a.id == agent.id) {
            return Ok(false);
        }
        let to = MessageAgent::from(agent);
        self.assignee = Some(to.clone());
        self.record(agent, EntryKind::Assigned { to }, now)?;
        Ok(true)
    }

    /// Records a reply e-mailed as `mail_id`. A closed message is reopened first (so replying
    /// is a deliberate second step); the replying agent takes an unassigned message.
    pub fn reply(
        &mut self,
        agent: &Agent,
        body: &str,
        mail_id: Option<String>,
        now: Timestamp,
    ) -> Result<(), DomainError> {
        self.require_reader(agent)?;
        let body = non_empty_text("body", body, limits::MAX_MESSAGE_CHARS)?;
        if self.status == MessageStatus::Closed {
            return Err(DomainError::InvalidState(format!(
                "message {} is closed; reopen it to reply",
                self.id
            )));
        }
        self.record(agent, EntryKind::Reply { body, mail_id }, now)?;
        if self.assignee.is_none() {
            self.assignee = Some(MessageAgent::from(agent));
        }
        self.status = MessageStatus::Answered;
        Ok(())
    }

    /// The reply a new one would be: checked before its e-mail is queued, so a refused reply
    /// sends nothing.
    pub fn check_reply(&self, agent: &Agent, body: &str) -> Result<String, DomainError> {
        let mut probe = self.clone();
        probe.reply(agent, body, None, self.updated_at)?;
        non_empty_text("body", body, limits::MAX_MESSAGE_CHARS)
    }

    pub fn note(&mut self, agent: &Agent, body: &str, now: Timestamp) -> Result<(), DomainError> {
        self.require_reader(agent)?;
        let body = non_empty_text("body", body, limits::MAX_NOTE_CHARS)?;
        self.record(agent, EntryKind::Note { body }, now)
    }

    pub fn close(&mut self, agent: &Agent, now: Timestamp) -> Result<(), DomainError> {
        self.require_reader(agent)?;
        if self.status == MessageStatus::Closed {
            return Err(DomainError::InvalidState(format!(
                "message {} is already closed",
                self.id
            )));
        }
        self.record(agent, EntryKind::Closed, now)?;
        self.status = MessageStatus::Closed;
        Ok(())
    }

    /// Back to the inbox: answered when it had a reply, open otherwise.
    pub fn reopen(&mut self, agent: &Agent, now: Timestamp) -> Result<(), DomainError> {
        self.require_reader(agent)?;
        if self.status != MessageStatus::Closed {
            return Err(DomainError::InvalidState(format!(
                "message {} is not closed",
                self.id
            )));
        }
        self.record(agent, EntryKind::Reopened, now)?;
        self.status = if self.replies() > 0 {
            MessageStatus::Answered
        } else {
            MessageStatus::Open
        };
        Ok(())
    }

    fn record(
        &mut self,
        agent: &Agent,
        kind: EntryKind,
        now: Timestamp,
    ) -> Result<(), DomainError> {
        if self.thread.len() >= MAX_THREAD_ENTRIES {
            return Err(DomainError::InvalidState(format!(
                "message {} has reached {MAX_THREAD_ENTRIES} replies and notes; continue in a new message",
                self.id
            )));
        }
        // Entries stay in time order even if a clock steps back.
        let at = Timestamp(now.0.max(self.updated_at.0));
        self.thread.push(MessageEntry {
            at,
            by: MessageAgent::from(agent),
            kind,
        });
        self.updated_at = at;
        self.revision += 1;
        Ok(())
    }
}

fn non_empty_text(field: &'static str, raw: &str, max: usize) -> Result<String, DomainError> {
    limits::multi_line(field, raw, max)
}

#[cfg(test)]
mod tests;
