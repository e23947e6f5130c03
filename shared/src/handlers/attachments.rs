//! Files in a chat: start an upload, confirm it, get a link to a file. The bytes never pass
//! through these routes (`app::attachments`).

#![allow(clippy::too_many_arguments)]

use crate::api::dto::SentMessage;
use crate::api::error::ErrorBody;
use crate::api::route::{AttachmentPath, Caller, ChatPath, Json, Query, Reply};
use crate::api::wire::{AttachmentLink, AttachmentQuery, StartUpload, StartedUpload};
use crate::domain::DeclaredFile;
use crate::route;

route! {
    START_UPLOAD = post "/api/chats/{chat_id}/attachments" in "chat-attachments",
    openapi(tag = "customer", security(("bearer" = [])),
    params(("chat_id" = String, Path, description = "The chat")),
    request_body = StartUpload,
    responses(
        (status = 201, description = "A pending attachment: upload the file to `upload` (valid \
            for 5 minutes), then confirm it", body = StartedUpload),
        (status = 400, description = "Malformed request; a refused type (named: HTML, SVG and \
            anything but images, PDF, office documents and plain text), an empty file or one \
            over 10 MB", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not your chat, or not its assigned agent", body = ErrorBody),
        (status = 404, description = "No such chat", body = ErrorBody),
        (status = 409, description = "The chat has ended, or this deployment stores no files", body = ErrorBody))),
    /// The chat's customer or its assigned agent starts uploading a file into the chat.
    pub async fn start_upload(app: &App, body: Json<StartUpload>, chat: ChatPath, caller: Caller) -> Reply<StartedUpload> {
        let Json(req) = body;
        let declared = DeclaredFile::parse(&req.file_name, &req.content_type, req.size)?;
        let started = app.start_upload(&caller.0, &chat.0, declared).await?;
        Ok(Reply::created((&started).into()))
    }
}

route! {
    CONFIRM_UPLOAD = post "/api/chats/{chat_id}/attachments/{attachment_id}/confirm" in "chat-attachments",
    openapi(tag = "customer", security(("bearer" = [])),
    params(("chat_id" = String, Path, description = "The chat"),
        ("attachment_id" = String, Path, description = "The attachment, from its started upload")),
    responses(
        (status = 201, description = "Checked (size, and type by content) and kept: the file is \
            in the chat, as an `attachment` event pushed to both sides", body = SentMessage),
        (status = 200, description = "Already confirmed: that event", body = SentMessage),
        (status = 400, description = "The upload is not what was declared (its size, or its \
            type by content: named); it was deleted", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not your chat, or not its assigned agent", body = ErrorBody),
        (status = 404, description = "No such chat, or nothing was uploaded", body = ErrorBody),
        (status = 409, description = "The chat has ended, or the upload changed while it was \
            checked", body = ErrorBody))),
    /// Confirms an uploaded file: checked by content, then it joins the chat.
    pub async fn confirm_upload(app: &App, chat: ChatPath, attachment: AttachmentPath, caller: Caller) -> Reply<SentMessage> {
        let (event, duplicate) = app.confirm_upload(&caller.0, &chat.0, &attachment.0).await?;
        let sent = SentMessage { event: (&event).into(), duplicate };
        Ok(if duplicate { Reply::ok(sent) } else { Reply::created(sent) })
    }
}

route! {
    ATTACHMENT_LINK = get "/api/chats/{chat_id}/attachments/{attachment_id}" in "chat-attachments",
    openapi(tag = "customer", security(("bearer" = [])),
    params(("chat_id" = String, Path, description = "The chat"),
        ("attachment_id" = String, Path, description = "The attachment"), AttachmentQuery),
    responses(
        (status = 200, description = "A link serving the file for 5 minutes: as an attachment \
            with `X-Content-Type-Options: nosniff`, or inline for an image", body = AttachmentLink),
        (status = 400, description = "Malformed ids or query, or `inline` for a file that is \
            not an image", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not your chat, or not a member of its group", body = ErrorBody),
        (status = 404, description = "No such chat, or no such file in it", body = ErrorBody))),
    /// A link to a file of the chat, for whoever may read the chat now.
    pub async fn attachment_link(app: &App, query: Query<AttachmentQuery>, chat: ChatPath, attachment: AttachmentPath, caller: Caller) -> Reply<AttachmentLink> {
        let inline = query.0.inline.unwrap_or(false);
        let link = app.attachment_link(&caller.0, &chat.0, &attachment.0, inline).await?;
        Ok(Reply::ok((&link).into()))
    }
}
