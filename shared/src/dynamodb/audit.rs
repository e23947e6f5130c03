//! The audit log: one partition `AUDIT`, an item per entry under its id (time first), written
//! only if absent and read newest first. No code path updates or deletes these items.

use async_trait::async_trait;

use super::keys::AUDIT;
use super::records::{from_item, to_item, AuditRecord};
use super::schema::{PK, SK};
use super::{key, s, DynamoStore};
use crate::domain::AuditEntry;
use crate::ports::{AuditLog, StoreError};

#[async_trait]
impl AuditLog for DynamoStore {
    async fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        let record = AuditRecord::from(entry);
        let mut item = to_item(&record)?;
        item.extend(key(AUDIT.to_owned(), record.id()));
        if self.put_new(item).await? {
            Ok(())
        } else {
            Err(StoreError::AlreadyExists(format!(
                "audit entry {}",
                entry.id
            )))
        }
    }

    async fn audit_page(
        &self,
        before: Option<&str>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(self.table())
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":pk", s(AUDIT))
            .scan_index_forward(false);
        let query = match before {
            Some(id) => query
                .key_condition_expression("#pk = :pk AND #sk < :before")
                .expression_attribute_names("#sk", SK)
                .expression_attribute_values(":before", s(id)),
            None => query.key_condition_expression("#pk = :pk"),
        };
        self.run_query(query, true, Some(limit))
            .await?
            .into_iter()
            .map(from_item::<AuditRecord, AuditEntry>)
            .collect()
    }
}
