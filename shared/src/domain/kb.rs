//! The knowledge base: articles managers write, resolutions agents record when they end chats,
//! and what customers did with the suggestions they were shown (deflection).

use serde::{Deserialize, Serialize};

use super::error::DomainError;
use super::ids::{ArticleId, ChatId, GroupId};
use super::limits;
use super::time::Timestamp;

pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_ARTICLE_CHARS: usize = 50_000;
pub const MAX_TAGS: usize = 20;
pub const MAX_TAG_CHARS: usize = 40;

#[derive(Clone, Debug, PartialEq)]
pub struct Article {
    pub id: ArticleId,
    pub title: String,
    /// Markdown.
    pub body: String,
    pub tags: Vec<String>,
    /// The groups it applies to; empty = every group.
    pub groups: Vec<GroupId>,
    /// Drafts are never suggested or shown to customers.
    pub published: bool,
    pub updated_at: Timestamp,
    /// The sentence embedding of title and body, computed when the article is saved (absent when
    /// the deployment runs without the model).
    pub embedding: Option<Vec<f32>>,
}

/// What a manager sends to create or change an article.
#[derive(Clone, Debug)]
pub struct ArticleInput {
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    pub groups: Vec<GroupId>,
    pub published: bool,
}

impl ArticleInput {
    /// Checks and normalises: trimmed title and body within limits, tags lower-cased and
    /// de-duplicated.
    pub fn validated(self) -> Result<ArticleInput, DomainError> {
        let title = limits::single_line("title", &self.title, MAX_TITLE_CHARS)?;
        let body = limits::multi_line("body", &self.body, MAX_ARTICLE_CHARS)?;
        if self.tags.len() > MAX_TAGS {
            return Err(DomainError::invalid(
                "tags",
                format!("at most {MAX_TAGS} tags"),
            ));
        }
        let mut tags: Vec<String> = Vec::new();
        for t in &self.tags {
            let t = limits::single_line("tags", t, MAX_TAG_CHARS)?.to_lowercase();
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        let mut groups = self.groups;
        groups.sort();
        groups.dedup();
        Ok(ArticleInput {
            title,
            body,
            tags,
            groups,
            published: self.published,
        })
    }
}

/// Longest title shown for a resolution in the agents' suggestions.
pub const MAX_RESOLUTION_TITLE_CHARS: usize = 100;

/// How an agent solved a chat, kept as a suggestion source for later chats of its group, for
/// agents only. It holds the agent's deliberate words and nothing the customer typed: the
/// customer's question may carry names, addresses and account numbers. (Resolutions stored
/// before this rule also had a `question` field; it is ignored when read.)
// Serde for the test below, which pins that an old document's `question` is dropped when read;
// storage itself reads and writes resolutions through its records.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Resolution {
    pub chat_id: ChatId,
    pub group_id: GroupId,
    /// The agent's note: how the problem was solved.
    pub resolution: String,
    pub agent_name: String,
    pub resolved_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embedding: Option<Vec<f32>>,
}

impl Resolution {
    /// What the suggestion is called: the note's first line, up to its first sentence, at most
    /// [`MAX_RESOLUTION_TITLE_CHARS`] (cut at a word, with `…`).
    pub fn title(&self) -> String {
        resolution_title(&self.resolution)
    }
}

/// The title of a resolution note (see [`Resolution::title`]).
pub fn resolution_title(note: &str) -> String {
    let line = note
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let sentence = first_sentence(line);
    if sentence.chars().count() <= MAX_RESOLUTION_TITLE_CHARS {
        return sentence.to_owned();
    }
    let cut: String = sentence
        .chars()
        .take(MAX_RESOLUTION_TITLE_CHARS - 1)
        .collect();
    // At the last word boundary, unless that throws most of the text away (one long word).
    let shortened = match cut.rfind(char::is_whitespace) {
        Some(i) if i >= cut.len() / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", shortened.trim_end())
}

/// Up to and including the first `.`, `!` or `?` followed by whitespace; the whole text if none.
fn first_sentence(text: &str) -> &str {
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if matches!(c, '.' | '!' | '?')
            && chars.peek().is_some_and(|(_, next)| next.is_whitespace())
        {
            return &text[..i + c.len_utf8()];
        }
    }
    text
}

/// What a customer did with a suggestion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeflectionAction {
    Shown,
    Clicked,
    /// "This solved my problem": the chat never reached an agent.
    Solved,
}

impl DeflectionAction {
    pub fn as_str(self) -> &'static str {
        match self {
            DeflectionAction::Shown => "shown",
            DeflectionAction::Clicked => "clicked",
            DeflectionAction::Solved => "solved",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "shown" => Some(DeflectionAction::Shown),
            "clicked" => Some(DeflectionAction::Clicked),
            "solved" => Some(DeflectionAction::Solved),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeflectionEvent {
    /// The customer's question before any chat exists (returned with the suggestions).
    pub question_id: String,
    /// The item the action was about: an article id, or `resolution:{chat id}`.
    pub item_id: String,
    pub group_id: Option<GroupId>,
    pub action: DeflectionAction,
    pub at: Timestamp,
}

/// Counts of one item (or group) for the managers' report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeflectionCounts {
    pub shown: u64,
    pub clicked: u64,
    pub solved: u64,
}

impl DeflectionCounts {
    pub fn add(&mut self, action: DeflectionAction, n: u64) {
        match action {
            DeflectionAction::Shown => self.shown += n,
            DeflectionAction::Clicked => self.clicked += n,
            DeflectionAction::Solved => self.solved += n,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resolution_title_is_the_first_sentence_of_the_first_line() {
        assert_eq!(
            resolution_title("Reseated the toner. It clicks now.\nAlso cleaned it."),
            "Reseated the toner."
        );
        assert_eq!(
            resolution_title("\n  E42 means the toner is loose: reseat it  \nmore"),
            "E42 means the toner is loose: reseat it"
        );
        assert_eq!(
            resolution_title("Version 2.5 fixes it"),
            "Version 2.5 fixes it"
        );
        assert_eq!(resolution_title("Fixed!"), "Fixed!");
    }

    #[test]
    fn a_long_resolution_title_is_cut_at_a_word() {
        let note = "word ".repeat(60);
        let title = resolution_title(&note);
        assert!(
            title.chars().count() <= MAX_RESOLUTION_TITLE_CHARS,
            "{title}"
        );
        assert!(title.ends_with("word…"), "{title}");
        let one_word = "x".repeat(300);
        let title = resolution_title(&one_word);
        assert_eq!(title.chars().count(), MAX_RESOLUTION_TITLE_CHARS);
        assert!(title.ends_with('…'));
    }

    #[test]
    fn a_resolution_stored_with_the_old_question_field_reads_without_it() {
        let old = r#"{"chat_id":"c1","group_id":"g","question":"Ann, ann@example.com, account 1234",
            "resolution":"Reset the password","agent_name":"Al","resolved_at":5}"#;
        let r: Resolution = serde_json::from_str(old).unwrap();
        assert_eq!(r.resolution, "Reset the password");
        let again = serde_json::to_string(&r).unwrap();
        assert!(
            !again.contains("1234") && !again.contains("question"),
            "{again}"
        );
    }
}
