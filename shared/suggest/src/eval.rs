//! Ranking quality on FAQ collections: the measurements behind the choice of fusion.
//!
//! A collection is a JSON file: `{"name", "faqs": [{"id", "question", "answer", "tags"?}],
//! "queries": [{"query", "relevant": [faq ids]}]}`. Each FAQ becomes an article (title = the
//! question, body = the answer) and every query is run through [`SuggestionIndex::search_with`],
//! the same code path as production searches. Metrics look at the top [`DEPTH`] results:
//!
//! * **AP** (average precision): mean of precision@k over the ranks k where a relevant FAQ
//!   appears, divided by the number of relevant FAQs; **MAP** is its mean over queries.
//! * **MRR**: mean of 1 / rank of the first relevant FAQ (0 if none in the top 10).
//! * **P@3**: relevant FAQs among the first 3, divided by 3 (most queries have one relevant
//!   FAQ, so its ceiling is about 0.33).
//! * **NDCG@3**: binary-gain DCG of the first 3 (`Σ rel_i / log2(i + 1)`) divided by the best
//!   possible DCG for that query.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{
    DocKind, Fusion, Ranking, SearchDoc, SearchOptions, SuggestError, SuggestQuery, SuggestionIndex,
};

/// Ranks looked at by every metric.
pub const DEPTH: usize = 10;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Faq {
    pub id: String,
    pub question: String,
    pub answer: String,
    #[serde(default)]
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvalQuery {
    pub query: String,
    pub relevant: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Collection {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub faqs: Vec<Faq>,
    pub queries: Vec<EvalQuery>,
}

impl Collection {
    pub fn load(path: &Path) -> Result<Self, SuggestError> {
        let io = |message: String| SuggestError::Io {
            path: path.to_path_buf(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| io(e.to_string()))?;
        let collection: Collection = serde_json::from_str(&text).map_err(|e| io(e.to_string()))?;
        for q in &collection.queries {
            for r in &q.relevant {
                if !collection.faqs.iter().any(|f| &f.id == r) {
                    return Err(io(format!("query {:?} names unknown FAQ {r}", q.query)));
                }
            }
        }
        Ok(collection)
    }

    /// The FAQs as knowledge-base articles.
    pub fn docs(&self) -> Vec<SearchDoc> {
        self.faqs
            .iter()
            .map(|f| SearchDoc {
                id: f.id.clone(),
                kind: DocKind::Article,
                title: f.question.clone(),
                body: f.answer.clone(),
                tags: f.tags.clone(),
                groups: Vec::new(),
                embedding: None,
            })
            .collect()
    }
}

/// Mean metrics over a set of queries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Metrics {
    pub map: f64,
    pub mrr: f64,
    pub p_at_3: f64,
    pub ndcg_at_3: f64,
    pub queries: usize,
}

/// Metrics of one ranked list of ids against the relevant ids.
pub fn score_ranking(ranked: &[String], relevant: &[String]) -> Metrics {
    let ranked = &ranked[..ranked.len().min(DEPTH)];
    let is_rel = |id: &String| relevant.contains(id);
    let mut hits = 0usize;
    let mut precision_sum = 0.0;
    let mut first = None;
    for (i, id) in ranked.iter().enumerate() {
        if is_rel(id) {
            hits += 1;
            precision_sum += hits as f64 / (i + 1) as f64;
            first.get_or_insert(i + 1);
        }
    }
    let map = if relevant.is_empty() {
        0.0
    } else {
        precision_sum / relevant.len() as f64
    };
    let mrr = first.map_or(0.0, |r| 1.0 / r as f64);
    let top3 = &ranked[..ranked.len().min(3)];
    let p_at_3 = top3.iter().filter(|id| is_rel(id)).count() as f64 / 3.0;
    let dcg: f64 = top3
        .iter()
        .enumerate()
        .filter(|(_, id)| is_rel(id))
        .map(|(i, _)| 1.0 / ((i + 2) as f64).log2())
        .sum();
    let ideal: f64 = (0..relevant.len().min(3))
        .map(|i| 1.0 / ((i + 2) as f64).log2())
        .sum();
    let ndcg_at_3 = if ideal > 0.0 { dcg / ideal } else { 0.0 };
    Metrics {
        map,
        mrr,
        p_at_3,
        ndcg_at_3,
        queries: 1,
    }
}

/// A query whose first relevant FAQ was not ranked first.
#[derive(Debug, Clone)]
pub struct Miss {
    pub query: String,
    pub relevant: Vec<String>,
    pub top: Vec<String>,
}

/// Result of one evaluation run.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub metrics: Metrics,
    pub misses: Vec<Miss>,
}

/// Runs every query of `collection` against `index` with `ranking` and averages the metrics.
/// `query_embeddings`, if given, holds one embedding per query (computed once and reused across
/// rankings; production searches compute it in `search`).
pub fn evaluate(
    index: &SuggestionIndex,
    collection: &Collection,
    ranking: Ranking,
    query_embeddings: Option<&[Vec<f32>]>,
) -> Result<Report, SuggestError> {
    let mut sum = Metrics::default();
    let mut misses = Vec::new();
    for (i, q) in collection.queries.iter().enumerate() {
        let options = SearchOptions {
            ranking: Some(ranking),
            query_embedding: query_embeddings.and_then(|e| e.get(i)).map(Vec::as_slice),
        };
        let results = index.search_with(
            &SuggestQuery {
                text: &q.query,
                group: None,
                kinds: DocKind::ALL,
                limit: DEPTH,
            },
            &options,
        )?;
        let ranked: Vec<String> = results.into_iter().map(|s| s.id).collect();
        let m = score_ranking(&ranked, &q.relevant);
        if m.mrr < 1.0 {
            misses.push(Miss {
                query: q.query.clone(),
                relevant: q.relevant.clone(),
                top: ranked.iter().take(3).cloned().collect(),
            });
        }
        sum.map += m.map;
        sum.mrr += m.mrr;
        sum.p_at_3 += m.p_at_3;
        sum.ndcg_at_3 += m.ndcg_at_3;
        sum.queries += 1;
    }
    let n = sum.queries.max(1) as f64;
    Ok(Report {
        metrics: Metrics {
            map: sum.map / n,
            mrr: sum.mrr / n,
            p_at_3: sum.p_at_3 / n,
            ndcg_at_3: sum.ndcg_at_3 / n,
            queries: sum.queries,
        },
        misses,
    })
}

/// Embeds every query of `collection` in one batch (for [`evaluate`]).
pub fn query_embeddings(
    index: &SuggestionIndex,
    collection: &Collection,
) -> Result<Option<Vec<Vec<f32>>>, SuggestError> {
    match index.embedder() {
        None => Ok(None),
        Some(embedder) => {
            let texts: Vec<&str> = collection
                .queries
                .iter()
                .map(|q| q.query.as_str())
                .collect();
            Ok(Some(embedder.embed_batch(&texts)?))
        }
    }
}

/// The rankings compared in README.md, with a label each.
pub fn comparison_rankings() -> Vec<(String, Ranking)> {
    let mut v = vec![
        ("bm25".to_string(), Ranking::FullText),
        ("embed".to_string(), Ranking::Semantic),
    ];
    for k in [10.0f32, 60.0] {
        v.push((format!("rrf k={k}"), Ranking::Fused(Fusion::Rrf { k })));
    }
    for w in [0.3f32, 0.5, 0.7, 0.8, 0.85, 0.9, 0.95] {
        v.push((
            format!("blend w={w}"),
            Ranking::Fused(Fusion::Blend { semantic_weight: w }),
        ));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn perfect_and_empty_rankings() {
        let m = score_ranking(&ids(&["a", "b"]), &ids(&["a"]));
        assert_eq!((m.map, m.mrr, m.ndcg_at_3), (1.0, 1.0, 1.0));
        assert!((m.p_at_3 - 1.0 / 3.0).abs() < 1e-12);
        let m = score_ranking(&[], &ids(&["a"]));
        assert_eq!((m.map, m.mrr, m.p_at_3, m.ndcg_at_3), (0.0, 0.0, 0.0, 0.0));
    }

    #[test]
    fn second_rank_and_two_relevant() {
        let m = score_ranking(&ids(&["x", "a", "y", "b"]), &ids(&["a", "b"]));
        // AP = (1/2 + 2/4) / 2 = 0.5; first hit at rank 2.
        assert!((m.map - 0.5).abs() < 1e-12);
        assert!((m.mrr - 0.5).abs() < 1e-12);
        assert!((m.p_at_3 - 1.0 / 3.0).abs() < 1e-12);
        let ideal = 1.0 + 1.0 / 3f64.log2();
        assert!((m.ndcg_at_3 - (1.0 / 3f64.log2()) / ideal).abs() < 1e-12);
    }

    #[test]
    fn only_top_ten_counts() {
        let mut ranked: Vec<String> = (0..10).map(|i| format!("x{i}")).collect();
        ranked.push("a".into());
        let m = score_ranking(&ranked, &ids(&["a"]));
        assert_eq!(m.map, 0.0);
    }
}
