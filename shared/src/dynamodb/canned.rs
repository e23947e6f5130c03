//! Canned replies: `CANNED#{id}` / `META`, one item each, listed through the `by_group` index
//! under `REPLIES#{scope}` (sort key: shortcut, then id). A scope's shortcut is held by a guard
//! item `SHORTCUT#{scope}#{shortcut}` / `SHORTCUT`, written in the same transaction as the reply
//! with `attribute_not_exists`, so two replies never take one shortcut. The usage count is the
//! `uses` attribute, raised by `ADD`; edits write every other attribute (an UpdateItem `SET`),
//! never the count.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{Delete, Put, ReturnValue, TransactWriteItem, Update};

use super::chats::TransactError;
use super::keys::*;
use super::metrics::item_write;
use super::records::{from_item, to_item, versioned, CannedReplyRecord, CANNED_REPLY_USES};
use super::schema::{BY_GROUP, GSI1_PK, GSI1_SK, PK, SK};
use super::{get_n, key, n, s, DynamoStore, Item};
use crate::domain::{CannedReply, CannedReplyId, ReplyScope};
use crate::ports::{CannedReplyStore, StoreError};

/// The guard's attribute naming the reply that holds the shortcut.
const REPLY_ID: &str = "reply_id";

/// The reply's attributes and keys, without the usage count.
fn reply_item(reply: &CannedReply) -> Result<Item, StoreError> {
    let mut item = to_item(&CannedReplyRecord::from(reply))?;
    item.extend(key(canned_reply_pk(&reply.id), META));
    item.insert(GSI1_PK.into(), s(canned_scope_index_pk(&reply.scope.key())));
    item.insert(
        GSI1_SK.into(),
        s(canned_scope_sort_key(reply.shortcut.as_str(), &reply.id)),
    );
    Ok(item)
}

fn guard_key(reply: &CannedReply) -> Item {
    key(
        shortcut_pk(&reply.scope.key(), reply.shortcut.as_str()),
        SHORTCUT,
    )
}

fn put_guard(table: &str, reply: &CannedReply) -> Result<TransactWriteItem, StoreError> {
    let mut item = versioned(guard_key(reply));
    item.insert(REPLY_ID.into(), s(reply.id.as_str()));
    Ok(TransactWriteItem::builder()
        .put(
            Put::builder()
                .table_name(table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(#pk)")
                .expression_attribute_names("#pk", PK)
                .build()
                .map_err(StoreError::backend)?,
        )
        .build())
}

/// Frees the shortcut `reply` holds (only if this reply holds it).
fn delete_guard(table: &str, reply: &CannedReply) -> Result<TransactWriteItem, StoreError> {
    Ok(TransactWriteItem::builder()
        .delete(
            Delete::builder()
                .table_name(table)
                .set_key(Some(guard_key(reply)))
                .condition_expression("#reply = :id")
                .expression_attribute_names("#reply", REPLY_ID)
                .expression_attribute_values(":id", s(reply.id.as_str()))
                .build()
                .map_err(StoreError::backend)?,
        )
        .build())
}

/// Sets every attribute of `reply` but the count, over the revision read.
fn update_reply(
    table: &str,
    reply: &CannedReply,
    read_revision: u64,
) -> Result<TransactWriteItem, StoreError> {
    let mut item = reply_item(reply)?;
    item.remove(PK);
    item.remove(SK);
    let mut update = Update::builder()
        .table_name(table)
        .set_key(Some(key(canned_reply_pk(&reply.id), META)))
        .condition_expression("attribute_exists(#pk) AND #revision = :read")
        .expression_attribute_names("#pk", PK)
        .expression_attribute_values(":read", n(read_revision));
    let mut sets = Vec::with_capacity(item.len());
    for (i, (name, value)) in item.into_iter().enumerate() {
        if name == "revision" {
            update = update.expression_attribute_names("#revision", name);
            update = update.expression_attribute_values(":revision", value);
            sets.push("#revision = :revision".to_owned());
        } else {
            update = update.expression_attribute_names(format!("#a{i}"), name);
            update = update.expression_attribute_values(format!(":a{i}"), value);
            sets.push(format!("#a{i} = :a{i}"));
        }
    }
    Ok(TransactWriteItem::builder()
        .update(
            update
                .update_expression(format!("SET {}", sets.join(", ")))
                .build()
                .map_err(StoreError::backend)?,
        )
        .build())
}

/// Whether item `i` of a cancelled transaction failed its condition.
fn condition_failed(reasons: &[Option<String>], i: usize) -> bool {
    reasons
        .get(i)
        .and_then(|r| r.as_deref())
        .is_some_and(|r| r == "ConditionalCheckFailed")
}

fn taken(reply: &CannedReply) -> StoreError {
    StoreError::AlreadyExists(format!(
        "shortcut /{} in this scope",
        reply.shortcut.as_str()
    ))
}

impl DynamoStore {
    /// `Stale` when the reply is still there (it moved since it was read), `NotFound` otherwise.
    async fn stale_or_gone(&self, id: &CannedReplyId) -> StoreError {
        match self.get(canned_reply_pk(id), META, true).await {
            Ok(Some(_)) => StoreError::Stale,
            Ok(None) => StoreError::NotFound(format!("canned reply {id}")),
            Err(e) => e,
        }
    }
}

#[async_trait]
impl CannedReplyStore for DynamoStore {
    async fn create_reply(&self, reply: &CannedReply) -> Result<(), StoreError> {
        let mut item = reply_item(reply)?;
        item.insert(CANNED_REPLY_USES.into(), n(0));
        let items = vec![
            TransactWriteItem::builder()
                .put(
                    Put::builder()
                        .table_name(self.table())
                        .set_item(Some(item))
                        .condition_expression("attribute_not_exists(#pk)")
                        .expression_attribute_names("#pk", PK)
                        .build()
                        .map_err(StoreError::backend)?,
                )
                .build(),
            put_guard(self.table(), reply)?,
        ];
        match self.transact("TransactWriteItems", items).await {
            Ok(()) => Ok(()),
            Err(TransactError::Cancelled(reasons)) if condition_failed(&reasons, 0) => Err(
                StoreError::AlreadyExists(format!("canned reply {}", reply.id)),
            ),
            Err(TransactError::Cancelled(_)) => Err(taken(reply)),
            Err(TransactError::Other(e)) => Err(e),
        }
    }

    async fn get_reply(&self, id: &CannedReplyId) -> Result<Option<CannedReply>, StoreError> {
        self.get(canned_reply_pk(id), META, true)
            .await?
            .map(from_item::<CannedReplyRecord, _>)
            .transpose()
    }

    async fn save_reply(&self, reply: &CannedReply, read_revision: u64) -> Result<(), StoreError> {
        // The shortcut it holds now: freed in the same transaction if the edit moves it.
        let Some(stored) = self.get_reply(&reply.id).await? else {
            return Err(StoreError::NotFound(format!("canned reply {}", reply.id)));
        };
        if stored.revision != read_revision {
            return Err(StoreError::Stale);
        }
        let mut items = vec![update_reply(self.table(), reply, read_revision)?];
        let moves = guard_key(&stored) != guard_key(reply);
        if moves {
            items.push(delete_guard(self.table(), &stored)?);
            items.push(put_guard(self.table(), reply)?);
        }
        match self.transact("TransactWriteItems", items).await {
            Ok(()) => Ok(()),
            Err(TransactError::Cancelled(reasons)) => {
                if condition_failed(&reasons, 0) || condition_failed(&reasons, 1) {
                    Err(self.stale_or_gone(&reply.id).await)
                } else if moves && condition_failed(&reasons, 2) {
                    Err(taken(reply))
                } else {
                    // A transaction in flight on the same items: a lost race.
                    Err(StoreError::Stale)
                }
            }
            Err(TransactError::Other(e)) => Err(e),
        }
    }

    async fn delete_reply(&self, reply: &CannedReply) -> Result<(), StoreError> {
        let items = vec![
            TransactWriteItem::builder()
                .delete(
                    Delete::builder()
                        .table_name(self.table())
                        .set_key(Some(key(canned_reply_pk(&reply.id), META)))
                        .condition_expression("#revision = :read")
                        .expression_attribute_names("#revision", "revision")
                        .expression_attribute_values(":read", n(reply.revision))
                        .build()
                        .map_err(StoreError::backend)?,
                )
                .build(),
            delete_guard(self.table(), reply)?,
        ];
        match self.transact("TransactWriteItems", items).await {
            Ok(()) => Ok(()),
            Err(TransactError::Cancelled(_)) => Err(self.stale_or_gone(&reply.id).await),
            Err(TransactError::Other(e)) => Err(e),
        }
    }

    async fn list_replies(
        &self,
        scope: &ReplyScope,
        shortcut_prefix: &str,
    ) -> Result<Vec<CannedReply>, StoreError> {
        let mut query = self
            .client
            .query()
            .table_name(self.table())
            .index_name(BY_GROUP)
            .expression_attribute_names("#pk", GSI1_PK)
            .expression_attribute_values(":pk", s(canned_scope_index_pk(&scope.key())));
        query = if shortcut_prefix.is_empty() {
            query.key_condition_expression("#pk = :pk")
        } else {
            query
                .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                .expression_attribute_names("#sk", GSI1_SK)
                .expression_attribute_values(":prefix", s(shortcut_prefix))
        };
        let keys: Vec<Item> = self
            .run_query(query, false, None)
            .await?
            .into_iter()
            .filter_map(|entry| {
                Some(key(
                    entry.get(PK)?.as_s().ok()?.clone(),
                    entry.get(SK)?.as_s().ok()?.clone(),
                ))
            })
            .collect();
        let mut replies = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(100) {
            for item in self.batch_get(chunk.to_vec()).await? {
                let reply: CannedReply = from_item::<CannedReplyRecord, _>(item)?;
                // One the lagging index still lists under a scope or shortcut it has left is
                // left out.
                if &reply.scope == scope && reply.shortcut.as_str().starts_with(shortcut_prefix) {
                    replies.push(reply);
                }
            }
        }
        replies.sort_by(|a, b| a.shortcut.cmp(&b.shortcut).then(a.id.cmp(&b.id)));
        Ok(replies)
    }

    async fn count_use(&self, id: &CannedReplyId) -> Result<u64, StoreError> {
        let pk = canned_reply_pk(id);
        let units = item_write(None, Some(&key(pk.as_str(), META)), false);
        let out = self
            .client
            .update_item()
            .table_name(self.table())
            .set_key(Some(key(pk, META)))
            .update_expression("ADD #uses :one")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#uses", CANNED_REPLY_USES)
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":one", n(1))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await;
        self.metrics.record("UpdateItem", 0.0, units);
        match out {
            Ok(out) => {
                let attributes = out.attributes.unwrap_or_default();
                Ok(u64::try_from(get_n(&attributes, CANNED_REPLY_USES)?).unwrap_or(0))
            }
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
            {
                Err(StoreError::NotFound(format!("canned reply {id}")))
            }
            Err(e) => Err(StoreError::backend(e)),
        }
    }
}
