//! The suggestion index: documents, their full-text index and their embeddings, kept in step.
//!
//! Concurrency: searches take a read lock on the document store for the few microseconds they
//! need it and read tantivy's last committed snapshot, so they never wait for a commit. Writers
//! (`upsert`, `remove`) are serialised by a mutex; each one commits to tantivy and then updates
//! the store. In between, a search may see the new tantivy document before its store entry
//! (it is skipped) or the old embedding a moment longer: never a wrong or half-written result.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use crate::embedder::{normalize, Embedder, EMBEDDING_DIM};
use crate::fulltext::{FullText, FullTextConfig};
use crate::fusion::{fuse, Fusion};
use crate::semantic::EmbeddingMatrix;
use crate::text::{make_snippet, strip_markdown};
use crate::{DocKind, SearchDoc, SuggestError, SuggestQuery, Suggestion};

/// Which text of a document is embedded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DocText {
    /// Title, then the body as plain text (truncated to the model's input length).
    #[default]
    TitleAndBody,
    /// The title alone.
    Title,
}

/// Tuning of the index. The defaults are what README.md's measurements support.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SuggestConfig {
    pub fusion: Fusion,
    pub fulltext: FullTextConfig,
    /// How many candidates each ranking contributes to the fusion.
    pub candidates: usize,
    /// Snippet length budget in bytes (the `…` marks come on top).
    pub snippet_len: usize,
    /// Semantic matches below this cosine similarity are dropped: an unrelated article is the
    /// nearest neighbour of *something*, and suggesting it would be noise, not help.
    pub min_similarity: f32,
    pub doc_text: DocText,
}

impl Default for SuggestConfig {
    fn default() -> Self {
        Self {
            fusion: Fusion::DEFAULT,
            fulltext: FullTextConfig::default(),
            candidates: 50,
            snippet_len: 200,
            min_similarity: 0.2,
            doc_text: DocText::default(),
        }
    }
}

/// Which ranking a search uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ranking {
    /// Words and meaning, fused as given.
    Fused(Fusion),
    /// BM25 only.
    FullText,
    /// Embeddings only.
    Semantic,
}

/// Per-search overrides; `SearchOptions::default()` is what [`SuggestionIndex::search`] uses.
#[derive(Debug, Clone, Copy, Default)]
pub struct SearchOptions<'a> {
    /// Ranking to use instead of the configured fusion (the evaluation compares them).
    pub ranking: Option<Ranking>,
    /// The question's embedding if the caller already has it (saves the model call).
    pub query_embedding: Option<&'a [f32]>,
}

#[derive(Debug)]
struct Entry {
    id: String,
    kind: DocKind,
    title: String,
    /// Body as plain text.
    text: String,
    groups: Vec<String>,
    key: u64,
    slot: Option<usize>,
}

impl Entry {
    fn applies_to(&self, group: Option<&str>) -> bool {
        match group {
            None => true,
            Some(g) => self.groups.is_empty() || self.groups.iter().any(|x| x == g),
        }
    }
}

struct Store {
    by_id: HashMap<String, Arc<Entry>>,
    by_key: HashMap<u64, Arc<Entry>>,
    matrix: EmbeddingMatrix,
}

impl Store {
    fn remove_id(&mut self, id: &str) {
        if let Some(old) = self.by_id.remove(id) {
            self.by_key.remove(&old.key);
            if let Some(slot) = old.slot {
                self.matrix.remove(slot);
            }
        }
    }

    fn insert(&mut self, mut entry: Entry, embedding: Option<&[f32]>) {
        self.remove_id(&entry.id);
        entry.slot = embedding.map(|e| self.matrix.insert(entry.key, e));
        let entry = Arc::new(entry);
        self.by_key.insert(entry.key, Arc::clone(&entry));
        self.by_id.insert(entry.id.clone(), entry);
    }
}

/// A document prepared for indexing: markdown stripped, embedding checked or computed.
struct Prepared {
    doc: SearchDoc,
    text: String,
    embedding: Option<Vec<f32>>,
}

/// Knowledge-base articles and past resolutions, searchable by words and meaning.
/// `Send + Sync`: share it in an `Arc` and call every method from any thread.
pub struct SuggestionIndex {
    embedder: Option<Arc<Embedder>>,
    fulltext: FullText,
    store: RwLock<Store>,
    writer: Mutex<()>,
    next_key: AtomicU64,
    config: SuggestConfig,
}

static WARNED_NO_MODEL: AtomicBool = AtomicBool::new(false);

impl SuggestionIndex {
    /// An empty index with the default configuration.
    pub fn new(embedder: Option<Arc<Embedder>>) -> Result<Self, SuggestError> {
        Self::with_config(embedder, SuggestConfig::default())
    }

    /// An empty index with `config`.
    pub fn with_config(
        embedder: Option<Arc<Embedder>>,
        config: SuggestConfig,
    ) -> Result<Self, SuggestError> {
        if embedder.is_none() && !WARNED_NO_MODEL.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                "no embedding model loaded: suggestions use full-text ranking only \
                 (run scripts/fetch-model.sh or set CHATDESK_MODEL_DIR)"
            );
        }
        Ok(Self {
            embedder,
            fulltext: FullText::new(config.fulltext)?,
            store: RwLock::new(Store {
                by_id: HashMap::new(),
                by_key: HashMap::new(),
                matrix: EmbeddingMatrix::new(EMBEDDING_DIM),
            }),
            writer: Mutex::new(()),
            next_key: AtomicU64::new(1),
            config,
        })
    }

    /// An index holding `docs`, built with one commit. Missing embeddings are computed in
    /// batches. With duplicate ids, the last document wins.
    pub fn build(
        embedder: Option<Arc<Embedder>>,
        docs: Vec<SearchDoc>,
    ) -> Result<Self, SuggestError> {
        Self::build_with_config(embedder, docs, SuggestConfig::default())
    }

    /// [`build`](Self::build) with `config`.
    pub fn build_with_config(
        embedder: Option<Arc<Embedder>>,
        docs: Vec<SearchDoc>,
        config: SuggestConfig,
    ) -> Result<Self, SuggestError> {
        let index = Self::with_config(embedder, config)?;
        index.upsert_many(docs)?;
        Ok(index)
    }

    /// Adds or replaces many documents with a single commit (much faster than one `upsert`
    /// each). Missing embeddings are computed in batches.
    pub fn upsert_many(&self, docs: Vec<SearchDoc>) -> Result<(), SuggestError> {
        let prepared = self.prepare(docs)?;
        if prepared.is_empty() {
            return Ok(());
        }
        let _writer = self.writer.lock().map_err(|_| SuggestError::Poisoned)?;
        let mut entries = Vec::with_capacity(prepared.len());
        for p in prepared {
            let key = self.next_key.fetch_add(1, Ordering::Relaxed);
            self.fulltext.add(
                key,
                &p.doc.id,
                p.doc.kind,
                &p.doc.title,
                &p.text,
                &p.doc.tags,
                &p.doc.groups,
            )?;
            entries.push((key, p));
        }
        self.fulltext.commit()?;
        let mut store = self.store.write().map_err(|_| SuggestError::Poisoned)?;
        for (key, p) in entries {
            let entry = Entry {
                id: p.doc.id,
                kind: p.doc.kind,
                title: p.doc.title,
                text: p.text,
                groups: p.doc.groups,
                key,
                slot: None,
            };
            store.insert(entry, p.embedding.as_deref());
        }
        Ok(())
    }

    /// Adds a document or replaces the one with the same id; searchable when this returns.
    pub fn upsert(&self, doc: SearchDoc) -> Result<(), SuggestError> {
        self.upsert_many(vec![doc])
    }

    /// Removes document `id` (no error if it isn't there).
    pub fn remove(&self, id: &str) -> Result<(), SuggestError> {
        let _writer = self.writer.lock().map_err(|_| SuggestError::Poisoned)?;
        self.fulltext.delete(id)?;
        self.fulltext.commit()?;
        let mut store = self.store.write().map_err(|_| SuggestError::Poisoned)?;
        store.remove_id(id);
        Ok(())
    }

    /// Whether searches rank by meaning: a model is loaded and documents have embeddings.
    pub fn has_embeddings(&self) -> bool {
        self.embedder.is_some()
            && self
                .store
                .read()
                .map(|s| !s.matrix.is_empty())
                .unwrap_or(false)
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.store.read().map(|s| s.by_id.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn config(&self) -> &SuggestConfig {
        &self.config
    }

    pub fn embedder(&self) -> Option<&Arc<Embedder>> {
        self.embedder.as_ref()
    }

    /// The text of a document that gets embedded (title and plain-text body, or the title
    /// alone, per [`SuggestConfig::doc_text`]). Use it to precompute `SearchDoc::embedding`.
    pub fn embedding_text(&self, title: &str, body_markdown: &str) -> String {
        embedding_text(self.config.doc_text, title, &strip_markdown(body_markdown))
    }

    /// The best suggestions for `q`, best first.
    pub fn search(&self, q: &SuggestQuery) -> Result<Vec<Suggestion>, SuggestError> {
        self.search_with(q, &SearchOptions::default())
    }

    /// [`search`](Self::search) with per-call overrides (ranking method, precomputed question
    /// embedding). The evaluation harness uses this to compare rankings on the same code path.
    pub fn search_with(
        &self,
        q: &SuggestQuery,
        options: &SearchOptions,
    ) -> Result<Vec<Suggestion>, SuggestError> {
        if q.limit == 0 || q.text.trim().is_empty() || q.kinds.is_empty() {
            return Ok(Vec::new());
        }
        let ranking = options
            .ranking
            .unwrap_or(Ranking::Fused(self.config.fusion));
        let use_words = !matches!(ranking, Ranking::Semantic);
        let use_meaning = !matches!(ranking, Ranking::FullText);
        let k = self.config.candidates.max(q.limit);

        let searcher = self.fulltext.searcher();
        let analyzed = self.fulltext.analyze(&searcher, q.text)?;
        let lexical: Vec<(u64, f32)> = if use_words {
            self.fulltext
                .search(&searcher, &analyzed, q.group, q.kinds, k)?
                .into_iter()
                .map(|h| (h.key, h.score))
                .collect()
        } else {
            Vec::new()
        };

        // Embed the question before taking the store lock: it is the slow part.
        let computed;
        let query_embedding: Option<&[f32]> = match (use_meaning, options.query_embedding) {
            (false, _) => None,
            (true, Some(e)) => Some(e),
            (true, None) => match &self.embedder {
                Some(embedder) => {
                    computed = embedder.embed_query(q.text)?;
                    Some(&computed)
                }
                None => None,
            },
        };

        let store = self.store.read().map_err(|_| SuggestError::Poisoned)?;
        let semantic: Vec<(u64, f32)> = match query_embedding {
            Some(qe) if qe.len() == store.matrix.dim() => {
                let by_key = &store.by_key;
                let mut top = store.matrix.top_k(qe, k, |key| {
                    by_key
                        .get(&key)
                        .is_some_and(|e| e.applies_to(q.group) && q.kinds.contains(&e.kind))
                });
                top.retain(|&(_, cos)| cos >= self.config.min_similarity);
                top
            }
            _ => Vec::new(),
        };

        let ranked = match ranking {
            Ranking::FullText => lexical,
            Ranking::Semantic => semantic,
            Ranking::Fused(fusion) => fuse(fusion, &lexical, &semantic),
        };

        let terms = analyzed.highlight_terms();
        let mut out = Vec::with_capacity(q.limit);
        for (key, score) in ranked {
            if out.len() == q.limit {
                break;
            }
            // A key unknown to the store belongs to a write that is not finished yet.
            let Some(entry) = store.by_key.get(&key) else {
                continue;
            };
            // Both rankings filtered by kind already; this keeps it so whatever they return.
            if !q.kinds.contains(&entry.kind) {
                continue;
            }
            let matches = self.fulltext.match_ranges(&entry.text, &terms);
            let snippet = make_snippet(&entry.text, &matches, self.config.snippet_len);
            out.push(Suggestion {
                id: entry.id.clone(),
                kind: entry.kind,
                title: entry.title.clone(),
                snippet: snippet.text,
                highlights: snippet.highlights,
                score,
            });
        }
        Ok(out)
    }

    /// Strips markdown, validates ids and embeddings, computes missing embeddings in batches.
    fn prepare(&self, docs: Vec<SearchDoc>) -> Result<Vec<Prepared>, SuggestError> {
        // Last one wins for duplicate ids.
        let mut position: HashMap<String, usize> = HashMap::new();
        let mut unique: Vec<SearchDoc> = Vec::with_capacity(docs.len());
        for doc in docs {
            if doc.id.is_empty() {
                return Err(SuggestError::Invalid("document id is empty".into()));
            }
            match position.get(&doc.id) {
                Some(&i) => unique[i] = doc,
                None => {
                    position.insert(doc.id.clone(), unique.len());
                    unique.push(doc);
                }
            }
        }

        let mut prepared: Vec<Prepared> = Vec::with_capacity(unique.len());
        for mut doc in unique {
            let text = strip_markdown(&doc.body);
            let embedding = match doc.embedding.take() {
                Some(mut e) => {
                    if e.len() != EMBEDDING_DIM {
                        return Err(SuggestError::EmbeddingDimension {
                            id: doc.id,
                            expected: EMBEDDING_DIM,
                            got: e.len(),
                        });
                    }
                    normalize(&mut e);
                    Some(e)
                }
                None => None,
            };
            prepared.push(Prepared {
                doc,
                text,
                embedding,
            });
        }

        if let Some(embedder) = &self.embedder {
            let missing: Vec<usize> = (0..prepared.len())
                .filter(|&i| prepared[i].embedding.is_none())
                .collect();
            if !missing.is_empty() {
                let texts: Vec<String> = missing
                    .iter()
                    .map(|&i| {
                        embedding_text(
                            self.config.doc_text,
                            &prepared[i].doc.title,
                            &prepared[i].text,
                        )
                    })
                    .collect();
                // Chunks bound the tokenizer's padded buffer and let the log show progress.
                const CHUNK: usize = 512;
                for (n, (idx, chunk)) in missing.chunks(CHUNK).zip(texts.chunks(CHUNK)).enumerate()
                {
                    let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
                    let vectors = embedder.embed_batch(&refs)?;
                    for (&i, v) in idx.iter().zip(vectors) {
                        prepared[i].embedding = Some(v);
                    }
                    tracing::debug!(
                        done = (n * CHUNK + chunk.len()),
                        total = missing.len(),
                        "embedded documents"
                    );
                }
            }
        }
        Ok(prepared)
    }
}

fn embedding_text(doc_text: DocText, title: &str, plain_body: &str) -> String {
    match doc_text {
        DocText::Title => title.to_string(),
        DocText::TitleAndBody => {
            let mut s = String::with_capacity(title.len() + plain_body.len() + 1);
            s.push_str(title);
            s.push('\n');
            s.push_str(plain_body);
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn index_is_send_and_sync() {
        assert_send_sync::<SuggestionIndex>();
    }
}
