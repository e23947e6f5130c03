//! Putting the use cases together: the one place that knows which store serves which port and
//! how the fan-out is wired to them. The Lambda functions (`cloud`), the local server and the
//! operator commands all build their `App` here and differ only in the parts they pass.

use std::sync::Arc;

use super::{App, Knowledge, Mail, Settings};
use crate::auth::identity::IdentityVerifier;
use crate::auth::oidc::OidcVerifier;
use crate::auth::TokenService;
use crate::domain::{EmailAddress, IdleThresholds};
use crate::ports::{
    AttachmentStorage, AuditLog, CannedReplyStore, ChatStore, Clock, ConnectionPoster,
    ConnectionStore, DirectoryStore, HistoryStore, InboxStore, KnowledgeStore, MailOutbox,
    MailSender, NoteStore, Notifier, PreferenceStore, Suggester, ThrottleStore,
};
use crate::realtime::Fanout;

/// The stores a deployment provides, one per port.
#[derive(Clone)]
pub struct Stores {
    pub directory: Arc<dyn DirectoryStore>,
    pub chats: Arc<dyn ChatStore>,
    pub preferences: Arc<dyn PreferenceStore>,
    pub connections: Arc<dyn ConnectionStore>,
    pub throttle: Arc<dyn ThrottleStore>,
    pub knowledge: Arc<dyn KnowledgeStore>,
    pub inbox: Arc<dyn InboxStore>,
    /// Internal notes on chats.
    pub notes: Arc<dyn NoteStore>,
    /// Customers' chats by who the customer is.
    pub history: Arc<dyn HistoryStore>,
    pub canned: Arc<dyn CannedReplyStore>,
    pub outbox: Arc<dyn MailOutbox>,
    pub audit: Arc<dyn AuditLog>,
}

impl Stores {
    /// Every port served by one adapter (the SQLite file, the DynamoDB table).
    pub fn all_in<S>(store: S) -> Self
    where
        S: DirectoryStore
            + ChatStore
            + PreferenceStore
            + ConnectionStore
            + ThrottleStore
            + KnowledgeStore
            + InboxStore
            + NoteStore
            + HistoryStore
            + CannedReplyStore
            + MailOutbox
            + AuditLog
            + 'static,
    {
        let store = Arc::new(store);
        Stores {
            directory: store.clone(),
            chats: store.clone(),
            preferences: store.clone(),
            connections: store.clone(),
            throttle: store.clone(),
            knowledge: store.clone(),
            inbox: store.clone(),
            notes: store.clone(),
            history: store.clone(),
            canned: store.clone(),
            outbox: store.clone(),
            audit: store,
        }
    }
}

/// What a deployment decides besides its stores.
pub struct Parts {
    pub clock: Arc<dyn Clock>,
    pub tokens: TokenService,
    pub identity: Option<Arc<IdentityVerifier>>,
    pub oidc: Option<Arc<OidcVerifier>>,
    pub suggester: Option<Arc<dyn Suggester>>,
    pub idle: IdleThresholds,
    /// How list rows of messages reach the consoles that show them.
    pub list_push: crate::realtime::ListPush,
    /// The address mails are sent from; `None` when this deployment sends no e-mail.
    pub mail_from: Option<EmailAddress>,
    /// Where this process delivers the outbox (the local server, the `mail-outbox` function).
    pub mail_sender: Option<Arc<dyn MailSender>>,
    /// Where attached files live (the local data directory, the S3 bucket).
    pub attachments: Option<Arc<dyn AttachmentStorage>>,
}

/// The fan-out that delivers what the use cases change, through `poster`, to the connections
/// recorded in `stores`.
fn fanout(stores: &Stores, poster: Arc<dyn ConnectionPoster>, parts: &Parts) -> Fanout {
    Fanout::new(
        stores.connections.clone(),
        poster,
        stores.chats.clone(),
        stores.directory.clone(),
        parts.clock.clone(),
        parts.idle,
    )
    .with_list_push(parts.list_push)
}

/// The use cases over `stores`, telling `notifier` what they change.
pub fn app(stores: &Stores, notifier: Arc<dyn Notifier>, parts: Parts) -> App {
    let organisation = super::OrganisationCache::with_clock(parts.clock.clone());
    App {
        directory: stores.directory.clone(),
        chats: stores.chats.clone(),
        preferences: stores.preferences.clone(),
        throttle: stores.throttle.clone(),
        inbox: stores.inbox.clone(),
        audit: stores.audit.clone(),
        notes: stores.notes.clone(),
        history: stores.history.clone(),
        canned: stores.canned.clone(),
        notifier,
        clock: parts.clock,
        tokens: Arc::new(parts.tokens),
        identity: parts.identity,
        oidc: parts.oidc,
        knowledge: Knowledge {
            store: stores.knowledge.clone(),
            suggester: parts.suggester,
        },
        settings: Settings {
            idle: parts.idle,
            ..Settings::default()
        },
        mail: Mail {
            outbox: stores.outbox.clone(),
            from: parts.mail_from,
            sender: parts.mail_sender,
            queued: Arc::default(),
        },
        attachments: parts.attachments,
        organisation,
        // Only the function that administers agents sets it (`Cloud::with_user_pool`).
        user_pool: None,
    }
}

/// The use cases and their fan-out through `poster`: what a deployment that serves connections
/// runs.
pub fn app_with_fanout(
    stores: &Stores,
    poster: Arc<dyn ConnectionPoster>,
    parts: Parts,
) -> (App, Arc<Fanout>) {
    // One cache of the organisation's settings: a save shows at once in the rows this process
    // pushes, as in what it answers.
    let organisation = super::OrganisationCache::with_clock(parts.clock.clone());
    let fanout = Arc::new(fanout(stores, poster, &parts).with_organisation(organisation.clone()));
    let mut app = app(stores, fanout.clone(), parts);
    app.organisation = organisation;
    (app, fanout)
}
