//! Behaviour that does not need the model: full-text ranking, filters, updates, snippets.

mod common;

use std::sync::Arc;

use chatdesk_suggest::fulltext::analyzer;
use chatdesk_suggest::{DocKind, SearchDoc, SuggestQuery, Suggestion, SuggestionIndex};
use common::{doc, in_groups, kb};

fn search(index: &SuggestionIndex, text: &str) -> Vec<Suggestion> {
    index
        .search(&SuggestQuery {
            text,
            group: None,
            kinds: DocKind::ALL,
            limit: 5,
        })
        .unwrap()
}

fn ids(results: &[Suggestion]) -> Vec<&str> {
    results.iter().map(|s| s.id.as_str()).collect()
}

#[test]
fn full_text_only_without_a_model() {
    let index = SuggestionIndex::build(None, kb()).unwrap();
    assert!(!index.has_embeddings());
    assert_eq!(index.len(), 7);
    let r = search(&index, "reset password");
    assert_eq!(r[0].id, "password");
    assert!(r[0].score > 0.0);
    // Stemming: "exporting" finds "export"/"exported".
    assert_eq!(search(&index, "exporting projects")[0].id, "export");
    // Nothing matches: nothing is suggested (no semantic fallback without a model).
    assert!(search(&index, "xylophone").is_empty());
    assert!(search(&index, "   ").is_empty());
}

#[test]
fn title_counts_more_than_body() {
    let index = SuggestionIndex::build(
        None,
        vec![
            doc(
                "body",
                "Account settings",
                "You can change the invoice address here.",
            ),
            doc(
                "title",
                "Invoice address",
                "Edit it under account settings.",
            ),
        ],
    )
    .unwrap();
    assert_eq!(ids(&search(&index, "invoice address")), ["title", "body"]);
}

#[test]
fn typo_tolerance_for_short_questions() {
    let index = SuggestionIndex::build(None, kb()).unwrap();
    assert_eq!(search(&index, "pasword reset")[0].id, "password");
    assert_eq!(search(&index, "cancle subscripton")[0].id, "cancel");
    assert_eq!(search(&index, "certficate")[0].id, "ssl");
    // The corrected word is highlighted in the snippet.
    let r = search(&index, "pasword");
    assert!(r[0]
        .highlights
        .iter()
        .any(|h| r[0].snippet[h.start..h.end].eq_ignore_ascii_case("password")));
}

#[test]
fn group_filter() {
    let docs = vec![
        in_groups(
            doc(
                "billing-refunds",
                "Refunds",
                "How refunds work for billing.",
            ),
            &["billing"],
        ),
        in_groups(
            doc(
                "tech-refunds",
                "Refunds (tech)",
                "Refunds for technical issues.",
            ),
            &["tech"],
        ),
        doc(
            "all-refunds",
            "Refund policy",
            "Refunds are possible within 30 days.",
        ),
        in_groups(
            doc("both", "Refund exceptions", "Refunds exceptions."),
            &["billing", "tech"],
        ),
    ];
    let index = SuggestionIndex::build(None, docs).unwrap();
    let q = |group| {
        let mut v: Vec<String> = index
            .search(&SuggestQuery {
                text: "refunds",
                group,
                kinds: DocKind::ALL,
                limit: 10,
            })
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        q(Some("billing")),
        ["all-refunds", "billing-refunds", "both"]
    );
    assert_eq!(q(Some("tech")), ["all-refunds", "both", "tech-refunds"]);
    assert_eq!(q(Some("sales")), ["all-refunds"]);
    assert_eq!(q(None).len(), 4);
}

#[test]
fn upsert_and_remove_are_reflected_in_search() {
    let index = SuggestionIndex::new(None).unwrap();
    assert!(index.is_empty());
    index
        .upsert(doc(
            "a",
            "Reset your password",
            "Use the forgot password link.",
        ))
        .unwrap();
    assert_eq!(ids(&search(&index, "password")), ["a"]);

    // Replacing the document replaces its words.
    index
        .upsert(doc(
            "a",
            "Change your avatar",
            "Upload a new profile picture.",
        ))
        .unwrap();
    assert_eq!(index.len(), 1);
    assert!(search(&index, "password").is_empty());
    assert_eq!(search(&index, "avatar")[0].title, "Change your avatar");

    index
        .upsert(doc("b", "Avatar size limits", "Avatars can be up to 5 MB."))
        .unwrap();
    assert_eq!(search(&index, "avatar").len(), 2);
    index.remove("a").unwrap();
    assert_eq!(ids(&search(&index, "avatar")), ["b"]);
    assert_eq!(index.len(), 1);
    index.remove("missing").unwrap();
    index.remove("b").unwrap();
    assert!(index.is_empty());
    assert!(search(&index, "avatar").is_empty());
}

#[test]
fn highlights_point_at_query_terms_on_char_boundaries() {
    let filler = "Ünïcödé filler text — naïve café, crème brûlée. ".repeat(12);
    let body = format!(
        "{filler}To **reset** your passwords, open the sign-in page. Résumé: passwords reset by email. {filler}"
    );
    let index = SuggestionIndex::build(None, vec![doc("x", "Security", &body)]).unwrap();
    let r = &search(&index, "password resetting")[0];
    assert!(!r.highlights.is_empty());
    assert!(r.snippet.len() <= 200 + 2 * '…'.len_utf8());
    let mut analyzer = analyzer();
    for h in &r.highlights {
        assert!(r.snippet.is_char_boundary(h.start) && r.snippet.is_char_boundary(h.end));
        let word = &r.snippet[h.start..h.end];
        let mut stems = Vec::new();
        chatdesk_suggest::fulltext::for_each_token(&mut analyzer, word, |t, _, _| {
            stems.push(t.to_string())
        });
        assert!(
            stems == ["password"] || stems == ["reset"],
            "highlight {word:?} is not a query term"
        );
    }
    // Snippets are plain text: the markdown emphasis is gone.
    assert!(!r.snippet.contains("**"));
    assert!(r.snippet.contains("To reset your passwords"));
}

#[test]
fn markdown_is_stripped_for_indexing_and_snippets() {
    let body = "## Steps\n\n1. Open [the billing page](https://example.com/secretpath).\n\
                2. Click `Download` <b>now</b>.";
    let index = SuggestionIndex::build(None, vec![doc("md", "Invoices", body)]).unwrap();
    // URLs are not content.
    assert!(search(&index, "secretpath").is_empty());
    let r = &search(&index, "billing download")[0];
    assert_eq!(
        r.snippet,
        "Steps\nOpen the billing page.\nClick Download now."
    );
    for h in &r.highlights {
        let w = &r.snippet[h.start..h.end];
        assert!(w == "billing" || w == "Download", "{w}");
    }
}

#[test]
fn kinds_and_precomputed_embeddings_are_validated() {
    let mut bad = doc("bad", "t", "b");
    bad.embedding = Some(vec![0.1; 3]);
    assert!(SuggestionIndex::build(None, vec![bad]).is_err());
    assert!(SuggestionIndex::build(None, vec![doc("", "t", "b")]).is_err());
    let mut r = doc(
        "r1",
        "Printer offline fixed",
        "Agent restarted the print spooler.",
    );
    r.kind = chatdesk_suggest::DocKind::Resolution;
    let index = SuggestionIndex::build(None, vec![r]).unwrap();
    assert_eq!(
        search(&index, "printer")[0].kind,
        chatdesk_suggest::DocKind::Resolution
    );
    let json = serde_json::to_string(&search(&index, "printer")[0].kind).unwrap();
    assert_eq!(json, "\"resolution\"");
}

#[test]
fn concurrent_upserts_and_searches() {
    let index = Arc::new(SuggestionIndex::build(None, kb()).unwrap());
    let writer = {
        let index = Arc::clone(&index);
        std::thread::spawn(move || {
            for i in 0..20 {
                let d: SearchDoc = doc(&format!("n{i}"), "Printer help", "Restart the printer.");
                index.upsert(d).unwrap();
                if i % 2 == 0 {
                    index.remove(&format!("n{i}")).unwrap();
                }
            }
        })
    };
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let index = Arc::clone(&index);
            std::thread::spawn(move || {
                for _ in 0..50 {
                    let r = search(&index, "reset password");
                    assert_eq!(r[0].id, "password");
                }
            })
        })
        .collect();
    writer.join().unwrap();
    for r in readers {
        r.join().unwrap();
    }
    assert_eq!(index.len(), 7 + 10);
}

/// A search for some kinds never returns, nor is crowded out by, documents of the others.
#[test]
fn a_search_limited_to_articles_never_returns_a_resolution() {
    let mut resolution = doc(
        "r1",
        "Printer offline fixed",
        "Restarted the printer spooler; the printer prints again.",
    );
    resolution.kind = DocKind::Resolution;
    let article = doc("a1", "Office supplies", "Order paper for the printer.");
    let index = SuggestionIndex::build(None, vec![resolution, article]).unwrap();
    let found = |kinds: &[DocKind], limit| -> Vec<String> {
        index
            .search(&SuggestQuery {
                text: "printer",
                group: None,
                kinds,
                limit,
            })
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect()
    };
    assert_eq!(found(DocKind::ALL, 5), vec!["r1", "a1"]);
    assert_eq!(found(DocKind::ALL, 1), vec!["r1"]);
    // Limited to one result, the article still comes although the resolution ranks higher.
    assert_eq!(found(&[DocKind::Article], 1), vec!["a1"]);
    assert_eq!(found(&[DocKind::Resolution], 5), vec!["r1"]);
    assert!(found(&[], 5).is_empty());
}
