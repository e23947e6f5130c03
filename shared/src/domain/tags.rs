//! Tags on chats: short labels agents put on a chat to find it again ("refund", "vip"). Stored
//! on the chat, changed by its compare-and-set commit (an agents-only `tagged` event), carried in
//! list rows; a list can be narrowed to the chats with one tag.

use super::error::DomainError;

pub const MAX_TAGS_PER_CHAT: usize = 10;
pub const MAX_TAG_CHARS: usize = 32;

/// One tag as it is kept: trimmed, runs of spaces made one, lower-cased; 1 to 32 characters of
/// letters, digits, `-`, `_` and spaces. `field` names it in the refusal.
pub fn tag(field: &'static str, raw: &str) -> Result<String, DomainError> {
    let tag = raw
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    if tag.is_empty() {
        return Err(DomainError::invalid(field, "a tag must not be empty"));
    }
    let chars = tag.chars().count();
    if chars > MAX_TAG_CHARS {
        return Err(DomainError::invalid(
            field,
            format!("a tag is at most {MAX_TAG_CHARS} characters; {raw:?} has {chars}"),
        ));
    }
    if let Some(bad) = tag
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | ' ')))
    {
        return Err(DomainError::invalid(
            field,
            format!("a tag holds letters, digits, '-', '_' and spaces only; {raw:?} has {bad:?}"),
        ));
    }
    Ok(tag)
}

/// A chat's whole set of tags as sent: each checked as `tag`, repeats dropped, sorted; at most
/// `MAX_TAGS_PER_CHAT`.
pub fn tag_set(raw: &[String]) -> Result<Vec<String>, DomainError> {
    let mut tags = raw
        .iter()
        .map(|t| tag("tags", t))
        .collect::<Result<Vec<_>, _>>()?;
    tags.sort();
    tags.dedup();
    if tags.len() > MAX_TAGS_PER_CHAT {
        return Err(DomainError::invalid(
            "tags",
            format!(
                "a chat has at most {MAX_TAGS_PER_CHAT} tags; {} were sent",
                tags.len()
            ),
        ));
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(tags: &[&str]) -> Result<Vec<String>, DomainError> {
        tag_set(&tags.iter().map(|t| t.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn tags_are_trimmed_lower_cased_deduplicated_and_sorted() {
        assert_eq!(
            set(&["  VIP ", "refund  due", "vip", "Über_fast-1"]).unwrap(),
            vec!["refund due", "vip", "über_fast-1"]
        );
        assert_eq!(set(&[]).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn bad_tags_are_refused_with_the_problem_named() {
        for bad in [
            &["  "][..],
            &["a/b"],
            &["<script>"],
            &["x".repeat(33).as_str()],
        ] {
            match set(bad) {
                Err(DomainError::InvalidInput { field: "tags", .. }) => {}
                other => panic!("{bad:?}: {other:?}"),
            }
        }
        let eleven: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
        assert!(matches!(
            tag_set(&eleven),
            Err(DomainError::InvalidInput { field: "tags", reason }) if reason.contains("at most 10")
        ));
        assert_eq!(tag("tag", &"x".repeat(32)).unwrap().len(), 32);
    }
}
