//! The toolbar actions: each takes many chats and answers per chat.

#![allow(clippy::too_many_arguments)]

use crate::api::dto::{ChatIdsRequest, EndRequest, FollowUpRequest, PullRequest, TransferRequest};
use crate::api::error::ErrorBody;
use crate::api::route::{Caller, Json, OptionalJson, Reply};
use crate::api::wire::ids::domain_ids;
use crate::api::wire::{ActionOutcome, ActionResult};
use crate::app::BulkAction;
use crate::route;

route! {
    PULL = post "/api/actions/pull" in "queue-pull",
    openapi(tag = "actions", security(("bearer" = [])),
    request_body(content = PullRequest, description = "Optional: chosen chats; without them the longest-waiting chat is pulled"),
    responses(
        (status = 200, description = "Result per chat", body = ActionOutcome),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token", body = ErrorBody),
        (status = 409, description = "Queue empty or at the concurrent-chat limit", body = ErrorBody))),
    /// Pull: the chosen queued chats, or without any the longest-waiting chat of the agent's groups.
    pub async fn pull(app: &App, body: OptionalJson<PullRequest>, caller: Caller) -> Reply<ActionOutcome> {
        let chat_ids = body.0.map(|r| r.chat_ids).unwrap_or_default();
        if !chat_ids.is_empty() {
            return Ok(Reply::ok((&app.bulk(&caller.0, BulkAction::Pull, domain_ids(chat_ids)).await?).into()));
        }
        let row = app.pull_next(&caller.0).await?;
        Ok(Reply::ok(ActionOutcome {
            results: vec![ActionResult {
                chat_id: (&row.id).into(),
                ok: true,
                chat: Some((&row).into()),
                failure: None,
            }],
            succeeded: 1,
            failed: 0,
        }))
    }
}

route! {
    TAKE = post "/api/actions/take" in "queue-pull",
    openapi(tag = "actions", security(("bearer" = [])),
    request_body = ChatIdsRequest,
    responses(
        (status = 200, description = "Result per chat", body = ActionOutcome),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token", body = ErrorBody))),
    /// Take chats from the queue, or (managers) from a colleague.
    pub async fn take(app: &App, body: Json<ChatIdsRequest>, caller: Caller) -> Reply<ActionOutcome> {
        Ok(Reply::ok((&app.bulk(&caller.0, BulkAction::Take, domain_ids(body.0.chat_ids)).await?).into()))
    }
}

route! {
    TRANSFER = post "/api/actions/transfer" in "chat-transfer",
    openapi(tag = "actions", security(("bearer" = [])),
    request_body = TransferRequest,
    responses(
        (status = 200, description = "Result per chat", body = ActionOutcome),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token", body = ErrorBody),
        (status = 404, description = "No such target group or agent", body = ErrorBody))),
    /// Transfer chats to a group's queue or to an agent.
    pub async fn transfer(app: &App, body: Json<TransferRequest>, caller: Caller) -> Reply<ActionOutcome> {
        let Json(req) = body;
        Ok(Reply::ok(
            (&app.bulk(&caller.0, BulkAction::Transfer(req.to.into()), domain_ids(req.chat_ids)).await?).into(),
        ))
    }
}

route! {
    END_CHATS = post "/api/actions/end" in "chat-end",
    openapi(tag = "actions", security(("bearer" = [])),
    request_body = EndRequest,
    responses(
        (status = 200, description = "Result per chat", body = ActionOutcome),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token", body = ErrorBody))),
    /// End chats, optionally recording how they were solved.
    pub async fn end_chats(app: &App, body: Json<EndRequest>, caller: Caller) -> Reply<ActionOutcome> {
        let Json(req) = body;
        let action = BulkAction::End {
            resolution: req.resolution,
        };
        Ok(Reply::ok((&app.bulk(&caller.0, action, domain_ids(req.chat_ids)).await?).into()))
    }
}

route! {
    DELETE = post "/api/actions/delete" in "chat-delete",
    openapi(tag = "actions", security(("bearer" = [])),
    request_body = ChatIdsRequest,
    responses(
        (status = 200, description = "Result per chat", body = ActionOutcome),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token", body = ErrorBody))),
    /// Delete ended chats (restorable).
    pub async fn delete(app: &App, body: Json<ChatIdsRequest>, caller: Caller) -> Reply<ActionOutcome> {
        Ok(Reply::ok((&app.bulk(&caller.0, BulkAction::Delete, domain_ids(body.0.chat_ids)).await?).into()))
    }
}

route! {
    RESTORE = post "/api/actions/restore" in "chat-delete",
    openapi(tag = "actions", security(("bearer" = [])),
    request_body = ChatIdsRequest,
    responses(
        (status = 200, description = "Result per chat", body = ActionOutcome),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token", body = ErrorBody))),
    /// Restore deleted chats (managers and administrators).
    pub async fn restore(app: &App, body: Json<ChatIdsRequest>, caller: Caller) -> Reply<ActionOutcome> {
        Ok(Reply::ok((&app.bulk(&caller.0, BulkAction::Restore, domain_ids(body.0.chat_ids)).await?).into()))
    }
}

route! {
    PURGE = post "/api/actions/purge" in "chat-delete",
    openapi(tag = "actions", security(("bearer" = [])),
    request_body = ChatIdsRequest,
    responses(
        (status = 200, description = "Result per chat", body = ActionOutcome),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token", body = ErrorBody))),
    /// Purge deleted chats for good (administrators).
    pub async fn purge(app: &App, body: Json<ChatIdsRequest>, caller: Caller) -> Reply<ActionOutcome> {
        Ok(Reply::ok((&app.bulk(&caller.0, BulkAction::Purge, domain_ids(body.0.chat_ids)).await?).into()))
    }
}

route! {
    FOLLOW_UP = post "/api/actions/follow-up" in "chat-follow-up",
    openapi(tag = "actions", security(("bearer" = [])),
    request_body = FollowUpRequest,
    responses(
        (status = 200, description = "Result per chat", body = ActionOutcome),
        (status = 400, description = "Malformed request, a note over 2,000 characters, or `due_at` \
            outside from 5 minutes ago to 730 days ahead (nothing is changed)", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token", body = ErrorBody))),
    /// Schedule or clear a follow-up on chats.
    pub async fn follow_up(app: &App, body: Json<FollowUpRequest>, caller: Caller) -> Reply<ActionOutcome> {
        let Json(req) = body;
        let action = match req.follow_up {
            Some(f) => BulkAction::SetFollowUp {
                due_at: f.due_at.into(),
                note: f.note,
            },
            None => BulkAction::ClearFollowUp,
        };
        Ok(Reply::ok((&app.bulk(&caller.0, action, domain_ids(req.chat_ids)).await?).into()))
    }
}
