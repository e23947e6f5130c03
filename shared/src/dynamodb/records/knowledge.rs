//! Articles' and resolutions' items (`KB` / `ARTICLE#{id}`, `KB` / `RESOLUTION#{chat}`). Their
//! embeddings are not in the records: the adapter keeps them in a binary attribute beside them,
//! `embedding_f32` (little-endian f32s, a quarter of the size of a list of numbers).

use serde::{Deserialize, Serialize};

use super::{id, ids, readable, FORMAT_VERSION};
use crate::domain::kb::{Article, Resolution};
use crate::domain::Timestamp;
use crate::ports::StoreError;

#[derive(Serialize, Deserialize)]
pub(in crate::dynamodb) struct ArticleRecord {
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
/// `question` attribute: it is not read (the adapter removes it when the index is next built).
#[derive(Serialize, Deserialize)]
pub(in crate::dynamodb) struct ResolutionRecord {
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

/// The article without its embedding (read from its own attribute).
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

/// The resolution without its embedding (read from its own attribute).
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
