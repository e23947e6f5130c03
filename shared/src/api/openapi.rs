//! The OpenAPI 3.1 document of the REST API, served at `GET /api/openapi.json` and committed as
//! `docs/openapi.json`. The functions below exist only to carry the documentation of each route;
//! a test checks that the document and the route table (`routes::ROUTES`) name the same routes,
//! and another that the committed file equals this document.

#![allow(dead_code)]

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::dto::*;
use super::error::ErrorBody;
use crate::app::{
    ActionOutcome, ActionResult, AgentSummary, ChatForCaller, ChatList, CustomerChat, Me, SignedIn,
    StartChat, StartedChat, TransferTarget,
};
use crate::app::{Feedback, PublicArticle, Suggestions};
use crate::auth::oidc::BrowserSignIn;
use crate::domain::kb::{Article, ArticleInput, DeflectionAction, DeflectionCounts};
use crate::domain::{
    Agent, ChatEvent, ChatRow, ChatState, ChatView, Column, Group, ListPreferences, Role, Severity,
    SortDirection, SortSpec, StatusIcons,
};
use crate::ports::{DeflectionReport, Highlight, SuggestMode, SuggestionHit, SuggestionKind};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "chatdesk API",
        description = "Live-chat help desk: customers start chats, agents work them. Agents send \
            `Authorization: Bearer <token from /api/auth/login>`; customers the token returned by \
            `POST /api/chats`, which opens that one chat only. Errors are \
            `{\"error\": code, \"message\": text}`.",
        license(name = "Apache-2.0")
    ),
    paths(
        health, openapi_json, sign_in, auth_config, get_me, update_me, list_groups, list_agents,
        get_preferences, put_preferences, start_chat, list_chats, get_chat, list_events,
        send_message, customer_end_chat, pull, take, transfer, end_chats, delete, restore, purge,
        follow_up, list_articles, create_article, get_article, update_article, delete_article,
        knowledge_stats, suggest, suggestion_feedback, chat_suggestions
    ),
    components(schemas(
        ErrorBody, Health, ChatForCaller, SignInRequest, SignedIn, AuthConfig, BrowserSignIn, Me, Agent, Group, Role, AgentSummary,
        UpdateMeRequest, ListPreferences, StartChat, StartedChat, CustomerChat, ChatState,
        ChatList, ChatRow, ChatView, SortSpec, SortDirection, Column, StatusIcons, Severity,
        ChatEvent, SendMessageRequest, SentMessage, PullRequest, ChatIdsRequest, TransferRequest,
        TransferTarget, EndRequest, FollowUpRequest, FollowUpInput, ActionOutcome, ActionResult,
        Article, ArticleInput, PublicArticle, Suggestions, SuggestionHit, SuggestionKind, Highlight,
        SuggestMode, Feedback, DeflectionAction, FeedbackRecorded, DeflectionReport,
        DeflectionCounts
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "customer", description = "What the customer's chat page calls"),
        (name = "agent", description = "What the agent console calls"),
        (name = "actions", description = "Toolbar actions: each takes many chats and reports per chat"),
        (name = "knowledge", description = "Knowledge base, suggestions and deflection"),
        (name = "meta", description = "Health and this document")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub fn document_json() -> String {
    document()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

#[utoipa::path(get, path = "/api/health", tag = "meta",
    responses((status = 200, description = "The service is up", body = Health)))]
fn health() {}

#[utoipa::path(get, path = "/api/openapi.json", tag = "meta",
    responses((status = 200, description = "This document")))]
fn openapi_json() {}

#[utoipa::path(post, path = "/api/auth/login", tag = "agent", request_body = SignInRequest,
    responses(
        (status = 200, description = "Signed in", body = SignedIn),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "Wrong username or password", body = ErrorBody),
        (status = 429, description = "Too many failed sign-ins for this username or from this \
            address: refused without checking the password; the message says when to try again",
            body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds until the next attempt may go through")))))]
fn sign_in() {}

#[utoipa::path(get, path = "/api/auth/config", tag = "agent",
    responses((status = 200, description = "How agents sign in: password, and the OpenID Connect \
        issuer's sign-in page (authorization code flow with PKCE) when configured", body = AuthConfig)))]
fn auth_config() {}

#[utoipa::path(get, path = "/api/me", tag = "agent", security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed-in agent", body = Me),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token", body = ErrorBody)))]
fn get_me() {}

#[utoipa::path(patch, path = "/api/me", tag = "agent", security(("bearer" = [])),
    request_body = UpdateMeRequest,
    responses(
        (status = 200, description = "Updated", body = Me),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token", body = ErrorBody)))]
fn update_me() {}

#[utoipa::path(get, path = "/api/groups", tag = "customer",
    responses(
        (status = 200, description = "All groups (public: the chat page offers them)", body = [Group])))]
fn list_groups() {}

#[utoipa::path(get, path = "/api/agents", tag = "agent", security(("bearer" = [])),
    responses(
        (status = 200, description = "All agents (for transfers)", body = [AgentSummary]),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token", body = ErrorBody)))]
fn list_agents() {}

#[utoipa::path(get, path = "/api/preferences", tag = "agent", security(("bearer" = [])),
    responses(
        (status = 200, description = "My list layout (defaults until saved)", body = ListPreferences),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token", body = ErrorBody)))]
fn get_preferences() {}

#[utoipa::path(put, path = "/api/preferences", tag = "agent", security(("bearer" = [])),
    request_body = ListPreferences,
    responses(
        (status = 200, description = "Saved (completed with any missing columns)", body = ListPreferences),
        (status = 400, description = "Malformed or invalid layout", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token", body = ErrorBody)))]
fn put_preferences() {}

#[utoipa::path(post, path = "/api/chats", tag = "customer", request_body = StartChat,
    responses(
        (status = 201, description = "Queued; the token opens this chat", body = StartedChat),
        (status = 400, description = "Malformed request or invalid field", body = ErrorBody),
        (status = 404, description = "No such group", body = ErrorBody),
        (status = 429, description = "Too many chats started from this address (local server; \
            in the cloud the same comes from the firewall in front); nothing was created",
            body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds until the next start may go through")))))]
fn start_chat() {}

#[utoipa::path(get, path = "/api/chats", tag = "agent", security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "One page of the view's chats (200 by default), sorted; \
            `truncated` says more follow, `next_cursor` reads the next page. Pages are cut in \
            index order across the view's groups: the queue's longest-waiting customers first, \
            Global Live Chats' live chats before its ended ones", body = ChatList),
        (status = 400, description = "Unknown view, column or direction, or a cursor that is \
            malformed or from another view", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not a member of the group (or of every group for global)", body = ErrorBody),
        (status = 404, description = "No such group", body = ErrorBody)))]
fn list_chats() {}

#[utoipa::path(get, path = "/api/chats/{chat_id}", tag = "customer", security(("bearer" = [])),
    params(("chat_id" = String, Path, description = "The chat")),
    responses(
        (status = 200, description = "For an agent the list row; for the chat's customer their view",
            body = ChatForCaller),
        (status = 400, description = "Malformed chat id", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not your chat", body = ErrorBody),
        (status = 404, description = "No such chat", body = ErrorBody)))]
fn get_chat() {}

#[utoipa::path(get, path = "/api/chats/{chat_id}/events", tag = "customer", security(("bearer" = [])),
    params(("chat_id" = String, Path, description = "The chat"), EventsQuery),
    responses(
        (status = 200, description = "Events after the given sequence number, in order", body = [ChatEvent]),
        (status = 400, description = "Malformed chat id or query, `after` over 999999999999 or \
            `limit` outside 1-500", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not your chat", body = ErrorBody),
        (status = 404, description = "No such chat", body = ErrorBody)))]
fn list_events() {}

#[utoipa::path(post, path = "/api/chats/{chat_id}/messages", tag = "customer", security(("bearer" = [])),
    params(("chat_id" = String, Path, description = "The chat")),
    request_body = SendMessageRequest,
    responses(
        (status = 201, description = "Stored", body = SentMessage),
        (status = 200, description = "Already stored under this client id", body = SentMessage),
        (status = 400, description = "Malformed request or body", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not your chat, or not its assigned agent", body = ErrorBody),
        (status = 404, description = "No such chat", body = ErrorBody),
        (status = 409, description = "The chat has ended", body = ErrorBody)))]
fn send_message() {}

#[utoipa::path(post, path = "/api/chats/{chat_id}/end", tag = "customer", security(("bearer" = [])),
    params(("chat_id" = String, Path, description = "The chat")),
    responses(
        (status = 200, description = "Ended", body = CustomerChat),
        (status = 400, description = "Malformed chat id", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not your chat", body = ErrorBody),
        (status = 404, description = "No such chat", body = ErrorBody),
        (status = 409, description = "Already ended", body = ErrorBody)))]
fn customer_end_chat() {}

#[utoipa::path(post, path = "/api/actions/pull", tag = "actions", security(("bearer" = [])),
    request_body(content = PullRequest, description = "Optional: chosen chats; without them the longest-waiting chat is pulled"),
    responses(
        (status = 200, description = "Result per chat", body = ActionOutcome),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token", body = ErrorBody),
        (status = 409, description = "Queue empty or at the concurrent-chat limit", body = ErrorBody)))]
fn pull() {}

#[utoipa::path(post, path = "/api/actions/take", tag = "actions", security(("bearer" = [])),
    request_body = ChatIdsRequest,
    responses(
        (status = 200, description = "Result per chat", body = ActionOutcome),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token", body = ErrorBody)))]
fn take() {}

#[utoipa::path(post, path = "/api/actions/transfer", tag = "actions", security(("bearer" = [])),
    request_body = TransferRequest,
    responses(
        (status = 200, description = "Result per chat", body = ActionOutcome),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token", body = ErrorBody),
        (status = 404, description = "No such target group or agent", body = ErrorBody)))]
fn transfer() {}

#[utoipa::path(post, path = "/api/actions/end", tag = "actions", security(("bearer" = [])),
    request_body = EndRequest,
    responses(
        (status = 200, description = "Result per chat", body = ActionOutcome),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token", body = ErrorBody)))]
fn end_chats() {}

#[utoipa::path(post, path = "/api/actions/delete", tag = "actions", security(("bearer" = [])),
    request_body = ChatIdsRequest,
    responses(
        (status = 200, description = "Result per chat", body = ActionOutcome),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token", body = ErrorBody)))]
fn delete() {}

#[utoipa::path(post, path = "/api/actions/restore", tag = "actions", security(("bearer" = [])),
    request_body = ChatIdsRequest,
    responses(
        (status = 200, description = "Result per chat", body = ActionOutcome),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token", body = ErrorBody)))]
fn restore() {}

#[utoipa::path(post, path = "/api/actions/purge", tag = "actions", security(("bearer" = [])),
    request_body = ChatIdsRequest,
    responses(
        (status = 200, description = "Result per chat", body = ActionOutcome),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token", body = ErrorBody)))]
fn purge() {}

#[utoipa::path(post, path = "/api/actions/follow-up", tag = "actions", security(("bearer" = [])),
    request_body = FollowUpRequest,
    responses(
        (status = 200, description = "Result per chat", body = ActionOutcome),
        (status = 400, description = "Malformed request, a note over 2,000 characters, or `due_at` \
            outside from 5 minutes ago to 730 days ahead (nothing is changed)", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token", body = ErrorBody)))]
fn follow_up() {}

#[utoipa::path(get, path = "/api/kb/articles", tag = "knowledge", security(("bearer" = [])),
    responses(
        (status = 200, description = "Every article, drafts too (agents)", body = [Article]),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token", body = ErrorBody)))]
fn list_articles() {}

#[utoipa::path(post, path = "/api/kb/articles", tag = "knowledge", security(("bearer" = [])),
    request_body = ArticleInput,
    responses(
        (status = 201, description = "Created", body = Article),
        (status = 400, description = "Malformed or invalid article", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Managers and administrators only", body = ErrorBody)))]
fn create_article() {}

#[utoipa::path(get, path = "/api/kb/articles/{article_id}", tag = "knowledge",
    params(("article_id" = String, Path, description = "The article")),
    responses(
        (status = 200, description = "A published article (agents also read drafts)", body = PublicArticle),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 404, description = "No such published article", body = ErrorBody)))]
fn get_article() {}

#[utoipa::path(put, path = "/api/kb/articles/{article_id}", tag = "knowledge", security(("bearer" = [])),
    params(("article_id" = String, Path, description = "The article")),
    request_body = ArticleInput,
    responses(
        (status = 200, description = "Saved", body = Article),
        (status = 400, description = "Malformed or invalid article", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Managers and administrators only", body = ErrorBody),
        (status = 404, description = "No such article", body = ErrorBody)))]
fn update_article() {}

#[utoipa::path(delete, path = "/api/kb/articles/{article_id}", tag = "knowledge", security(("bearer" = [])),
    params(("article_id" = String, Path, description = "The article")),
    responses(
        (status = 200, description = "Deleted"),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Managers and administrators only", body = ErrorBody),
        (status = 404, description = "No such article", body = ErrorBody)))]
fn delete_article() {}

#[utoipa::path(get, path = "/api/kb/stats", tag = "knowledge", security(("bearer" = [])),
    responses(
        (status = 200, description = "Suggestions shown, clicked and solved, per group and per item", body = DeflectionReport),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Managers and administrators only", body = ErrorBody)))]
fn knowledge_stats() {}

#[utoipa::path(get, path = "/api/suggestions", tag = "knowledge", params(SuggestQuery),
    responses(
        (status = 200, description = "The best published articles for the question (never past resolutions: those are agents' notes)", body = Suggestions),
        (status = 400, description = "Empty or invalid question", body = ErrorBody),
        (status = 404, description = "No such group", body = ErrorBody)))]
fn suggest() {}

#[utoipa::path(post, path = "/api/suggestions/feedback", tag = "knowledge", request_body = Feedback,
    responses(
        (status = 200, description = "Counted (once per question, item and action)", body = FeedbackRecorded),
        (status = 400, description = "Malformed feedback, unknown question id, or an item that was not shown for that question", body = ErrorBody)))]
fn suggestion_feedback() {}

#[utoipa::path(get, path = "/api/chats/{chat_id}/suggestions", tag = "knowledge", security(("bearer" = [])),
    params(("chat_id" = String, Path, description = "The chat")),
    responses(
        (status = 200, description = "Articles and past resolutions of the chat's group for the customer's latest messages", body = Suggestions),
        (status = 400, description = "Malformed chat id", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent who may see the chat", body = ErrorBody),
        (status = 404, description = "No such chat", body = ErrorBody)))]
fn chat_suggestions() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_documented_and_nothing_else() {
        let doc = document();
        let mut documented: Vec<(String, String)> = Vec::new();
        for (path, item) in &doc.paths.paths {
            let json = serde_json::to_value(item).unwrap();
            for method in ["get", "post", "put", "patch", "delete"] {
                if json.get(method).is_some() {
                    documented.push((method.to_uppercase(), path.clone()));
                }
            }
        }
        let mut routed: Vec<(String, String)> = super::super::ROUTES
            .iter()
            .map(|r| (r.method.to_string(), r.path.to_string()))
            .collect();
        documented.sort();
        routed.sort();
        assert_eq!(documented, routed);
    }
}
