//! The narrow interfaces the application needs from the outside world. Each has one contract
//! test suite (`tests/store_contract.rs`) that every adapter must pass.

pub mod attachments;
pub mod audit;
pub mod canned;
pub mod clock;
pub mod connections;
pub mod error;
pub mod history;
pub mod inbox;
pub mod indexing;
pub mod knowledge;
pub mod mail_sender;
pub mod notes;
pub mod notifier;
pub mod outbox;
pub mod store;
pub mod suggester;
pub mod throttle;
pub mod user_pool;

pub use attachments::{
    AttachmentStorage, DownloadLink, KeptFile, PendingUpload, UploadMethod, UploadTarget,
    UploadedObject, Uploader, DOWNLOAD_TTL_MS, UPLOAD_TTL_MS,
};
pub use audit::AuditLog;
pub use canned::CannedReplyStore;
pub use clock::{Clock, ManualClock, SystemClock};
pub use connections::{
    Admission, Audience, Connection, ConnectionId, ConnectionOwner, ConnectionPoster,
    ConnectionStore, GroupSubscriber, PostError, PrincipalKey, RateLimit, Subscriber,
};
pub use error::StoreError;
pub use history::HistoryStore;
pub use inbox::{InboxCursor, InboxStore};
pub use indexing::{ListBucket, ListPosition};
pub use knowledge::{DeflectionRecorded, DeflectionReport, KnowledgeStore};
pub use mail_sender::{MailSender, SendError, SentReceipt};
pub use notes::NoteStore;
pub use notifier::{ChatNotice, Notifier, NullNotifier, QueuePlace, SessionChange};
pub use outbox::{ClaimedMail, Enqueued, MailLease, MailOutbox};
pub use store::{
    AssignmentLoad, ChatCommit, ChatFilter, ChatStore, CommitOutcome, DirectoryStore,
    PreferenceStore,
};
pub use suggester::{
    resolution_item_id, Highlight, SuggestMode, Suggester, SuggestionHit, SuggestionKind,
    SuggestionSources,
};
pub use throttle::{Allowance, ThrottleKey, ThrottleLimit, ThrottleStore};
pub use user_pool::{Invited, PoolInvite, UserPool};
