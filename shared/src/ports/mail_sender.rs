//! Handing one e-mail to a mail service (an SMTP server, Amazon SES). Only the outbox's delivery
//! calls it: a mail is always stored before it is sent.

use async_trait::async_trait;
use thiserror::Error;

use crate::domain::{EmailAddress, OutgoingMail};

/// The mail service accepted a mail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentReceipt {
    /// What the service calls the mail (SES's message id, the SMTP server's queue reply).
    pub provider_id: String,
}

/// Why a mail was not accepted. The text is for operators: it is never shown to a customer.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum SendError {
    /// Worth trying again later: the service is down, slow, throttling, or misconfigured in a
    /// way an operator can fix.
    #[error("{0}")]
    Transient(String),
    /// Refused for good: trying again would be refused the same way (an address the server
    /// will never accept, a message it rejects).
    #[error("{0}")]
    Permanent(String),
}

#[async_trait]
pub trait MailSender: Send + Sync {
    /// The address mails are sent from.
    fn sender_address(&self) -> &EmailAddress;

    async fn send(&self, mail: &OutgoingMail) -> Result<SentReceipt, SendError>;
}

/// The Message-ID of a mail: derived from its outbox id, so a resend of the same mail carries the
/// same id and a receiving system can recognise it.
pub fn message_id(mail: &OutgoingMail, from: &EmailAddress) -> String {
    format!("<{}@{}>", mail.id, from.domain())
}
