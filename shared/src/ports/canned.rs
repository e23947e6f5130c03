//! Where canned replies are kept: one document per reply, its shortcut unique within its scope,
//! changed only over the revision it was read at, listed by scope in shortcut order, and its
//! usage counted by one atomic increment.

use async_trait::async_trait;

use super::StoreError;
use crate::domain::{CannedReply, CannedReplyId, ReplyScope};

#[async_trait]
pub trait CannedReplyStore: Send + Sync {
    /// Stores a new reply. `AlreadyExists` when its scope already has a reply with its shortcut
    /// (or its id is taken): nothing is written.
    async fn create_reply(&self, reply: &CannedReply) -> Result<(), StoreError>;

    /// The reply with its current usage count.
    async fn get_reply(&self, id: &CannedReplyId) -> Result<Option<CannedReply>, StoreError>;

    /// Writes `reply` (its scope, shortcut and content; never its usage count) over the stored
    /// one if that one is still at `read_revision`: `Stale` if it moved, `NotFound` when it is
    /// gone, `AlreadyExists` when its new shortcut is taken in its scope.
    async fn save_reply(&self, reply: &CannedReply, read_revision: u64) -> Result<(), StoreError>;

    /// Deletes the reply (and frees its shortcut) if it is still at the revision of `reply`:
    /// `Stale` if it moved, `NotFound` when it is gone.
    async fn delete_reply(&self, reply: &CannedReply) -> Result<(), StoreError>;

    /// The replies of a scope whose shortcut starts with `shortcut_prefix` (all of them for an
    /// empty prefix), in shortcut order.
    async fn list_replies(
        &self,
        scope: &ReplyScope,
        shortcut_prefix: &str,
    ) -> Result<Vec<CannedReply>, StoreError>;

    /// Counts one use (an atomic increment, never a read and a write) and returns the new
    /// count; `NotFound` when the reply is gone.
    async fn count_use(&self, id: &CannedReplyId) -> Result<u64, StoreError>;
}
