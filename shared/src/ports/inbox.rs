//! Where offline messages are kept: one document per message, changed only over the revision
//! it was read at, and listed by group and status, newest first.

use async_trait::async_trait;

use super::StoreError;
use crate::domain::{GroupId, MessageStatus, OfflineMessage, OfflineMessageId, Timestamp};

/// Where a page of a group's inbox continues: after this message (received at, id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboxCursor {
    pub received_at: Timestamp,
    pub id: OfflineMessageId,
}

#[async_trait]
pub trait InboxStore: Send + Sync {
    /// Stores a new message. `AlreadyExists` when its id is taken: a retried creation (the same
    /// id) creates nothing twice.
    async fn create_message(&self, message: &OfflineMessage) -> Result<(), StoreError>;

    async fn get_message(
        &self,
        id: &OfflineMessageId,
    ) -> Result<Option<OfflineMessage>, StoreError>;

    /// Writes `message` over the stored one if that one is still at `read_revision`; `Stale`
    /// otherwise (someone changed it since it was read), `NotFound` when it does not exist.
    async fn save_message(
        &self,
        message: &OfflineMessage,
        read_revision: u64,
    ) -> Result<(), StoreError>;

    /// Up to `limit` messages of a group in `status`, newest first, after `after`.
    async fn list_messages(
        &self,
        group: &GroupId,
        status: MessageStatus,
        after: Option<&InboxCursor>,
        limit: usize,
    ) -> Result<Vec<OfflineMessage>, StoreError>;
}
