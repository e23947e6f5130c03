//! Messages customers leave for a group, and the inbox where agents handle them.

#![allow(clippy::too_many_arguments)]

use crate::api::dto::InboxQuery;
use crate::api::error::ErrorBody;
use crate::api::route::{Caller, ChatPath, Client, Json, MessagePath, OptionalJson, Query, Reply};
use crate::api::wire::{
    ChatToMessage, InboxPage, LeaveMessage, MessageReceipt, MessageText, OfflineMessage,
};
use crate::app::parse_inbox_cursor;
use crate::domain::MessageStatus;
use crate::route;

route! {
    LEAVE_MESSAGE = post "/api/messages" in "message-leave",
    openapi(tag = "customer", request_body = LeaveMessage,
    responses(
        (status = 201, description = "In the group's inbox; the answer is e-mailed to the address given", body = MessageReceipt),
        (status = 400, description = "Malformed request or a missing or invalid field (named)", body = ErrorBody),
        (status = 404, description = "No such group", body = ErrorBody),
        (status = 429, description = "Too many chats and messages from this address; nothing was created",
            body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds until the next one may go through"))))),
    /// A customer leaves a message for a group (outside business hours, or when nobody can chat).
    pub async fn leave_message(app: &App, body: Json<LeaveMessage>, client: Client) -> Reply<MessageReceipt> {
        let message = app.leave_message(body.0.into(), client.0).await?;
        Ok(Reply::created((&message).into()))
    }
}

route! {
    CHAT_TO_MESSAGE = post "/api/chats/{chat_id}/message" in "message-leave",
    openapi(tag = "customer", security(("bearer" = [])),
    params(("chat_id" = String, Path, description = "The chat")),
    request_body(content = ChatToMessage, description = "Optional: the e-mail address, when the chat was started without one"),
    responses(
        (status = 201, description = "The chat became a message in its group's inbox (question and the \
            customer's messages kept) and ended; a retry answers the same message", body = MessageReceipt),
        (status = 400, description = "Malformed request, or no valid e-mail address (named)", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not this chat's customer token", body = ErrorBody),
        (status = 404, description = "No such chat", body = ErrorBody),
        (status = 409, description = "The chat is no longer waiting in the queue", body = ErrorBody))),
    /// The customer of a chat waiting in the queue leaves a message instead, without retyping.
    pub async fn chat_to_message(app: &App, body: OptionalJson<ChatToMessage>, chat: ChatPath, caller: Caller) -> Reply<MessageReceipt> {
        let email = body.0.and_then(|b| b.email);
        let message = app.message_from_chat(&caller.0, &chat.0, email.as_deref()).await?;
        Ok(Reply::created((&message).into()))
    }
}

route! {
    LIST_INBOX = get "/api/messages" in "inbox",
    openapi(tag = "inbox", security(("bearer" = [])),
    params(InboxQuery),
    responses(
        (status = 200, description = "One page of the group's messages of that status, newest first", body = InboxPage),
        (status = 400, description = "Missing group, unknown status, bad limit or cursor", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token, or not a member of the group", body = ErrorBody),
        (status = 404, description = "No such group", body = ErrorBody))),
    /// A group's inbox: open, answered or closed messages.
    pub async fn list_inbox(app: &App, query: Query<InboxQuery>, caller: Caller) -> Reply<InboxPage> {
        let Query(q) = query;
        let group = crate::domain::GroupId::parse(&q.group_id)?;
        let status = MessageStatus::parse(q.status.as_deref().unwrap_or("open"))?;
        let cursor = q.cursor.as_deref().map(parse_inbox_cursor).transpose()?;
        let page = app.inbox(&caller.0, &group, status, cursor, q.limit).await?;
        Ok(Reply::ok((&page).into()))
    }
}

route! {
    GET_MESSAGE = get "/api/messages/{message_id}" in "inbox",
    openapi(tag = "inbox", security(("bearer" = [])),
    params(("message_id" = String, Path, description = "The message")),
    responses(
        (status = 200, description = "The message and its thread (replies, internal notes, assignments)", body = OfflineMessage),
        (status = 400, description = "Malformed message id", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token, or not a member of the message's group", body = ErrorBody),
        (status = 404, description = "No such message", body = ErrorBody))),
    /// One message with its thread.
    pub async fn get_message(app: &App, message: MessagePath, caller: Caller) -> Reply<OfflineMessage> {
        Ok(Reply::ok((&app.inbox_message(&caller.0, &message.0).await?).into()))
    }
}

route! {
    ASSIGN_MESSAGE = post "/api/messages/{message_id}/assign" in "inbox",
    openapi(tag = "inbox", security(("bearer" = [])),
    params(("message_id" = String, Path, description = "The message")),
    responses(
        (status = 200, description = "Assigned to the caller (unchanged if it already was)", body = OfflineMessage),
        (status = 400, description = "Malformed message id", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token, or not a member of the message's group", body = ErrorBody),
        (status = 404, description = "No such message", body = ErrorBody),
        (status = 409, description = "The thread is full", body = ErrorBody))),
    /// Assign to me.
    pub async fn assign_message(app: &App, message: MessagePath, caller: Caller) -> Reply<OfflineMessage> {
        Ok(Reply::ok((&app.assign_message_to_me(&caller.0, &message.0).await?).into()))
    }
}

route! {
    REPLY_TO_MESSAGE = post "/api/messages/{message_id}/reply" in "inbox",
    openapi(tag = "inbox", security(("bearer" = [])),
    params(("message_id" = String, Path, description = "The message")),
    request_body = MessageText,
    responses(
        (status = 200, description = "Recorded and queued to be e-mailed to the customer; the message is answered", body = OfflineMessage),
        (status = 400, description = "Malformed request, or an empty or too long body", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token, or not a member of the message's group", body = ErrorBody),
        (status = 404, description = "No such message", body = ErrorBody),
        (status = 409, description = "Closed (reopen it first) or the thread is full", body = ErrorBody))),
    /// Reply to the customer.
    pub async fn reply_to_message(app: &App, body: Json<MessageText>, message: MessagePath, caller: Caller) -> Reply<OfflineMessage> {
        Ok(Reply::ok((&app.reply_to_message(&caller.0, &message.0, &body.0.body).await?).into()))
    }
}

route! {
    NOTE_MESSAGE = post "/api/messages/{message_id}/notes" in "inbox",
    openapi(tag = "inbox", security(("bearer" = [])),
    params(("message_id" = String, Path, description = "The message")),
    request_body = MessageText,
    responses(
        (status = 200, description = "The internal note was added (agents only, never e-mailed)", body = OfflineMessage),
        (status = 400, description = "Malformed request, or an empty or too long body", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token, or not a member of the message's group", body = ErrorBody),
        (status = 404, description = "No such message", body = ErrorBody),
        (status = 409, description = "The thread is full", body = ErrorBody))),
    /// Add an internal note.
    pub async fn note_message(app: &App, body: Json<MessageText>, message: MessagePath, caller: Caller) -> Reply<OfflineMessage> {
        Ok(Reply::ok((&app.note_message(&caller.0, &message.0, &body.0.body).await?).into()))
    }
}

route! {
    CLOSE_MESSAGE = post "/api/messages/{message_id}/close" in "inbox",
    openapi(tag = "inbox", security(("bearer" = [])),
    params(("message_id" = String, Path, description = "The message")),
    responses(
        (status = 200, description = "Closed", body = OfflineMessage),
        (status = 400, description = "Malformed message id", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token, or not a member of the message's group", body = ErrorBody),
        (status = 404, description = "No such message", body = ErrorBody),
        (status = 409, description = "Already closed", body = ErrorBody))),
    /// Close the message.
    pub async fn close_message(app: &App, message: MessagePath, caller: Caller) -> Reply<OfflineMessage> {
        Ok(Reply::ok((&app.close_message(&caller.0, &message.0).await?).into()))
    }
}

route! {
    REOPEN_MESSAGE = post "/api/messages/{message_id}/reopen" in "inbox",
    openapi(tag = "inbox", security(("bearer" = [])),
    params(("message_id" = String, Path, description = "The message")),
    responses(
        (status = 200, description = "Back in the inbox: answered if it had a reply, open otherwise", body = OfflineMessage),
        (status = 400, description = "Malformed message id", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token, or not a member of the message's group", body = ErrorBody),
        (status = 404, description = "No such message", body = ErrorBody),
        (status = 409, description = "Not closed", body = ErrorBody))),
    /// Reopen a closed message.
    pub async fn reopen_message(app: &App, message: MessagePath, caller: Caller) -> Reply<OfflineMessage> {
        Ok(Reply::ok((&app.reopen_message(&caller.0, &message.0).await?).into()))
    }
}
