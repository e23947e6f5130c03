//! The use cases: plain async functions over the ports. Every Lambda handler and every route of
//! the local server ends up here, so the rules run the same way everywhere.

mod actions;
mod admin;
mod admin_groups;
mod agents;
mod attachments;
mod availability;
mod canned;
mod chat_start_limits;
mod chats;
pub mod compose;
mod directory;
mod distribute;
mod error;
mod group_settings;
mod handoffs;
mod history;
mod inbox;
mod knowledge;
mod lists;
mod mail;
mod mutate;
mod notes;
mod organisation;
mod paging;
mod purge;
mod settings;
mod sign_in_limits;
mod tags;

use std::sync::Arc;

pub use actions::{ActionOutcome, ActionResult, BulkAction, TransferTarget};
pub use admin::{generate_password, AuditPage, CreatedAgent, MAX_AUDIT_PAGE};
pub use admin_groups::{AdminGroup, GroupRemoval};
pub use agents::{new_session_epoch, AgentProfile, SavedAgent, MIN_PASSWORD_CHARS};
pub use attachments::StartedUpload;
pub use availability::{offline_notice, GroupAvailability};
pub use canned::{ReplyInput, ReplyView, ScopeChoice, UsedReply};
pub use chats::{
    ChatForCaller, CustomerChat, CustomerIdentity, StartChat, StartedChat, MAX_EVENTS_PER_READ,
};
pub use compose::{Parts, Stores};
pub use directory::{AgentSummary, Me, SignedIn};
pub use error::AppError;
pub use group_settings::GroupSettingsChange;
pub use handoffs::{ScheduledFunction, SweepReport, HAND_OFF_SWEEP, SWEEP_BATCH};
pub use inbox::{
    inbox_cursor_to_string, parse_inbox_cursor, InboxPage, LeaveMessage, MessageView, INBOX_PAGE,
    MAX_INBOX_PAGE,
};
pub use knowledge::{
    Feedback, ImportSummary, Knowledge, PublicArticle, Suggestions, SUGGESTION_LIMIT,
};
pub use lists::ChatList;
pub use mail::{
    DeliveryReport, Mail, MailStatus, MailView, CUSTOMER_TRANSCRIPTS_PER_CHAT, MAIL_BATCH,
    MAIL_DELIVERY, MAIL_LEASE_MS,
};
pub use organisation::{OrganisationCache, OrganisationView, SignInMethods};
pub use paging::{ListCursor, MAX_CURSOR_CHARS};
pub use settings::{
    Settings, SignInLimits, AWAY_GRACE_MS, CHAT_STARTS_PER_ADDRESS, CONNECTIONS_PER_AGENT,
    CONNECTIONS_PER_CUSTOMER,
};

use crate::auth::{AuthError, Principal, TokenService};
use crate::domain::Agent;
use crate::ports::{
    AttachmentStorage, CannedReplyStore, ChatStore, Clock, DirectoryStore, HistoryStore,
    InboxStore, NoteStore, Notifier, PreferenceStore, ThrottleStore,
};

/// Everything a use case may need. Built once per process (per Lambda cold start) and shared.
#[derive(Clone)]
pub struct App {
    pub directory: Arc<dyn DirectoryStore>,
    pub chats: Arc<dyn ChatStore>,
    pub preferences: Arc<dyn PreferenceStore>,
    /// Sign-in attempt counters, shared by every process.
    pub throttle: Arc<dyn ThrottleStore>,
    /// Messages customers left for the groups' inboxes.
    pub inbox: Arc<dyn InboxStore>,
    /// The audit log of administrative actions and of chat deletes, restores and purges.
    pub audit: Arc<dyn crate::ports::AuditLog>,
    /// Internal notes on chats (agents only).
    pub notes: Arc<dyn NoteStore>,
    /// Customers' chats by who the customer is.
    pub history: Arc<dyn HistoryStore>,
    /// Canned replies agents insert by shortcut.
    pub canned: Arc<dyn CannedReplyStore>,
    pub notifier: Arc<dyn Notifier>,
    pub clock: Arc<dyn Clock>,
    pub tokens: Arc<TokenService>,
    /// Set when the deployment has an identity validation secret.
    pub identity: Option<Arc<crate::auth::identity::IdentityVerifier>>,
    /// Set in the cloud: agents' ID tokens from the OpenID Connect issuer (Cognito).
    pub oidc: Option<Arc<crate::auth::oidc::OidcVerifier>>,
    pub knowledge: Knowledge,
    pub settings: Settings,
    /// The outbox and, where mail is sent from this process, the sender.
    pub mail: Mail,
    /// Where attached files live; `None` where this process serves no attachment route.
    pub attachments: Option<Arc<dyn AttachmentStorage>>,
    /// The organisation's settings as this process last read them.
    pub organisation: OrganisationCache,
    /// Set in the cloud where agents are administered: the Cognito user pool agents sign in
    /// with, whose users follow the agents (created, disabled, enabled, deleted).
    pub user_pool: Option<Arc<dyn crate::ports::UserPool>>,
}

impl App {
    /// Who a bearer token belongs to: a token this deployment signed (customers everywhere,
    /// agents locally), or an ID token of the OpenID Connect issuer when one is configured.
    pub async fn authenticate(&self, token: &str) -> Result<Principal, AuthError> {
        match self.tokens.verify(token) {
            Ok(p) => Ok(p),
            Err(AuthError::Invalid) => match &self.oidc {
                Some(oidc) => oidc.verify(token).await.map(Principal::agent),
                None => Err(AuthError::Invalid),
            },
            Err(e) => Err(e),
        }
    }

    /// The agent behind a principal, read from the store (role and groups are never taken
    /// from the token), as long as the credential's session is still the agent's.
    pub async fn agent(&self, principal: &Principal) -> Result<Agent, AppError> {
        match principal {
            Principal::Agent(id, session) => {
                let agent =
                    self.directory.get_agent(id).await?.ok_or_else(|| {
                        AppError::Unauthorized("this agent no longer exists".into())
                    })?;
                if !agent.is_active() {
                    return Err(AppError::Unauthorized(
                        "this agent was deactivated; ask an administrator".into(),
                    ));
                }
                match session {
                    Some(epoch) if *epoch != agent.session_epoch => Err(AppError::Unauthorized(
                        "this sign-in was revoked (the password, role or groups changed); sign in again"
                            .into(),
                    )),
                    _ => Ok(agent),
                }
            }
            Principal::Customer(_) => Err(AppError::Forbidden(
                "this needs an agent's sign-in; a customer token only opens its own chat".into(),
            )),
        }
    }
}
