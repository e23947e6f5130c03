//! A chat as its customer and its agents read and write it.

#![allow(clippy::too_many_arguments)]

use crate::api::dto::{EventsQuery, ListQuery, RateChatRequest, SendMessageRequest, SentMessage};
use crate::api::error::ErrorBody;
use crate::api::route::{Caller, ChatPath, Client, Json, Query, Reply};
use crate::api::wire::{ChatEvent, ChatForCaller, ChatList, CustomerChat, StartChat, StartedChat};
use crate::app::ListCursor;
use crate::domain::limits;
use crate::route;

route! {
    START_CHAT = post "/api/chats" in "chat-start",
    openapi(tag = "customer", request_body = StartChat,
    responses(
        (status = 201, description = "Queued; the token opens this chat", body = StartedChat),
        (status = 400, description = "Malformed request or invalid field", body = ErrorBody),
        (status = 404, description = "No such group", body = ErrorBody),
        (status = 409, description = "`group_closed`: the group takes messages only right now \
            (outside its business hours, or nobody can chat and it offers a message instead); \
            nothing was created", body = ErrorBody),
        (status = 429, description = "Too many chats started from this address; nothing was \
            created",
            body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds until the next start may go through"))))),
    /// A customer starts a chat: it is queued (or handed out) and they get its token.
    pub async fn start_chat(app: &App, body: Json<StartChat>, client: Client) -> Reply<StartedChat> {
        app.admit_chat_start(client.0).await?;
        Ok(Reply::created((&app.start_chat(body.0.into()).await?).into()))
    }
}

route! {
    LIST_CHATS = get "/api/chats" in "chat-list",
    openapi(tag = "agent", security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "One page of the view's chats (200 by default), sorted; \
            `truncated` says more follow, `next_cursor` reads the next page. Pages are cut in \
            index order across the view's groups: the queue's longest-waiting customers first, \
            Global Live Chats' live chats before its ended ones", body = ChatList),
        (status = 400, description = "Unknown view, column or direction, a malformed tag, or a \
            cursor that is malformed or from another view", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not a member of the group (or of every group for global)", body = ErrorBody),
        (status = 404, description = "No such group", body = ErrorBody))),
    /// One page of a view's chats, sorted.
    pub async fn list_chats(app: &App, query: Query<ListQuery>, caller: Caller) -> Reply<ChatList> {
        let Query(q) = query;
        let (view, sort) = super::list_query::parse(&q)?;
        let cursor = q.cursor.as_deref().map(ListCursor::parse).transpose()?;
        let tag = q.tag.as_deref().map(|t| crate::domain::tags::tag("tag", t)).transpose()?;
        Ok(Reply::ok(
            (&app.list_chats(&caller.0, view, sort, cursor, tag.as_deref()).await?).into(),
        ))
    }
}

route! {
    GET_CHAT = get "/api/chats/{chat_id}" in "chat-read",
    openapi(tag = "customer", security(("bearer" = [])),
    params(("chat_id" = String, Path, description = "The chat")),
    responses(
        (status = 200, description = "For an agent the list row; for the chat's customer their view",
            body = ChatForCaller),
        (status = 400, description = "Malformed chat id", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not your chat", body = ErrorBody),
        (status = 404, description = "No such chat", body = ErrorBody))),
    /// One chat: the list row for an agent, the customer's view for its customer.
    pub async fn get_chat(app: &App, chat: ChatPath, caller: Caller) -> Reply<ChatForCaller> {
        Ok(Reply::ok((&app.chat_for(&caller.0, &chat.0).await?).into()))
    }
}

route! {
    LIST_EVENTS = get "/api/chats/{chat_id}/events" in "chat-read",
    openapi(tag = "customer", security(("bearer" = [])),
    params(("chat_id" = String, Path, description = "The chat"), EventsQuery),
    responses(
        (status = 200, description = "Events after the given sequence number, in order", body = [ChatEvent]),
        (status = 400, description = "Malformed chat id or query, `after` over 999999999999 or \
            `limit` outside 1-500", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not your chat", body = ErrorBody),
        (status = 404, description = "No such chat", body = ErrorBody))),
    /// The chat's events after a sequence number, in order.
    pub async fn list_events(app: &App, query: Query<EventsQuery>, chat: ChatPath, caller: Caller) -> Reply<Vec<ChatEvent>> {
        let Query(q) = query;
        let after = limits::sequence_number("after", q.after.unwrap_or(0))?;
        let limit = limits::events_per_read(q.limit)?;
        let events = app.events(&caller.0, &chat.0, after, limit).await?;
        Ok(Reply::ok(events.iter().map(ChatEvent::from).collect()))
    }
}

route! {
    SEND_MESSAGE = post "/api/chats/{chat_id}/messages" in "chat-message",
    openapi(tag = "customer", security(("bearer" = [])),
    params(("chat_id" = String, Path, description = "The chat")),
    request_body = SendMessageRequest,
    responses(
        (status = 201, description = "Stored", body = SentMessage),
        (status = 200, description = "Already stored under this client id", body = SentMessage),
        (status = 400, description = "Malformed request or body", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not your chat, or not its assigned agent", body = ErrorBody),
        (status = 404, description = "No such chat", body = ErrorBody),
        (status = 409, description = "The chat has ended", body = ErrorBody))),
    /// A message, over REST (the WebSocket `send` is the same use case).
    pub async fn send_message(app: &App, body: Json<SendMessageRequest>, chat: ChatPath, caller: Caller) -> Reply<SentMessage> {
        let Json(req) = body;
        let (event, duplicate) = app
            .send_message(&caller.0, &chat.0, req.client_msg_id.into(), &req.body)
            .await?;
        let sent = SentMessage { event: (&event).into(), duplicate };
        Ok(if duplicate {
            Reply::ok(sent)
        } else {
            Reply::created(sent)
        })
    }
}

route! {
    CUSTOMER_END_CHAT = post "/api/chats/{chat_id}/end" in "chat-end",
    openapi(tag = "customer", security(("bearer" = [])),
    params(("chat_id" = String, Path, description = "The chat")),
    responses(
        (status = 200, description = "Ended", body = CustomerChat),
        (status = 400, description = "Malformed chat id", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not your chat", body = ErrorBody),
        (status = 404, description = "No such chat", body = ErrorBody),
        (status = 409, description = "Already ended", body = ErrorBody))),
    /// The customer ends their chat.
    pub async fn customer_end_chat(app: &App, chat: ChatPath, caller: Caller) -> Reply<CustomerChat> {
        Ok(Reply::ok((&app.customer_end_chat(&caller.0, &chat.0).await?).into()))
    }
}

route! {
    RATE_CHAT = post "/api/chats/{chat_id}/rating" in "chat-end",
    openapi(tag = "customer", security(("bearer" = [])),
    params(("chat_id" = String, Path, description = "The chat")),
    request_body = RateChatRequest,
    responses(
        (status = 200, description = "Rated: the chat as its customer sees it, with the score", body = CustomerChat),
        (status = 400, description = "Malformed request, or a score outside 1-5 or a comment too long (named)", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not this chat's customer token (agents and other chats' customers may not rate it)", body = ErrorBody),
        (status = 404, description = "No such chat", body = ErrorBody),
        (status = 409, description = "Still open, already rated, or deleted", body = ErrorBody))),
    /// The customer rates their ended chat, once.
    pub async fn rate_chat(app: &App, body: Json<RateChatRequest>, chat: ChatPath, caller: Caller) -> Reply<CustomerChat> {
        let Json(req) = body;
        // Out of a byte's range is out of 1-5 too: the rule names the field either way.
        let score = u8::try_from(req.score).unwrap_or(0);
        let rated = app
            .rate_chat(&caller.0, &chat.0, score, req.comment.as_deref())
            .await?;
        Ok(Reply::ok((&rated).into()))
    }
}
