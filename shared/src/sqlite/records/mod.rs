//! The SQLite store's own records: the JSON documents of its `doc` columns. They own the stored
//! field names (those the database has always held, so every existing database reads), the
//! defaults of fields added later, and the format version `v` written into every document.
//! Domain types are mapped to and from them here and nowhere else: renaming a domain field
//! changes no stored data. (The columns beside the documents are versioned by the schema's
//! migrations, `PRAGMA user_version`.)
//!
//! These records are kept apart from the DynamoDB store's on purpose, although both hold the same
//! fields today: each store's format changes on its own schedule, and each is pinned by its own
//! fixture (`tests/fixtures/storage/`).

mod agent;
mod chat;
mod connection;
mod event;
mod knowledge;
mod preferences;

use serde::de::DeserializeOwned;
use serde::Serialize;

pub(super) use agent::AgentRecord;
pub(super) use chat::ChatRecord;
pub(super) use connection::ConnectionRecord;
pub(super) use event::EventRecord;
pub(super) use knowledge::{ArticleRecord, ResolutionRecord};
pub(super) use preferences::PreferencesRecord;

use crate::domain::DomainError;
use crate::ports::StoreError;

/// The format this version writes. Documents without `v` are the format before versions, which
/// reads the same as version 1. The number moves only when a document changes in a way an older
/// reader would misread; a field added with a default does not move it.
pub(super) const FORMAT_VERSION: u32 = 1;

/// Refuses a document written in a newer format than this version knows: read as if it were
/// older, it could lose fields, and a write back would drop them from the database.
fn readable(v: u32, what: &str) -> Result<(), StoreError> {
    if v > FORMAT_VERSION {
        return Err(StoreError::Corrupt(format!(
            "{what} is stored in format {v}; this version reads up to {FORMAT_VERSION}"
        )));
    }
    Ok(())
}

/// A stored id, checked as the domain checks every id.
fn id<T: TryFrom<String, Error = DomainError>>(s: String) -> Result<T, StoreError> {
    T::try_from(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn ids<T: TryFrom<String, Error = DomainError>>(v: Vec<String>) -> Result<Vec<T>, StoreError> {
    v.into_iter().map(id).collect()
}

/// The document of a record.
pub(super) fn to_doc<R: Serialize>(record: &R) -> Result<String, StoreError> {
    serde_json::to_string(record).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The domain value of a stored document.
pub(super) fn from_doc<R, T>(doc: &str) -> Result<T, StoreError>
where
    R: DeserializeOwned + TryInto<T, Error = StoreError>,
{
    serde_json::from_str::<R>(doc)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?
        .try_into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Agent;

    /// An agent's document as the first versions stored it: no version, no session epoch.
    const AGENT: &str = r#""id":"ann","username":"ann","display_name":"Ann","role":"agent",
        "groups":["support"],"available":true,"max_concurrent_chats":2"#;

    fn agent(extra: &str) -> Result<Agent, StoreError> {
        from_doc::<AgentRecord, Agent>(&format!("{{{AGENT}{extra}}}"))
    }

    #[test]
    fn documents_before_versions_read_as_version_one() {
        let before = agent("").unwrap();
        assert_eq!(before, agent(r#","v":1"#).unwrap());
        assert_eq!(
            before.session_epoch, 0,
            "a field added later takes its default"
        );
        let doc = to_doc(&AgentRecord::from(&before)).unwrap();
        assert!(doc.contains(r#""v":1"#), "{doc}");
    }

    #[test]
    fn a_document_in_a_newer_format_is_refused_not_misread() {
        match agent(r#","v":2"#) {
            Err(StoreError::Corrupt(m)) => assert!(m.contains("format 2"), "{m}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_stored_id_the_domain_would_refuse_is_corrupt_data() {
        let doc = AGENT.replace(r#""support""#, r#""sup port""#);
        let read = from_doc::<AgentRecord, Agent>(&format!("{{{doc}}}"));
        assert!(matches!(read, Err(StoreError::Corrupt(_))), "{read:?}");
    }
}
