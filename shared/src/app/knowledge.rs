//! Knowledge-base use cases: articles (managers and administrators write them), resolutions
//! (recorded when an agent ends a chat with a note), suggestions for a customer's question and
//! inside a chat, and deflection counts.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{App, AppError};
use crate::auth::Principal;
use crate::domain::kb::{Article, ArticleInput, DeflectionAction, DeflectionEvent, Resolution};
use crate::domain::{limits, ArticleId, Chat, ChatId, DomainError, EventKind, GroupId};
use crate::ports::{
    resolution_item_id, DeflectionRecorded, DeflectionReport, KnowledgeStore, SuggestMode,
    Suggester, SuggestionHit, SuggestionSources,
};

/// Suggestions shown at once.
pub const SUGGESTION_LIMIT: usize = 5;
/// The customer's latest messages an in-chat suggestion looks at.
const RECENT_CUSTOMER_MESSAGES: usize = 3;

/// The knowledge base and, where this process serves suggestions, the engine. Functions that
/// only edit articles or end chats run without the engine (no model to load at cold start); what
/// they save without an embedding gets one when a process with the engine next refreshes its
/// index.
#[derive(Clone)]
pub struct Knowledge {
    pub store: Arc<dyn KnowledgeStore>,
    pub suggester: Option<Arc<dyn Suggester>>,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Suggestions {
    pub mode: SuggestMode,
    /// Identifies this question in feedback (`POST /api/suggestions/feedback`); signed, so
    /// counts cannot be made up.
    pub question_id: String,
    pub suggestions: Vec<SuggestionHit>,
}

#[derive(Clone, Debug)]
pub struct Feedback {
    pub question_id: String,
    /// The suggestion's `id`.
    pub item_id: String,
    /// `clicked` or `solved` (`shown` is recorded when suggestions are returned).
    pub action: DeflectionAction,
}

/// An article as customers may read it.
#[derive(Clone, Debug)]
pub struct PublicArticle {
    pub id: ArticleId,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
}

impl Knowledge {
    async fn require_editor(&self, app: &App, principal: &Principal) -> Result<(), AppError> {
        let agent = app.agent(principal).await?;
        if agent.role.is_manager_or_admin() {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "only managers and administrators edit the knowledge base".into(),
            ))
        }
    }

    /// Runs CPU-heavy engine work (embedding, indexing) off the async threads; `None` when this
    /// process has no engine.
    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Suggester) -> T + Send + 'static,
    ) -> Result<Option<T>, AppError> {
        let Some(suggester) = self.suggester.clone() else {
            return Ok(None);
        };
        tokio::task::spawn_blocking(move || f(suggester.as_ref()))
            .await
            .map(Some)
            .map_err(|e| AppError::Internal(crate::ports::StoreError::backend(e)))
    }

    fn engine(&self) -> Result<&Arc<dyn Suggester>, AppError> {
        self.suggester.as_ref().ok_or_else(|| {
            AppError::Internal(crate::ports::StoreError::Corrupt(
                "this function serves no suggestions (no engine configured)".into(),
            ))
        })
    }

    async fn save(&self, mut article: Article) -> Result<Article, AppError> {
        let (title, body) = (article.title.clone(), article.body.clone());
        article.embedding = self
            .blocking(move |s| s.embed(&title, &body))
            .await?
            .flatten();
        self.store.put_article(&article).await?;
        let indexed = article.clone();
        self.blocking(move |s| s.upsert_article(&indexed)).await?;
        Ok(article)
    }

    pub async fn create_article(
        &self,
        app: &App,
        principal: &Principal,
        input: ArticleInput,
    ) -> Result<Article, AppError> {
        self.require_editor(app, principal).await?;
        let input = input.validated()?;
        self.check_groups(app, &input.groups).await?;
        self.save(Article {
            id: ArticleId::generate(),
            title: input.title,
            body: input.body,
            tags: input.tags,
            groups: input.groups,
            published: input.published,
            updated_at: app.clock.now(),
            embedding: None,
        })
        .await
    }

    pub async fn update_article(
        &self,
        app: &App,
        principal: &Principal,
        id: &ArticleId,
        input: ArticleInput,
    ) -> Result<Article, AppError> {
        self.require_editor(app, principal).await?;
        let input = input.validated()?;
        self.check_groups(app, &input.groups).await?;
        if self.store.get_article(id).await?.is_none() {
            return Err(AppError::NotFound(format!("article {id} was not found")));
        }
        self.save(Article {
            id: id.clone(),
            title: input.title,
            body: input.body,
            tags: input.tags,
            groups: input.groups,
            published: input.published,
            updated_at: app.clock.now(),
            embedding: None,
        })
        .await
    }

    async fn check_groups(&self, app: &App, groups: &[GroupId]) -> Result<(), AppError> {
        let known = app.directory.list_groups().await?;
        for g in groups {
            if !known.iter().any(|k| &k.id == g) {
                return Err(
                    DomainError::invalid("groups", format!("there is no group {g}")).into(),
                );
            }
        }
        Ok(())
    }

    pub async fn delete_article(
        &self,
        app: &App,
        principal: &Principal,
        id: &ArticleId,
    ) -> Result<(), AppError> {
        self.require_editor(app, principal).await?;
        if !self.store.delete_article(id).await? {
            return Err(AppError::NotFound(format!("article {id} was not found")));
        }
        let item = id.to_string();
        self.blocking(move |s| s.remove(&item)).await?;
        Ok(())
    }

    /// Agents see every article, drafts too.
    pub async fn list_articles(
        &self,
        app: &App,
        principal: &Principal,
    ) -> Result<Vec<Article>, AppError> {
        app.agent(principal).await?;
        let mut articles = self.store.list_articles().await?;
        for a in &mut articles {
            a.embedding = None;
        }
        articles.sort_by_key(|a| a.title.to_lowercase());
        Ok(articles)
    }

    /// Anyone may read a published article (customers open suggestions); agents read drafts.
    pub async fn read_article(
        &self,
        app: &App,
        principal: Option<&Principal>,
        id: &ArticleId,
    ) -> Result<PublicArticle, AppError> {
        let article = self
            .store
            .get_article(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("article {id} was not found")))?;
        let is_agent = match principal {
            Some(p @ Principal::Agent(..)) => app.agent(p).await.is_ok(),
            _ => false,
        };
        if !article.published && !is_agent {
            return Err(AppError::NotFound(format!("article {id} was not found")));
        }
        Ok(PublicArticle {
            id: article.id,
            title: article.title,
            body: article.body,
            tags: article.tags,
        })
    }

    /// Brings the index up to the store's knowledge version (another process may have changed
    /// the knowledge base: another Lambda instance, or an import).
    pub async fn ensure_fresh(&self) -> Result<(), AppError> {
        let engine = self.engine()?;
        let version = self.store.knowledge_version().await?;
        if engine.indexed_version() == Some(version) {
            return Ok(());
        }
        let mut articles = self.store.list_articles().await?;
        let mut resolutions = self.store.list_resolutions().await?;
        if engine.mode() == SuggestMode::Hybrid {
            self.fill_missing_embeddings(&mut articles, &mut resolutions)
                .await?;
        }
        self.blocking(move |s| s.rebuild(articles, resolutions, version))
            .await?;
        Ok(())
    }

    /// Items saved by a process without the engine have no embedding yet: compute them once and
    /// store them (without moving the knowledge version, which would only trigger another
    /// rebuild everywhere).
    async fn fill_missing_embeddings(
        &self,
        articles: &mut [Article],
        resolutions: &mut [Resolution],
    ) -> Result<(), AppError> {
        for a in articles
            .iter_mut()
            .filter(|a| a.published && a.embedding.is_none())
        {
            let (title, body) = (a.title.clone(), a.body.clone());
            a.embedding = self
                .blocking(move |s| s.embed(&title, &body))
                .await?
                .flatten();
            if let Some(e) = &a.embedding {
                self.store.store_embedding(&a.id.to_string(), e).await?;
            }
        }
        for r in resolutions.iter_mut().filter(|r| r.embedding.is_none()) {
            let (title, body) = (r.title(), r.resolution.clone());
            r.embedding = self
                .blocking(move |s| s.embed(&title, &body))
                .await?
                .flatten();
            if let Some(e) = &r.embedding {
                self.store
                    .store_embedding(&resolution_item_id(&r.chat_id), e)
                    .await?;
            }
        }
        Ok(())
    }

    async fn search(
        &self,
        question: String,
        group: Option<GroupId>,
        sources: SuggestionSources,
    ) -> Result<Vec<SuggestionHit>, AppError> {
        self.ensure_fresh().await?;
        Ok(self
            .blocking(move |s| s.search(&question, group.as_ref(), sources, SUGGESTION_LIMIT))
            .await?
            .unwrap_or_default())
    }

    /// Suggestions for a customer's question before the chat is submitted: published articles
    /// only (anyone may ask, without signing in; resolutions are agents' notes). Each one shown
    /// is counted (deflection).
    pub async fn suggest_for_question(
        &self,
        app: &App,
        question: &str,
        group: Option<GroupId>,
    ) -> Result<Suggestions, AppError> {
        let question = limits::multi_line("q", question, limits::MAX_QUESTION_CHARS)?;
        if let Some(g) = &group {
            if !app
                .directory
                .list_groups()
                .await?
                .iter()
                .any(|k| &k.id == g)
            {
                return Err(AppError::NotFound(format!("group {g} was not found")));
            }
        }
        let hits = self
            .search(question, group.clone(), SuggestionSources::Articles)
            .await?;
        let question_id = sign_question_id(app, &ulid::Ulid::new().to_string(), group.as_ref());
        let now = app.clock.now();
        for hit in &hits {
            self.store
                .record_deflection(&DeflectionEvent {
                    question_id: question_id.clone(),
                    item_id: hit.id.clone(),
                    group_id: group.clone(),
                    action: DeflectionAction::Shown,
                    at: now,
                })
                .await?;
        }
        Ok(Suggestions {
            mode: self.engine()?.mode(),
            question_id,
            suggestions: hits,
        })
    }

    /// A customer clicked a suggestion, or said it solved the problem.
    pub async fn feedback(&self, app: &App, feedback: Feedback) -> Result<bool, AppError> {
        let group = verify_question_id(app, &feedback.question_id)
            .ok_or_else(|| DomainError::invalid("question_id", "is not one this service issued"))?;
        if feedback.action == DeflectionAction::Shown {
            return Err(DomainError::invalid(
                "action",
                "shown is recorded by the service; send clicked or solved",
            )
            .into());
        }
        if feedback.item_id.is_empty() || feedback.item_id.len() > 100 {
            return Err(DomainError::invalid("item_id", "is not a suggestion id").into());
        }
        let recorded = self
            .store
            .record_deflection(&DeflectionEvent {
                question_id: feedback.question_id,
                item_id: feedback.item_id,
                group_id: group,
                action: feedback.action,
                at: app.clock.now(),
            })
            .await?;
        match recorded {
            DeflectionRecorded::Counted => Ok(true),
            DeflectionRecorded::Repeat => Ok(false),
            DeflectionRecorded::NotShown => Err(DomainError::invalid(
                "item_id",
                "this suggestion was not shown for that question",
            )
            .into()),
        }
    }

    /// Suggestions for an agent inside a chat, from the customer's latest messages: articles and
    /// past resolutions of the chat's group, for agents who may read the chat.
    pub async fn suggest_for_chat(
        &self,
        app: &App,
        principal: &Principal,
        chat_id: &ChatId,
    ) -> Result<Suggestions, AppError> {
        if !matches!(principal, Principal::Agent(..)) {
            return Err(AppError::Forbidden("agents only".into()));
        }
        let chat = app.readable_chat(principal, chat_id).await?;
        let question = self.recent_customer_text(app, &chat).await?;
        let hits = self
            .search(
                question,
                Some(chat.group_id.clone()),
                SuggestionSources::ArticlesAndResolutions,
            )
            .await?;
        Ok(Suggestions {
            mode: self.engine()?.mode(),
            question_id: String::new(),
            suggestions: hits
                .into_iter()
                // A chat's own resolution is no suggestion for it.
                .filter(|h| h.id != resolution_item_id(&chat.id))
                .collect(),
        })
    }

    async fn recent_customer_text(&self, app: &App, chat: &Chat) -> Result<String, AppError> {
        let from = chat.last_seq.saturating_sub(60);
        let events = app.chats.events_after(&chat.id, from, 100).await?;
        let mut texts: Vec<String> = events
            .iter()
            .rev()
            .filter_map(|e| match &e.kind {
                EventKind::Message {
                    author: crate::domain::Author::Customer { .. },
                    body,
                    ..
                } => Some(body.clone()),
                _ => None,
            })
            .take(RECENT_CUSTOMER_MESSAGES)
            .collect();
        texts.reverse();
        if texts.is_empty() {
            texts.push(chat.question.clone());
        }
        Ok(texts.join("\n"))
    }

    /// Records how an ended chat was solved, in the agent's words only (never the customer's
    /// question); later chats of its group get it as an in-chat suggestion.
    pub async fn record_resolution(&self, app: &App, chat: &Chat) -> Result<(), AppError> {
        let (Some(text), Some(agent)) = (&chat.resolution, &chat.agent_name) else {
            return Ok(());
        };
        let mut resolution = Resolution {
            chat_id: chat.id.clone(),
            group_id: chat.group_id.clone(),
            resolution: text.clone(),
            agent_name: agent.clone(),
            resolved_at: chat.ended_at.unwrap_or_else(|| app.clock.now()),
            embedding: None,
        };
        let (title, body) = (resolution.title(), resolution.resolution.clone());
        resolution.embedding = self
            .blocking(move |s| s.embed(&title, &body))
            .await?
            .flatten();
        self.store.put_resolution(&resolution).await?;
        let indexed = resolution.clone();
        self.blocking(move |s| s.upsert_resolution(&indexed))
            .await?;
        tracing::debug!(item = %resolution_item_id(&resolution.chat_id), "resolution recorded");
        Ok(())
    }

    /// Forgets the resolution of a purged chat: from the store (which moves the knowledge
    /// version, so other processes' indexes drop it too) and from this process's index.
    pub async fn forget_resolution(&self, chat: &ChatId) -> Result<(), AppError> {
        self.store.delete_resolution(chat).await?;
        let item = resolution_item_id(chat);
        self.blocking(move |s| s.remove(&item)).await?;
        Ok(())
    }

    pub async fn deflection_report(
        &self,
        app: &App,
        principal: &Principal,
    ) -> Result<DeflectionReport, AppError> {
        let agent = app.agent(principal).await?;
        if !agent.role.is_manager_or_admin() {
            return Err(AppError::Forbidden(
                "only managers and administrators see deflection counts".into(),
            ));
        }
        Ok(self.store.deflection_report().await?)
    }
}

/// What a bulk import did.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    pub skipped: Vec<crate::domain::kb_import::Skipped>,
}

impl Knowledge {
    /// Imports a batch read by `domain::kb_import` (an operator's command, not a request):
    /// articles with a known id are updated, others created; each item that cannot be saved is
    /// skipped with its reason. `progress` is called after each item.
    pub async fn import(
        &self,
        app: &App,
        batch: crate::domain::kb_import::ImportBatch,
        mut progress: impl FnMut(&str),
    ) -> Result<ImportSummary, AppError> {
        let mut summary = ImportSummary {
            skipped: batch.skipped,
            ..ImportSummary::default()
        };
        let groups = app.directory.list_groups().await?;
        for item in batch.items {
            progress(&item.source);
            if let Some(g) = item
                .input
                .groups
                .iter()
                .find(|g| !groups.iter().any(|k| &k.id == *g))
            {
                summary.skipped.push(crate::domain::kb_import::Skipped {
                    source: item.source,
                    reason: format!("there is no group {g}"),
                });
                continue;
            }
            let existed = self.store.get_article(&item.id).await?.is_some();
            self.save(Article {
                id: item.id,
                title: item.input.title,
                body: item.input.body,
                tags: item.input.tags,
                groups: item.input.groups,
                published: item.input.published,
                updated_at: app.clock.now(),
                embedding: None,
            })
            .await?;
            if existed {
                summary.updated += 1;
            } else {
                summary.created += 1;
            }
        }
        Ok(summary)
    }
}

/// `{ulid}.{group or -}.{mac}`: the question id carries its group and a MAC under the token key,
/// so feedback can only refer to questions this service answered.
fn sign_question_id(app: &App, id: &str, group: Option<&GroupId>) -> String {
    let payload = format!("{id}.{}", group.map(|g| g.as_str()).unwrap_or("-"));
    let mac = app.tokens.mac(&payload);
    format!("{payload}.{}", &mac[..32])
}

fn verify_question_id(app: &App, question_id: &str) -> Option<Option<GroupId>> {
    let (payload, mac) = question_id.rsplit_once('.')?;
    let expected = app.tokens.mac(payload);
    if mac.len() != 32
        || !crate::auth::tokens::constant_time_eq(mac.as_bytes(), &expected.as_bytes()[..32])
    {
        return None;
    }
    let (_, group) = payload.split_once('.')?;
    if group == "-" {
        Some(None)
    } else {
        GroupId::parse(group).ok().map(Some)
    }
}
