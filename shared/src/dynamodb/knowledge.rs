use async_trait::async_trait;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};

use super::keys::*;
use super::schema::{SK, TTL_ATTRIBUTE};
use super::{from_item, get_n, get_s, key, n, to_item, ttl_seconds, DynamoStore, Item};
use crate::domain::kb::{Article, DeflectionCounts, DeflectionEvent, Resolution};
use crate::domain::ArticleId;
use crate::ports::{DeflectionReport, KnowledgeStore, StoreError};

/// Deflection events are kept for the report's dedupe for 90 days.
const DEFLECTION_TTL_MS: i64 = 90 * 24 * 60 * 60 * 1000;

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
                .update_expression("ADD version :one")
                .expression_attribute_values(":one", n(1))
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
        let mut plain = article.clone();
        let embedding = embedding_attr(&plain.embedding.take());
        let mut item = to_item(&plain)?;
        item.extend(key(KB, article_sk(article.id.as_str())));
        if let Some(e) = embedding {
            item.insert("embedding_f32".into(), e);
        }
        let items = vec![put(self.table(), item, None)?, bump_version(self.table())?];
        self.transact("TransactWriteItems", items)
            .await
            .map_err(other)
    }

    async fn get_article(&self, id: &ArticleId) -> Result<Option<Article>, StoreError> {
        let Some(mut item) = self.get(KB.into(), &article_sk(id.as_str()), false).await? else {
            return Ok(None);
        };
        let embedding = embedding_of(&mut item);
        let mut article: Article = from_item(item)?;
        article.embedding = embedding;
        Ok(Some(article))
    }

    async fn delete_article(&self, id: &ArticleId) -> Result<bool, StoreError> {
        let items = vec![
            TransactWriteItem::builder()
                .delete(
                    aws_sdk_dynamodb::types::Delete::builder()
                        .table_name(self.table())
                        .set_key(Some(key(KB, article_sk(id.as_str()))))
                        .condition_expression("attribute_exists(pk)")
                        .build()
                        .map_err(StoreError::backend)?,
                )
                .build(),
            bump_version(self.table())?,
        ];
        match self.transact("TransactWriteItems", items).await {
            Ok(()) => Ok(true),
            Err(super::chats::TransactError::Cancelled(_)) => Ok(false),
            Err(super::chats::TransactError::Other(e)) => Err(e),
        }
    }

    async fn list_articles(&self) -> Result<Vec<Article>, StoreError> {
        self.query_prefix(KB, "ARTICLE#")
            .await?
            .into_iter()
            .map(|mut item| {
                let embedding = embedding_of(&mut item);
                let mut a: Article = from_item(item)?;
                a.embedding = embedding;
                Ok(a)
            })
            .collect()
    }

    async fn put_resolution(&self, resolution: &Resolution) -> Result<(), StoreError> {
        let mut plain = resolution.clone();
        let embedding = embedding_attr(&plain.embedding.take());
        let mut item = to_item(&plain)?;
        item.extend(key(KB, resolution_sk(resolution.chat_id.as_str())));
        if let Some(e) = embedding {
            item.insert("embedding_f32".into(), e);
        }
        let items = vec![put(self.table(), item, None)?, bump_version(self.table())?];
        self.transact("TransactWriteItems", items)
            .await
            .map_err(other)
    }

    async fn list_resolutions(&self) -> Result<Vec<Resolution>, StoreError> {
        self.query_prefix(KB, "RESOLUTION#")
            .await?
            .into_iter()
            .map(|mut item| {
                let embedding = embedding_of(&mut item);
                let mut r: Resolution = from_item(item)?;
                r.embedding = embedding;
                Ok(r)
            })
            .collect()
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
        self.metrics.record(
            "UpdateItem",
            super::metrics::Units::Computed {
                read: 0.0,
                write: super::metrics::write_units(embedding.len() * 4 + 200),
            },
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
    /// transaction: a repeat cancels it and changes nothing.
    async fn record_deflection(&self, event: &DeflectionEvent) -> Result<bool, StoreError> {
        let mut marker = key(
            deflection_pk(&event.question_id),
            format!("{}#{}", event.item_id, event.action.as_str()),
        );
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
                        .update_expression("ADD #action :one")
                        .expression_attribute_names("#action", event.action.as_str())
                        .expression_attribute_values(":one", n(1))
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
        let items = vec![
            put(self.table(), marker, Some("attribute_not_exists(pk)"))?,
            counter(format!("GROUP#{group}"))?,
            counter(format!("ITEM#{}", event.item_id))?,
        ];
        match self.transact("TransactWriteItems", items).await {
            Ok(()) => Ok(true),
            Err(super::chats::TransactError::Cancelled(reasons))
                if reasons.first().and_then(|r| r.as_deref()) == Some("ConditionalCheckFailed") =>
            {
                Ok(false)
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
