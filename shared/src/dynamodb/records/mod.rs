//! The DynamoDB store's own records: the attributes of its items. They own the stored attribute
//! names (those the table has always held, so every existing table reads), the defaults of
//! attributes added later, and the format version `v` written with every item. Domain types are
//! mapped to and from them here and nowhere else: renaming a domain field changes no stored item.
//! The adapter adds the keys (`pk`, `sk`, the list indexes' keys) beside a record's attributes.
//!
//! These records are kept apart from the SQLite store's on purpose, although both hold the same
//! fields today: each store's format changes on its own schedule, and each is pinned by its own
//! fixture (`tests/fixtures/storage/`).

mod agent;
mod chat;
mod connection;
mod event;
mod knowledge;
mod preferences;

use serde::de::DeserializeOwned;
use serde::Serialize;

pub(super) use agent::{AgentRecord, GroupRecord};
pub(super) use chat::ChatRecord;
pub(super) use connection::ConnectionItem;
pub(super) use event::EventRecord;
pub(super) use knowledge::{ArticleRecord, ResolutionRecord};
pub(super) use preferences::PreferencesRecord;

use super::Item;
use crate::domain::DomainError;
use crate::ports::StoreError;

/// The format this version writes, in the attribute `VERSION` of every item. Items without it
/// are the format before versions, which reads the same as version 1. The number moves only when
/// an item changes in a way an older reader would misread; an attribute added with a default
/// does not move it.
pub(super) const FORMAT_VERSION: u32 = 1;

/// The format version's attribute.
pub(super) const VERSION: &str = "v";

/// Refuses an item written in a newer format than this version knows: read as if it were older,
/// it could lose attributes, and a write back would drop them from the table.
fn readable(v: u32, what: &str) -> Result<(), StoreError> {
    if v > FORMAT_VERSION {
        return Err(StoreError::Corrupt(format!(
            "{what} is stored in format {v}; this version reads up to {FORMAT_VERSION}"
        )));
    }
    Ok(())
}

/// A stored id, checked as the domain checks every id.
fn id<T: TryFrom<String, Error = DomainError>>(s: String) -> Result<T, StoreError> {
    T::try_from(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn ids<T: TryFrom<String, Error = DomainError>>(v: Vec<String>) -> Result<Vec<T>, StoreError> {
    v.into_iter().map(id).collect()
}

/// The attributes of a record (its format version among them), without keys.
pub(super) fn to_item<R: Serialize>(record: &R) -> Result<Item, StoreError> {
    serde_dynamo::to_item(record).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The domain value of a stored item, read through its record `R` (other attributes, such as
/// the keys, are ignored).
pub(super) fn from_item<R, T>(item: Item) -> Result<T, StoreError>
where
    R: DeserializeOwned + TryInto<T, Error = StoreError>,
{
    serde_dynamo::from_item::<_, R>(item)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?
        .try_into()
}

/// An item with no record of its own (a key, a marker, a slot), stamped with the format version.
pub(super) fn versioned(mut item: Item) -> Item {
    item.insert(VERSION.to_owned(), super::n(FORMAT_VERSION));
    item
}

#[cfg(test)]
mod tests {
    use aws_sdk_dynamodb::types::AttributeValue;

    use super::*;
    use crate::domain::{Agent, AgentId, GroupId, Role};

    fn item() -> Item {
        let agent = Agent {
            id: AgentId::parse("ann").unwrap(),
            username: "ann".into(),
            display_name: "Ann".into(),
            role: Role::Agent,
            groups: vec![GroupId::parse("support").unwrap()],
            available: true,
            max_concurrent_chats: 2,
            session_epoch: 7,
        };
        to_item(&AgentRecord::from(&agent)).unwrap()
    }

    #[test]
    fn items_before_versions_read_as_version_one() {
        let now = item();
        assert_eq!(now.get(VERSION), Some(&AttributeValue::N("1".into())));
        let mut before = now.clone();
        before.remove(VERSION);
        before.remove("session_epoch");
        let before = from_item::<AgentRecord, Agent>(before).unwrap();
        let now = from_item::<AgentRecord, Agent>(now).unwrap();
        assert_eq!(
            before.session_epoch, 0,
            "an attribute added later takes its default"
        );
        assert_eq!(
            Agent {
                session_epoch: 7,
                ..before
            },
            now
        );
    }

    #[test]
    fn an_item_in_a_newer_format_is_refused_not_misread() {
        let mut newer = item();
        newer.insert(VERSION.into(), AttributeValue::N("2".into()));
        match from_item::<AgentRecord, Agent>(newer) {
            Err(StoreError::Corrupt(m)) => assert!(m.contains("format 2"), "{m}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn items_without_a_record_are_stamped_with_the_version() {
        let marker = versioned(Item::new());
        assert_eq!(marker.get(VERSION), Some(&AttributeValue::N("1".into())));
    }
}
