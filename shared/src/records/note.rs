//! An internal note on a chat (SQLite `chat_notes.doc`, DynamoDB `CHAT#{id}` / `INOTE#{n}`).

use serde::{Deserialize, Serialize};

use super::{id, readable, FORMAT_VERSION};
use crate::domain::{ChatNote, Timestamp};
use crate::ports::StoreError;

#[derive(Serialize, Deserialize)]
pub(crate) struct NoteRecord {
    #[serde(default)]
    v: u32,
    chat_id: String,
    number: u32,
    author_id: String,
    author_name: String,
    text: String,
    created_at: i64,
}

impl From<&ChatNote> for NoteRecord {
    fn from(n: &ChatNote) -> Self {
        NoteRecord {
            v: FORMAT_VERSION,
            chat_id: n.chat_id.as_str().to_owned(),
            number: n.number,
            author_id: n.author_id.as_str().to_owned(),
            author_name: n.author_name.clone(),
            text: n.text.clone(),
            created_at: n.created_at.0,
        }
    }
}

impl TryFrom<NoteRecord> for ChatNote {
    type Error = StoreError;
    fn try_from(r: NoteRecord) -> Result<Self, StoreError> {
        readable(r.v, "note")?;
        Ok(ChatNote {
            chat_id: id(r.chat_id)?,
            number: r.number,
            author_id: id(r.author_id)?,
            author_name: r.author_name,
            text: r.text,
            created_at: Timestamp(r.created_at),
        })
    }
}
