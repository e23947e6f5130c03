//! A canned reply (SQLite `canned_replies.doc`, DynamoDB `CANNED#{id}` / `META`). The usage count
//! is the store's own counter (SQLite's `uses` column, DynamoDB's `uses` attribute, both raised by
//! one atomic increment): the document written with an edit never carries it, so an edit never
//! puts back a count it read.

use serde::{Deserialize, Serialize};

use super::{id, readable, FORMAT_VERSION};
use crate::domain::canned::{CannedReply, ReplyScope, Shortcut};
use crate::domain::Timestamp;
use crate::ports::StoreError;

/// The attribute (and column) of the usage count.
pub(crate) const USES: &str = "uses";

#[derive(Serialize, Deserialize)]
pub(crate) struct CannedReplyRecord {
    #[serde(default)]
    v: u32,
    id: String,
    /// `agent:{id}`, `group:{id}` or `global`.
    scope: String,
    shortcut: String,
    title: String,
    body: String,
    /// Read where the store keeps it in the record (DynamoDB); never written with the record.
    #[serde(default, skip_serializing)]
    uses: u64,
    created_by: String,
    created_at: i64,
    updated_by: String,
    updated_at: i64,
    review_at: i64,
    revision: u64,
}

impl From<&CannedReply> for CannedReplyRecord {
    fn from(r: &CannedReply) -> Self {
        CannedReplyRecord {
            v: FORMAT_VERSION,
            id: r.id.as_str().to_owned(),
            scope: r.scope.key(),
            shortcut: r.shortcut.as_str().to_owned(),
            title: r.title.clone(),
            body: r.body.clone(),
            uses: r.usage_count,
            created_by: r.created_by.as_str().to_owned(),
            created_at: r.created_at.0,
            updated_by: r.updated_by.as_str().to_owned(),
            updated_at: r.updated_at.0,
            review_at: r.review_at.0,
            revision: r.revision,
        }
    }
}

impl TryFrom<CannedReplyRecord> for CannedReply {
    type Error = StoreError;
    fn try_from(r: CannedReplyRecord) -> Result<Self, StoreError> {
        readable(r.v, "canned reply")?;
        let corrupt = |e: crate::domain::DomainError| StoreError::Corrupt(e.to_string());
        Ok(CannedReply {
            id: id(r.id)?,
            scope: ReplyScope::parse_key(&r.scope).map_err(corrupt)?,
            shortcut: Shortcut::parse(&r.shortcut).map_err(corrupt)?,
            title: r.title,
            body: r.body,
            usage_count: r.uses,
            created_by: id(r.created_by)?,
            created_at: Timestamp(r.created_at),
            updated_by: id(r.updated_by)?,
            updated_at: Timestamp(r.updated_at),
            review_at: Timestamp(r.review_at),
            revision: r.revision,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stored document of a group's reply, as both stores hold it (DynamoDB with `uses`
    /// beside it). A change that would misread it fails here.
    const STORED: &str = r#"{"v":1,"id":"r1","scope":"group:support","shortcut":"refund-policy","title":"Refunds","body":"Hi {customer_name}","created_by":"mia","created_at":1000,"updated_by":"mia","updated_at":2000,"review_at":7776002000,"revision":2}"#;

    #[test]
    fn the_stored_document_reads_and_writes_back_unchanged() {
        let record: CannedReplyRecord = serde_json::from_str(STORED).unwrap();
        let reply = CannedReply::try_from(record).unwrap();
        assert_eq!(reply.shortcut.as_str(), "refund-policy");
        assert_eq!(reply.usage_count, 0);
        let written = serde_json::to_string(&CannedReplyRecord::from(&reply)).unwrap();
        assert_eq!(
            written, STORED,
            "the count is never written with the document"
        );
        let counted = STORED.replacen(r#""revision":2"#, r#""revision":2,"uses":7"#, 1);
        let record: CannedReplyRecord = serde_json::from_str(&counted).unwrap();
        assert_eq!(CannedReply::try_from(record).unwrap().usage_count, 7);
    }

    #[test]
    fn a_document_of_a_newer_format_is_refused() {
        let newer = STORED.replacen(r#""v":1"#, r#""v":99"#, 1);
        let record: CannedReplyRecord = serde_json::from_str(&newer).unwrap();
        assert!(CannedReply::try_from(record).is_err());
    }
}
