//! Ranking knowledge-base articles and past resolutions against a question. Implemented by the
//! suggestion engine (full text + sentence embeddings); CPU-bound, so its methods are plain
//! functions the application runs off the async threads.

use serde::{Deserialize, Serialize};

use crate::domain::kb::{Article, Resolution};
use crate::domain::{ChatId, GroupId};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionKind {
    Article,
    Resolution,
}

/// A byte range of the snippet that matched the question (on character boundaries).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Highlight {
    pub start: usize,
    pub end: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SuggestionHit {
    /// An article id, or `resolution:{chat id}`.
    pub id: String,
    pub kind: SuggestionKind,
    pub title: String,
    /// Plain text (never HTML); `highlights` mark the matching words.
    pub snippet: String,
    pub highlights: Vec<Highlight>,
    pub score: f32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SuggestMode {
    /// Words and meaning (full text fused with sentence embeddings).
    Hybrid,
    /// Words only: the model files are not installed.
    Fulltext,
}

/// Which documents a search may return.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuggestionSources {
    /// Published articles only: what customers (and anyone without a sign-in) may see.
    Articles,
    /// Articles and past resolutions: for agents who may read the chat being answered.
    ArticlesAndResolutions,
}

/// The item id of a chat's resolution in the index and in deflection counts.
pub fn resolution_item_id(chat: &ChatId) -> String {
    format!("resolution:{chat}")
}

pub trait Suggester: Send + Sync {
    fn mode(&self) -> SuggestMode;
    /// The embedding to store with an article (title, Markdown body) or resolution (its title
    /// and note); `None` without a model.
    fn embed(&self, title: &str, body: &str) -> Option<Vec<f32>>;
    /// The knowledge version the index was built from (`None`: never built).
    fn indexed_version(&self) -> Option<u64>;
    /// Replaces the whole index (published articles and resolutions only are searched).
    fn rebuild(&self, articles: Vec<Article>, resolutions: Vec<Resolution>, version: u64);
    fn upsert_article(&self, article: &Article);
    fn upsert_resolution(&self, resolution: &Resolution);
    fn remove(&self, item_id: &str);
    fn search(
        &self,
        question: &str,
        group: Option<&GroupId>,
        sources: SuggestionSources,
        limit: usize,
    ) -> Vec<SuggestionHit>;
}
