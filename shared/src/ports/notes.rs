//! Where internal notes on chats are kept: apart from the chat's events, numbered per chat, each
//! number taken once (a conditional write), and removed with the chat when it is purged.

use async_trait::async_trait;

use super::StoreError;
use crate::domain::{ChatId, ChatNote};

#[async_trait]
pub trait NoteStore: Send + Sync {
    /// Stores a note under its number. `AlreadyExists` when the chat already has a note with
    /// that number (a colleague's note took it since the last one was read): nothing is written.
    async fn add_note(&self, note: &ChatNote) -> Result<(), StoreError>;

    /// The number of the chat's latest note; `None` before its first.
    async fn last_note_number(&self, chat: &ChatId) -> Result<Option<u32>, StoreError>;

    /// The chat's notes, oldest first, at most `limit`.
    async fn chat_notes(&self, chat: &ChatId, limit: usize) -> Result<Vec<ChatNote>, StoreError>;
}
