//! Internal notes on a chat: agents who may see the chat read and add them; customers never.

use crate::api::error::ErrorBody;
use crate::api::route::{Caller, ChatPath, Json, Reply};
use crate::api::wire::{ChatNote, ChatNotes, NewChatNote};
use crate::route;

route! {
    LIST_CHAT_NOTES = get "/api/chats/{chat_id}/notes" in "chat-annotations",
    openapi(tag = "agent", security(("bearer" = [])),
    params(("chat_id" = String, Path, description = "The chat")),
    responses(
        (status = 200, description = "The chat's internal notes, oldest first", body = ChatNotes),
        (status = 400, description = "Malformed chat id", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token, or the chat is in a group the caller is not a member of", body = ErrorBody),
        (status = 404, description = "No such chat", body = ErrorBody))),
    /// The chat's internal notes (agents only).
    pub async fn list_chat_notes(app: &App, chat: ChatPath, caller: Caller) -> Reply<ChatNotes> {
        let notes = app.chat_notes(&caller.0, &chat.0).await?;
        Ok(Reply::ok(notes.as_slice().into()))
    }
}

route! {
    ADD_CHAT_NOTE = post "/api/chats/{chat_id}/notes" in "chat-annotations",
    openapi(tag = "agent", security(("bearer" = [])),
    params(("chat_id" = String, Path, description = "The chat")),
    request_body = NewChatNote,
    responses(
        (status = 201, description = "The note was added (in any state of the chat) and pushed as `chat_note` \
            to the agents watching the chat; never to its customer", body = ChatNote),
        (status = 400, description = "Malformed request, or an empty or too long text (named)", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token, or the chat is in a group the caller is not a member of", body = ErrorBody),
        (status = 404, description = "No such chat", body = ErrorBody),
        (status = 409, description = "The chat has as many notes as it may have", body = ErrorBody))),
    /// Add an internal note to the chat.
    pub async fn add_chat_note(app: &App, body: Json<NewChatNote>, chat: ChatPath, caller: Caller) -> Reply<ChatNote> {
        let note = app.add_chat_note(&caller.0, &chat.0, &body.0.text).await?;
        Ok(Reply::created((&note).into()))
    }
}
