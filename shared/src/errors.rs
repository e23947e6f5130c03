//! Every error a client can be told, in one catalogue: its code, its HTTP status, how it
//! travels over the WebSocket, and what it means. The REST routes, the WebSocket routes and the
//! bulk actions' per-chat results all name their errors from here, so the same mistake gets the
//! same code everywhere. `docs/errors.md` is rendered from this table (and checked by a test).

use serde::{Deserialize, Serialize};

/// A stable, machine-readable error code (`{"error": code, "message": text}`).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidJson,
    InvalidQuery,
    InvalidInput,
    TooLarge,
    UnsupportedMediaType,
    Unauthorized,
    Forbidden,
    NotFound,
    NoRoute,
    MethodNotAllowed,
    UnknownAction,
    InvalidState,
    AtCapacity,
    Conflict,
    QueueEmpty,
    GroupClosed,
    MailNotConfigured,
    RateLimited,
    Internal,
}

/// How an error reaches a WebSocket client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OverWebSocket {
    /// An `error` frame naming the code (and the refused action).
    ErrorFrame,
    /// An `error` frame, or at `$connect` the refusal of the handshake with the HTTP status.
    Both,
    /// REST only.
    NotUsed,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 19] = [
        ErrorCode::InvalidJson,
        ErrorCode::InvalidQuery,
        ErrorCode::InvalidInput,
        ErrorCode::TooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::NoRoute,
        ErrorCode::MethodNotAllowed,
        ErrorCode::UnknownAction,
        ErrorCode::InvalidState,
        ErrorCode::AtCapacity,
        ErrorCode::Conflict,
        ErrorCode::QueueEmpty,
        ErrorCode::GroupClosed,
        ErrorCode::MailNotConfigured,
        ErrorCode::RateLimited,
        ErrorCode::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidJson => "invalid_json",
            ErrorCode::InvalidQuery => "invalid_query",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::NoRoute => "no_route",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::UnknownAction => "unknown_action",
            ErrorCode::InvalidState => "invalid_state",
            ErrorCode::AtCapacity => "at_capacity",
            ErrorCode::Conflict => "conflict",
            ErrorCode::QueueEmpty => "queue_empty",
            ErrorCode::GroupClosed => "group_closed",
            ErrorCode::MailNotConfigured => "mail_not_configured",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Internal => "internal",
        }
    }

    /// The HTTP status of this error: over REST, and for a refused WebSocket `$connect`.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::InvalidJson
            | ErrorCode::InvalidQuery
            | ErrorCode::InvalidInput
            | ErrorCode::UnknownAction => 400,
            ErrorCode::Unauthorized => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound | ErrorCode::NoRoute => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::InvalidState
            | ErrorCode::AtCapacity
            | ErrorCode::Conflict
            | ErrorCode::QueueEmpty
            | ErrorCode::GroupClosed
            | ErrorCode::MailNotConfigured => 409,
            ErrorCode::TooLarge => 413,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::RateLimited => 429,
            ErrorCode::Internal => 500,
        }
    }

    pub fn over_websocket(self) -> OverWebSocket {
        match self {
            ErrorCode::InvalidQuery
            | ErrorCode::UnsupportedMediaType
            | ErrorCode::NoRoute
            | ErrorCode::MethodNotAllowed
            | ErrorCode::QueueEmpty
            | ErrorCode::GroupClosed
            | ErrorCode::MailNotConfigured => OverWebSocket::NotUsed,
            ErrorCode::InvalidJson
            | ErrorCode::InvalidInput
            | ErrorCode::TooLarge
            | ErrorCode::UnknownAction
            | ErrorCode::InvalidState
            | ErrorCode::AtCapacity
            | ErrorCode::Conflict => OverWebSocket::ErrorFrame,
            ErrorCode::Unauthorized
            | ErrorCode::Forbidden
            | ErrorCode::NotFound
            | ErrorCode::RateLimited
            | ErrorCode::Internal => OverWebSocket::Both,
        }
    }

    /// What the code means, for the catalogue.
    pub fn meaning(self) -> &'static str {
        match self {
            ErrorCode::InvalidJson => "The body (or WebSocket frame) is not JSON, not an object, or empty.",
            ErrorCode::InvalidQuery => "The query string does not parse: an unknown parameter or a value of the wrong type.",
            ErrorCode::InvalidInput => "Well-formed JSON whose content is refused: a field missing, unknown or of the wrong type, an id, name, text, time or number out of its range. The message names the field.",
            ErrorCode::TooLarge => "The body is over 64 KB, or the WebSocket frame over 32 KB.",
            ErrorCode::UnsupportedMediaType => "A body was sent with a content type other than `application/json`.",
            ErrorCode::Unauthorized => "No token, or one that is tampered, expired or revoked (a password change, a demotion, a removal); a wrong username or password.",
            ErrorCode::Forbidden => "The caller is known but may not do this: a customer token on another chat or an agent route, an agent outside the chat's group (whatever the chat's state), a role too low.",
            ErrorCode::NotFound => "No such chat, group, agent or article (for customers: their chat was deleted).",
            ErrorCode::NoRoute => "No REST route has this path.",
            ErrorCode::MethodNotAllowed => "The path exists, not with this method; `Allow` lists the methods it takes.",
            ErrorCode::UnknownAction => "A WebSocket frame names an action that does not exist.",
            ErrorCode::InvalidState => "The chat's state does not allow it: ending a chat twice, writing in an ended chat, purging a chat that is not deleted, restoring one that is not.",
            ErrorCode::AtCapacity => "The agent already has as many active chats as they may (pull, take, transfer to them).",
            ErrorCode::Conflict => "Lost a race that retrying did not win (someone else changed the chat), or the thing already exists.",
            ErrorCode::QueueEmpty => "Pull found no chat waiting in the caller's groups.",
            ErrorCode::GroupClosed => "The group takes messages only right now (outside its business hours, or nobody can chat): a chat cannot start; leave a message instead.",
            ErrorCode::MailNotConfigured => "An e-mail was asked for (a transcript, a reply) where no e-mail is configured: nothing was queued. `GET /api/mail/status` tells beforehand.",
            ErrorCode::RateLimited => "Over a limit per principal (sign-ins, chat starts, open sockets, messages per chat, frames per connection): `Retry-After` says when to try again.",
            ErrorCode::Internal => "A failure on the server's side. Logged with its whole cause; the message never says more.",
        }
    }
}

/// Lets a test (or a client written against the catalogue) compare a code with its name.
impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error and everything under it, for the log (never for a client).
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// The catalogue as a Markdown page (`docs/errors.md`).
pub fn catalogue_markdown() -> String {
    let mut out = String::from(
        "# Error codes\n\nRendered from `shared/src/errors.rs` (a test checks this page is current). \
         Every error is `{\"error\": code, \"message\": text}`: over REST with the status below, \
         over the WebSocket as an `error` frame (`{\"type\":\"error\",\"error\":code,\"message\":text,\
         \"action\":...}`) or, at `$connect`, as the refusal of the handshake with the same status. \
         Bulk actions answer 200 and give each refused chat its code in `results[].failure.error`. \
         `tests/error_codes.rs` makes the server produce every code.\n\n\
         | code | HTTP status | over the WebSocket | meaning |\n|---|---|---|---|\n",
    );
    for code in ErrorCode::ALL {
        let ws = match code.over_websocket() {
            OverWebSocket::ErrorFrame => "error frame",
            OverWebSocket::Both => "error frame; refused at `$connect`",
            OverWebSocket::NotUsed => "—",
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            code.as_str(),
            code.http_status(),
            ws,
            code.meaning()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialise_as_their_names_and_are_listed_once() {
        for code in ErrorCode::ALL {
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::Value::String(code.as_str().into())
            );
            assert_eq!(ErrorCode::ALL.iter().filter(|c| **c == code).count(), 1);
            assert!((400..600).contains(&code.http_status()));
        }
    }
}
