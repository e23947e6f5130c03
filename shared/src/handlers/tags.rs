//! Tags on a chat: agents who may see the chat set them; customers never see them.

use crate::api::error::ErrorBody;
use crate::api::route::{Caller, ChatPath, Json, Reply};
use crate::api::wire::{ChatRow, SetChatTags};
use crate::route;

route! {
    SET_CHAT_TAGS = put "/api/chats/{chat_id}/tags" in "chat-annotations",
    openapi(tag = "agent", security(("bearer" = [])),
    params(("chat_id" = String, Path, description = "The chat")),
    request_body = SetChatTags,
    responses(
        (status = 200, description = "The chat's tags are these now (trimmed, lower-cased, repeats dropped, \
            sorted); the chat's row. The change is an agents-only `tagged` event and a `chat_changed` \
            push to the group's consoles", body = ChatRow),
        (status = 400, description = "Malformed request, a tag that is empty, over 32 characters or holds \
            other than letters, digits, '-', '_' and spaces, or more than 10 tags (named)", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token, or the chat is in a group the caller is not a member of", body = ErrorBody),
        (status = 404, description = "No such chat", body = ErrorBody),
        (status = 409, description = "The chat is deleted", body = ErrorBody))),
    /// Set the chat's tags (the whole set: add and remove by sending the new one).
    pub async fn set_chat_tags(app: &App, body: Json<SetChatTags>, chat: ChatPath, caller: Caller) -> Reply<ChatRow> {
        let row = app.set_chat_tags(&caller.0, &chat.0, &body.0.tags).await?;
        Ok(Reply::ok((&row).into()))
    }
}
