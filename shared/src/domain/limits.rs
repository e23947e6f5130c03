//! Limits on user-supplied text and numbers, checked once at the edge of the domain. Documented
//! in `docs/security.md`; the WebSocket frame limit of API Gateway (32 KB) bounds the largest.
//! Times have their own checks in `time.rs`.

use super::error::DomainError;

pub const MAX_NAME_CHARS: usize = 80;
pub const MAX_EMAIL_CHARS: usize = 254;
pub const MAX_QUESTION_CHARS: usize = 2_000;
pub const MAX_MESSAGE_CHARS: usize = 4_000;
pub const MAX_NOTE_CHARS: usize = 2_000;
/// Most chats one bulk action may name: bounds the work (and DynamoDB calls) of one request.
pub const MAX_BULK_CHATS: usize = 100;
/// Highest sequence number a client may name (`after`, `after_seq`): 12 digits, the width the
/// DynamoDB event keys are written in, far beyond any chat's length.
pub const MAX_SEQ: u64 = 999_999_999_999;
/// Most events returned by one read of a transcript.
pub const MAX_EVENTS_PER_READ: usize = 500;
/// Events returned by a read that names no `limit`.
pub const DEFAULT_EVENTS_PER_READ: usize = 200;

/// A number a client sent, refused unless `min <= value <= max`; the message names the range.
pub fn in_range<T>(field: &'static str, value: T, min: T, max: T) -> Result<T, DomainError>
where
    T: PartialOrd + std::fmt::Display + Copy,
{
    if value >= min && value <= max {
        Ok(value)
    } else {
        Err(DomainError::invalid(
            field,
            format!("must be between {min} and {max}; got {value}"),
        ))
    }
}

/// A sequence number to read after (0 = from the start).
pub fn sequence_number(field: &'static str, value: u64) -> Result<u64, DomainError> {
    in_range(field, value, 0, MAX_SEQ)
}

/// How many events one read returns: `limit` when given, else the default.
pub fn events_per_read(limit: Option<usize>) -> Result<usize, DomainError> {
    match limit {
        None => Ok(DEFAULT_EVENTS_PER_READ),
        Some(n) => in_range("limit", n, 1, MAX_EVENTS_PER_READ),
    }
}

/// Single-line text (names, e-mail): trimmed, no control characters at all.
pub fn single_line(field: &'static str, raw: &str, max: usize) -> Result<String, DomainError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    check_len(field, text, max)?;
    if text.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    Ok(text.to_owned())
}

/// Multi-line text (questions, messages, notes): trimmed; newlines and tabs allowed, other
/// control characters refused (they are invisible in the console and used to spoof content).
pub fn multi_line(field: &'static str, raw: &str, max: usize) -> Result<String, DomainError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    check_len(field, text, max)?;
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(DomainError::invalid(
            field,
            "must not contain control characters other than newlines and tabs",
        ));
    }
    Ok(text.to_owned())
}

/// A minimal e-mail shape check: one '@', something on both sides, a dot in the domain.
pub fn email(raw: &str) -> Result<String, DomainError> {
    let text = single_line("email", raw, MAX_EMAIL_CHARS)?;
    let valid = match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !text.contains(char::is_whitespace)
        }
        None => false,
    };
    if valid {
        Ok(text)
    } else {
        Err(DomainError::invalid("email", "is not an e-mail address"))
    }
}

fn check_len(field: &'static str, text: &str, max: usize) -> Result<(), DomainError> {
    let chars = text.chars().count();
    if chars > max {
        return Err(DomainError::invalid(
            field,
            format!("is {chars} characters long; the limit is {max}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_line_trims_and_refuses_controls() {
        assert_eq!(single_line("name", "  Ann  ", 10).unwrap(), "Ann");
        assert!(single_line("name", "   ", 10).is_err());
        assert!(single_line("name", "A\u{0}nn", 10).is_err());
        assert!(single_line("name", "A\nnn", 10).is_err());
        assert!(single_line("name", "Ann", 2).is_err());
    }

    #[test]
    fn limits_count_characters_not_bytes() {
        assert!(single_line("name", "ééé", 3).is_ok());
        assert!(multi_line("body", &"€".repeat(4), 4).is_ok());
    }

    #[test]
    fn multi_line_keeps_newlines() {
        assert_eq!(multi_line("body", "a\nb\tc", 10).unwrap(), "a\nb\tc");
        assert!(multi_line("body", "a\u{1b}[31m", 10).is_err());
    }

    #[test]
    fn numbers_outside_their_range_are_refused_naming_it() {
        assert_eq!(sequence_number("after", 0), Ok(0));
        assert_eq!(sequence_number("after", MAX_SEQ), Ok(MAX_SEQ));
        let err = sequence_number("after_seq", u64::MAX).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "after_seq: must be between 0 and {MAX_SEQ}; got {}",
                u64::MAX
            )
        );
        assert_eq!(events_per_read(None), Ok(DEFAULT_EVENTS_PER_READ));
        assert_eq!(events_per_read(Some(1)), Ok(1));
        assert_eq!(events_per_read(Some(500)), Ok(500));
        assert!(events_per_read(Some(0)).is_err());
        assert!(events_per_read(Some(501)).is_err());
        assert!(events_per_read(Some(usize::MAX)).is_err());
    }

    proptest::proptest! {
        /// An accepted sequence number fits the 12-digit event keys, and reading after it never
        /// overflows.
        #[test]
        fn accepted_sequence_numbers_fit_the_event_keys(n in proptest::prelude::any::<u64>()) {
            match sequence_number("after", n) {
                Ok(n) => {
                    proptest::prop_assert_eq!(format!("{n:012}").len(), 12);
                    proptest::prop_assert!(n.checked_add(1).is_some());
                }
                Err(_) => proptest::prop_assert!(n > MAX_SEQ),
            }
        }
    }

    #[test]
    fn email_shape() {
        assert!(email("a@b.co").is_ok());
        assert!(email("ab.co").is_err());
        assert!(email("a@bco").is_err());
        assert!(email("a b@c.de").is_err());
    }
}
