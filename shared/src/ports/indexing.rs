//! Where a chat sits in the list indexes, decided once for every adapter: which bucket
//! (queued, active, ended, deleted), the instant it is ordered by within it, and its id.

use crate::domain::{Chat, ChatId, ChatState, Timestamp};

/// In the order the live list holds them: queued chats before active ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ListBucket {
    Queued,
    Active,
    Ended,
    Deleted,
}

/// Queued chats order by when they joined the queue (oldest is pulled first; a chat handed off
/// back to the queue by when it started); active ones by
/// start; ended ones by end; deleted ones by deletion.
pub fn list_position(chat: &Chat) -> (ListBucket, Timestamp) {
    if let Some(at) = chat.deleted_at {
        return (ListBucket::Deleted, at);
    }
    match chat.state {
        ChatState::Queued => (ListBucket::Queued, chat.queue_order_at()),
        ChatState::Active => (ListBucket::Active, chat.started_at),
        ChatState::Inactive => (ListBucket::Ended, chat.ended_at.unwrap_or(chat.started_at)),
    }
}

/// A chat's key in a list index: bucket, then instant, then id, so that no two chats share one.
/// Every list is read in this order (ascending, or descending for the newest-first lists), and
/// a page starts after the position of the last chat of the page before.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ListPosition {
    pub bucket: ListBucket,
    pub at: Timestamp,
    pub chat_id: ChatId,
}

impl ListPosition {
    /// Where the chat is indexed now (the stores write the index keys from the same function).
    pub fn of(chat: &Chat) -> ListPosition {
        let (bucket, at) = list_position(chat);
        ListPosition {
            bucket,
            at,
            chat_id: chat.id.clone(),
        }
    }
}
