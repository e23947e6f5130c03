//! Identifiers. Each is a newtype that can only hold a valid value, so a malformed id is refused
//! at the edge and never reaches a store.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::error::DomainError;

/// Longest id accepted from a client. Generated ids are 26 characters (ULID); imported ones may
/// be longer, but nothing legitimate comes near this.
pub const MAX_ID_LEN: usize = 64;

fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_ID_LEN
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        // Serde only for documents that embed ids (`kb::Resolution`); the API writes ids
        // through `api::wire::ids`, and storage records hold them as strings.
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
        #[serde(try_from = "String")]
        pub struct $name(String);

        // Written as the string it holds, in place (`into = "String"` copied it first).
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl $name {
            /// A new, time-ordered id (ULID).
            pub fn generate() -> Self {
                Self(ulid::Ulid::new().to_string())
            }

            /// Accepts 1..=64 characters of `[A-Za-z0-9_-]`.
            pub fn parse(s: &str) -> Result<Self, DomainError> {
                if valid_id(s) {
                    Ok(Self(s.to_owned()))
                } else {
                    Err(DomainError::InvalidInput {
                        field: $what,
                        reason: format!("must be 1 to {MAX_ID_LEN} characters of letters, digits, '-' or '_'"),
                    })
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = DomainError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

    };
}

id_type!(
    /// A chat conversation.
    ChatId, "chat_id"
);
id_type!(
    /// An agent (any role).
    AgentId, "agent_id"
);
id_type!(
    /// A group (department) that owns a queue.
    GroupId, "group_id"
);
id_type!(
    /// A message a customer left for a group (the inbox's item).
    OfflineMessageId, "message_id"
);
id_type!(
    /// A canned reply (a saved answer agents insert with its `/shortcut`).
    CannedReplyId, "reply_id"
);
id_type!(
    /// A knowledge-base article.
    ArticleId, "article_id"
);
id_type!(
    /// An e-mail in the outbox: also the stem of its Message-ID, so a resend is recognisable.
    MailId, "mail_id"
);
id_type!(
    /// The id a client picks for a message so that a retried send is stored once.
    ClientMessageId, "client_msg_id"
);
id_type!(
    /// A file attached to a chat: pending until its upload is confirmed, then an event.
    AttachmentId, "attachment_id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_refuse_bad_characters_and_lengths() {
        assert!(ChatId::parse("01HZX3").is_ok());
        assert!(ChatId::parse("").is_err());
        assert!(ChatId::parse("a/b").is_err());
        assert!(ChatId::parse("é").is_err());
        assert!(ChatId::parse(&"a".repeat(65)).is_err());
        assert!(ChatId::parse(&"a".repeat(64)).is_ok());
    }

    #[test]
    fn generated_ids_are_valid_and_time_ordered() {
        let a = ChatId::generate();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = ChatId::generate();
        assert!(ChatId::parse(a.as_str()).is_ok());
        assert!(a < b);
    }

    #[test]
    fn deserializing_validates() {
        let bad: Result<ChatId, _> = serde_json::from_str("\"a b\"");
        assert!(bad.is_err());
        let good: ChatId = serde_json::from_str("\"abc\"").unwrap();
        assert_eq!(good.as_str(), "abc");
    }
}
