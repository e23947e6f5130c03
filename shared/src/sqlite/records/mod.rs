//! The SQLite store's side of the stored format (`crate::records`): its documents are the shared
//! records as JSON, and its connections have a record of their own.

mod connection;

use serde::de::DeserializeOwned;
use serde::Serialize;

pub(super) use crate::records::{
    AgentRecord, ArticleRecord, AuditRecord, CannedReplyRecord, ChatRecord, EventRecord,
    MailRecord, NoteRecord, OfflineMessageRecord, OrganisationRecord, PreferencesRecord,
    ResolutionRecord,
};
pub(super) use connection::ConnectionRecord;

use crate::ports::StoreError;

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
