//! The API's wire formats: what REST bodies and WebSocket frames carry. Domain types never cross
//! the wire; each type here says how one is written (and, for requests, read), and converts
//! explicitly, so renaming a domain field cannot change what clients see. The JSON of the main
//! types is pinned by tests (`tests/wire_format.rs`).

pub mod actions;
pub mod admin;
pub mod admin_groups;
pub mod agent;
pub mod attachment;
pub mod canned;
pub mod chat;
pub mod event;
pub mod ids;
pub mod inbox;
pub mod kb;
pub mod list;
pub mod mail;
pub mod note;
pub mod offline;
pub mod prefs;

pub use actions::{ActionFailure, ActionOutcome, ActionResult, TransferTarget};
pub use admin::{
    AdminAgent, AgentUpdate, AuditActor, AuditEntry, AuditPage, AuditTarget, CreatedAgent,
    FieldChange, NewAgent, NewPassword,
};
pub use admin_groups::{
    AdminGroup, GroupMembers, GroupRemoval, GroupRemovalQuery, GroupRename, NewGroup, Organisation,
    OrganisationUpdate, SignInMethods,
};
pub use agent::{
    Agent, AgentSummary, Distribution, Group, GroupSettings, HandOffSettings, IdleThresholds, Me,
    Presence, Role, SignedIn, UpdateGroupSettings,
};
pub use attachment::{
    AttachmentLink, AttachmentQuery, StartUpload, StartedUpload, UploadMethod, UploadTarget,
};
pub use canned::{
    CannedReply, CannedReplyInput, CannedReplyUpdate, ReplyScopeKind, UseCannedReply,
    UsedCannedReply,
};
pub use chat::{
    ChatForCaller, ChatState, CustomerChat, CustomerIdentity, FollowUp, Party, StartChat,
    StartedChat,
};
pub use event::{AttachedFile, Author, ChatEvent, EventKind, HandOffReason};
pub use ids::{
    AgentId, ArticleId, AttachmentId, ChatId, ClientMessageId, GroupId, OfflineMessageId, Timestamp,
};
pub use inbox::{
    ChatToMessage, InboxPage, InboxRow, LeaveMessage, MessageAgentRef, MessageReceipt,
    MessageStatus, MessageText, OfflineMessage, ThreadEntry, ThreadEntryKind,
};
pub use kb::{
    Article, ArticleInput, DeflectionAction, DeflectionCounts, DeflectionReport, Feedback,
    PublicArticle,
};
pub use list::{ChatList, ChatRow, ChatView, Severity, StatusIcons};
pub use mail::{MailDeliveryState, MailPurpose, MailState, MailStatus, SendTranscriptRequest};
pub use note::{ChatNote, ChatNotes, CustomerHistory, HistoryEntry, NewChatNote, SetChatTags};
pub use offline::{
    Availability, AvailabilityState, BusinessHours, GroupTexts, Offer, OfflineSettings,
    OpeningHours, WeeklyHours, WhenClosed,
};
pub use prefs::{
    Column, ColumnPreference, ListPreferences, NotificationPreferences, SortDirection, SortSpec,
};
