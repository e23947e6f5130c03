//! Records of the table's stream, read back into chats: which changes were messages. The
//! stream's filter (`crate::realtime::TABLE_STREAM_CONSUMER`) already keeps only changes of chats'
//! META items; a message is the change that moved the chat's message count (assignments,
//! transfers and the like are pushed when they happen, and a new subscription only moves
//! `subs_rev`).

use aws_lambda_events::dynamodb::EventRecord;
use serde_dynamo::AttributeValue;

use super::keys::META;
use super::records::ChatRecord;
use super::schema::SK;
use crate::domain::Chat;
use crate::ports::StoreError;

/// What a batch of stream records held.
#[derive(Debug, Default)]
pub struct ChangedByMessages {
    /// The chats as the messages left them, in stream order.
    pub chats: Vec<Chat>,
    /// Records that were not a message of a chat (other changes, other items).
    pub other: usize,
    /// Records whose images could not be read as chats (logged, then left out: one bad record
    /// must not hold up the rows of every later one).
    pub unreadable: usize,
}

pub fn chats_changed_by_messages(records: &[EventRecord]) -> ChangedByMessages {
    let mut out = ChangedByMessages::default();
    for record in records {
        let is_meta =
            matches!(record.change.keys.get(SK), Some(AttributeValue::S(sk)) if sk == META);
        if record.event_name != "MODIFY" || !is_meta {
            out.other += 1;
            continue;
        }
        match message_change(record) {
            Ok(Some(chat)) => out.chats.push(chat),
            Ok(None) => out.other += 1,
            Err(e) => {
                out.unreadable += 1;
                tracing::warn!(
                    event_id = %record.event_id,
                    error = %crate::errors::error_chain(&e),
                    "a stream record of a chat could not be read; its row is not sent"
                );
            }
        }
    }
    out
}

/// The chat after the change, when the change added messages.
fn message_change(record: &EventRecord) -> Result<Option<Chat>, StoreError> {
    let new = chat_of(&record.change.new_image)?;
    let old = chat_of(&record.change.old_image)?;
    Ok((new.message_count > old.message_count && new.last_seq > old.last_seq).then_some(new))
}

fn chat_of(image: &serde_dynamo::Item) -> Result<Chat, StoreError> {
    if image.is_empty() {
        return Err(StoreError::Corrupt(
            "a stream record without the chat's image (the stream must carry NEW_AND_OLD_IMAGES)"
                .into(),
        ));
    }
    serde_dynamo::from_item::<_, ChatRecord>(image.clone())
        .map_err(|e| StoreError::Corrupt(e.to_string()))?
        .try_into()
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::domain::{ChatId, ClientMessageId, Group, GroupId, Timestamp};

    fn chat_image(message_count: u64, last_seq: u64) -> Value {
        let group = Group::pull(GroupId::parse("support").unwrap(), "Support");
        let mut chat = crate::domain::rules::start_chat(
            ChatId::parse("01J9ZQ3T6H5P0V8R9S7K2M4N1B").unwrap(),
            &group,
            "Ann",
            None,
            "Hello",
            ClientMessageId::generate(),
            Timestamp(1_000),
        )
        .unwrap()
        .chat;
        chat.message_count = message_count;
        chat.last_seq = last_seq;
        let item: serde_dynamo::Item = serde_dynamo::to_item(ChatRecord::from(&chat)).unwrap();
        serde_json::to_value(item).unwrap()
    }

    fn record(name: &str, sk: &str, old: Value, new: Value) -> EventRecord {
        serde_json::from_value(json!({
            "awsRegion": "us-east-1",
            "eventID": "1",
            "eventName": name,
            "eventSource": "aws:dynamodb",
            "dynamodb": {
                "ApproximateCreationDateTime": 1.0,
                "Keys": {"pk": {"S": "CHAT#01J9ZQ3T6H5P0V8R9S7K2M4N1B"}, "sk": {"S": sk}},
                "OldImage": old,
                "NewImage": new,
                "SizeBytes": 100,
                "StreamViewType": "NEW_AND_OLD_IMAGES"
            }
        }))
        .unwrap()
    }

    #[test]
    fn only_changes_that_moved_the_message_count_are_messages() {
        let batch = chats_changed_by_messages(&[
            // A message: count and sequence number moved.
            record("MODIFY", META, chat_image(1, 2), chat_image(2, 3)),
            // Another change of the chat (taken, transferred): sequence only.
            record("MODIFY", META, chat_image(2, 3), chat_image(2, 4)),
            // A new subscription moves neither.
            record("MODIFY", META, chat_image(2, 4), chat_image(2, 4)),
            // Not META, not a modification.
            record("MODIFY", "EV#000000000004", json!({}), json!({})),
            record("INSERT", META, json!({}), chat_image(1, 1)),
        ]);
        assert_eq!(batch.chats.len(), 1);
        assert_eq!(batch.chats[0].message_count, 2);
        assert_eq!(batch.other, 4);
        assert_eq!(batch.unreadable, 0);
    }

    #[test]
    fn an_unreadable_image_is_counted_and_left_out_not_fatal() {
        let batch = chats_changed_by_messages(&[
            record("MODIFY", META, json!({}), chat_image(2, 3)),
            record("MODIFY", META, chat_image(1, 2), chat_image(2, 3)),
        ]);
        assert_eq!(batch.chats.len(), 1);
        assert_eq!(batch.unreadable, 1);
    }
}
