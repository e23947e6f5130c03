//! The knowledge base: articles, what customers did with suggestions, and the managers' report.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ids::{ArticleId, GroupId, Timestamp};
use crate::{app, domain, ports};

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
    // The article's embedding (384 numbers, some 4 KB of JSON) is the suggestion index's, never
    // the API's: no client reads it.
}

impl From<&domain::kb::Article> for Article {
    fn from(a: &domain::kb::Article) -> Self {
        Article {
            id: (&a.id).into(),
            title: a.title.clone(),
            body: a.body.clone(),
            tags: a.tags.clone(),
            groups: a.groups.iter().map(Into::into).collect(),
            published: a.published,
            updated_at: a.updated_at.into(),
        }
    }
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

/// Checked by the use cases that save it (`ArticleInput::validated`), which refuse a bad
/// article with `invalid_input`.
impl From<ArticleInput> for domain::kb::ArticleInput {
    fn from(a: ArticleInput) -> Self {
        domain::kb::ArticleInput {
            title: a.title,
            body: a.body,
            tags: a.tags,
            groups: a.groups.into_iter().map(Into::into).collect(),
            published: a.published,
        }
    }
}

/// What a customer did with a suggestion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeflectionAction {
    Shown,
    Clicked,
    /// "This solved my problem": the chat never reached an agent.
    Solved,
}

impl From<DeflectionAction> for domain::kb::DeflectionAction {
    fn from(a: DeflectionAction) -> Self {
        match a {
            DeflectionAction::Shown => domain::kb::DeflectionAction::Shown,
            DeflectionAction::Clicked => domain::kb::DeflectionAction::Clicked,
            DeflectionAction::Solved => domain::kb::DeflectionAction::Solved,
        }
    }
}

/// Counts of one item (or group) for the managers' report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeflectionCounts {
    pub shown: u64,
    pub clicked: u64,
    pub solved: u64,
}

impl From<&domain::kb::DeflectionCounts> for DeflectionCounts {
    fn from(c: &domain::kb::DeflectionCounts) -> Self {
        DeflectionCounts {
            shown: c.shown,
            clicked: c.clicked,
            solved: c.solved,
        }
    }
}

/// Deflection counts for the managers' report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeflectionReport {
    /// By group id (`-` for questions asked without a group).
    pub by_group: BTreeMap<String, DeflectionCounts>,
    /// By article id (or `resolution:{chat id}`).
    pub by_item: BTreeMap<String, DeflectionCounts>,
}

impl From<&ports::DeflectionReport> for DeflectionReport {
    fn from(r: &ports::DeflectionReport) -> Self {
        let counts = |m: &BTreeMap<String, domain::kb::DeflectionCounts>| {
            m.iter().map(|(k, c)| (k.clone(), c.into())).collect()
        };
        DeflectionReport {
            by_group: counts(&r.by_group),
            by_item: counts(&r.by_item),
        }
    }
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Feedback {
    pub question_id: String,
    /// The suggestion's `id`.
    pub item_id: String,
    /// `clicked` or `solved` (`shown` is recorded when suggestions are returned).
    pub action: DeflectionAction,
}

impl From<Feedback> for app::Feedback {
    fn from(f: Feedback) -> Self {
        app::Feedback {
            question_id: f.question_id,
            item_id: f.item_id,
            action: f.action.into(),
        }
    }
}

/// An article as customers may read it.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PublicArticle {
    pub id: ArticleId,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
}

impl From<&app::PublicArticle> for PublicArticle {
    fn from(a: &app::PublicArticle) -> Self {
        PublicArticle {
            id: (&a.id).into(),
            title: a.title.clone(),
            body: a.body.clone(),
            tags: a.tags.clone(),
        }
    }
}
