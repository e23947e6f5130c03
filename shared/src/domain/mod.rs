//! The live-chat rules. Pure code: no storage, no HTTP, no AWS. Every type here can be built and
//! checked in a unit test without any I/O.

pub mod agent;
pub mod attachment;
pub mod audit;
pub mod business_hours;
pub mod canned;
pub mod chat;
pub mod distribution;
pub mod error;
pub mod event;
pub mod handoff;
pub mod history;
pub mod idle;
pub mod ids;
pub mod inbox;
pub mod kb;
pub mod kb_import;
pub mod limits;
pub mod list;
pub mod mail;
pub mod note;
pub mod numbering;
pub mod offline;
pub mod organisation;
pub mod pace;
pub mod prefs;
pub mod queue_place;
pub mod rules;
pub mod sort;
pub mod tags;
pub mod texts;
pub mod time;
pub mod transcript;
pub mod view;

pub use agent::{Agent, Distribution, Group, Role};
pub use attachment::{AttachedFile, DeclaredFile, FileKind};
pub use audit::{AuditAction, AuditActor, AuditEntry, AuditTarget, FieldChange};
pub use business_hours::BusinessHours;
pub use canned::{CannedReply, ReplyDraft, ReplyScope, Shortcut};
pub use chat::{Chat, ChatState, Customer, FollowUp, Party, Rating};
pub use error::DomainError;
pub use event::{Author, ChatEvent, CustomerView, EventKind, Visibility};
pub use handoff::{Awaiting, HandOffReason, HandOffSettings, Presence};
pub use idle::{IdleThresholds, Severity, StatusIcons};
pub use ids::{
    AgentId, ArticleId, AttachmentId, CannedReplyId, ChatId, ClientMessageId, GroupId, MailId,
    OfflineMessageId,
};
pub use inbox::{MessageEntry, MessageStatus, OfflineMessage};
pub use list::ChatRow;
pub use mail::{
    DeliveryState, EmailAddress, MailAbout, MailDelivery, MailPurpose, OutgoingMail, QueuedMail,
};
pub use note::ChatNote;
pub use offline::{Availability, AvailabilityState, Offer, OfflineSettings, WhenClosed};
pub use organisation::OrganisationSettings;
pub use prefs::{Column, ListPreferences, NotificationPreferences};
pub use sort::{SortDirection, SortSpec};
pub use texts::{GroupTexts, MailKind, MailPlaceholders, RenderedMail, TextKind};
pub use time::Timestamp;
pub use view::{list_follows_messages_of, ChatView, ListWatch};
