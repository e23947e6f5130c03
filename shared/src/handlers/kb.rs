//! The knowledge base: articles, deflection counts, and the suggestions drawn from them.

#![allow(clippy::too_many_arguments)]

use crate::api::dto::{FeedbackRecorded, SuggestQuery};
use crate::api::error::ErrorBody;
use crate::api::route::{ArticlePath, Caller, ChatPath, Json, MaybeCaller, Query, Reply};
use crate::api::wire::{Article, ArticleInput, DeflectionReport, Feedback, PublicArticle};
use crate::app::Suggestions;
use crate::domain::GroupId;
use crate::route;

route! {
    LIST_ARTICLES = get "/api/kb/articles" in "kb",
    openapi(tag = "knowledge", security(("bearer" = [])),
    responses(
        (status = 200, description = "Every article, drafts too (agents)", body = [Article]),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent token", body = ErrorBody))),
    /// Every article, drafts too (agents).
    pub async fn list_articles(app: &App, caller: Caller) -> Reply<Vec<Article>> {
        let articles = app.knowledge.list_articles(app, &caller.0).await?;
        Ok(Reply::ok(articles.iter().map(Article::from).collect()))
    }
}

route! {
    CREATE_ARTICLE = post "/api/kb/articles" in "kb",
    openapi(tag = "knowledge", security(("bearer" = [])),
    request_body = ArticleInput,
    responses(
        (status = 201, description = "Created", body = Article),
        (status = 400, description = "Malformed or invalid article", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Managers and administrators only", body = ErrorBody))),
    /// A new article (managers and administrators).
    pub async fn create_article(app: &App, body: Json<ArticleInput>, caller: Caller) -> Reply<Article> {
        Ok(Reply::created(
            (&app.knowledge.create_article(app, &caller.0, body.0.into()).await?).into(),
        ))
    }
}

route! {
    GET_ARTICLE = get "/api/kb/articles/{article_id}" in "kb",
    openapi(tag = "knowledge",
    params(("article_id" = String, Path, description = "The article")),
    responses(
        (status = 200, description = "A published article (agents also read drafts)", body = PublicArticle),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 404, description = "No such published article", body = ErrorBody))),
    /// A published article (agents also read drafts).
    pub async fn get_article(app: &App, article: ArticlePath, caller: MaybeCaller) -> Reply<PublicArticle> {
        Ok(Reply::ok(
            (&app.knowledge
                .read_article(app, caller.0.as_ref(), &article.0)
                .await?).into(),
        ))
    }
}

route! {
    UPDATE_ARTICLE = put "/api/kb/articles/{article_id}" in "kb",
    openapi(tag = "knowledge", security(("bearer" = [])),
    params(("article_id" = String, Path, description = "The article")),
    request_body = ArticleInput,
    responses(
        (status = 200, description = "Saved", body = Article),
        (status = 400, description = "Malformed or invalid article", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Managers and administrators only", body = ErrorBody),
        (status = 404, description = "No such article", body = ErrorBody))),
    /// Saves an article (managers and administrators).
    pub async fn update_article(app: &App, body: Json<ArticleInput>, article: ArticlePath, caller: Caller) -> Reply<Article> {
        Ok(Reply::ok(
            (&app.knowledge
                .update_article(app, &caller.0, &article.0, body.0.into())
                .await?).into(),
        ))
    }
}

route! {
    DELETE_ARTICLE = delete "/api/kb/articles/{article_id}" in "kb",
    openapi(tag = "knowledge", security(("bearer" = [])),
    params(("article_id" = String, Path, description = "The article")),
    responses(
        (status = 200, description = "Deleted"),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Managers and administrators only", body = ErrorBody),
        (status = 404, description = "No such article", body = ErrorBody))),
    /// Deletes an article (managers and administrators).
    pub async fn delete_article(app: &App, article: ArticlePath, caller: Caller) -> Reply<serde_json::Value> {
        app.knowledge
            .delete_article(app, &caller.0, &article.0)
            .await?;
        Ok(Reply::ok(serde_json::json!({ "deleted": article.0.as_str() })))
    }
}

route! {
    KNOWLEDGE_STATS = get "/api/kb/stats" in "kb",
    openapi(tag = "knowledge", security(("bearer" = [])),
    responses(
        (status = 200, description = "Suggestions shown, clicked and solved, per group and per item", body = DeflectionReport),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Managers and administrators only", body = ErrorBody))),
    /// Suggestions shown, clicked and solved (managers and administrators).
    pub async fn knowledge_stats(app: &App, caller: Caller) -> Reply<DeflectionReport> {
        Ok(Reply::ok((&app.knowledge.deflection_report(app, &caller.0).await?).into()))
    }
}

route! {
    SUGGEST = get "/api/suggestions" in "suggestions",
    openapi(tag = "knowledge", params(SuggestQuery),
    responses(
        (status = 200, description = "The best published articles for the question (never past resolutions: those are agents' notes)", body = Suggestions),
        (status = 400, description = "Empty or invalid question", body = ErrorBody),
        (status = 404, description = "No such group", body = ErrorBody))),
    /// Published articles for a customer's question, before the chat.
    pub async fn suggest(app: &App, query: Query<SuggestQuery>) -> Reply<Suggestions> {
        let Query(q) = query;
        let group = q.group_id.as_deref().map(GroupId::parse).transpose()?;
        Ok(Reply::ok(
            app.knowledge.suggest_for_question(app, &q.q, group).await?,
        ))
    }
}

route! {
    SUGGESTION_FEEDBACK = post "/api/suggestions/feedback" in "suggestions",
    openapi(tag = "knowledge", request_body = Feedback,
    responses(
        (status = 200, description = "Counted (once per question, item and action)", body = FeedbackRecorded),
        (status = 400, description = "Malformed feedback, unknown question id, or an item that was not shown for that question", body = ErrorBody))),
    /// A customer clicked a suggestion, or said it solved the problem.
    pub async fn suggestion_feedback(app: &App, body: Json<Feedback>) -> Reply<FeedbackRecorded> {
        Ok(Reply::ok(FeedbackRecorded {
            recorded: app.knowledge.feedback(app, body.0.into()).await?,
        }))
    }
}

route! {
    CHAT_SUGGESTIONS = get "/api/chats/{chat_id}/suggestions" in "suggestions",
    openapi(tag = "knowledge", security(("bearer" = [])),
    params(("chat_id" = String, Path, description = "The chat")),
    responses(
        (status = 200, description = "Articles and past resolutions of the chat's group for the customer's latest messages", body = Suggestions),
        (status = 400, description = "Malformed chat id", body = ErrorBody),
        (status = 401, description = "No or bad token", body = ErrorBody),
        (status = 403, description = "Not an agent who may see the chat", body = ErrorBody),
        (status = 404, description = "No such chat", body = ErrorBody))),
    /// Articles and past resolutions for an agent, from the customer's latest messages.
    pub async fn chat_suggestions(app: &App, chat: ChatPath, caller: Caller) -> Reply<Suggestions> {
        Ok(Reply::ok(
            app.knowledge.suggest_for_chat(app, &caller.0, &chat.0).await?,
        ))
    }
}
