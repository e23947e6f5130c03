//! E-mail: stored in the outbox first, then delivered from there with retries (`domain::mail`).
//! `enqueue_mail` is how every use case sends a mail; `deliver_due_mail` is the delivery run
//! (the local server's loop, the cloud's scheduled `mail-outbox` function).
//!
//! Exactly once: a mail is only sent by the worker holding its lease, so two workers never send
//! it at the same time, and each outcome is recorded only under that lease. The one window left
//! is a crash after the mail service accepted a mail and before `record_sent`: the lease then
//! runs out and the mail is sent again, with the same Message-ID (`docs/domain.md`).

use std::sync::Arc;

use futures::future::join_all;
use sha2::{Digest, Sha256};

use super::{App, AppError};
use crate::auth::Principal;
use crate::domain::mail::retry_delay_ms;
use crate::domain::transcript::transcript_mail;
use crate::domain::{
    ChatEvent, ChatId, ChatState, DeliveryState, DomainError, EmailAddress, MailAbout, MailId,
    MailPurpose, OutgoingMail, QueuedMail, Timestamp,
};
use crate::errors::error_chain;
use crate::ports::{ClaimedMail, MailOutbox, MailSender, SendError, StoreError};

/// How long a claimed mail belongs to one delivery run: far longer than a send may take
/// (`smtp::SMTP_TIMEOUT`, the function's timeout), so a lease only runs out when its worker died.
pub const MAIL_LEASE_MS: i64 = 300_000;
/// Mails one delivery run claims (and sends at once, side by side).
pub const MAIL_BATCH: usize = 10;
/// Transcripts a chat's customer may ask for: the chat page must not become a spam relay.
pub const CUSTOMER_TRANSCRIPTS_PER_CHAT: u32 = 3;
/// The id prefix of the transcripts a customer asked for (`customer_transcript_id`).
const CUSTOMER_TRANSCRIPT_PREFIX: &str = "tr";

/// The cloud's delivery run: once a minute, so a mail waits at most about a minute beyond its
/// due time.
pub const MAIL_DELIVERY: super::ScheduledFunction = super::ScheduledFunction {
    function: "mail-outbox",
    schedule_expression: "rate(1 minute)",
};

/// The outbox and how this deployment sends.
#[derive(Clone)]
pub struct Mail {
    pub outbox: Arc<dyn MailOutbox>,
    /// The address mails are sent from; `None` when e-mail is not configured here, and nothing
    /// is queued.
    pub from: Option<EmailAddress>,
    /// Set where mail is delivered (the local server, the `mail-outbox` function).
    pub sender: Option<Arc<dyn MailSender>>,
    /// Woken by every enqueue: the local server's delivery loop sends at once.
    pub queued: Arc<tokio::sync::Notify>,
}

/// What one delivery run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub claimed: u32,
    pub sent: u32,
    /// Failed for now, scheduled again.
    pub retried: u32,
    /// Refused for good.
    pub failed: u32,
}

/// Whether this deployment sends e-mail, and from where (for the console).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailStatus {
    pub configured: bool,
    pub from: Option<String>,
}

/// A mail's state as the caller may see it: agents get the last error, customers never do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailView {
    pub id: MailId,
    pub purpose: MailPurpose,
    pub to: String,
    pub state: &'static str,
    pub attempts: u32,
    /// While pending: when the next attempt is due.
    pub next_attempt_at: Option<Timestamp>,
    pub sent_at: Option<Timestamp>,
    pub created_at: Timestamp,
    /// Agents only: the last error, or why the mail was refused for good.
    pub last_error: Option<String>,
}

impl MailView {
    pub(crate) fn of(q: &QueuedMail, for_agent: bool) -> Self {
        let d = &q.delivery;
        MailView {
            id: q.mail.id.clone(),
            purpose: q.mail.purpose,
            to: q.mail.to.to_string(),
            state: d.state.name(),
            attempts: d.attempts,
            next_attempt_at: d.is_pending().then_some(d.next_attempt_at),
            sent_at: match &d.state {
                DeliveryState::Sent { at, .. } => Some(*at),
                _ => None,
            },
            created_at: q.mail.created_at,
            last_error: if for_agent {
                d.last_error.clone()
            } else {
                None
            },
        }
    }
}

impl App {
    /// Stores `mail` for delivery (idempotent by its id) and wakes the local delivery loop.
    /// Refused with `mail_not_configured` when this deployment sends no e-mail, so callers can
    /// say so.
    pub async fn enqueue_mail(&self, mail: OutgoingMail) -> Result<MailId, AppError> {
        if self.mail.from.is_none() {
            return Err(AppError::MailNotConfigured);
        }
        let mail = mail.validated()?;
        self.mail.outbox.enqueue(&mail).await?;
        self.mail.queued.notify_one();
        Ok(mail.id)
    }

    /// Claims the due mails, sends them side by side and records each outcome. A transient
    /// failure schedules the next attempt (`retry_delay_ms`); a permanent one ends the mail.
    /// Without a sender (e-mail not configured) it does nothing.
    pub async fn deliver_due_mail(&self) -> Result<DeliveryReport, AppError> {
        let Some(sender) = self.mail.sender.clone() else {
            return Ok(DeliveryReport::default());
        };
        let claimed = self
            .mail
            .outbox
            .claim_due(self.clock.now(), MAIL_LEASE_MS, MAIL_BATCH)
            .await?;
        let mut report = DeliveryReport {
            claimed: claimed.len() as u32,
            ..DeliveryReport::default()
        };
        let outcomes = join_all(claimed.iter().map(|c| sender.send(&c.queued.mail))).await;
        for (claim, outcome) in claimed.iter().zip(outcomes) {
            match self.record_attempt(claim, outcome).await {
                Ok(Attempt::Sent) => report.sent += 1,
                Ok(Attempt::Retry) => report.retried += 1,
                Ok(Attempt::Failed) => report.failed += 1,
                Err(e) => tracing::error!(
                    mail = %claim.lease.id,
                    error = %error_chain(&e),
                    "recording a mail's delivery failed; its lease will run out and it is tried again"
                ),
            }
        }
        Ok(report)
    }

    async fn record_attempt(
        &self,
        claim: &ClaimedMail,
        outcome: Result<crate::ports::SentReceipt, SendError>,
    ) -> Result<Attempt, StoreError> {
        let now = self.clock.now();
        let recorded = match &outcome {
            Ok(receipt) => {
                self.mail
                    .outbox
                    .record_sent(&claim.lease, now, &receipt.provider_id)
                    .await
            }
            Err(SendError::Transient(e)) => {
                let wait = retry_delay_ms(claim.queued.delivery.attempts);
                tracing::warn!(mail = %claim.lease.id, error = %e, wait_ms = wait, "a mail was not sent; it is tried again");
                self.mail
                    .outbox
                    .record_retry(&claim.lease, now.plus_millis(wait), e)
                    .await
            }
            Err(SendError::Permanent(e)) => {
                tracing::warn!(mail = %claim.lease.id, error = %e, "a mail was refused for good");
                self.mail.outbox.record_failed(&claim.lease, e).await
            }
        };
        match recorded {
            Ok(()) => Ok(match outcome {
                Ok(_) => Attempt::Sent,
                Err(SendError::Transient(_)) => Attempt::Retry,
                Err(SendError::Permanent(_)) => Attempt::Failed,
            }),
            Err(e) => Err(e),
        }
    }

    /// Whether e-mail is configured here (agents only: the console says so where it matters).
    pub async fn mail_status(&self, principal: &Principal) -> Result<MailStatus, AppError> {
        self.agent(principal).await?;
        Ok(MailStatus {
            configured: self.mail.from.is_some(),
            from: self.mail.from.as_ref().map(ToString::to_string),
        })
    }

    /// The mails about a chat, for whoever may read the chat: agents see every mail with its
    /// last error; the chat's customer sees only the transcripts they asked for, without errors.
    pub async fn chat_mail(
        &self,
        principal: &Principal,
        chat: &ChatId,
    ) -> Result<Vec<MailView>, AppError> {
        self.readable_chat(principal, chat).await?;
        let mails = self
            .mail
            .outbox
            .list_about(&MailAbout::Chat(chat.clone()))
            .await?;
        let for_agent = matches!(principal, Principal::Agent(..));
        Ok(mails
            .iter()
            .filter(|q| for_agent || is_customer_transcript(&q.mail.id))
            .map(|q| MailView::of(q, for_agent))
            .collect())
    }

    /// E-mails the chat's transcript (what its customer may see of it, text and HTML) to `to`,
    /// or to the address the customer gave at the start. The chat's own customer may ask once
    /// the chat has ended, at most `CUSTOMER_TRANSCRIPTS_PER_CHAT` times; an agent who may read
    /// the chat may send one at any time.
    pub async fn send_transcript(
        &self,
        principal: &Principal,
        chat_id: &ChatId,
        to: Option<&str>,
    ) -> Result<MailView, AppError> {
        let chat = self.readable_chat(principal, chat_id).await?;
        if self.mail.from.is_none() {
            return Err(AppError::MailNotConfigured);
        }
        let to = match to.or(chat.customer.email.as_deref()) {
            Some(address) => EmailAddress::parse(address)?,
            None => {
                return Err(DomainError::invalid(
                    "email",
                    "the chat has no e-mail address: give one",
                )
                .into())
            }
        };
        let for_agent = matches!(principal, Principal::Agent(..));
        let id = if for_agent {
            MailId::generate()
        } else {
            if chat.state != ChatState::Inactive {
                return Err(DomainError::InvalidState(
                    "the transcript can be e-mailed once the chat has ended".into(),
                )
                .into());
            }
            self.next_customer_transcript_id(chat_id).await?
        };
        let events = self.customer_events(chat_id).await?;
        let group = self.find_group(&chat.group_id).await?;
        let body = transcript_mail(&chat, &group, &events);
        // An answer to the transcript goes to the group, when it has an address.
        let reply_to = group
            .offline
            .reply_to
            .as_deref()
            .map(EmailAddress::parse)
            .transpose()?;
        let mail = OutgoingMail {
            id: id.clone(),
            to,
            reply_to,
            subject: body.subject,
            text: body.text,
            html: body.html,
            about: MailAbout::Chat(chat_id.clone()),
            purpose: MailPurpose::Transcript,
            created_at: self.clock.now(),
        };
        self.enqueue_mail(mail).await?;
        let queued = self
            .mail
            .outbox
            .get(&id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("mail {id} was not found")))?;
        Ok(MailView::of(&queued, for_agent))
    }

    /// The id of the customer's next transcript of `chat`: one of a fixed few per chat, so two
    /// requests sent at once store one mail (enqueue is idempotent by id) and the cap holds.
    async fn next_customer_transcript_id(&self, chat: &ChatId) -> Result<MailId, AppError> {
        let asked = self
            .mail
            .outbox
            .list_about(&MailAbout::Chat(chat.clone()))
            .await?
            .iter()
            .filter(|q| is_customer_transcript(&q.mail.id))
            .count() as u32;
        if asked >= CUSTOMER_TRANSCRIPTS_PER_CHAT {
            return Err(DomainError::InvalidState(format!(
                "at most {CUSTOMER_TRANSCRIPTS_PER_CHAT} transcripts can be e-mailed for one chat"
            ))
            .into());
        }
        Ok(customer_transcript_id(chat, asked + 1))
    }

    /// Every event of the chat as its customer sees it.
    async fn customer_events(&self, chat: &ChatId) -> Result<Vec<ChatEvent>, AppError> {
        let page = crate::domain::limits::MAX_EVENTS_PER_READ;
        let mut events = Vec::new();
        let mut after = 0;
        loop {
            let read = self.chats.events_after(chat, after, page).await?;
            let Some(last) = read.last() else { break };
            after = last.seq;
            let full = read.len() == page;
            events.extend(read.iter().filter_map(ChatEvent::for_customer));
            if !full {
                break;
            }
        }
        Ok(events)
    }
}

enum Attempt {
    Sent,
    Retry,
    Failed,
}

/// `tr-{n}-{32 hex digits of the chat id's SHA-256}`: the n-th transcript a chat's customer
/// asked for (short whatever the chat id's length).
fn customer_transcript_id(chat: &ChatId, n: u32) -> MailId {
    let digest = hex::encode(Sha256::digest(chat.as_str().as_bytes()));
    MailId::parse(&format!(
        "{CUSTOMER_TRANSCRIPT_PREFIX}-{n}-{}",
        &digest[..32]
    ))
    .unwrap_or_else(|_| MailId::generate())
}

fn is_customer_transcript(id: &MailId) -> bool {
    id.as_str()
        .starts_with(&format!("{CUSTOMER_TRANSCRIPT_PREFIX}-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_transcript_ids_are_valid_numbered_and_recognised() {
        let chat = ChatId::parse(&"c".repeat(64)).unwrap();
        let first = customer_transcript_id(&chat, 1);
        assert!(first.as_str().starts_with("tr-1-"));
        assert_eq!(first, customer_transcript_id(&chat, 1));
        assert_ne!(first, customer_transcript_id(&chat, 2));
        assert!(is_customer_transcript(&first));
        assert!(!is_customer_transcript(&MailId::generate()));
    }
}
