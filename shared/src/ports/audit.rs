//! The audit log's store: entries are added and read, newest first; never changed or removed.

use async_trait::async_trait;

use super::StoreError;
use crate::domain::AuditEntry;

#[async_trait]
pub trait AuditLog: Send + Sync {
    /// Adds `entry`; an entry with its id already in the log is refused (`AlreadyExists`), never
    /// overwritten.
    async fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError>;

    /// Up to `limit` entries, newest first, older than the entry `before` (an entry id) when
    /// given.
    async fn audit_page(
        &self,
        before: Option<&str>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError>;
}
