//! Internal notes: one row per note, keyed by chat and number, removed with their chat (the
//! foreign key cascades a purge).

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension};

use super::records::{to_doc, NoteRecord};
use super::{db_err, docs_where, execute, SqliteStore};
use crate::domain::{ChatId, ChatNote};
use crate::ports::{NoteStore, StoreError};

#[async_trait]
impl NoteStore for SqliteStore {
    async fn add_note(&self, note: &ChatNote) -> Result<(), StoreError> {
        let doc = to_doc(&NoteRecord::from(note))?;
        let chat = note.chat_id.clone();
        let number = note.number;
        self.with(move |c| {
            // One writer connection: the chat read here is the one the note is written under.
            let chat_exists: bool = c
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM chats WHERE id = ?1)",
                    params![chat.as_str()],
                    |r| r.get(0),
                )
                .map_err(db_err)?;
            if !chat_exists {
                return Err(StoreError::NotFound(format!("chat {chat}")));
            }
            let inserted = execute(
                c,
                "INSERT INTO chat_notes (chat_id, number, doc) VALUES (?1, ?2, ?3)
                 ON CONFLICT (chat_id, number) DO NOTHING",
                params![chat.as_str(), number, doc],
            )
            .map_err(db_err)?;
            if inserted == 0 {
                return Err(StoreError::AlreadyExists(format!(
                    "note {number} of chat {chat}"
                )));
            }
            Ok(())
        })
        .await
    }

    async fn last_note_number(&self, chat: &ChatId) -> Result<Option<u32>, StoreError> {
        let chat = chat.clone();
        self.read(move |c| {
            c.query_row(
                "SELECT MAX(number) FROM chat_notes WHERE chat_id = ?1",
                params![chat.as_str()],
                |r| r.get::<_, Option<u32>>(0),
            )
            .optional()
            .map(Option::flatten)
            .map_err(db_err)
        })
        .await
    }

    async fn chat_notes(&self, chat: &ChatId, limit: usize) -> Result<Vec<ChatNote>, StoreError> {
        let chat = chat.clone();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(move |c| {
            docs_where::<NoteRecord, _, _>(
                c,
                "SELECT doc FROM chat_notes WHERE chat_id = ?1 ORDER BY number LIMIT ?2",
                params![chat.as_str(), limit],
            )
        })
        .await
    }
}
