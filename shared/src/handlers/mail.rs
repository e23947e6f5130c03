//! E-mail: whether it is configured, the state of a chat's mails, and transcripts by e-mail.

#![allow(clippy::too_many_arguments)]

use crate::api::error::ErrorBody;
use crate::api::route::{Caller, ChatPath, OptionalJson, Reply};
use crate::api::wire::{MailState, MailStatus, SendTranscriptRequest};
use crate::route;

route! {
    MAIL_STATUS = get "/api/mail/status" in "agent-profile",
    openapi(tag = "agent", security(("bearer" = [])),
    responses(
        (status = 200, description = "Whether this server sends e-mail, and from which address", body = MailStatus),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token", body = ErrorBody))),
    /// Whether e-mail is configured (the console says so where it matters).
    pub async fn mail_status(app: &App, caller: Caller) -> Reply<MailStatus> {
        Ok(Reply::ok((&app.mail_status(&caller.0).await?).into()))
    }
}

route! {
    CHAT_MAIL = get "/api/chats/{chat_id}/mail" in "chat-read",
    openapi(tag = "customer", security(("bearer" = [])),
    params(("chat_id" = String, Path, description = "The chat")),
    responses(
        (status = 200, description = "The mails about the chat, oldest first: every mail with its \
            last error for an agent who may read the chat; for its customer only the transcripts \
            they asked for, without errors", body = [MailState]),
        (status = 400, description = "Malformed chat id", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not your chat", body = ErrorBody),
        (status = 404, description = "No such chat", body = ErrorBody))),
    /// The state of the mails about a chat.
    pub async fn chat_mail(app: &App, chat: ChatPath, caller: Caller) -> Reply<Vec<MailState>> {
        let mails = app.chat_mail(&caller.0, &chat.0).await?;
        Ok(Reply::ok(mails.iter().map(MailState::from).collect()))
    }
}

route! {
    SEND_TRANSCRIPT = post "/api/chats/{chat_id}/transcript" in "chat-end",
    openapi(tag = "customer", security(("bearer" = [])),
    params(("chat_id" = String, Path, description = "The chat")),
    request_body = SendTranscriptRequest,
    responses(
        (status = 202, description = "Queued: the mail is stored and sent as soon as the mail \
            server takes it (retried while it is down)", body = MailState),
        (status = 400, description = "Malformed request, or no usable address (named)", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not your chat, or an agent outside its group", body = ErrorBody),
        (status = 404, description = "No such chat", body = ErrorBody),
        (status = 409, description = "`mail_not_configured`: this server sends no e-mail; \
            `invalid_state`: the chat has not ended yet (customers), or its customer already \
            asked for 3 transcripts", body = ErrorBody))),
    /// E-mails the chat's transcript: its customer once the chat ended (to the address given at
    /// the start, or another), an agent who may read the chat at any time.
    pub async fn send_transcript(app: &App, body: OptionalJson<SendTranscriptRequest>, chat: ChatPath, caller: Caller) -> Reply<MailState> {
        let req = body.0.unwrap_or_default();
        let queued = app
            .send_transcript(&caller.0, &chat.0, req.to.as_deref())
            .await?;
        Ok(Reply::accepted((&queued).into()))
    }
}
