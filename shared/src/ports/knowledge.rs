use std::collections::BTreeMap;

use super::error::StoreError;
use crate::domain::kb::{Article, DeflectionCounts, DeflectionEvent, Resolution};
use crate::domain::{ArticleId, ChatId};
use async_trait::async_trait;

/// Deflection counts for the managers' report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeflectionReport {
    /// By group id (`-` for questions asked without a group).
    pub by_group: BTreeMap<String, DeflectionCounts>,
    /// By article id (or `resolution:{chat id}`).
    pub by_item: BTreeMap<String, DeflectionCounts>,
}

/// What recording a deflection action did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeflectionRecorded {
    /// Counted now.
    Counted,
    /// This (question, item, action) was counted before; nothing changed.
    Repeat,
    /// A click or "solved" for an item that was never shown for that question: nothing was
    /// counted (counts would otherwise be whatever a client cares to send).
    NotShown,
}

/// Articles, resolutions and deflection counts.
#[async_trait]
pub trait KnowledgeStore: Send + Sync {
    async fn put_article(&self, article: &Article) -> Result<(), StoreError>;
    async fn get_article(&self, id: &ArticleId) -> Result<Option<Article>, StoreError>;
    /// False when there was no such article.
    async fn delete_article(&self, id: &ArticleId) -> Result<bool, StoreError>;
    /// Every article (drafts too), by id.
    async fn list_articles(&self) -> Result<Vec<Article>, StoreError>;
    async fn put_resolution(&self, resolution: &Resolution) -> Result<(), StoreError>;
    async fn list_resolutions(&self) -> Result<Vec<Resolution>, StoreError>;
    /// Removes the resolution of a chat (its chat is being purged) and moves the knowledge
    /// version so every suggestion index drops it. False when there was none.
    async fn delete_resolution(&self, chat: &ChatId) -> Result<bool, StoreError>;
    /// Moves on with every change to articles or resolutions, so a suggestion index built from
    /// the store knows when it is stale.
    async fn knowledge_version(&self) -> Result<u64, StoreError>;
    /// Stores the embedding of an article (its id) or resolution (`resolution:{chat id}`)
    /// computed later, without moving the knowledge version. Unknown items are ignored.
    async fn store_embedding(&self, item_id: &str, embedding: &[f32]) -> Result<(), StoreError>;
    /// Counts an action once per (question, item, action). `Clicked` and `Solved` count only if
    /// `Shown` was recorded for the same question and item, checked in the same atomic write.
    async fn record_deflection(
        &self,
        event: &DeflectionEvent,
    ) -> Result<DeflectionRecorded, StoreError>;
    async fn deflection_report(&self) -> Result<DeflectionReport, StoreError>;
}
