//! Internal notes on a chat: read and written only by agents who may see the chat at that
//! moment, pushed live only to agents' connections that may (checked when they are sent).

use std::time::Duration;

use super::{App, AppError};
use crate::auth::Principal;
use crate::domain::note::{write_note, MAX_NOTES_PER_CHAT};
use crate::domain::rules::can_view;
use crate::domain::{ChatId, ChatNote};
use crate::ports::StoreError;

/// Colleagues writing notes on one chat at the same moment each take the next number; a lost
/// race reads the latest number again. Far more than people type at once.
const MAX_NOTE_ATTEMPTS: u32 = 20;
const MAX_NOTE_BACKOFF_MS: u64 = 50;

impl App {
    /// The agent behind `principal` and the chat, if they may see it now (a customer token is
    /// refused before the chat is read).
    async fn chat_for_notes(
        &self,
        principal: &Principal,
        id: &ChatId,
    ) -> Result<(crate::domain::Agent, crate::domain::Chat), AppError> {
        let agent = self.agent(principal).await?;
        let chat = self.load_chat(id).await?;
        if !can_view(&chat, &agent) {
            return Err(AppError::Forbidden(format!(
                "chat {id} belongs to a group you are not a member of"
            )));
        }
        Ok((agent, chat))
    }

    /// The chat's internal notes, oldest first.
    pub async fn chat_notes(
        &self,
        principal: &Principal,
        id: &ChatId,
    ) -> Result<Vec<ChatNote>, AppError> {
        self.chat_for_notes(principal, id).await?;
        Ok(self
            .notes
            .chat_notes(id, MAX_NOTES_PER_CHAT as usize)
            .await?)
    }

    /// Adds an internal note to the chat (any state), and pushes it to the agents watching it.
    pub async fn add_chat_note(
        &self,
        principal: &Principal,
        id: &ChatId,
        text: &str,
    ) -> Result<ChatNote, AppError> {
        let (agent, chat) = self.chat_for_notes(principal, id).await?;
        for attempt in 0..MAX_NOTE_ATTEMPTS {
            let last = self.notes.last_note_number(id).await?;
            let note = write_note(&chat, &agent, last, text, self.clock.now())?;
            match self.notes.add_note(&note).await {
                Ok(()) => {
                    self.notifier.chat_note_added(&chat, &note).await;
                    return Ok(note);
                }
                // A colleague's note took the number, or a message was committing on the chat.
                Err(StoreError::AlreadyExists(_)) | Err(StoreError::Stale) => {
                    let cap = (1u64 << attempt.min(6)).min(MAX_NOTE_BACKOFF_MS);
                    let pause = rand::random::<u64>() % (cap + 1);
                    tokio::time::sleep(Duration::from_millis(pause)).await;
                }
                Err(StoreError::NotFound(_)) => {
                    return Err(AppError::NotFound(format!("chat {id} was not found")))
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Conflict(format!(
            "notes are being added to chat {id} by others right now; try again"
        )))
    }
}
