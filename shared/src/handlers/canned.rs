//! Canned replies: the ones an agent sees, managing them, and using one in a chat.

#![allow(clippy::too_many_arguments)]

use crate::api::dto::CannedRepliesQuery;
use crate::api::error::ErrorBody;
use crate::api::route::{Caller, Json, Query, Reply, ReplyPath};
use crate::api::wire::{
    CannedReply, CannedReplyInput, CannedReplyUpdate, UseCannedReply, UsedCannedReply,
};
use crate::domain::GroupId;
use crate::route;

route! {
    LIST_CANNED_REPLIES = get "/api/canned-replies" in "canned-replies",
    openapi(tag = "canned replies", security(("bearer" = [])),
    params(CannedRepliesQuery),
    responses(
        (status = 200, description = "The caller's own replies, their groups' (or only that group's) and the global ones, \
            each scope in shortcut order", body = [CannedReply]),
        (status = 400, description = "Malformed group id, or `q` that no shortcut can start with", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token, or not a member of the group", body = ErrorBody))),
    /// The canned replies the caller sees.
    pub async fn list_canned_replies(app: &App, query: Query<CannedRepliesQuery>, caller: Caller) -> Reply<Vec<CannedReply>> {
        let Query(q) = query;
        let group = q.group_id.as_deref().map(GroupId::parse).transpose()?;
        let replies = app
            .canned_replies(&caller.0, group.as_ref(), q.q.as_deref().unwrap_or(""))
            .await?;
        Ok(Reply::ok(replies.iter().map(CannedReply::from).collect()))
    }
}

route! {
    CREATE_CANNED_REPLY = post "/api/canned-replies" in "canned-replies",
    openapi(tag = "canned replies", security(("bearer" = [])),
    request_body = CannedReplyInput,
    responses(
        (status = 201, description = "Created", body = CannedReply),
        (status = 400, description = "Malformed request, or a bad shortcut, title, body or unknown placeholder (named)", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not allowed to manage replies of that scope", body = ErrorBody),
        (status = 404, description = "No such group", body = ErrorBody),
        (status = 409, description = "The scope already has a reply with that shortcut", body = ErrorBody))),
    /// A new canned reply: personal (anyone), a group's (its managers) or global (managers).
    pub async fn create_canned_reply(app: &App, body: Json<CannedReplyInput>, caller: Caller) -> Reply<CannedReply> {
        let view = app.create_canned_reply(&caller.0, body.0.try_into()?).await?;
        Ok(Reply::created((&view).into()))
    }
}

route! {
    GET_CANNED_REPLY = get "/api/canned-replies/{reply_id}" in "canned-replies",
    openapi(tag = "canned replies", security(("bearer" = [])),
    params(("reply_id" = String, Path, description = "The reply")),
    responses(
        (status = 200, description = "The reply", body = CannedReply),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not the caller's, their groups' or a global reply", body = ErrorBody),
        (status = 404, description = "No such reply", body = ErrorBody))),
    /// One canned reply.
    pub async fn get_canned_reply(app: &App, reply: ReplyPath, caller: Caller) -> Reply<CannedReply> {
        Ok(Reply::ok((&app.canned_reply(&caller.0, &reply.0).await?).into()))
    }
}

route! {
    UPDATE_CANNED_REPLY = put "/api/canned-replies/{reply_id}" in "canned-replies",
    openapi(tag = "canned replies", security(("bearer" = [])),
    params(("reply_id" = String, Path, description = "The reply")),
    request_body = CannedReplyUpdate,
    responses(
        (status = 200, description = "Saved; due for review again 90 days from now", body = CannedReply),
        (status = 400, description = "Malformed request, or a bad field (named)", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not allowed to manage the reply's scope or the new one", body = ErrorBody),
        (status = 404, description = "No such reply or group", body = ErrorBody),
        (status = 409, description = "Changed by someone else since the revision read, or the shortcut is taken in the scope", body = ErrorBody))),
    /// Edits a canned reply over the revision read.
    pub async fn update_canned_reply(app: &App, body: Json<CannedReplyUpdate>, reply: ReplyPath, caller: Caller) -> Reply<CannedReply> {
        let (input, revision) = body.0.into_input()?;
        let view = app
            .update_canned_reply(&caller.0, &reply.0, input, revision)
            .await?;
        Ok(Reply::ok((&view).into()))
    }
}

route! {
    DELETE_CANNED_REPLY = delete "/api/canned-replies/{reply_id}" in "canned-replies",
    openapi(tag = "canned replies", security(("bearer" = [])),
    params(("reply_id" = String, Path, description = "The reply")),
    responses(
        (status = 200, description = "Deleted; its shortcut is free again"),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not allowed to manage the reply's scope", body = ErrorBody),
        (status = 404, description = "No such reply", body = ErrorBody))),
    /// Deletes a canned reply.
    pub async fn delete_canned_reply(app: &App, reply: ReplyPath, caller: Caller) -> Reply<serde_json::Value> {
        app.delete_canned_reply(&caller.0, &reply.0).await?;
        Ok(Reply::ok(serde_json::json!({ "deleted": reply.0.as_str() })))
    }
}

route! {
    REVIEW_CANNED_REPLY = post "/api/canned-replies/{reply_id}/reviewed" in "canned-replies",
    openapi(tag = "canned replies", security(("bearer" = [])),
    params(("reply_id" = String, Path, description = "The reply")),
    responses(
        (status = 200, description = "Reviewed: no longer stale, due again 90 days from now", body = CannedReply),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not allowed to manage the reply's scope", body = ErrorBody),
        (status = 404, description = "No such reply", body = ErrorBody))),
    /// Marks a canned reply reviewed.
    pub async fn review_canned_reply(app: &App, reply: ReplyPath, caller: Caller) -> Reply<CannedReply> {
        Ok(Reply::ok((&app.mark_canned_reply_reviewed(&caller.0, &reply.0).await?).into()))
    }
}

route! {
    USE_CANNED_REPLY = post "/api/canned-replies/{reply_id}/use" in "canned-replies",
    openapi(tag = "canned replies", security(("bearer" = [])),
    params(("reply_id" = String, Path, description = "The reply")),
    request_body = UseCannedReply,
    responses(
        (status = 200, description = "The text with the chat's customer name, the caller's name and the chat's group filled in, \
            to edit and send as a message (nothing is sent); the use is counted", body = UsedCannedReply),
        (status = 400, description = "Malformed request or id", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not a reply the caller sees, or a chat they may not see", body = ErrorBody),
        (status = 404, description = "No such reply or chat", body = ErrorBody))),
    /// Uses a canned reply in a chat.
    pub async fn use_canned_reply(app: &App, body: Json<UseCannedReply>, reply: ReplyPath, caller: Caller) -> Reply<UsedCannedReply> {
        let used = app
            .use_canned_reply(&caller.0, &reply.0, &body.0.chat_id.into())
            .await?;
        Ok(Reply::ok((&used).into()))
    }
}
