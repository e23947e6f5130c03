//! The DynamoDB store's side of the stored format (`crate::records`): a record's attributes are
//! the shared record's fields, and the adapter adds the keys (`pk`, `sk`, the list indexes' keys)
//! beside them. Groups and connections have records of their own here.

mod connection;
mod group;

use serde::de::DeserializeOwned;
use serde::Serialize;

pub(super) use crate::records::{
    AgentRecord, ArticleRecord, AuditRecord, CannedReplyRecord, ChatRecord, EventRecord,
    MailRecord, NoteRecord, OfflineMessageRecord, OrganisationRecord, PreferencesRecord,
    ResolutionRecord, CANNED_REPLY_USES, FORMAT_VERSION,
};
pub(super) use connection::ConnectionItem;
pub(super) use group::GroupRecord;

use super::Item;
use crate::ports::StoreError;

/// The format version's attribute.
pub(super) const VERSION: &str = "v";

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
            deactivated_at: None,
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
