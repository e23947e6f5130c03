//! The crate's one error type.

use std::path::PathBuf;

/// Everything that can go wrong while loading the model, indexing or searching.
///
/// Variants carry the underlying library's message as text rather than its error type so that
/// callers (the workspace's port adapter) don't need to depend on tantivy or candle.
#[derive(Debug, thiserror::Error)]
pub enum SuggestError {
    /// The model directory lacks a file we need; the fix is to run `scripts/fetch-model.sh`.
    #[error("model file {path} is missing (run scripts/fetch-model.sh)")]
    ModelMissing { path: PathBuf },
    /// A model file exists but could not be read or parsed.
    #[error("cannot load the embedding model: {0}")]
    ModelLoad(String),
    /// Tokenisation or the forward pass failed.
    #[error("embedding failed: {0}")]
    Embedding(String),
    /// The full-text index refused an operation.
    #[error("full-text index error: {0}")]
    Index(String),
    /// A document carries an embedding of the wrong size (all embeddings must share one dimension).
    #[error("document {id} has an embedding of {got} dimensions, expected {expected}")]
    EmbeddingDimension {
        id: String,
        expected: usize,
        got: usize,
    },
    /// Input rejected before doing any work (empty id, duplicate ids in one build, ...).
    #[error("invalid input: {0}")]
    Invalid(String),
    /// A lock was poisoned by a panic in another thread; the index state may be inconsistent.
    #[error("internal lock poisoned")]
    Poisoned,
    /// Reading an evaluation collection or a cache file failed.
    #[error("I/O error on {path}: {message}")]
    Io { path: PathBuf, message: String },
}

impl From<tantivy::TantivyError> for SuggestError {
    fn from(e: tantivy::TantivyError) -> Self {
        SuggestError::Index(e.to_string())
    }
}

impl From<candle_core::Error> for SuggestError {
    fn from(e: candle_core::Error) -> Self {
        SuggestError::Embedding(e.to_string())
    }
}
