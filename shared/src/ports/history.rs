//! Where a customer's chats are found: by the customer's key (`history::customer_key`), written
//! when the chat starts, newest first, never by scanning chats.

use async_trait::async_trait;

use super::StoreError;
use crate::domain::Chat;

#[async_trait]
pub trait HistoryStore: Send + Sync {
    /// Up to `limit` chats of the customer known by `key`, most recently started first (purged
    /// chats are gone from it).
    async fn customer_chats(&self, key: &str, limit: usize) -> Result<Vec<Chat>, StoreError>;
}
