//! Where a chat sits in the list indexes, decided once for every adapter: which bucket
//! (queued, active, ended, deleted) and the instant it is ordered by within it.

use crate::domain::{Chat, ChatState, Timestamp};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListBucket {
    Queued,
    Active,
    Ended,
    Deleted,
}

/// Queued chats order by when they joined the queue (oldest is pulled first); active ones by
/// start; ended ones by end; deleted ones by deletion.
pub fn list_position(chat: &Chat) -> (ListBucket, Timestamp) {
    if let Some(at) = chat.deleted_at {
        return (ListBucket::Deleted, at);
    }
    match chat.state {
        ChatState::Queued => (
            ListBucket::Queued,
            chat.queued_since.unwrap_or(chat.started_at),
        ),
        ChatState::Active => (ListBucket::Active, chat.started_at),
        ChatState::Inactive => (ListBucket::Ended, chat.ended_at.unwrap_or(chat.started_at)),
    }
}
