//! Knowledge-base articles (managers edit, customers read) and deflection counts.
//! Routes: `GET /api/kb/articles`, `POST /api/kb/articles`, `GET /api/kb/articles/{article_id}`, `PUT /api/kb/articles/{article_id}`, `DELETE /api/kb/articles/{article_id}`, `GET /api/kb/stats`. Loads the embedding
//! model (the template's layer) so that every article is embedded as it is saved, not later on
//! some customer's suggestion request.

use std::sync::Arc;

use chatdesk::api::Route;
use chatdesk::handlers::kb;
use lambda_http::{service_fn, Error, Request};

/// This function's routes: it links their handlers and no other route's.
static ROUTES: &[&Route] = &[
    &kb::LIST_ARTICLES,
    &kb::CREATE_ARTICLE,
    &kb::GET_ARTICLE,
    &kb::UPDATE_ARTICLE,
    &kb::DELETE_ARTICLE,
    &kb::KNOWLEDGE_STATS,
];

#[tokio::main]
async fn main() -> Result<(), Error> {
    chatdesk::lambda::init_logging();
    let engine = Arc::new(chatdesk::suggest_engine::EngineSuggester::load()?);
    let cloud = chatdesk::cloud::Cloud::from_env_with_suggestions(engine).await?;
    let app = &cloud.app;
    lambda_http::run(service_fn(|req: Request| async move {
        Ok::<_, Error>(chatdesk::lambda::serve_http(app, ROUTES, req).await)
    }))
    .await
}
