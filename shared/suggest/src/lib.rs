//! chatdesk-suggest: given a customer's question, the knowledge-base articles and past chat
//! resolutions most likely to answer it, each with a plain-text snippet and highlight ranges.
//!
//! Ranking combines words and meaning. Words: BM25 over an in-memory tantivy index with English
//! stemming, a title boost and typo correction ([`fulltext`]). Meaning: the cosine similarity of
//! all-MiniLM-L6-v2 sentence embeddings computed in-process with candle ([`embedder`],
//! [`semantic`]). The two rankings are fused ([`fusion`]); the fusion was chosen by measurement
//! on the FAQ collections in `tests/data/faq/` (see README.md and the `suggest-eval` binary).
//!
//! Without the model the index still works, on words alone, and says so once in the log.
//!
//! This crate deliberately depends on nothing else in the workspace: the application reaches it
//! through a port.

pub mod embedder;
mod error;
pub mod eval;
pub mod fulltext;
pub mod fusion;
mod index;
pub mod semantic;
pub mod text;

pub use embedder::Embedder;
pub use error::SuggestError;
pub use fulltext::FullTextConfig;
pub use fusion::Fusion;
pub use index::{DocText, Ranking, SearchOptions, SuggestConfig, SuggestionIndex};
pub use text::Highlight;

use serde::{Deserialize, Serialize};

/// What a searchable document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocKind {
    /// A knowledge-base article.
    Article,
    /// How an agent solved a past conversation.
    Resolution,
}

impl DocKind {
    /// Every kind: a search that may return anything.
    pub const ALL: &'static [DocKind] = &[DocKind::Article, DocKind::Resolution];

    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Article => "article",
            DocKind::Resolution => "resolution",
        }
    }
}

/// A document to index. `body` may be Markdown; it is indexed and shown as plain text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchDoc {
    pub id: String,
    pub kind: DocKind,
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Agent groups (teams) the document is for; empty means every group.
    #[serde(default)]
    pub groups: Vec<String>,
    /// A precomputed embedding (384 floats from the same model), e.g. stored next to the
    /// article; computed at indexing time when absent and a model is loaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embedding: Option<Vec<f32>>,
}

/// A question to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuggestQuery<'a> {
    /// The customer's words, as typed.
    pub text: &'a str,
    /// Only documents for this group (plus those for every group).
    pub group: Option<&'a str>,
    /// Only documents of these kinds ([`DocKind::ALL`] for any). An application that shows
    /// resolutions to some readers only (they are agents' notes) asks for articles alone for
    /// the others; documents of other kinds are never candidates, so they cannot crowd out the
    /// ones asked for.
    pub kinds: &'a [DocKind],
    /// How many suggestions to return at most.
    pub limit: usize,
}

/// One suggested document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub id: String,
    pub kind: DocKind,
    pub title: String,
    /// Plain text (never HTML), at most a couple of hundred bytes, `…` where cut.
    pub snippet: String,
    /// Byte ranges of `snippet` that matched the question's words.
    pub highlights: Vec<Highlight>,
    /// Higher is better. With the default blend fusion it lies in 0..=1; with full text only
    /// it is the BM25 score, with embeddings only the cosine similarity.
    pub score: f32,
}
