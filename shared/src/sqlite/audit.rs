use async_trait::async_trait;
use rusqlite::params;

use super::records::{to_doc, AuditRecord};
use super::{db_err, docs_where, execute, SqliteStore};
use crate::domain::AuditEntry;
use crate::ports::{AuditLog, StoreError};

#[async_trait]
impl AuditLog for SqliteStore {
    async fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        let record = AuditRecord::from(entry);
        let id = record.id().to_owned();
        let doc = to_doc(&record)?;
        self.with(move |c| {
            let inserted = execute(
                c,
                "INSERT INTO audit_log (id, doc) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING",
                params![id, doc],
            )
            .map_err(db_err)?;
            if inserted == 0 {
                return Err(StoreError::AlreadyExists(format!("audit entry {id}")));
            }
            Ok(())
        })
        .await
    }

    async fn audit_page(
        &self,
        before: Option<&str>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let before = before.map(str::to_owned);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(move |c| {
            docs_where::<AuditRecord, _, _>(
                c,
                "SELECT doc FROM audit_log WHERE (?1 IS NULL OR id < ?1) ORDER BY id DESC LIMIT ?2",
                params![before, limit],
            )
        })
        .await
    }
}
