//! The groups' inboxes: messages customers leave when nobody can chat, and what agents do with
//! them. The same permission rules as chats: an agent reads and acts on the messages of their
//! groups (and on one assigned to them).

use std::net::IpAddr;

use super::{App, AppError, MailView};
use crate::auth::Principal;
use crate::domain::inbox::{EntryKind, InboxChange, LeftMessage};
use crate::domain::mail::{EmailAddress, MailAbout, MailPurpose, OutgoingMail};
use crate::domain::texts::{MailKind, MailPlaceholders};
use crate::domain::{
    limits, Agent, Author, ChatState, DomainError, EventKind, GroupId, MailId, MessageStatus,
    OfflineMessage, OfflineMessageId, Timestamp,
};
use crate::ports::{InboxCursor, StoreError};

/// Messages in one page of an inbox, unless the caller asks for fewer.
pub const INBOX_PAGE: usize = 50;
pub const MAX_INBOX_PAGE: usize = 200;

/// Lost races retried before giving up (each retry re-reads and re-checks the rules), with a
/// random pause up to an exponentially growing cap, as chat commits do.
pub(super) const SAVE_ATTEMPTS: u32 = 25;
const MAX_BACKOFF_MS: u64 = 100;

/// What the leave-a-message form sends.
#[derive(Clone, Debug)]
pub struct LeaveMessage {
    pub group_id: String,
    pub name: String,
    pub email: String,
    pub question: String,
}

/// A message as agents see it: the message with its thread, and the e-mails of its replies.
#[derive(Clone, Debug)]
pub struct MessageView {
    pub message: OfflineMessage,
    pub mail: Vec<MailView>,
}

/// One page of a group's inbox, newest first.
#[derive(Clone, Debug)]
pub struct InboxPage {
    pub group_id: GroupId,
    pub status: MessageStatus,
    pub messages: Vec<OfflineMessage>,
    /// Where the next page starts, when there is one.
    pub next: Option<InboxCursor>,
}

impl App {
    /// A customer leaves a message for a group. Counted against the same per-address limit as
    /// chat starts: both create something from an anonymous request.
    pub async fn leave_message(
        &self,
        req: LeaveMessage,
        client: Option<IpAddr>,
    ) -> Result<OfflineMessage, AppError> {
        self.admit_chat_start(client).await?;
        let group = GroupId::parse(&req.group_id)?;
        let left = LeftMessage::parse(&req.name, &req.email, &req.question)?;
        self.find_group(&group).await?;
        let message = OfflineMessage::new(
            OfflineMessageId::generate(),
            group,
            left,
            None,
            self.clock.now(),
        );
        self.inbox.create_message(&message).await?;
        self.notifier
            .inbox_changed(&message, InboxChange::Received)
            .await;
        Ok(message)
    }

    /// The customer of a chat waiting in the queue turns it into a message, without retyping:
    /// the question and what they wrote since become the message, and the chat ends. The
    /// message takes the chat's id, so a retry (after a lost answer) creates it once and still
    /// ends the chat.
    pub async fn message_from_chat(
        &self,
        principal: &Principal,
        chat_id: &crate::domain::ChatId,
        email: Option<&str>,
    ) -> Result<OfflineMessage, AppError> {
        match principal {
            Principal::Customer(own) if own == chat_id => {}
            Principal::Customer(_) => {
                return Err(AppError::Forbidden(
                    "a customer token only opens its own chat".into(),
                ))
            }
            Principal::Agent(..) => {
                return Err(AppError::Forbidden(
                    "only the chat's customer turns it into a message".into(),
                ))
            }
        }
        let id = OfflineMessageId::parse(chat_id.as_str())?;
        let existing = self.inbox.get_message(&id).await?;
        let message = match existing {
            Some(m) => m,
            None => {
                let chat = self.load_chat(chat_id).await?;
                if chat.is_deleted() {
                    return Err(AppError::NotFound(format!("chat {chat_id} was not found")));
                }
                if chat.state != ChatState::Queued {
                    return Err(AppError::Domain(DomainError::InvalidState(
                        "only a chat still waiting in the queue can become a message".into(),
                    )));
                }
                let email = match email.filter(|e| !e.trim().is_empty()) {
                    Some(e) => e.to_owned(),
                    None => chat.customer.email.clone().unwrap_or_default(),
                };
                let question = self.question_with_what_followed(&chat).await?;
                let left = LeftMessage::parse(&chat.customer.name, &email, &question)?;
                let message = OfflineMessage::new(
                    id,
                    chat.group_id.clone(),
                    left,
                    Some(chat.id.clone()),
                    self.clock.now(),
                );
                match self.inbox.create_message(&message).await {
                    Ok(()) => {
                        self.notifier
                            .inbox_changed(&message, InboxChange::Received)
                            .await;
                        message
                    }
                    // Created by a request that ran at the same time: that one is the message.
                    Err(StoreError::AlreadyExists(_)) => self.load_message(&message.id).await?,
                    Err(e) => return Err(e.into()),
                }
            }
        };
        // Ending is what the customer asked for; a chat already ended (the retry) stays so.
        let ended = self.customer_end_chat(principal, chat_id).await;
        match ended {
            Ok(_) | Err(AppError::Domain(DomainError::InvalidState(_))) => Ok(message),
            Err(e) => Err(e),
        }
    }

    /// The chat's question and every message its customer sent since, in order, cut to the
    /// longest message accepted.
    async fn question_with_what_followed(
        &self,
        chat: &crate::domain::Chat,
    ) -> Result<String, AppError> {
        let events = self
            .chats
            .events_after(&chat.id, 0, limits::MAX_EVENTS_PER_READ)
            .await?;
        let mut written: Vec<&str> = events
            .iter()
            .filter_map(|event| match &event.kind {
                EventKind::Message {
                    author: Author::Customer { .. },
                    body,
                    ..
                } => Some(body.as_str()),
                _ => None,
            })
            .collect();
        // The question is usually the chat's first message already.
        if written.first() != Some(&chat.question.as_str()) {
            written.insert(0, &chat.question);
        }
        let mut text = written.join("\n\n");
        if text.chars().count() > limits::MAX_MESSAGE_CHARS {
            text = text.chars().take(limits::MAX_MESSAGE_CHARS - 1).collect();
            text.push('…');
        }
        Ok(text)
    }

    /// One page of a group's inbox, for its members.
    pub async fn inbox(
        &self,
        principal: &Principal,
        group: &GroupId,
        status: MessageStatus,
        after: Option<InboxCursor>,
        limit: Option<usize>,
    ) -> Result<InboxPage, AppError> {
        let agent = self.agent(principal).await?;
        self.find_group(group).await?;
        if !agent.is_member_of(group) {
            return Err(AppError::Forbidden(format!(
                "you are not a member of group {group}"
            )));
        }
        let limit = limits::in_range("limit", limit.unwrap_or(INBOX_PAGE), 1, MAX_INBOX_PAGE)?;
        // One more than shown says whether another page follows.
        let mut messages = self
            .inbox
            .list_messages(group, status, after.as_ref(), limit + 1)
            .await?;
        let next = if messages.len() > limit {
            messages.truncate(limit);
            messages.last().map(|m| InboxCursor {
                received_at: m.received_at,
                id: m.id.clone(),
            })
        } else {
            None
        };
        Ok(InboxPage {
            group_id: group.clone(),
            status,
            messages,
            next,
        })
    }

    /// One message with its thread, for an agent who may read it.
    pub async fn inbox_message(
        &self,
        principal: &Principal,
        id: &OfflineMessageId,
    ) -> Result<MessageView, AppError> {
        let agent = self.agent(principal).await?;
        let message = self.load_message(id).await?;
        message.require_reader(&agent)?;
        self.message_view(message).await
    }

    /// The message with the state of its replies' e-mails. A reply whose e-mail is not in the
    /// outbox (the reply was stored and the enqueue after it failed) is queued now: the mail is
    /// made from the stored reply and has its id, so it is queued once whatever reads first.
    async fn message_view(&self, message: OfflineMessage) -> Result<MessageView, AppError> {
        let about = MailAbout::message(message.id.as_str())?;
        let mut mail = self.mail.outbox.list_about(&about).await?;
        let mut repaired = false;
        for entry in &message.thread {
            if let EntryKind::Reply {
                body,
                mail_id: Some(mail_id),
            } = &entry.kind
            {
                if mail.iter().any(|q| q.mail.id.as_str() == mail_id) || self.mail.from.is_none() {
                    continue;
                }
                let id = MailId::parse(mail_id)?;
                match self
                    .queue_reply(&message, &id, &entry.by.name, body, entry.at)
                    .await
                {
                    Ok(()) => repaired = true,
                    Err(e) => tracing::error!(
                        message = %message.id, mail = %id,
                        error = %crate::errors::error_chain(&e),
                        "queueing a reply's e-mail failed again"
                    ),
                }
            }
        }
        if repaired {
            mail = self.mail.outbox.list_about(&about).await?;
        }
        Ok(MessageView {
            message,
            mail: mail.iter().map(|q| MailView::of(q, true)).collect(),
        })
    }

    /// Stores the e-mail of a reply in the outbox (idempotent by `id`).
    async fn queue_reply(
        &self,
        message: &OfflineMessage,
        id: &MailId,
        agent_name: &str,
        body: &str,
        at: Timestamp,
    ) -> Result<(), AppError> {
        let group = self.find_group(&message.group_id).await?;
        // The group's own words for it (an administrator may have changed them), every value
        // escaped in the HTML part.
        let content = group.texts.render_mail(
            MailKind::OfflineReply,
            &MailPlaceholders {
                customer_name: message.name.clone(),
                group: group.name.clone(),
                agent_name: Some(agent_name.to_owned()),
                question: message.question.clone(),
                next_open: None,
                reply: Some(body.to_owned()),
                transcript: None,
            },
        );
        let reply_to = group
            .offline
            .reply_to
            .as_deref()
            .map(EmailAddress::parse)
            .transpose()?;
        self.enqueue_mail(OutgoingMail {
            id: id.clone(),
            to: EmailAddress::parse(&message.email)?,
            reply_to,
            subject: content.subject,
            text: content.text,
            html: content.html,
            about: MailAbout::message(message.id.as_str())?,
            purpose: MailPurpose::OfflineReply,
            created_at: at,
        })
        .await?;
        Ok(())
    }

    pub async fn assign_message_to_me(
        &self,
        principal: &Principal,
        id: &OfflineMessageId,
    ) -> Result<MessageView, AppError> {
        self.change_message(principal, id, InboxChange::Assigned, |m, agent, now| {
            m.assign_to(agent, now)
        })
        .await
    }

    /// Records the reply and e-mails it to the customer. Without e-mail configured it is refused
    /// (409 `mail_not_configured`) and nothing is recorded: a reply nobody receives would mislead.
    pub async fn reply_to_message(
        &self,
        principal: &Principal,
        id: &OfflineMessageId,
        body: &str,
    ) -> Result<MessageView, AppError> {
        if self.mail.from.is_none() {
            return Err(AppError::MailNotConfigured);
        }
        let mail_id = MailId::generate();
        let view = self
            .change_message(principal, id, InboxChange::Replied, |m, agent, now| {
                m.reply(agent, body, Some(mail_id.to_string()), now)
                    .map(|()| true)
            })
            .await?;
        // The reply is stored; its e-mail follows. Should this fail, the next read of the
        // message queues it (`message_view`).
        let entry = view.message.thread.iter().rev().find(|e| {
            matches!(&e.kind, EntryKind::Reply { mail_id: Some(m), .. } if m == mail_id.as_str())
        });
        if let Some(entry) = entry {
            if let EntryKind::Reply { body, .. } = &entry.kind {
                if let Err(e) = self
                    .queue_reply(&view.message, &mail_id, &entry.by.name, body, entry.at)
                    .await
                {
                    tracing::error!(message = %id, mail = %mail_id, error = %crate::errors::error_chain(&e), "queueing a reply's e-mail failed; the next read of the message queues it");
                }
            }
        }
        self.message_view(view.message).await
    }

    pub async fn note_message(
        &self,
        principal: &Principal,
        id: &OfflineMessageId,
        body: &str,
    ) -> Result<MessageView, AppError> {
        self.change_message(principal, id, InboxChange::Noted, |m, agent, now| {
            m.note(agent, body, now).map(|()| true)
        })
        .await
    }

    pub async fn close_message(
        &self,
        principal: &Principal,
        id: &OfflineMessageId,
    ) -> Result<MessageView, AppError> {
        self.change_message(principal, id, InboxChange::Closed, |m, agent, now| {
            m.close(agent, now).map(|()| true)
        })
        .await
    }

    pub async fn reopen_message(
        &self,
        principal: &Principal,
        id: &OfflineMessageId,
    ) -> Result<MessageView, AppError> {
        self.change_message(principal, id, InboxChange::Reopened, |m, agent, now| {
            m.reopen(agent, now).map(|()| true)
        })
        .await
    }

    async fn load_message(&self, id: &OfflineMessageId) -> Result<OfflineMessage, AppError> {
        self.inbox
            .get_message(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("message {id} was not found")))
    }

    /// Read, apply `rule` as the calling agent, and write over the revision read; a lost race
    /// re-reads and applies the rule again (it re-checks everything), so concurrent changes by
    /// two agents both land. `rule` answers false when nothing changed (nothing is written).
    async fn change_message<F>(
        &self,
        principal: &Principal,
        id: &OfflineMessageId,
        change: InboxChange,
        rule: F,
    ) -> Result<MessageView, AppError>
    where
        F: Fn(&mut OfflineMessage, &Agent, Timestamp) -> Result<bool, DomainError>,
    {
        let agent = self.agent(principal).await?;
        for attempt in 0..SAVE_ATTEMPTS {
            let mut message = self.load_message(id).await?;
            // Refused the same way whatever the message's state.
            message.require_reader(&agent)?;
            let read = message.revision;
            if !rule(&mut message, &agent, self.clock.now())? {
                return self.message_view(message).await;
            }
            match self.inbox.save_message(&message, read).await {
                Ok(()) => {
                    self.notifier.inbox_changed(&message, change).await;
                    if change == InboxChange::Replied {
                        // The caller queues the reply's e-mail, then reads the mails.
                        return Ok(MessageView {
                            message,
                            mail: Vec::new(),
                        });
                    }
                    return self.message_view(message).await;
                }
                Err(StoreError::Stale) => {
                    let cap = (1u64 << attempt.min(10)).min(MAX_BACKOFF_MS);
                    let pause = rand::random::<u64>() % (cap + 1);
                    tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Conflict(format!(
            "message {id} is being changed by others; try again"
        )))
    }
}

/// The cursor a page hands out: `{received_at}.{id}` (opaque to clients).
pub fn inbox_cursor_to_string(c: &InboxCursor) -> String {
    format!("{}.{}", c.received_at.0, c.id)
}

/// Reads a cursor a client sent back.
pub fn parse_inbox_cursor(raw: &str) -> Result<InboxCursor, DomainError> {
    let bad = || {
        DomainError::invalid(
            "cursor",
            "is not an inbox cursor; pass the next_cursor of the previous page, or none to start over",
        )
    };
    let (at, id) = raw.split_once('.').ok_or_else(bad)?;
    let at: i64 = at.parse().map_err(|_| bad())?;
    if at < 0 {
        return Err(bad());
    }
    Ok(InboxCursor {
        received_at: Timestamp(at),
        id: OfflineMessageId::parse(id).map_err(|_| bad())?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_read_back_what_was_written_and_refuse_anything_else() {
        let c = InboxCursor {
            received_at: Timestamp(1_800_000_000_123),
            id: OfflineMessageId::parse("01J9ZQ3T6H5P0V8R9S7K2M4N1B").unwrap(),
        };
        assert_eq!(parse_inbox_cursor(&inbox_cursor_to_string(&c)).unwrap(), c);
        for bad in ["", "12", "x.abc", "-5.abc", "12.a b", "12."] {
            assert!(parse_inbox_cursor(bad).is_err(), "{bad}");
        }
    }
}
