//! Articles and resolutions (SQLite `articles.doc` / `resolutions.doc`, DynamoDB `KB` /
//! `ARTICLE#{id}` and `KB` / `RESOLUTION#{chat}`). Their embeddings are not in the records: each
//! store keeps them beside the record as little-endian f32s (SQLite the `embedding` column,
//! DynamoDB the binary attribute `embedding_f32`), a quarter of the size of a list of numbers
//! and loaded without parsing.

use serde::{Deserialize, Serialize};

use super::{id, ids, readable, FORMAT_VERSION};
use crate::domain::kb::{Article, Resolution};
use crate::domain::Timestamp;
use crate::ports::StoreError;

#[derive(Serialize, Deserialize)]
pub(crate) struct ArticleRecord {
    #[serde(default)]
    v: u32,
    id: String,
    title: String,
    body: String,
    tags: Vec<String>,
    groups: Vec<String>,
    published: bool,
    updated_at: i64,
}

/// Resolutions stored before they stopped keeping the customer's question also have a
/// `question` field: it is not read (SQLite's migrations removed it; DynamoDB drops it when the
/// index is next built).
#[derive(Serialize, Deserialize)]
pub(crate) struct ResolutionRecord {
    #[serde(default)]
    v: u32,
    chat_id: String,
    group_id: String,
    resolution: String,
    agent_name: String,
    resolved_at: i64,
}

impl From<&Article> for ArticleRecord {
    fn from(a: &Article) -> Self {
        ArticleRecord {
            v: FORMAT_VERSION,
            id: a.id.to_string(),
            title: a.title.clone(),
            body: a.body.clone(),
            tags: a.tags.clone(),
            groups: a.groups.iter().map(|g| g.to_string()).collect(),
            published: a.published,
            updated_at: a.updated_at.millis(),
        }
    }
}

/// The article without its embedding (the store reads that beside the record).
impl TryFrom<ArticleRecord> for Article {
    type Error = StoreError;
    fn try_from(r: ArticleRecord) -> Result<Self, StoreError> {
        readable(r.v, "an article")?;
        Ok(Article {
            id: id(r.id)?,
            title: r.title,
            body: r.body,
            tags: r.tags,
            groups: ids(r.groups)?,
            published: r.published,
            updated_at: Timestamp(r.updated_at),
            embedding: None,
        })
    }
}

impl From<&Resolution> for ResolutionRecord {
    fn from(r: &Resolution) -> Self {
        ResolutionRecord {
            v: FORMAT_VERSION,
            chat_id: r.chat_id.to_string(),
            group_id: r.group_id.to_string(),
            resolution: r.resolution.clone(),
            agent_name: r.agent_name.clone(),
            resolved_at: r.resolved_at.millis(),
        }
    }
}

/// The resolution without its embedding (the store reads that beside the record).
impl TryFrom<ResolutionRecord> for Resolution {
    type Error = StoreError;
    fn try_from(r: ResolutionRecord) -> Result<Self, StoreError> {
        readable(r.v, "a resolution")?;
        Ok(Resolution {
            chat_id: id(r.chat_id)?,
            group_id: id(r.group_id)?,
            resolution: r.resolution,
            agent_name: r.agent_name,
            resolved_at: Timestamp(r.resolved_at),
            embedding: None,
        })
    }
}
