use async_trait::async_trait;
use rusqlite::{params, OptionalExtension};
use serde::de::DeserializeOwned;

use super::records::{from_doc, to_doc, ArticleRecord, ResolutionRecord};
use super::{db_err, SqliteStore};
use crate::domain::kb::{Article, DeflectionAction, DeflectionEvent, Resolution};
use crate::domain::{ArticleId, ChatId};
use crate::ports::{DeflectionRecorded, DeflectionReport, KnowledgeStore, StoreError};

/// Embeddings are kept as raw little-endian f32s: a quarter of the size of JSON numbers and
/// loaded without parsing.
fn embedding_to_blob(e: &Option<Vec<f32>>) -> Option<Vec<u8>> {
    e.as_ref()
        .map(|v| v.iter().flat_map(|f| f.to_le_bytes()).collect())
}

fn blob_to_embedding(b: Option<Vec<u8>>) -> Option<Vec<f32>> {
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

/// The rows `sql` selects (`SELECT doc, embedding ...`): each document read through its record
/// `R`, given its embedding by `embed`.
fn with_embeddings<R, T, P>(
    c: &rusqlite::Connection,
    sql: &str,
    params: P,
    embed: fn(&mut T, Option<Vec<f32>>),
) -> Result<Vec<T>, StoreError>
where
    R: DeserializeOwned + TryInto<T, Error = StoreError>,
    P: rusqlite::Params,
{
    let mut stmt = c.prepare_cached(sql).map_err(db_err)?;
    let rows = stmt
        .query_map(params, |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<Vec<u8>>>(1)?))
        })
        .map_err(db_err)?;
    let mut out = Vec::new();
    for row in rows {
        let (doc, blob) = row.map_err(db_err)?;
        let mut item = from_doc::<R, T>(&doc)?;
        embed(&mut item, blob_to_embedding(blob));
        out.push(item);
    }
    Ok(out)
}

fn embed_article(a: &mut Article, e: Option<Vec<f32>>) {
    a.embedding = e;
}

fn embed_resolution(r: &mut Resolution, e: Option<Vec<f32>>) {
    r.embedding = e;
}

impl SqliteStore {
    /// Writes an article or resolution (`upsert`: its key, document and embedding) and moves the
    /// knowledge version, in one transaction.
    async fn put_counted(
        &self,
        upsert: &'static str,
        key: String,
        doc: String,
        embedding: Option<Vec<u8>>,
    ) -> Result<(), StoreError> {
        self.with(move |c| {
            let tx = c.transaction().map_err(db_err)?;
            super::execute(&tx, upsert, params![key, doc, embedding]).map_err(db_err)?;
            bump(&tx)?;
            tx.commit().map_err(db_err)
        })
        .await
    }

    /// Deletes an article or resolution (`delete`, by its key) and, if there was one, moves the
    /// knowledge version, in one transaction.
    async fn delete_counted(&self, delete: &'static str, key: String) -> Result<bool, StoreError> {
        self.with(move |c| {
            let tx = c.transaction().map_err(db_err)?;
            let n = super::execute(&tx, delete, params![key]).map_err(db_err)?;
            if n > 0 {
                bump(&tx)?;
            }
            tx.commit().map_err(db_err)?;
            Ok(n > 0)
        })
        .await
    }
}

#[async_trait]
impl KnowledgeStore for SqliteStore {
    async fn put_article(&self, article: &Article) -> Result<(), StoreError> {
        self.put_counted(
            "INSERT INTO articles (id, doc, embedding) VALUES (?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, embedding = excluded.embedding",
            article.id.to_string(),
            to_doc(&ArticleRecord::from(article))?,
            embedding_to_blob(&article.embedding),
        )
        .await
    }

    async fn get_article(&self, id: &ArticleId) -> Result<Option<Article>, StoreError> {
        let id = id.clone();
        self.read(move |c| {
            let found = with_embeddings::<ArticleRecord, _, _>(
                c,
                "SELECT doc, embedding FROM articles WHERE id = ?1",
                params![id.as_str()],
                embed_article,
            )?;
            Ok(found.into_iter().next())
        })
        .await
    }

    async fn delete_article(&self, id: &ArticleId) -> Result<bool, StoreError> {
        self.delete_counted("DELETE FROM articles WHERE id = ?1", id.to_string())
            .await
    }

    async fn list_articles(&self) -> Result<Vec<Article>, StoreError> {
        self.read(|c| {
            with_embeddings::<ArticleRecord, _, _>(
                c,
                "SELECT doc, embedding FROM articles ORDER BY id",
                [],
                embed_article,
            )
        })
        .await
    }

    async fn put_resolution(&self, resolution: &Resolution) -> Result<(), StoreError> {
        self.put_counted(
            "INSERT INTO resolutions (chat_id, doc, embedding) VALUES (?1, ?2, ?3)
             ON CONFLICT (chat_id) DO UPDATE SET doc = excluded.doc, embedding = excluded.embedding",
            resolution.chat_id.to_string(),
            to_doc(&ResolutionRecord::from(resolution))?,
            embedding_to_blob(&resolution.embedding),
        )
        .await
    }

    async fn list_resolutions(&self) -> Result<Vec<Resolution>, StoreError> {
        self.read(|c| {
            with_embeddings::<ResolutionRecord, _, _>(
                c,
                "SELECT doc, embedding FROM resolutions ORDER BY chat_id",
                [],
                embed_resolution,
            )
        })
        .await
    }

    async fn delete_resolution(&self, chat: &ChatId) -> Result<bool, StoreError> {
        self.delete_counted(
            "DELETE FROM resolutions WHERE chat_id = ?1",
            chat.to_string(),
        )
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
