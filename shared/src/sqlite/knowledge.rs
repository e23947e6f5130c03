use async_trait::async_trait;
use rusqlite::{params, OptionalExtension};

use super::{db_err, json_err, SqliteStore};
use crate::domain::kb::{Article, DeflectionAction, DeflectionEvent, Resolution};
use crate::domain::{ArticleId, ChatId};
use crate::ports::{DeflectionRecorded, DeflectionReport, KnowledgeStore, StoreError};

/// Embeddings are kept as raw little-endian f32s: a quarter of the size of JSON numbers and
/// loaded without parsing.
pub(crate) fn embedding_to_blob(e: &Option<Vec<f32>>) -> Option<Vec<u8>> {
    e.as_ref()
        .map(|v| v.iter().flat_map(|f| f.to_le_bytes()).collect())
}

pub(crate) fn blob_to_embedding(b: Option<Vec<u8>>) -> Option<Vec<f32>> {
    b.map(|bytes| {
        bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    })
}

fn bump(tx: &rusqlite::Transaction<'_>) -> Result<(), StoreError> {
    super::execute(
        tx,
        "UPDATE knowledge_version SET version = version + 1 WHERE id = 1",
        [],
    )
    .map_err(db_err)?;
    Ok(())
}

#[async_trait]
impl KnowledgeStore for SqliteStore {
    async fn put_article(&self, article: &Article) -> Result<(), StoreError> {
        let mut doc_article = article.clone();
        let blob = embedding_to_blob(&doc_article.embedding.take());
        let doc = serde_json::to_string(&doc_article).map_err(json_err)?;
        let id = article.id.clone();
        self.with(move |c| {
            let tx = c.transaction().map_err(db_err)?;
            super::execute(
                &tx,
                "INSERT INTO articles (id, doc, embedding) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, embedding = excluded.embedding",
                params![id.as_str(), doc, blob],
            )
            .map_err(db_err)?;
            bump(&tx)?;
            tx.commit().map_err(db_err)
        })
        .await
    }

    async fn get_article(&self, id: &ArticleId) -> Result<Option<Article>, StoreError> {
        let id = id.clone();
        self.read(move |c| {
            let row: Option<(String, Option<Vec<u8>>)> = super::query_row(
                c,
                "SELECT doc, embedding FROM articles WHERE id = ?1",
                params![id.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(db_err)?;
            row.map(|(doc, blob)| {
                let mut a: Article = serde_json::from_str(&doc).map_err(json_err)?;
                a.embedding = blob_to_embedding(blob);
                Ok(a)
            })
            .transpose()
        })
        .await
    }

    async fn delete_article(&self, id: &ArticleId) -> Result<bool, StoreError> {
        let id = id.clone();
        self.with(move |c| {
            let tx = c.transaction().map_err(db_err)?;
            let n = super::execute(
                &tx,
                "DELETE FROM articles WHERE id = ?1",
                params![id.as_str()],
            )
            .map_err(db_err)?;
            if n > 0 {
                bump(&tx)?;
            }
            tx.commit().map_err(db_err)?;
            Ok(n > 0)
        })
        .await
    }

    async fn list_articles(&self) -> Result<Vec<Article>, StoreError> {
        self.read(|c| {
            let mut stmt = c
                .prepare_cached("SELECT doc, embedding FROM articles ORDER BY id")
                .map_err(db_err)?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, Option<Vec<u8>>>(1)?))
                })
                .map_err(db_err)?;
            let mut out = Vec::new();
            for row in rows {
                let (doc, blob) = row.map_err(db_err)?;
                let mut a: Article = serde_json::from_str(&doc).map_err(json_err)?;
                a.embedding = blob_to_embedding(blob);
                out.push(a);
            }
            Ok(out)
        })
        .await
    }

    async fn put_resolution(&self, resolution: &Resolution) -> Result<(), StoreError> {
        let mut doc_res = resolution.clone();
        let blob = embedding_to_blob(&doc_res.embedding.take());
        let doc = serde_json::to_string(&doc_res).map_err(json_err)?;
        let id = resolution.chat_id.clone();
        self.with(move |c| {
            let tx = c.transaction().map_err(db_err)?;
            super::execute(&tx,
                "INSERT INTO resolutions (chat_id, doc, embedding) VALUES (?1, ?2, ?3)
                 ON CONFLICT (chat_id) DO UPDATE SET doc = excluded.doc, embedding = excluded.embedding",
                params![id.as_str(), doc, blob],
            )
            .map_err(db_err)?;
            bump(&tx)?;
            tx.commit().map_err(db_err)
        })
        .await
    }

    async fn list_resolutions(&self) -> Result<Vec<Resolution>, StoreError> {
        self.read(|c| {
            let mut stmt = c
                .prepare_cached("SELECT doc, embedding FROM resolutions ORDER BY chat_id")
                .map_err(db_err)?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, Option<Vec<u8>>>(1)?))
                })
                .map_err(db_err)?;
            let mut out = Vec::new();
            for row in rows {
                let (doc, blob) = row.map_err(db_err)?;
                let mut res: Resolution = serde_json::from_str(&doc).map_err(json_err)?;
                res.embedding = blob_to_embedding(blob);
                out.push(res);
            }
            Ok(out)
        })
        .await
    }

    async fn delete_resolution(&self, chat: &ChatId) -> Result<bool, StoreError> {
        let chat = chat.clone();
        self.with(move |c| {
            let tx = c.transaction().map_err(db_err)?;
            let n = super::execute(
                &tx,
                "DELETE FROM resolutions WHERE chat_id = ?1",
                params![chat.as_str()],
            )
            .map_err(db_err)?;
            if n > 0 {
                bump(&tx)?;
            }
            tx.commit().map_err(db_err)?;
            Ok(n > 0)
        })
        .await
    }

    async fn knowledge_version(&self) -> Result<u64, StoreError> {
        self.read(|c| {
            let v: i64 = super::query_row(
                c,
                "SELECT version FROM knowledge_version WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .map_err(db_err)?;
            Ok(v.max(0) as u64)
        })
        .await
    }

    async fn store_embedding(&self, item_id: &str, embedding: &[f32]) -> Result<(), StoreError> {
        let blob = embedding_to_blob(&Some(embedding.to_vec()));
        let item = item_id.to_owned();
        self.with(move |c| {
            match item.strip_prefix("resolution:") {
                Some(chat) => super::execute(
                    c,
                    "UPDATE resolutions SET embedding = ?2 WHERE chat_id = ?1",
                    params![chat, blob],
                ),
                None => super::execute(
                    c,
                    "UPDATE articles SET embedding = ?2 WHERE id = ?1",
                    params![item, blob],
                ),
            }
            .map_err(db_err)?;
            Ok(())
        })
        .await
    }

    async fn record_deflection(
        &self,
        event: &DeflectionEvent,
    ) -> Result<DeflectionRecorded, StoreError> {
        let e = event.clone();
        self.with(move |c| {
            // IMMEDIATE: the check for the shown record and the insert see one state.
            let tx = rusqlite::Transaction::new(c, rusqlite::TransactionBehavior::Immediate)
                .map_err(db_err)?;
            if e.action != DeflectionAction::Shown {
                let shown: Option<i64> = super::query_row(
                    &tx,
                    "SELECT 1 FROM deflection_events
                     WHERE question_id = ?1 AND item_id = ?2 AND action = 'shown'",
                    params![e.question_id, e.item_id],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db_err)?;
                if shown.is_none() {
                    return Ok(DeflectionRecorded::NotShown);
                }
            }
            let n = super::execute(
                &tx,
                "INSERT OR IGNORE INTO deflection_events (question_id, item_id, action, group_id, at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    e.question_id,
                    e.item_id,
                    e.action.as_str(),
                    e.group_id.as_ref().map(|g| g.as_str()),
                    e.at.millis()
                ],
            )
            .map_err(db_err)?;
            tx.commit().map_err(db_err)?;
            Ok(if n > 0 {
                DeflectionRecorded::Counted
            } else {
                DeflectionRecorded::Repeat
            })
        })
        .await
    }

    async fn deflection_report(&self) -> Result<DeflectionReport, StoreError> {
        self.read(|c| {
            let mut report = DeflectionReport::default();
            let mut stmt = c
                .prepare_cached(
                    "SELECT COALESCE(group_id, '-'), item_id, action, COUNT(*)
                     FROM deflection_events GROUP BY 1, 2, 3",
                )
                .map_err(db_err)?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, i64>(3)?,
                    ))
                })
                .map_err(db_err)?;
            for row in rows {
                let (group, item, action, n) = row.map_err(db_err)?;
                let Some(action) = DeflectionAction::parse(&action) else {
                    continue;
                };
                let n = n.max(0) as u64;
                report.by_group.entry(group).or_default().add(action, n);
                report.by_item.entry(item).or_default().add(action, n);
            }
            Ok(report)
        })
        .await
    }
}
