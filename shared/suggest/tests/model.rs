//! Behaviour with the embedding model: ranking by meaning. These tests need the model files
//! (`scripts/fetch-model.sh`); without them they fail with that instruction, they never skip.

mod common;

use chatdesk_suggest::embedder::EMBEDDING_DIM;
use chatdesk_suggest::{DocKind, Ranking, SearchOptions, SuggestQuery, SuggestionIndex};
use common::{embedder, kb};

fn top(index: &SuggestionIndex, text: &str) -> String {
    index
        .search(&SuggestQuery {
            text,
            group: None,
            kinds: DocKind::ALL,
            limit: 3,
        })
        .unwrap()
        .first()
        .map(|s| s.id.clone())
        .unwrap_or_default()
}

#[test]
fn embeddings_are_unit_length_and_batch_matches_single() {
    let e = embedder();
    let single = e.embed("How do I reset my password?").unwrap();
    assert_eq!(single.len(), EMBEDDING_DIM);
    let norm: f32 = single.iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-4);
    let batch = e
        .embed_batch(&[
            "a much longer sentence about billing and invoices for padding",
            "How do I reset my password?",
        ])
        .unwrap();
    let cos: f32 = single.iter().zip(&batch[1]).map(|(a, b)| a * b).sum();
    assert!(cos > 0.999, "padding changed the embedding: cos {cos}");
    // Meaning: paraphrases are closer than unrelated sentences.
    let para = e.embed("I forgot my login credentials").unwrap();
    let other = e.embed("Do you ship to Canada?").unwrap();
    let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
    assert!(dot(&single, &para) > dot(&single, &other) + 0.2);
}

#[test]
fn paraphrases_find_the_right_article() {
    let index = SuggestionIndex::build(Some(embedder()), kb()).unwrap();
    assert!(index.has_embeddings());
    // None of these share a content word with the right article's title.
    assert_eq!(top(&index, "I can't remember how to sign in"), "password");
    assert_eq!(
        top(&index, "my visa expired, where do I put the new one"),
        "card"
    );
    assert_eq!(top(&index, "read my mail on my mobile"), "phone-mail");
    assert_eq!(top(&index, "we want to stop paying"), "cancel");
    assert_eq!(top(&index, "https padlock for my website"), "ssl");
    assert_eq!(
        top(&index, "the white screen hurts my eyes at night"),
        "dark"
    );
    assert_eq!(
        top(&index, "download everything as a spreadsheet"),
        "export"
    );
    // Typos still work with the model on.
    assert_eq!(top(&index, "pasword reset"), "password");
}

#[test]
fn rankings_can_be_compared_on_one_index() {
    let index = SuggestionIndex::build(Some(embedder()), kb()).unwrap();
    let q = SuggestQuery {
        text: "we want to stop paying",
        group: None,
        kinds: DocKind::ALL,
        limit: 3,
    };
    let bm25 = index
        .search_with(
            &q,
            &SearchOptions {
                ranking: Some(Ranking::FullText),
                query_embedding: None,
            },
        )
        .unwrap();
    let semantic = index
        .search_with(
            &q,
            &SearchOptions {
                ranking: Some(Ranking::Semantic),
                query_embedding: None,
            },
        )
        .unwrap();
    assert!(
        bm25.iter().all(|s| s.id != "cancel"),
        "no shared words: BM25 can't find it"
    );
    assert_eq!(semantic[0].id, "cancel");
    assert!(semantic[0].score > 0.2 && semantic[0].score <= 1.0);
    // Semantic-only hits get a snippet without highlights.
    assert!(semantic[0].highlights.is_empty());
    assert!(semantic[0]
        .snippet
        .starts_with("In Billing > Subscription click Cancel."));
}

#[test]
fn very_long_questions_are_capped() {
    let index = SuggestionIndex::build(Some(embedder()), kb()).unwrap();
    let long = format!(
        "I can't remember how to sign in. {}",
        "This has been going on for days and I am getting really frustrated with it. ".repeat(60)
    );
    let r = index
        .search(&SuggestQuery {
            text: &long,
            group: None,
            kinds: DocKind::ALL,
            limit: 3,
        })
        .unwrap();
    assert_eq!(r[0].id, "password");
    // At most QUERY_MAX_TOKENS word pieces are embedded, so a pasted wall of text costs no more
    // than a short question: whatever follows the cap changes nothing (checked by what is
    // computed, not by a clock, which a busy machine makes unreliable).
    let e = embedder();
    let capped = e.embed_query(&long).unwrap();
    let longer = e
        .embed_query(&format!(
            "{long} {}",
            "Entirely different words about billing. ".repeat(40)
        ))
        .unwrap();
    let distance = |a: &[f32], b: &[f32]| {
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0f32, f32::max)
    };
    assert!(
        distance(&capped, &longer) < 1e-5,
        "text past the cap is not embedded"
    );
    let short = e.embed_query("I can't remember how to sign in.").unwrap();
    assert!(
        distance(&capped, &short) > 1e-3,
        "the text up to the cap is"
    );
}

#[test]
fn unrelated_questions_get_few_or_no_suggestions() {
    let index = SuggestionIndex::build(Some(embedder()), kb()).unwrap();
    let r = index
        .search(&SuggestQuery {
            text: "what is the capital of peru",
            group: None,
            kinds: DocKind::ALL,
            limit: 5,
        })
        .unwrap();
    assert!(
        r.len() < 3,
        "unrelated question got {} suggestions: {r:?}",
        r.len()
    );
}

/// By meaning too, a search for articles alone never returns a resolution, however close.
#[test]
fn a_search_limited_to_articles_never_returns_a_resolution_by_meaning() {
    let mut docs = kb();
    docs.push(chatdesk_suggest::SearchDoc {
        id: "r1".into(),
        kind: DocKind::Resolution,
        title: "Customer could not sign in".into(),
        body: "Sent a password reset link; the customer could sign in again.".into(),
        tags: Vec::new(),
        groups: Vec::new(),
        embedding: None,
    });
    let index = SuggestionIndex::build(Some(embedder()), docs).unwrap();
    let search = |kinds| {
        index
            .search(&SuggestQuery {
                text: "I can't remember how to sign in",
                group: None,
                kinds,
                limit: 10,
            })
            .unwrap()
    };
    assert!(search(DocKind::ALL).iter().any(|s| s.id == "r1"));
    let articles = search(&[DocKind::Article]);
    assert!(!articles.is_empty());
    assert!(articles.iter().all(|s| s.kind == DocKind::Article));
}
