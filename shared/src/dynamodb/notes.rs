//! Internal notes: `CHAT#{id}` / `INOTE#{number}`, in the chat's partition (a purge deletes
//! them with it) and sorted before `META`, so the reads of the chat's head and events never
//! touch them.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{ConditionCheck, TransactWriteItem};

use super::chats::TransactError;
use super::keys::*;
use super::records::{from_item, to_item, NoteRecord};
use super::schema::{PK, SK};
use super::{s, DynamoStore};
use crate::domain::{ChatId, ChatNote};
use crate::ports::{NoteStore, StoreError};

#[async_trait]
impl NoteStore for DynamoStore {
    async fn add_note(&self, note: &ChatNote) -> Result<(), StoreError> {
        let mut item = to_item(&NoteRecord::from(note))?;
        item.extend(super::key(chat_pk(&note.chat_id), note_sk(note.number)));
        // The chat must still be there and not purged: a note written after a purge's deletes
        // would stay behind with nothing to remove it.
        let chat_is_there = ConditionCheck::builder()
            .table_name(self.table())
            .set_key(Some(super::key(chat_pk(&note.chat_id), META)))
            .condition_expression("attribute_exists(#pk) AND attribute_not_exists(#purged)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#purged", super::purge::PURGED)
            .build()
            .map_err(StoreError::backend)?;
        let put = aws_sdk_dynamodb::types::Put::builder()
            .table_name(self.table())
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .build()
            .map_err(StoreError::backend)?;
        let items = vec![
            TransactWriteItem::builder()
                .condition_check(chat_is_there)
                .build(),
            TransactWriteItem::builder().put(put).build(),
        ];
        match self.transact("TransactWriteItems", items).await {
            Ok(()) => Ok(()),
            Err(TransactError::Cancelled(reasons)) => {
                let failed = |i: usize| {
                    reasons
                        .get(i)
                        .and_then(|r| r.as_deref())
                        .is_some_and(|c| c == "ConditionalCheckFailed")
                };
                if failed(0) {
                    Err(StoreError::NotFound(format!("chat {}", note.chat_id)))
                } else if failed(1) {
                    Err(StoreError::AlreadyExists(format!(
                        "note {} of chat {}",
                        note.number, note.chat_id
                    )))
                } else {
                    // Another transaction on the chat's META (a message) at that moment.
                    Err(StoreError::Stale)
                }
            }
            Err(TransactError::Other(e)) => Err(e),
        }
    }

    async fn last_note_number(&self, chat: &ChatId) -> Result<Option<u32>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(self.table())
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :notes)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":pk", s(chat_pk(chat)))
            .expression_attribute_values(":notes", s(NOTE_PREFIX))
            .scan_index_forward(false);
        match self
            .run_query(query, true, Some(1))
            .await?
            .into_iter()
            .next()
        {
            Some(item) => Ok(Some(from_item::<NoteRecord, ChatNote>(item)?.number)),
            None => Ok(None),
        }
    }

    async fn chat_notes(&self, chat: &ChatId, limit: usize) -> Result<Vec<ChatNote>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(self.table())
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :notes)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":pk", s(chat_pk(chat)))
            .expression_attribute_values(":notes", s(NOTE_PREFIX));
        self.run_query(query, true, Some(limit))
            .await?
            .into_iter()
            .map(from_item::<NoteRecord, _>)
            .collect()
    }
}
