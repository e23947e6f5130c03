//! Purging a chat: a conditional commit on the chat's META item, then the deletes of its items.
//!
//! DynamoDB cannot delete a whole partition in one transaction (a chat may have thousands of
//! events), so the purge commits first: one UpdateItem on META, conditional on the chat still
//! being deleted and at the sequence number the caller checked, marks it `purged`, takes the
//! next sequence number (every compare-and-set commit that read the chat before now fails) and
//! removes its list index keys (it leaves every list at once). From then on the chat reads as
//! gone. The deletes follow; META goes last, so a purge cut short by a crash is still marked
//! and `finish_purge` can find and complete it.

use aws_sdk_dynamodb::types::AttributeValue;

use super::keys::*;
use super::metrics::item_write;
use super::records::{from_item, ChatRecord};
use super::schema::{GSI1_PK, GSI1_SK, GSI2_PK, GSI2_SK, GSI3_PK, GSI3_SK, PK, SK};
use super::{key, n, s, DynamoStore, Item};
use crate::domain::{Chat, ChatId};
use crate::ports::StoreError;

/// Set on a chat's META item by a committed purge.
pub(super) const PURGED: &str = "purged";

/// Whether a META item belongs to a chat whose purge has committed.
pub(super) fn is_purged(item: &Item) -> bool {
    item.contains_key(PURGED)
}

impl DynamoStore {
    /// The purge's commit (see the module documentation). `Stale` if the chat changed, was
    /// restored or is being purged already; `NotFound` if there is no such chat.
    pub async fn commit_purge(&self, id: &ChatId, expected_seq: u64) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(self.table())
            .set_key(Some(key(chat_pk(id), META)))
            .update_expression(format!(
                "SET #purged = :yes, last_seq = last_seq + :one \
                 REMOVE {GSI1_PK}, {GSI1_SK}, {GSI2_PK}, {GSI2_SK}, {GSI3_PK}, {GSI3_SK}"
            ))
            .condition_expression(format!(
                "last_seq = :expected AND begins_with({GSI1_SK}, :deleted) \
                 AND attribute_not_exists(#purged)"
            ))
            .expression_attribute_names("#purged", PURGED)
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":expected", n(expected_seq))
            .expression_attribute_values(":deleted", s(format!("{DELETED}#")))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllOld)
            .send()
            .await;
        // The chat is rewritten and leaves both indexes; a failed condition is billed as a write.
        let old = result.as_ref().ok().and_then(|out| out.attributes());
        let units = match old {
            Some(old) => {
                let mut new = old.clone();
                for k in [GSI1_PK, GSI1_SK, GSI2_PK, GSI2_SK, GSI3_PK, GSI3_SK] {
                    new.remove(k);
                }
                item_write(Some(old), Some(&new), false)
            }
            None => 1.0,
        };
        self.metrics.record("UpdateItem", 0.0, units);
        match result {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
            {
                match self.get(chat_pk(id), META, true).await? {
                    Some(item) if !is_purged(&item) => Err(StoreError::Stale),
                    _ => Err(StoreError::NotFound(format!("chat {id}"))),
                }
            }
            // A transaction (a restore, a message) was committing on the chat at that moment.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_transaction_conflict_exception()) =>
            {
                Err(StoreError::Stale)
            }
            Err(e) => Err(StoreError::backend(e)),
        }
    }

    /// Deletes the items of a chat whose purge has committed: events and message ids first,
    /// META last.
    pub(super) async fn remove_purged(&self, id: &ChatId) -> Result<(), StoreError> {
        let query = self
            .client
            .query()
            .table_name(self.table())
            .key_condition_expression("#pk = :pk")
            .projection_expression("#pk, #sk")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":pk", s(chat_pk(id)));
        let keys: Vec<Item> = self
            .run_query(query, true, None)
            .await?
            .into_iter()
            .filter(|i| !matches!(i.get(SK), Some(AttributeValue::S(sk)) if sk == META))
            .filter_map(|i| {
                Some(key(
                    i.get(PK)?.as_s().ok()?.clone(),
                    i.get(SK)?.as_s().ok()?.clone(),
                ))
            })
            .collect();
        self.delete_keys(keys).await?;
        // The pointer from the customer's history lives in the customer's partition; META,
        // read here before it goes, says where.
        if let Some(meta) = self.get(chat_pk(id), META, true).await? {
            let chat: Chat = from_item::<ChatRecord, _>(meta)?;
            if let Some(pointer) = super::history::history_item(&chat) {
                let pk = pointer.get(PK).cloned();
                let sk = pointer.get(SK).cloned();
                if let (Some(pk), Some(sk)) = (pk, sk) {
                    self.delete_keys(vec![Item::from([(PK.to_owned(), pk), (SK.to_owned(), sk)])])
                        .await?;
                }
            }
        }
        self.delete_keys(vec![key(chat_pk(id), META)]).await
    }

    /// `ChatStore::finish_purge`: the chat as it was purged, once what was left is deleted.
    pub(super) async fn finish_purge_of(&self, id: &ChatId) -> Result<Option<Chat>, StoreError> {
        let Some(item) = self.get(chat_pk(id), META, true).await? else {
            return Ok(None);
        };
        if !is_purged(&item) {
            return Ok(None);
        }
        let mut chat: Chat = from_item::<ChatRecord, _>(item)?;
        // The purge took a sequence number of its own; the chat as it was had the one before.
        chat.last_seq = chat.last_seq.saturating_sub(1);
        self.remove_purged(id).await?;
        Ok(Some(chat))
    }
}
