//! Property tests: Markdown stripping and snippets never panic and never produce ranges that
//! would slice a UTF-8 string badly, whatever the input.

use chatdesk_suggest::fulltext::{analyzer, for_each_token};
use chatdesk_suggest::text::{make_snippet, strip_markdown};
use proptest::prelude::*;

fn markdownish() -> impl Strategy<Value = String> {
    // Markup characters, words, multi-byte letters and newlines, mixed.
    proptest::collection::vec(
        prop_oneof![
            Just("**".to_string()),
            Just("_".to_string()),
            Just("`".to_string()),
            Just("[".to_string()),
            Just("](".to_string()),
            Just(")".to_string()),
            Just("<b>".to_string()),
            Just("# ".to_string()),
            Just("\n".to_string()),
            Just("\n\n".to_string()),
            Just("- ".to_string()),
            Just("| ".to_string()),
            Just("&amp;".to_string()),
            Just("password ".to_string()),
            Just("réinitialiser ".to_string()),
            Just("🔑 ".to_string()),
            "[a-zA-Zéü ]{0,12}",
        ],
        0..60,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #[test]
    fn snippets_are_well_formed(md in markdownish(), len in 10usize..120) {
        let text = strip_markdown(&md);
        let mut a = analyzer();
        let mut matches = Vec::new();
        for_each_token(&mut a, &text, |t, s, e| {
            if t == "password" || t.starts_with("reinit") {
                matches.push((s, e, u32::from(t == "password")));
            }
        });
        let snippet = make_snippet(&text, &matches, len);
        prop_assert!(snippet.text.len() <= text.len().max(len) + 2 * '…'.len_utf8());
        for h in &snippet.highlights {
            prop_assert!(h.start < h.end && h.end <= snippet.text.len());
            prop_assert!(snippet.text.is_char_boundary(h.start));
            prop_assert!(snippet.text.is_char_boundary(h.end));
            let word = snippet.text[h.start..h.end].to_lowercase();
            prop_assert!(word.starts_with("password") || word.starts_with("reinit") || word.starts_with("réinit"));
        }
    }
}
