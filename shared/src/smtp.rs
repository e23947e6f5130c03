//! The local server's mail sender: SMTP (lettre on tokio and rustls). `CHATDESK_SMTP_URL` names
//! the server: `smtp://host:port` (plain, for a relay on the same machine or a test sink),
//! `smtp://user:pass@host:587?tls=required` (STARTTLS), `smtps://user:pass@host` (TLS from the
//! first byte).

use std::time::Duration;

use async_trait::async_trait;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::Error as SmtpError;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::domain::{EmailAddress, OutgoingMail};
use crate::ports::mail_sender::message_id;
use crate::ports::{MailSender, SendError, SentReceipt};

/// How long one SMTP conversation may take: well inside the outbox's lease, so a mail is never
/// still being sent when its lease runs out.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: EmailAddress,
}

/// A URL lettre cannot use (unknown scheme, bad port, ...).
#[derive(Debug, thiserror::Error)]
#[error("CHATDESK_SMTP_URL is not a usable SMTP URL: {0}")]
pub struct SmtpUrlError(String);

impl SmtpSender {
    pub fn new(url: &str, from: EmailAddress) -> Result<Self, SmtpUrlError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| SmtpUrlError(e.to_string()))?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        Ok(SmtpSender { transport, from })
    }

    fn message(&self, mail: &OutgoingMail) -> Result<Message, SendError> {
        let mailbox = |a: &EmailAddress| {
            a.as_str()
                .parse::<Mailbox>()
                .map_err(|e| SendError::Permanent(format!("address {a}: {e}")))
        };
        let mut builder = Message::builder()
            .from(mailbox(&self.from)?)
            .to(mailbox(&mail.to)?)
            .subject(mail.subject.clone())
            .message_id(Some(message_id(mail, &self.from)));
        if let Some(reply_to) = &mail.reply_to {
            builder = builder.reply_to(mailbox(reply_to)?);
        }
        builder
            .multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                mail.html.clone(),
            ))
            .map_err(|e| SendError::Permanent(format!("the message cannot be built: {e}")))
    }
}

#[async_trait]
impl MailSender for SmtpSender {
    fn sender_address(&self) -> &EmailAddress {
        &self.from
    }

    async fn send(&self, mail: &OutgoingMail) -> Result<SentReceipt, SendError> {
        let message = self.message(mail)?;
        let response = self.transport.send(message).await.map_err(classify)?;
        let reply = response.message().collect::<Vec<_>>().join(" ");
        Ok(SentReceipt {
            provider_id: format!("{} {reply}", response.code()).trim().to_owned(),
        })
    }
}

/// A 5xx reply is the server's final word; everything else (no connection, a timeout, a 4xx
/// "try later", a broken conversation) may go through on a later attempt.
fn classify(e: SmtpError) -> SendError {
    let text = error_chain(&e);
    if e.is_permanent() {
        SendError::Permanent(text)
    } else {
        SendError::Transient(text)
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
