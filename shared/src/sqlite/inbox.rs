use async_trait::async_trait;
use rusqlite::params;

use super::records::{to_doc, OfflineMessageRecord};
use super::{db_err, doc_where, docs_where, execute, SqliteStore};
use crate::domain::{GroupId, MessageStatus, OfflineMessage, OfflineMessageId};
use crate::ports::{InboxCursor, InboxStore, StoreError};

#[async_trait]
impl InboxStore for SqliteStore {
    async fn create_message(&self, message: &OfflineMessage) -> Result<(), StoreError> {
        let doc = to_doc(&OfflineMessageRecord::from(message))?;
        let m = message.clone();
        self.with(move |c| {
            let inserted = execute(
                c,
                "INSERT INTO offline_messages (id, group_id, status, received_at, revision, doc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO NOTHING",
                params![
                    m.id.as_str(),
                    m.group_id.as_str(),
                    m.status.as_str(),
                    m.received_at.0,
                    m.revision as i64,
                    doc
                ],
            )
            .map_err(db_err)?;
            if inserted == 0 {
                return Err(StoreError::AlreadyExists(format!("message {}", m.id)));
            }
            Ok(())
        })
        .await
    }

    async fn get_message(
        &self,
        id: &OfflineMessageId,
    ) -> Result<Option<OfflineMessage>, StoreError> {
        let id = id.clone();
        self.read(move |c| {
            doc_where::<OfflineMessageRecord, _, _>(
                c,
                "SELECT doc FROM offline_messages WHERE id = ?1",
                params![id.as_str()],
            )
        })
        .await
    }

    async fn save_message(
        &self,
        message: &OfflineMessage,
        read_revision: u64,
    ) -> Result<(), StoreError> {
        let doc = to_doc(&OfflineMessageRecord::from(message))?;
        let m = message.clone();
        self.with(move |c| {
            let updated = execute(
                c,
                "UPDATE offline_messages SET group_id = ?2, status = ?3, revision = ?4, doc = ?5
                 WHERE id = ?1 AND revision = ?6",
                params![
                    m.id.as_str(),
                    m.group_id.as_str(),
                    m.status.as_str(),
                    m.revision as i64,
                    doc,
                    read_revision as i64
                ],
            )
            .map_err(db_err)?;
            if updated == 1 {
                return Ok(());
            }
            let exists: bool = c
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM offline_messages WHERE id = ?1)",
                    params![m.id.as_str()],
                    |r| r.get(0),
                )
                .map_err(db_err)?;
            Err(if exists {
                StoreError::Stale
            } else {
                StoreError::NotFound(format!("message {}", m.id))
            })
        })
        .await
    }

    async fn list_messages(
        &self,
        group: &GroupId,
        status: MessageStatus,
        after: Option<&InboxCursor>,
        limit: usize,
    ) -> Result<Vec<OfflineMessage>, StoreError> {
        let group = group.clone();
        let after = after.map(|c| (c.received_at.0, c.id.as_str().to_owned()));
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(move |c| match after {
            // Newest first; a cursor continues with the ones older than the last one shown.
            Some((at, id)) => docs_where::<OfflineMessageRecord, _, _>(
                c,
                "SELECT doc FROM offline_messages
                 WHERE group_id = ?1 AND status = ?2 AND (received_at, id) < (?3, ?4)
                 ORDER BY received_at DESC, id DESC LIMIT ?5",
                params![group.as_str(), status.as_str(), at, id, limit],
            ),
            None => docs_where::<OfflineMessageRecord, _, _>(
                c,
                "SELECT doc FROM offline_messages WHERE group_id = ?1 AND status = ?2
                 ORDER BY received_at DESC, id DESC LIMIT ?3",
                params![group.as_str(), status.as_str(), limit],
            ),
        })
        .await
    }
}
