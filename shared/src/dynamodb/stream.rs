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
