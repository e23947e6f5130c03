//! The customer's earlier chats, for the agent looking at one of their chats.

use crate::api::error::ErrorBody;
use crate::api::route::{Caller, ChatPath, Reply};
use crate::api::wire::{CustomerHistory, HistoryEntry};
use crate::route;

route! {
    CUSTOMER_HISTORY = get "/api/chats/{chat_id}/history" in "chat-annotations",
    openapi(tag = "agent", security(("bearer" = [])),
    params(("chat_id" = String, Path, description = "The chat")),
    responses(
        (status = 200, description = "The chat's customer's other chats, most recently started first (at most \
            50): matched by the verified user id when the chat has one, else by the e-mail address \
            (lower-cased); only chats the caller may see. Empty when the customer gave neither", body = CustomerHistory),
        (status = 400, description = "Malformed chat id", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token, or the chat is in a group the caller is not a member of", body = ErrorBody),
        (status = 404, description = "No such chat", body = ErrorBody))),
    /// The customer's earlier chats.
    pub async fn customer_history(app: &App, chat: ChatPath, caller: Caller) -> Reply<CustomerHistory> {
        let rows = app.customer_history(&caller.0, &chat.0).await?;
        Ok(Reply::ok(CustomerHistory {
            chats: rows.iter().map(HistoryEntry::from).collect(),
        }))
    }
}
