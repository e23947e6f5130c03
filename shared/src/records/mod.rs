//! The stored format of chatdesk's data: the records both stores write (the JSON documents of
//! SQLite's `doc` columns and the attributes of DynamoDB's items). They own the stored field
//! names (those the stores have always held, so every existing database and table reads), the
//! defaults of fields added later, and the format version `v` written with every record. Domain
//! types are mapped to and from them here and nowhere else: renaming a domain field changes no
//! stored data.
//!
//! Each store adds what is its own around a record: SQLite its columns (versioned by its
//! migrations, `PRAGMA user_version`), DynamoDB its keys, index keys and counters. Records only
//! one store has (DynamoDB's groups and connections, SQLite's connections) live with that store.
//! Both stores' formats are pinned by their own golden fixtures (`tests/fixtures/storage/`), so a
//! change here that would break either one's stored data fails a test; when the two must part,
//! the store that changes gets a record of its own.

mod agent;
mod audit;
mod canned_reply;
mod chat;
mod event;
mod hand_off;
mod knowledge;
mod mail;
mod note;
mod offline;
mod offline_message;
mod organisation;
mod preferences;

pub(crate) use agent::AgentRecord;
pub(crate) use audit::AuditRecord;
pub(crate) use canned_reply::{CannedReplyRecord, USES as CANNED_REPLY_USES};
pub(crate) use chat::ChatRecord;
pub(crate) use event::EventRecord;
pub(crate) use hand_off::HandOffRecord;
pub(crate) use knowledge::{ArticleRecord, ResolutionRecord};
pub(crate) use mail::{
    MailRecord, FAILED as MAIL_FAILED, PENDING as MAIL_PENDING, SENT as MAIL_SENT,
};
pub(crate) use note::NoteRecord;
pub(crate) use offline::{BusinessHoursRecord, OfflineRecord, TextsRecord};
pub(crate) use offline_message::OfflineMessageRecord;
pub(crate) use organisation::OrganisationRecord;
pub(crate) use preferences::PreferencesRecord;

use crate::domain::DomainError;
use crate::ports::StoreError;

/// The format this version writes. Records without `v` are the format before versions, which
/// reads the same as version 1. The number moves only when a record changes in a way an older
/// reader would misread; a field added with a default does not move it.
pub(crate) const FORMAT_VERSION: u32 = 1;

/// Refuses a record written in a newer format than this version knows: read as if it were
/// older, it could lose fields, and a write back would drop them from the store.
pub(crate) fn readable(v: u32, what: &str) -> Result<(), StoreError> {
    if v > FORMAT_VERSION {
        return Err(StoreError::Corrupt(format!(
            "{what} is stored in format {v}; this version reads up to {FORMAT_VERSION}"
        )));
    }
    Ok(())
}

/// A stored id, checked as the domain checks every id.
pub(crate) fn id<T: TryFrom<String, Error = DomainError>>(s: String) -> Result<T, StoreError> {
    T::try_from(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn ids<T: TryFrom<String, Error = DomainError>>(
    v: Vec<String>,
) -> Result<Vec<T>, StoreError> {
    v.into_iter().map(id).collect()
}
