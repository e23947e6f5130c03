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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(ignore)]
    pub embedding: Option<Vec<f32>>,
}

/// What a manager sends to create or change an article.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleInput {
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub groups: Vec<GroupId>,
    #[serde(default)]
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

/// How an agent solved a chat, kept as a suggestion source for later chats of the group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Resolution {
    pub chat_id: ChatId,
    pub group_id: GroupId,
    /// The customer's original question.
    pub question: String,
    pub resolution: String,
    pub agent_name: String,
    pub resolved_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(ignore)]
    pub embedding: Option<Vec<f32>>,
}

/// What a customer did with a suggestion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
