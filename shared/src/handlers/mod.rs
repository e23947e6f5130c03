//! One handler per REST route, grouped by area: plain async functions over the use cases, with
//! typed arguments (what they take from the request) and a typed reply. Each is declared with its
//! route by `route!` next to it; `ALL` lists them for the local server, the OpenAPI document and
//! the infrastructure checks. A Lambda function's `main` names only its own routes.

pub mod actions;
pub mod admin;
pub mod admin_groups;
pub mod agents;
pub mod attachments;
pub mod canned;
pub mod chats;
pub mod history;
pub mod inbox;
pub mod kb;
mod list_query;
pub mod mail;
pub mod meta;
pub mod notes;
pub mod tags;

use crate::api::route::Route;

/// Every REST route. Adding one: its handler and `route!` declaration, an entry here and in the
/// OpenAPI document's `paths` (`api/openapi.rs`), its function's `main`, and its template entry;
/// tests fail when any of them disagree.
pub static ALL: &[&Route] = &[
    &meta::HEALTH,
    &meta::OPENAPI_JSON,
    &agents::SIGN_IN,
    &agents::AUTH_CONFIG,
    &agents::GET_ME,
    &agents::UPDATE_ME,
    &agents::LIST_GROUPS,
    &agents::LIST_AGENTS,
    &agents::GET_GROUP_SETTINGS,
    &agents::PUT_GROUP_SETTINGS,
    &agents::GET_PREFERENCES,
    &agents::PUT_PREFERENCES,
    &chats::START_CHAT,
    &chats::LIST_CHATS,
    &chats::GET_CHAT,
    &chats::LIST_EVENTS,
    &chats::SEND_MESSAGE,
    &chats::CUSTOMER_END_CHAT,
    &chats::RATE_CHAT,
    &mail::MAIL_STATUS,
    &mail::CHAT_MAIL,
    &mail::SEND_TRANSCRIPT,
    &actions::PULL,
    &actions::TAKE,
    &actions::TRANSFER,
    &actions::END_CHATS,
    &actions::DELETE,
    &actions::RESTORE,
    &actions::PURGE,
    &actions::FOLLOW_UP,
    &kb::LIST_ARTICLES,
    &kb::CREATE_ARTICLE,
    &kb::GET_ARTICLE,
    &kb::UPDATE_ARTICLE,
    &kb::DELETE_ARTICLE,
    &kb::KNOWLEDGE_STATS,
    &kb::SUGGEST,
    &kb::SUGGESTION_FEEDBACK,
    &kb::CHAT_SUGGESTIONS,
    &inbox::LEAVE_MESSAGE,
    &inbox::CHAT_TO_MESSAGE,
    &inbox::LIST_INBOX,
    &inbox::GET_MESSAGE,
    &inbox::ASSIGN_MESSAGE,
    &inbox::REPLY_TO_MESSAGE,
    &inbox::NOTE_MESSAGE,
    &inbox::CLOSE_MESSAGE,
    &inbox::REOPEN_MESSAGE,
    &admin::ADMIN_LIST_AGENTS,
    &admin::ADMIN_CREATE_AGENT,
    &admin::ADMIN_UPDATE_AGENT,
    &admin::ADMIN_DEACTIVATE_AGENT,
    &admin::ADMIN_REACTIVATE_AGENT,
    &admin::ADMIN_RESET_PASSWORD,
    &admin::ADMIN_DELETE_AGENT,
    &admin::AUDIT_LOG,
    &admin_groups::ADMIN_LIST_GROUPS,
    &admin_groups::ADMIN_CREATE_GROUP,
    &admin_groups::ADMIN_RENAME_GROUP,
    &admin_groups::ADMIN_SET_GROUP_MEMBERS,
    &admin_groups::ADMIN_REMOVE_GROUP,
    &admin_groups::ADMIN_ORGANISATION,
    &admin_groups::ADMIN_UPDATE_ORGANISATION,
    &notes::LIST_CHAT_NOTES,
    &notes::ADD_CHAT_NOTE,
    &tags::SET_CHAT_TAGS,
    &history::CUSTOMER_HISTORY,
    &canned::LIST_CANNED_REPLIES,
    &canned::CREATE_CANNED_REPLY,
    &canned::GET_CANNED_REPLY,
    &canned::UPDATE_CANNED_REPLY,
    &canned::DELETE_CANNED_REPLY,
    &canned::REVIEW_CANNED_REPLY,
    &canned::USE_CANNED_REPLY,
    &attachments::START_UPLOAD,
    &attachments::CONFIRM_UPLOAD,
    &attachments::ATTACHMENT_LINK,
];
