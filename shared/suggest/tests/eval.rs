//! Ranking quality cannot silently regress: the harness runs on every shipped FAQ collection and
//! the default (fused) ranking must keep its measured MAP, within a small margin.
//! The figures are those in README.md.

mod common;

use std::path::PathBuf;

use chatdesk_suggest::eval::{evaluate, query_embeddings, Collection};
use chatdesk_suggest::{Ranking, SuggestionIndex};

fn collection(name: &str) -> Collection {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/faq")
        .join(format!("{name}.json"));
    Collection::load(&path).unwrap()
}

/// Fused MAP reached when the collection was written (README.md), minus 0.02.
fn check(name: &str, fused_map: f64, bm25_map: f64) {
    const MARGIN: f64 = 0.02;
    let c = collection(name);
    assert!(c.faqs.len() >= 40 && c.queries.len() >= 120);
    let index = SuggestionIndex::build(Some(common::embedder()), c.docs()).unwrap();
    let qe = query_embeddings(&index, &c).unwrap();
    let fused = evaluate(
        &index,
        &c,
        Ranking::Fused(index.config().fusion),
        qe.as_deref(),
    )
    .unwrap()
    .metrics;
    let bm25 = evaluate(&index, &c, Ranking::FullText, None)
        .unwrap()
        .metrics;
    let embed = evaluate(&index, &c, Ranking::Semantic, qe.as_deref())
        .unwrap()
        .metrics;
    println!("{name}: fused {fused:?}\n bm25 {bm25:?}\n embed {embed:?}");
    assert!(
        fused.map >= fused_map - MARGIN,
        "{name}: fused MAP {:.3} < {fused_map} - {MARGIN}",
        fused.map
    );
    assert!(
        bm25.map >= bm25_map - MARGIN,
        "{name}: BM25 MAP {:.3} < {bm25_map} - {MARGIN}",
        bm25.map
    );
    assert!(
        fused.map + 1e-9 >= bm25.map.max(embed.map) - 0.01,
        "{name}: fusion ({:.3}) must not lose to BM25 ({:.3}) or embeddings ({:.3})",
        fused.map,
        bm25.map,
        embed.map
    );
}

#[test]
fn hosting_collection() {
    check("hosting", FUSED_HOSTING, BM25_HOSTING);
}

#[test]
fn shop_collection() {
    check("shop", FUSED_SHOP, BM25_SHOP);
}

#[test]
fn saas_collection() {
    check("saas", FUSED_SAAS, BM25_SAAS);
}

const FUSED_HOSTING: f64 = 0.953;
const BM25_HOSTING: f64 = 0.724;
const FUSED_SHOP: f64 = 0.937;
const BM25_SHOP: f64 = 0.645;
const FUSED_SAAS: f64 = 0.936;
const BM25_SAAS: f64 = 0.770;
