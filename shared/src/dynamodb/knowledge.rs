use async_trait::async_trait;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, Put, TransactWriteItem, Update,
};

use super::keys::*;
use super::records::{
    from_item, to_item, versioned, ArticleRecord, ResolutionRecord, FORMAT_VERSION, VERSION,
};
use super::schema::{SK, TTL_ATTRIBUTE};
use super::{get_n, get_s, key, n, ttl_seconds, DynamoStore, Item};
use crate::domain::kb::{Article, DeflectionAction, DeflectionCounts, DeflectionEvent, Resolution};
use crate::domain::{ArticleId, ChatId};
use crate::ports::{DeflectionRecorded, DeflectionReport, KnowledgeStore, StoreError};

/// Deflection events are kept for the report's dedupe for 90 days.
const DEFLECTION_TTL_MS: i64 = 90 * 24 * 60 * 60 * 1000;

/// Resolutions stored before they stopped keeping the customer's question have this attribute.
const LEGACY_QUESTION: &str = "question";

impl DynamoStore {
    /// Removes the customer's question from a resolution stored with it, and the embedding that
    /// was made from it (the index recomputes it from the note). Once per old item, when the
    /// index is next built.
    async fn scrub_legacy_question(&self, sk: String) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(self.table())
            .set_key(Some(key(KB, sk)))
            .update_expression("REMOVE #q, embedding_f32")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#q", LEGACY_QUESTION)
            .send()
            .await;
        // A knowledge item without its embedding is under a KB.
        self.record_update(None);
        match result {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
            {
                Ok(())
            }
            Err(e) => Err(StoreError::backend(e)),
        }
    }
}

/// Embeddings as little-endian f32 bytes: a quarter of the size of a list of numbers.
fn embedding_attr(e: &Option<Vec<f32>>) -> Option<AttributeValue> {
    e.as_ref().map(|v| {
        AttributeValue::B(Blob::new(
            v.iter().flat_map(|f| f.to_le_bytes()).collect::<Vec<u8>>(),
        ))
    })
}

fn embedding_of(item: &mut Item) -> Option<Vec<f32>> {
    match item.remove("embedding_f32") {
        Some(AttributeValue::B(b)) => Some(
            b.as_ref()
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        ),
        _ => None,
    }
}

fn bump_version(table: &str) -> Result<TransactWriteItem, StoreError> {
    Ok(TransactWriteItem::builder()
        .update(
            Update::builder()
                .table_name(table)
                .set_key(Some(key(KB, KB_VERSION)))
                .update_expression(format!("ADD version :one SET {VERSION} = :v"))
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":v", n(FORMAT_VERSION))
                .build()
                .map_err(StoreError::backend)?,
        )
        .build())
}

fn put(table: &str, item: Item, condition: Option<&str>) -> Result<TransactWriteItem, StoreError> {
    let mut p = Put::builder().table_name(table).set_item(Some(item));
    if let Some(c) = condition {
        p = p.condition_expression(c);
    }
    Ok(TransactWriteItem::builder()
        .put(p.build().map_err(StoreError::backend)?)
        .build())
}

impl DynamoStore {
    /// Writes an article or resolution (`record`, under `sk` of the knowledge base, its embedding
    /// beside it) and moves the knowledge version, in one transaction.
    async fn put_counted(
        &self,
        sk: String,
        record: Item,
        embedding: &Option<Vec<f32>>,
    ) -> Result<(), StoreError> {
        let mut item = record;
        item.extend(key(KB, sk));
        if let Some(e) = embedding_attr(embedding) {
            item.insert("embedding_f32".into(), e);
        }
        let items = vec![put(self.table(), item, None)?, bump_version(self.table())?];
        self.transact("TransactWriteItems", items)
            .await
            .map_err(other)
    }
}

fn deflection_key(event: &DeflectionEvent, action: DeflectionAction) -> Item {
    key(
        deflection_pk(&event.question_id),
        format!("{}#{}", event.item_id, action.as_str()),
    )
}

/// Deletes `sk` of the knowledge base (if it exists) and moves the knowledge version, in one
/// transaction; false when there was no such item.
async fn delete_counted(store: &DynamoStore, sk: String) -> Result<bool, StoreError> {
    let items = vec![
        TransactWriteItem::builder()
            .delete(
                Delete::builder()
                    .table_name(store.table())
                    .set_key(Some(key(KB, sk)))
                    .condition_expression("attribute_exists(pk)")
                    .build()
                    .map_err(StoreError::backend)?,
            )
            .build(),
        bump_version(store.table())?,
    ];
    match store.transact("TransactWriteItems", items).await {
        Ok(()) => Ok(true),
        Err(super::chats::TransactError::Cancelled(_)) => Ok(false),
        Err(super::chats::TransactError::Other(e)) => Err(e),
    }
}

fn other(e: super::chats::TransactError) -> StoreError {
    match e {
        super::chats::TransactError::Other(e) => e,
        super::chats::TransactError::Cancelled(r) => {
            StoreError::Corrupt(format!("cancelled: {r:?}"))
        }
    }
}

fn counts_of(item: &Item) -> DeflectionCounts {
    DeflectionCounts {
        shown: get_n(item, "shown").unwrap_or(0).max(0) as u64,
        clicked: get_n(item, "clicked").unwrap_or(0).max(0) as u64,
        solved: get_n(item, "solved").unwrap_or(0).max(0) as u64,
    }
}

#[async_trait]
impl KnowledgeStore for DynamoStore {
    async fn put_article(&self, article: &Article) -> Result<(), StoreError> {
        self.put_counted(
            article_sk(article.id.as_str()),
            to_item(&ArticleRecord::from(article))?,
            &article.embedding,
        )
        .await
    }

    async fn get_article(&self, id: &ArticleId) -> Result<Option<Article>, StoreError> {
        let Some(mut item) = self.get(KB.into(), &article_sk(id.as_str()), false).await? else {
            return Ok(None);
        };
        let embedding = embedding_of(&mut item);
        let mut article = from_item::<ArticleRecord, Article>(item)?;
        article.embedding = embedding;
        Ok(Some(article))
    }

    async fn delete_article(&self, id: &ArticleId) -> Result<bool, StoreError> {
        delete_counted(self, article_sk(id.as_str())).await
    }

    async fn list_articles(&self) -> Result<Vec<Article>, StoreError> {
        self.query_prefix(KB, "ARTICLE#")
            .await?
            .into_iter()
            .map(|mut item| {
                let embedding = embedding_of(&mut item);
                let mut a = from_item::<ArticleRecord, Article>(item)?;
                a.embedding = embedding;
                Ok(a)
            })
            .collect()
    }

    async fn put_resolution(&self, resolution: &Resolution) -> Result<(), StoreError> {
        self.put_counted(
            resolution_sk(resolution.chat_id.as_str()),
            to_item(&ResolutionRecord::from(resolution))?,
            &resolution.embedding,
        )
        .await
    }

    async fn list_resolutions(&self) -> Result<Vec<Resolution>, StoreError> {
        let mut out = Vec::new();
        for mut item in self.query_prefix(KB, "RESOLUTION#").await? {
            let mut embedding = embedding_of(&mut item);
            if item.contains_key(LEGACY_QUESTION) {
                let sk = get_s(&item, SK)?.to_owned();
                self.scrub_legacy_question(sk).await?;
                embedding = None;
            }
            let mut r = from_item::<ResolutionRecord, Resolution>(item)?;
            r.embedding = embedding;
            out.push(r);
        }
        Ok(out)
    }

    async fn delete_resolution(&self, chat: &ChatId) -> Result<bool, StoreError> {
        delete_counted(self, resolution_sk(chat.as_str())).await
    }

    async fn knowledge_version(&self) -> Result<u64, StoreError> {
        Ok(self
            .get(KB.into(), KB_VERSION, true)
            .await?
            .and_then(|i| get_n(&i, "version").ok())
            .unwrap_or(0)
            .max(0) as u64)
    }

    async fn store_embedding(&self, item_id: &str, embedding: &[f32]) -> Result<(), StoreError> {
        let sk = match item_id.strip_prefix("resolution:") {
            Some(chat) => resolution_sk(chat),
            None => article_sk(item_id),
        };
        let Some(value) = embedding_attr(&Some(embedding.to_vec())) else {
            return Ok(());
        };
        let result = self
            .client
            .update_item()
            .table_name(self.table())
            .set_key(Some(key(KB, sk)))
            .update_expression("SET embedding_f32 = :e")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":e", value)
            .send()
            .await;
        // The item with its embedding (4 bytes a dimension) and about 200 bytes of text.
        self.metrics.record(
            "UpdateItem",
            0.0,
            super::metrics::write_units(embedding.len() * 4 + 200),
        );
        match result {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
            {
                Ok(())
            }
            Err(e) => Err(StoreError::backend(e)),
        }
    }

    /// The event item (its key is the dedupe) and the group's and item's counters, in one
    /// transaction: a repeat cancels it and changes nothing. A click or "solved" also checks, in
    /// the same transaction, that the item was shown for that question.
    async fn record_deflection(
        &self,
        event: &DeflectionEvent,
    ) -> Result<DeflectionRecorded, StoreError> {
        let mut marker = versioned(deflection_key(event, event.action));
        marker.insert(
            TTL_ATTRIBUTE.into(),
            ttl_seconds(event.at.plus_millis(DEFLECTION_TTL_MS)),
        );
        let counter = |sk: String| -> Result<TransactWriteItem, StoreError> {
            Ok(TransactWriteItem::builder()
                .update(
                    Update::builder()
                        .table_name(self.table())
                        .set_key(Some(key(STATS, sk)))
                        .update_expression(format!("ADD #action :one SET {VERSION} = :v"))
                        .expression_attribute_names("#action", event.action.as_str())
                        .expression_attribute_values(":one", n(1))
                        .expression_attribute_values(":v", n(FORMAT_VERSION))
                        .build()
                        .map_err(StoreError::backend)?,
                )
                .build())
        };
        let group = event
            .group_id
            .as_ref()
            .map(|g| g.to_string())
            .unwrap_or_else(|| "-".into());
        let mut items = vec![
            put(self.table(), marker, Some("attribute_not_exists(pk)"))?,
            counter(format!("GROUP#{group}"))?,
            counter(format!("ITEM#{}", event.item_id))?,
        ];
        let needs_shown = event.action != DeflectionAction::Shown;
        if needs_shown {
            items.push(
                TransactWriteItem::builder()
                    .condition_check(
                        ConditionCheck::builder()
                            .table_name(self.table())
                            .set_key(Some(deflection_key(event, DeflectionAction::Shown)))
                            .condition_expression("attribute_exists(pk)")
                            .build()
                            .map_err(StoreError::backend)?,
                    )
                    .build(),
            );
        }
        match self.transact("TransactWriteItems", items).await {
            Ok(()) => Ok(DeflectionRecorded::Counted),
            Err(super::chats::TransactError::Cancelled(reasons)) => {
                let failed = |i: usize| {
                    reasons.get(i).and_then(|r| r.as_deref()) == Some("ConditionalCheckFailed")
                };
                if needs_shown && failed(3) {
                    Ok(DeflectionRecorded::NotShown)
                } else if failed(0) {
                    Ok(DeflectionRecorded::Repeat)
                } else {
                    Err(StoreError::Corrupt(format!(
                        "deflection cancelled: {reasons:?}"
                    )))
                }
            }
            Err(e) => Err(other(e)),
        }
    }

    async fn deflection_report(&self) -> Result<DeflectionReport, StoreError> {
        let mut report = DeflectionReport::default();
        for item in self.query_prefix(STATS, "").await? {
            let sk = get_s(&item, SK)?.to_owned();
            if let Some(g) = sk.strip_prefix("GROUP#") {
                report.by_group.insert(g.to_owned(), counts_of(&item));
            } else if let Some(i) = sk.strip_prefix("ITEM#") {
                report.by_item.insert(i.to_owned(), counts_of(&item));
            }
        }
        Ok(report)
    }
}
