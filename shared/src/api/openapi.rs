//! The OpenAPI 3.1 document of the REST API, served at `GET /api/openapi.json` and committed as
//! `docs/openapi.json`. Each route's operation is declared with its handler (`route!` in
//! `crate::handlers`); a test checks that the document and the route list
//! (`crate::handlers::ALL`) name the same routes, and another that the committed file equals
//! this document.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::dto::*;
use super::error::ErrorBody;
use super::wire::{
    ActionOutcome, ActionResult, Agent, AgentSummary, Article, ArticleInput, ChatEvent,
    ChatForCaller, ChatList, ChatRow, ChatState, ChatView, Column, CustomerChat, DeflectionAction,
    DeflectionCounts, DeflectionReport, Feedback, Group, ListPreferences, Me,
    NotificationPreferences, PublicArticle, Role, Severity, SignedIn, SortDirection, SortSpec,
    StartChat, StartedChat, StatusIcons, TransferTarget,
};
use super::wire::{
    AdminAgent, AgentUpdate, AuditActor, AuditEntry, AuditPage, AuditTarget, CreatedAgent,
    FieldChange, NewAgent, NewPassword,
};
use super::wire::{
    AdminGroup, GroupMembers, GroupRemoval, GroupRename, NewGroup, Organisation,
    OrganisationUpdate, SignInMethods,
};
use super::wire::{
    AttachedFile, AttachmentLink, StartUpload, StartedUpload, UploadMethod, UploadTarget,
};
use super::wire::{
    Availability, AvailabilityState, BusinessHours, ChatToMessage, GroupTexts, InboxPage, InboxRow,
    LeaveMessage, MessageAgentRef, MessageReceipt, MessageStatus, MessageText, Offer,
    OfflineMessage, OfflineSettings, OpeningHours, ThreadEntry, ThreadEntryKind, WeeklyHours,
    WhenClosed,
};
use super::wire::{
    CannedReply, CannedReplyInput, CannedReplyUpdate, ReplyScopeKind, UseCannedReply,
    UsedCannedReply,
};
use super::wire::{ChatNote, ChatNotes, CustomerHistory, HistoryEntry, NewChatNote, SetChatTags};
use super::wire::{GroupSettings, HandOffReason, HandOffSettings, Presence, UpdateGroupSettings};
use super::wire::{MailDeliveryState, MailPurpose, MailState, MailStatus, SendTranscriptRequest};
use crate::app::Suggestions;
use crate::auth::oidc::BrowserSignIn;
use crate::handlers::{
    actions, admin, admin_groups, agents, attachments, canned, chats, history, inbox, kb, mail,
    meta, notes, tags,
};
use crate::ports::{Highlight, SuggestMode, SuggestionHit, SuggestionKind};

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
        meta::health,
        meta::openapi_json,
        agents::sign_in,
        agents::auth_config,
        agents::get_me,
        agents::update_me,
        agents::list_groups,
        agents::list_agents,
        agents::get_group_settings,
        agents::put_group_settings,
        agents::get_preferences,
        agents::put_preferences,
        chats::start_chat,
        chats::list_chats,
        chats::get_chat,
        chats::list_events,
        chats::send_message,
        chats::customer_end_chat,
        chats::rate_chat,
        mail::mail_status,
        mail::chat_mail,
        mail::send_transcript,
        actions::pull,
        actions::take,
        actions::transfer,
        actions::end_chats,
        actions::delete,
        actions::restore,
        actions::purge,
        actions::follow_up,
        kb::list_articles,
        kb::create_article,
        kb::get_article,
        kb::update_article,
        kb::delete_article,
        kb::knowledge_stats,
        kb::suggest,
        kb::suggestion_feedback,
        kb::chat_suggestions,
        inbox::leave_message,
        inbox::chat_to_message,
        inbox::list_inbox,
        inbox::get_message,
        inbox::assign_message,
        inbox::reply_to_message,
        inbox::note_message,
        inbox::close_message,
        inbox::reopen_message,
        admin::admin_list_agents,
        admin::admin_create_agent,
        admin::admin_update_agent,
        admin::admin_deactivate_agent,
        admin::admin_reactivate_agent,
        admin::admin_reset_password,
        admin::admin_delete_agent,
        admin::audit_log,
        admin_groups::admin_list_groups,
        admin_groups::admin_create_group,
        admin_groups::admin_rename_group,
        admin_groups::admin_set_group_members,
        admin_groups::admin_remove_group,
        admin_groups::admin_organisation,
        admin_groups::admin_update_organisation,
        notes::list_chat_notes,
        notes::add_chat_note,
        tags::set_chat_tags,
        history::customer_history,
        canned::list_canned_replies,
        canned::create_canned_reply,
        canned::get_canned_reply,
        canned::update_canned_reply,
        canned::delete_canned_reply,
        canned::review_canned_reply,
        canned::use_canned_reply,
        attachments::start_upload,
        attachments::confirm_upload,
        attachments::attachment_link
    ),
    components(schemas(
        ErrorBody, Health, ChatForCaller, SignInRequest, SignedIn, AuthConfig, BrowserSignIn, Me, Agent, Group, Role, AgentSummary,
        UpdateMeRequest, ListPreferences, NotificationPreferences, StartChat, StartedChat, CustomerChat, ChatState,
        ChatList, ChatRow, ChatView, SortSpec, SortDirection, Column, StatusIcons, Severity,
        ChatEvent, SendMessageRequest, SentMessage, PullRequest, ChatIdsRequest, TransferRequest,
        TransferTarget, EndRequest, FollowUpRequest, FollowUpInput, ActionOutcome, ActionResult,
        Article, ArticleInput, PublicArticle, Suggestions, SuggestionHit, SuggestionKind, Highlight,
        SuggestMode, Feedback, DeflectionAction, FeedbackRecorded, DeflectionReport,
        DeflectionCounts, RateChatRequest, GroupSettings, UpdateGroupSettings, HandOffSettings, Presence,
        HandOffReason, Availability, AvailabilityState, Offer, BusinessHours, WeeklyHours,
        OpeningHours, OfflineSettings, WhenClosed, GroupTexts, LeaveMessage, ChatToMessage, MessageReceipt, MessageStatus, MessageAgentRef,
        InboxRow, InboxPage, OfflineMessage, ThreadEntry, ThreadEntryKind, MessageText,
        MailStatus, MailState, MailPurpose, MailDeliveryState, SendTranscriptRequest,
        AdminAgent, NewAgent, CreatedAgent, AgentUpdate, NewPassword, AuditEntry, AuditActor,
        AuditTarget, FieldChange, AuditPage,
        AdminGroup, NewGroup, GroupRename, GroupMembers, GroupRemoval, Organisation, OrganisationUpdate, SignInMethods,
        ChatNote, ChatNotes, NewChatNote, SetChatTags, CustomerHistory, HistoryEntry,
        CannedReply, CannedReplyInput, CannedReplyUpdate, ReplyScopeKind, UseCannedReply, UsedCannedReply,
        AttachedFile, StartUpload, StartedUpload, UploadTarget, UploadMethod, AttachmentLink
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "customer", description = "What the customer's chat page calls"),
        (name = "agent", description = "What the agent console calls"),
        (name = "actions", description = "Toolbar actions: each takes many chats and reports per chat"),
        (name = "inbox", description = "Messages customers left for the groups, and their handling"),
        (name = "admin", description = "Administration: agents and the audit log (administrators only)"),
        (name = "canned replies", description = "Saved answers agents insert by their /shortcut"),
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

/// The document as committed in `docs/openapi.json`, which is what `/api/openapi.json` serves.
/// Embedding the text keeps the document's generator (every schema's `ToSchema` code) out of the
/// `health` function; `tests/api.rs` fails when the committed text and `document()` differ.
pub const COMMITTED_DOCUMENT: &str = include_str!("../../../docs/openapi.json");

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub fn document_json() -> String {
    document()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

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
