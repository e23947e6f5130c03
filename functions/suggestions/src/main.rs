//! Suggested knowledge-base articles and past resolutions, for customers and agents, and
//! suggestion feedback. Routes: the entries of `chatdesk::api::ROUTES` whose function is
//! `suggestions`. Loads the suggestion engine and its model (the template's layer) once per cold
//! start, then builds its index from the store and keeps it fresh.

use std::sync::Arc;

use chatdesk::api::Route;
use chatdesk::handlers::kb;
use lambda_http::{service_fn, Error, Request};

/// This function's routes: it links their handlers and no other route's.
static ROUTES: &[&Route] = &[
    &kb::SUGGEST,
    &kb::SUGGESTION_FEEDBACK,
    &kb::CHAT_SUGGESTIONS,
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
