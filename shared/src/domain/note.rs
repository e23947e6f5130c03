//! Internal notes on a chat: what agents write for each other about it. A note is never an event
//! of the chat: it is kept apart from the event stream (its own record under the chat), so no
//! customer read path (events, transcripts, the customer's socket) can ever include it.

use super::error::DomainError;
use super::limits::{multi_line, MAX_MESSAGE_CHARS};
use super::rules::can_view;
use super::{Agent, AgentId, Chat, ChatId, Timestamp};

/// Most notes one chat may gather: bounds what one read of them returns (a chat needing more
/// is a case for the knowledge base, not for notes).
pub const MAX_NOTES_PER_CHAT: u32 = 200;

/// One internal note. Notes of a chat are numbered from 1 in the order they were stored; the
/// number is taken by a conditional write, so two agents writing at once get two numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatNote {
    pub chat_id: ChatId,
    pub number: u32,
    pub author_id: AgentId,
    /// The author's display name when they wrote it.
    pub author_name: String,
    pub text: String,
    pub created_at: Timestamp,
}

/// An agent who may see the chat at this moment writes a note, whatever the chat's state
/// (ended and deleted chats too: notes are how a colleague learns what happened). `last` is the
/// number of the chat's latest note (`None` before the first).
pub fn write_note(
    chat: &Chat,
    agent: &Agent,
    last: Option<u32>,
    text: &str,
    now: Timestamp,
) -> Result<ChatNote, DomainError> {
    if !can_view(chat, agent) {
        return Err(DomainError::Forbidden(format!(
            "chat {} belongs to a group you are not a member of",
            chat.id
        )));
    }
    let text = multi_line("text", text, MAX_MESSAGE_CHARS)?;
    let number = last.unwrap_or(0) + 1;
    if number > MAX_NOTES_PER_CHAT {
        return Err(DomainError::InvalidState(format!(
            "chat {} has reached {MAX_NOTES_PER_CHAT} notes",
            chat.id
        )));
    }
    Ok(ChatNote {
        chat_id: chat.id.clone(),
        number,
        author_id: agent.id.clone(),
        author_name: agent.display_name.clone(),
        text,
        created_at: now,
    })
}

#[cfg(test)]
mod tests;
