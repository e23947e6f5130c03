//! Request and response bodies of the REST API that are not wire forms of domain or use-case
//! types (those are in `wire`).

use serde::{Deserialize, Serialize};

use super::wire::{ChatEvent, ChatId, ClientMessageId, Timestamp, TransferTarget};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    pub username: String,
    pub password: String,
}

/// How agents sign in here: always with a chatdesk password, and with the OpenID Connect
/// issuer's own sign-in page when one is configured (the cloud's Cognito user pool).
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuthConfig {
    pub password_sign_in: bool,
    /// `null` when agents sign in with passwords only.
    pub oidc: Option<crate::auth::oidc::BrowserSignIn>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMeRequest {
    /// Receiving chats now.
    pub available: bool,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendMessageRequest {
    /// Chosen by the client; a retried send with the same id is stored once.
    pub client_msg_id: ClientMessageId,
    pub body: String,
}

/// The customer's satisfaction with their ended chat.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateChatRequest {
    /// 1 (poor) to 5 (excellent).
    #[schema(minimum = 1, maximum = 5)]
    pub score: i64,
    /// What the customer wants to add (up to 2,000 characters).
    #[serde(default)]
    pub comment: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SentMessage {
    pub event: ChatEvent,
    /// True when this client id had been stored before (nothing new was written).
    pub duplicate: bool,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PullRequest {
    /// Chosen queued chats; empty or absent pulls the longest-waiting chat of my groups.
    #[serde(default)]
    pub chat_ids: Vec<ChatId>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatIdsRequest {
    pub chat_ids: Vec<ChatId>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    pub chat_ids: Vec<ChatId>,
    pub to: TransferTarget,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndRequest {
    pub chat_ids: Vec<ChatId>,
    /// How the problem was solved; becomes a suggestion source for later chats of the group.
    pub resolution: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpInput {
    /// When it is due, in epoch milliseconds: from 5 minutes before now to 730 days ahead.
    pub due_at: Timestamp,
    pub note: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpRequest {
    pub chat_ids: Vec<ChatId>,
    /// The follow-up to schedule; `null` clears it.
    pub follow_up: Option<FollowUpInput>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `my_active`, `my_completed`, `group`, `queue`, `global` or `deleted`.
    pub view: String,
    /// With `view=group`: which group.
    pub group_id: Option<String>,
    /// With `view=group`: the ended chats instead of the live ones.
    pub inactive: Option<bool>,
    /// Column to sort by: `status`, `user`, `group`, `started`, `queue_time`, `idle`,
    /// `messages` or `agent`. Defaults to the agent's saved sort.
    pub sort: Option<String>,
    /// `asc` or `desc`.
    pub dir: Option<String>,
    /// The `next_cursor` of the previous page, to read the page after it (at most 128
    /// characters, as the server wrote it).
    pub cursor: Option<String>,
    /// Only the chats with this tag (compared as tags are kept: trimmed, lower-cased). A page
    /// may then hold fewer rows than the view's page size with `next_cursor` still set: read on.
    pub tag: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// The `next` of the previous page: entries older than that one.
    pub before: Option<String>,
    /// Entries per page, 1 to 200 (50 by default).
    pub limit: Option<usize>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CannedRepliesQuery {
    /// Only the replies that apply in this group's chats: the caller's own, the group's and the
    /// global ones (the caller must be a member).
    pub group_id: Option<String>,
    /// Only shortcuts starting with this (what was typed after `/`).
    pub q: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    /// The group whose inbox to read.
    pub group_id: String,
    /// `open` (the default), `answered` or `closed`.
    pub status: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Messages per page, 1 to 200 (50 by default).
    pub limit: Option<usize>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Only events with a sequence number above this (resume point), 0..=999999999999.
    pub after: Option<u64>,
    /// At most this many (1..=500, default 200).
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Health {
    pub status: String,
    pub version: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SuggestQuery {
    /// The customer's question.
    pub q: String,
    /// The group the chat would go to: only its published articles (and those for every group)
    /// are suggested.
    pub group_id: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FeedbackRecorded {
    /// False when this action on this suggestion was already recorded for the question.
    pub recorded: bool,
}
