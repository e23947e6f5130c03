//! Offline messages: `MSG#{id}` / `META`, one item each, listed through the `by_group` index
//! under `INBOX#{group}#{status}` (sort key: received at, then id).

use async_trait::async_trait;

use super::keys::*;
use super::metrics::item_write;
use super::records::{from_item, to_item, OfflineMessageRecord};
use super::schema::{BY_GROUP, GSI1_PK, GSI1_SK, PK, SK};
use super::{key, n, s, DynamoStore, Item};
use crate::domain::{GroupId, MessageStatus, OfflineMessage, OfflineMessageId};
use crate::ports::{InboxCursor, InboxStore, StoreError};

fn message_item(message: &OfflineMessage) -> Result<Item, StoreError> {
    let mut item = to_item(&OfflineMessageRecord::from(message))?;
    item.extend(key(message_pk(&message.id), META));
    item.insert(
        GSI1_PK.into(),
        s(inbox_index_pk(&message.group_id, message.status)),
    );
    item.insert(
        GSI1_SK.into(),
        s(inbox_sort_key(message.received_at, &message.id)),
    );
    Ok(item)
}

fn is_conditional_failure<E>(e: &aws_sdk_dynamodb::error::SdkError<E>) -> bool
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata,
{
    e.as_service_error()
        .and_then(|s| s.code())
        .is_some_and(|c| c == "ConditionalCheckFailedException")
}

#[async_trait]
impl InboxStore for DynamoStore {
    async fn create_message(&self, message: &OfflineMessage) -> Result<(), StoreError> {
        if self.put_new(message_item(message)?).await? {
            Ok(())
        } else {
            Err(StoreError::AlreadyExists(format!("message {}", message.id)))
        }
    }

    async fn get_message(
        &self,
        id: &OfflineMessageId,
    ) -> Result<Option<OfflineMessage>, StoreError> {
        self.get(message_pk(id), META, true)
            .await?
            .map(from_item::<OfflineMessageRecord, _>)
            .transpose()
    }

    async fn save_message(
        &self,
        message: &OfflineMessage,
        read_revision: u64,
    ) -> Result<(), StoreError> {
        let item = message_item(message)?;
        let units = item_write(Some(&item), Some(&item), false);
        let out = self
            .client
            .put_item()
            .table_name(self.table())
            .set_item(Some(item))
            .condition_expression("attribute_exists(#pk) AND #rev = :read")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#rev", "revision")
            .expression_attribute_values(":read", n(read_revision))
            .send()
            .await;
        self.metrics.record("PutItem", 0.0, units);
        match out {
            Ok(_) => Ok(()),
            Err(e) if is_conditional_failure(&e) => {
                match self.get(message_pk(&message.id), META, true).await? {
                    Some(_) => Err(StoreError::Stale),
                    None => Err(StoreError::NotFound(format!("message {}", message.id))),
                }
            }
            Err(e) => Err(StoreError::backend(e)),
        }
    }

    async fn list_messages(
        &self,
        group: &GroupId,
        status: MessageStatus,
        after: Option<&InboxCursor>,
        limit: usize,
    ) -> Result<Vec<OfflineMessage>, StoreError> {
        let pk = inbox_index_pk(group, status);
        let mut query = self
            .client
            .query()
            .table_name(self.table())
            .index_name(BY_GROUP)
            .expression_attribute_names("#pk", GSI1_PK)
            .expression_attribute_values(":pk", s(pk.as_str()))
            .scan_index_forward(false);
        query = match after {
            Some(c) => query
                .key_condition_expression("#pk = :pk AND #sk < :after")
                .expression_attribute_names("#sk", GSI1_SK)
                .expression_attribute_values(":after", s(inbox_sort_key(c.received_at, &c.id))),
            None => query.key_condition_expression("#pk = :pk"),
        };
        let keys: Vec<Item> = self
            .run_query(query, false, Some(limit))
            .await?
            .into_iter()
            .filter_map(|entry| {
                Some(key(
                    entry.get(PK)?.as_s().ok()?.clone(),
                    entry.get(SK)?.as_s().ok()?.clone(),
                ))
            })
            .collect();
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let order: Vec<String> = keys
            .iter()
            .filter_map(|k| k.get(PK)?.as_s().ok().cloned())
            .collect();
        let mut found = std::collections::HashMap::new();
        for chunk in keys.chunks(100) {
            for item in self.batch_get(chunk.to_vec()).await? {
                let message: OfflineMessage = from_item::<OfflineMessageRecord, _>(item)?;
                found.insert(message_pk(&message.id), message);
            }
        }
        // In the index's order; one the lagging index still lists under a status it has left
        // is left out.
        Ok(order
            .iter()
            .filter_map(|pk| found.remove(pk))
            .filter(|m| m.status == status && &m.group_id == group)
            .collect())
    }
}
