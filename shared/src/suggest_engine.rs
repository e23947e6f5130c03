//! The suggestion engine (`chatdesk-suggest`: tantivy full text fused with MiniLM sentence
//! embeddings) behind the `Suggester` port. Drafts are never indexed; resolutions apply to their
//! group only and are returned only to searches that ask for them (agents').

use std::sync::{Arc, RwLock};

use chatdesk_suggest::{DocKind, Embedder, SearchDoc, SuggestQuery, SuggestionIndex};

use crate::domain::kb::{Article, Resolution};
use crate::domain::GroupId;
use crate::ports::{
    resolution_item_id, Highlight, SuggestMode, Suggester, SuggestionHit, SuggestionKind,
    SuggestionSources,
};

pub struct EngineSuggester {
    embedder: Option<Arc<Embedder>>,
    index: RwLock<SuggestionIndex>,
    version: RwLock<Option<u64>>,
}

#[derive(Debug, thiserror::Error)]
#[error("the suggestion engine could not start: {0}")]
pub struct EngineError(String);

impl EngineSuggester {
    /// Loads the model if its files are installed (`CHATDESK_MODEL_DIR`, or `.cache/models/`),
    /// else runs full-text only and says so once in the log.
    pub fn load() -> Result<Self, EngineError> {
        let embedder = match Embedder::locate() {
            Some(dir) => match Embedder::load(&dir) {
                Ok(e) => {
                    tracing::info!(model = %dir.display(), "suggestions rank by words and meaning");
                    Some(Arc::new(e))
                }
                Err(e) => {
                    tracing::warn!(error = %e, model = %dir.display(), "the embedding model did not load; suggestions rank by words only");
                    None
                }
            },
            None => {
                tracing::warn!("no embedding model installed (run scripts/fetch-model.sh); suggestions rank by words only");
                None
            }
        };
        let index =
            SuggestionIndex::new(embedder.clone()).map_err(|e| EngineError(e.to_string()))?;
        Ok(EngineSuggester {
            embedder,
            index: RwLock::new(index),
            version: RwLock::new(None),
        })
    }

    fn article_doc(a: &Article) -> SearchDoc {
        SearchDoc {
            id: a.id.to_string(),
            kind: DocKind::Article,
            title: a.title.clone(),
            body: a.body.clone(),
            tags: a.tags.clone(),
            groups: a.groups.iter().map(|g| g.to_string()).collect(),
            embedding: a.embedding.clone(),
        }
    }

    /// The agent's note only: titled by its first sentence, searched and quoted from it.
    fn resolution_doc(r: &Resolution) -> SearchDoc {
        SearchDoc {
            id: resolution_item_id(&r.chat_id),
            kind: DocKind::Resolution,
            title: r.title(),
            body: r.resolution.clone(),
            tags: Vec::new(),
            groups: vec![r.group_id.to_string()],
            embedding: r.embedding.clone(),
        }
    }

    fn with_index<T>(&self, f: impl FnOnce(&SuggestionIndex) -> T) -> Option<T> {
        self.index.read().ok().map(|i| f(&i))
    }
}

impl Suggester for EngineSuggester {
    fn mode(&self) -> SuggestMode {
        if self.embedder.is_some() {
            SuggestMode::Hybrid
        } else {
            SuggestMode::Fulltext
        }
    }

    fn embed(&self, title: &str, body: &str) -> Option<Vec<f32>> {
        let embedder = self.embedder.as_ref()?;
        let text = self.with_index(|index| index.embedding_text(title, body))?;
        match embedder.embed(&text) {
            Ok(v) => Some(v),
            Err(e) => {
                tracing::warn!(error = %e, "embedding failed; the item is indexed by words only");
                None
            }
        }
    }

    fn indexed_version(&self) -> Option<u64> {
        self.version.read().ok().and_then(|v| *v)
    }

    fn rebuild(&self, articles: Vec<Article>, resolutions: Vec<Resolution>, version: u64) {
        let docs: Vec<SearchDoc> = articles
            .iter()
            .filter(|a| a.published)
            .map(Self::article_doc)
            .chain(resolutions.iter().map(Self::resolution_doc))
            .collect();
        match SuggestionIndex::build(self.embedder.clone(), docs) {
            Ok(index) => {
                if let Ok(mut slot) = self.index.write() {
                    *slot = index;
                }
                if let Ok(mut v) = self.version.write() {
                    *v = Some(version);
                }
            }
            Err(e) => tracing::error!(error = %e, "rebuilding the suggestion index failed"),
        }
    }

    fn upsert_article(&self, article: &Article) {
        let result = self.with_index(|index| {
            if article.published {
                index.upsert(Self::article_doc(article))
            } else {
                index.remove(article.id.as_str())
            }
        });
        if let Some(Err(e)) = result {
            tracing::error!(error = %e, "indexing an article failed");
        }
    }

    fn upsert_resolution(&self, resolution: &Resolution) {
        if let Some(Err(e)) =
            self.with_index(|index| index.upsert(Self::resolution_doc(resolution)))
        {
            tracing::error!(error = %e, "indexing a resolution failed");
        }
    }

    fn remove(&self, item_id: &str) {
        if let Some(Err(e)) = self.with_index(|index| index.remove(item_id)) {
            tracing::error!(error = %e, "removing from the index failed");
        }
    }

    fn search(
        &self,
        question: &str,
        group: Option<&GroupId>,
        sources: SuggestionSources,
        limit: usize,
    ) -> Vec<SuggestionHit> {
        let kinds: &[DocKind] = match sources {
            SuggestionSources::Articles => &[DocKind::Article],
            SuggestionSources::ArticlesAndResolutions => DocKind::ALL,
        };
        let query = SuggestQuery {
            text: question,
            group: group.map(|g| g.as_str()),
            kinds,
            limit,
        };
        let found = match self.with_index(|index| index.search(&query)) {
            Some(Ok(found)) => found,
            Some(Err(e)) => {
                tracing::error!(error = %e, "suggestion search failed");
                return Vec::new();
            }
            None => return Vec::new(),
        };
        found
            .into_iter()
            .map(|s| SuggestionHit {
                id: s.id,
                kind: match s.kind {
                    DocKind::Article => SuggestionKind::Article,
                    DocKind::Resolution => SuggestionKind::Resolution,
                },
                title: s.title,
                snippet: s.snippet,
                highlights: s
                    .highlights
                    .into_iter()
                    .map(|h| Highlight {
                        start: h.start,
                        end: h.end,
                    })
                    .collect(),
                score: s.score,
            })
            .collect()
    }
}
