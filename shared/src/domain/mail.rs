//! E-mail that is never lost: every mail is stored in the outbox first and sent from there, with
//! retries, so a mail server that is down delays mail and never drops it. Pure rules: what a
//! mail is, the states of its delivery, and when the next attempt is due.

use super::error::DomainError;
use super::ids::{ChatId, MailId, MAX_ID_LEN};
use super::limits;
use super::time::Timestamp;

/// The first retry waits this long; each further one twice as long as the one before.
pub const FIRST_RETRY_MS: i64 = 30_000;
/// The longest wait between two attempts: a mail server that is down for a day is tried every
/// hour, and the mail goes out within the hour after it is back.
pub const MAX_RETRY_MS: i64 = 3_600_000;
/// The most text and HTML one mail may carry together (a DynamoDB item holds at most 400 KB).
pub const MAX_MAIL_BODY_BYTES: usize = 300_000;
/// The longest subject line.
pub const MAX_SUBJECT_CHARS: usize = 200;
/// The longest error kept with a mail (operator-facing, never shown to a customer).
pub const MAX_ERROR_CHARS: usize = 500;

/// An address a mail can be sent to: the shape `limits::email` accepts, without the characters
/// that carry meaning in a mail header (so an address can never add a recipient or a header).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let text = limits::email(raw)?;
        if text.chars().any(|c| {
            matches!(
                c,
                '<' | '>' | ',' | ';' | '"' | '(' | ')' | '[' | ']' | '\\'
            )
        }) {
            return Err(DomainError::invalid("email", "is not an e-mail address"));
        }
        Ok(EmailAddress(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after the '@'.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }
}

impl std::fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a mail is about: who may see its state follows from it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum MailAbout {
    Chat(ChatId),
    /// An offline message (its id, checked like every other id).
    Message(String),
}

impl MailAbout {
    pub fn message(id: &str) -> Result<Self, DomainError> {
        let valid = !id.is_empty()
            && id.len() <= MAX_ID_LEN
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if valid {
            Ok(MailAbout::Message(id.to_owned()))
        } else {
            Err(DomainError::invalid(
                "message_id",
                format!("must be 1 to {MAX_ID_LEN} characters of letters, digits, '-' or '_'"),
            ))
        }
    }

    /// `chat:{id}` or `message:{id}`: how stores key a mail's subject.
    pub fn key(&self) -> String {
        match self {
            MailAbout::Chat(id) => format!("chat:{id}"),
            MailAbout::Message(id) => format!("message:{id}"),
        }
    }

    pub fn parse_key(key: &str) -> Result<Self, DomainError> {
        match key.split_once(':') {
            Some(("chat", id)) => Ok(MailAbout::Chat(ChatId::parse(id)?)),
            Some(("message", id)) => MailAbout::message(id),
            _ => Err(DomainError::invalid(
                "about",
                "must be chat:{id} or message:{id}",
            )),
        }
    }
}

/// Why a mail is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MailPurpose {
    /// A chat's transcript, asked for by its customer or sent by an agent.
    Transcript,
    /// An agent's answer to an offline message.
    OfflineReply,
}

impl MailPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            MailPurpose::Transcript => "transcript",
            MailPurpose::OfflineReply => "offline_reply",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s {
            "transcript" => Ok(MailPurpose::Transcript),
            "offline_reply" => Ok(MailPurpose::OfflineReply),
            _ => Err(DomainError::invalid(
                "purpose",
                "must be transcript or offline_reply",
            )),
        }
    }
}

/// One e-mail as it is stored and sent. The sender's address is the deployment's, not the
/// mail's: it is added when the mail is sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingMail {
    pub id: MailId,
    pub to: EmailAddress,
    pub reply_to: Option<EmailAddress>,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub about: MailAbout,
    pub purpose: MailPurpose,
    pub created_at: Timestamp,
}

impl OutgoingMail {
    /// Checks what a mail carries: a one-line subject of bounded length, a bounded body.
    pub fn validated(self) -> Result<Self, DomainError> {
        let subject = limits::single_line("subject", &self.subject, MAX_SUBJECT_CHARS)?;
        if self.text.len() + self.html.len() > MAX_MAIL_BODY_BYTES {
            return Err(DomainError::invalid(
                "body",
                format!("text and HTML together must be at most {MAX_MAIL_BODY_BYTES} bytes"),
            ));
        }
        if self.text.trim().is_empty() {
            return Err(DomainError::invalid("text", "must not be empty"));
        }
        Ok(OutgoingMail { subject, ..self })
    }
}

/// Where a mail's delivery stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeliveryState {
    /// Not sent yet: waiting for its next attempt (or being attempted right now).
    Pending,
    /// Accepted by the mail service, which named it `provider_id`.
    Sent { at: Timestamp, provider_id: String },
    /// Refused for good (an address the server will never accept, a message it rejects): no
    /// further attempt.
    Failed { reason: String },
}

impl DeliveryState {
    pub fn name(&self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Sent { .. } => "sent",
            DeliveryState::Failed { .. } => "failed",
        }
    }
}

/// A mail's delivery: its state, the attempts so far, when the next one is due, and the last
/// error (for operators: never sent to a customer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailDelivery {
    pub state: DeliveryState,
    pub attempts: u32,
    pub next_attempt_at: Timestamp,
    pub last_error: Option<String>,
}

impl MailDelivery {
    /// A mail just stored: due at once.
    pub fn new(now: Timestamp) -> Self {
        MailDelivery {
            state: DeliveryState::Pending,
            attempts: 0,
            next_attempt_at: now,
            last_error: None,
        }
    }

    pub fn is_pending(&self) -> bool {
        self.state == DeliveryState::Pending
    }
}

/// A mail with its delivery, as the outbox holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueuedMail {
    pub mail: OutgoingMail,
    pub delivery: MailDelivery,
}

/// How long to wait after the `attempts`-th failed attempt (1 = the first): 30 s, 1 min, 2 min,
/// ... doubling up to an hour, and an hour from then on. It never gives up: a transient failure
/// only ever delays a mail.
pub fn retry_delay_ms(attempts: u32) -> i64 {
    let doublings = attempts.saturating_sub(1).min(31);
    FIRST_RETRY_MS
        .saturating_mul(1_i64 << doublings)
        .min(MAX_RETRY_MS)
}

/// An error as it is kept with a mail: one line, at most `MAX_ERROR_CHARS` characters.
pub fn error_summary(error: &str) -> String {
    let one_line: String = error
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let trimmed = one_line.trim();
    if trimmed.chars().count() <= MAX_ERROR_CHARS {
        trimmed.to_owned()
    } else {
        let mut cut: String = trimmed.chars().take(MAX_ERROR_CHARS - 1).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn mail() -> OutgoingMail {
        OutgoingMail {
            id: MailId::generate(),
            to: EmailAddress::parse("ann@example.com").unwrap(),
            reply_to: None,
            subject: "  Your chat  ".into(),
            text: "hello".into(),
            html: "<p>hello</p>".into(),
            about: MailAbout::Chat(ChatId::parse("c1").unwrap()),
            purpose: MailPurpose::Transcript,
            created_at: Timestamp(1),
        }
    }

    #[test]
    fn retries_start_at_thirty_seconds_and_double_to_an_hour() {
        assert_eq!(retry_delay_ms(1), 30_000);
        assert_eq!(retry_delay_ms(2), 60_000);
        assert_eq!(retry_delay_ms(3), 120_000);
        assert_eq!(retry_delay_ms(8), 3_600_000);
        assert_eq!(retry_delay_ms(u32::MAX), 3_600_000);
        assert_eq!(retry_delay_ms(0), 30_000);
    }

    proptest! {
        #[test]
        fn backoff_never_shrinks_and_stays_between_thirty_seconds_and_an_hour(n in 0u32..10_000) {
            let (this, next) = (retry_delay_ms(n), retry_delay_ms(n + 1));
            prop_assert!((FIRST_RETRY_MS..=MAX_RETRY_MS).contains(&this));
            prop_assert!(next >= this);
            prop_assert!(next <= this * 2);
        }

        #[test]
        fn kept_errors_are_one_bounded_line(s in any::<String>()) {
            let kept = error_summary(&s);
            prop_assert!(kept.chars().count() <= MAX_ERROR_CHARS);
            prop_assert!(!kept.chars().any(char::is_control));
        }
    }

    #[test]
    fn addresses_refuse_header_syntax() {
        assert!(EmailAddress::parse("ann@example.com").is_ok());
        for bad in [
            "ann@example.com, eve@evil.example",
            "Ann <ann@example.com>",
            "ann@example.com\r\nBcc: eve@evil.example",
            "\"a\"@example.com",
            "ann",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            EmailAddress::parse("ann@mail.example.com")
                .unwrap()
                .domain(),
            "mail.example.com"
        );
    }

    #[test]
    fn about_keys_round_trip_and_are_checked() {
        for about in [
            MailAbout::Chat(ChatId::parse("c1").unwrap()),
            MailAbout::message("01HZ-m_1").unwrap(),
        ] {
            assert_eq!(MailAbout::parse_key(&about.key()).unwrap(), about);
        }
        assert!(MailAbout::message("a/b").is_err());
        assert!(MailAbout::parse_key("agent:x").is_err());
    }

    #[test]
    fn a_mail_has_a_one_line_subject_and_a_bounded_body() {
        assert_eq!(mail().validated().unwrap().subject, "Your chat");
        let two_lines = OutgoingMail {
            subject: "a\nBcc: x@y.z".into(),
            ..mail()
        };
        assert!(two_lines.validated().is_err());
        let huge = OutgoingMail {
            text: "x".repeat(MAX_MAIL_BODY_BYTES),
            ..mail()
        };
        assert!(huge.validated().is_err());
    }
}
