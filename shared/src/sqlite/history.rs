//! A customer's chats, through the `chats_by_customer` index (`customer_key`, `started_at`),
//! written when the chat is created.

use async_trait::async_trait;
use rusqlite::params;

use super::records::ChatRecord;
use super::{docs_where, SqliteStore};
use crate::domain::Chat;
use crate::ports::{HistoryStore, StoreError};

#[async_trait]
impl HistoryStore for SqliteStore {
    async fn customer_chats(&self, key: &str, limit: usize) -> Result<Vec<Chat>, StoreError> {
        let key = key.to_owned();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(move |c| {
            docs_where::<ChatRecord, _, _>(
                c,
                "SELECT doc FROM chats WHERE customer_key = ?1
                 ORDER BY started_at DESC, id DESC LIMIT ?2",
                params![key, limit],
            )
        })
        .await
    }
}
