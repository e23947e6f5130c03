//! Suggested knowledge-base articles and past resolutions, for customers and agents, and
//! suggestion feedback. Routes: the entries of `chatdesk::api::ROUTES` whose function is
//! `suggestions`. Loads the suggestion engine and its model (the template's layer) once per cold
//! start, then builds its index from the store and keeps it fresh.

use std::sync::Arc;

use lambda_http::{service_fn, Error, Request};

const FUNCTION: &str = "suggestions";

#[tokio::main]
async fn main() -> Result<(), Error> {
    chatdesk::lambda::init_logging();
    let engine = Arc::new(chatdesk::suggest_engine::EngineSuggester::load()?);
    let cloud = chatdesk::cloud::Cloud::from_env_with_suggestions(engine).await?;
    let app = &cloud.app;
    lambda_http::run(service_fn(|req: Request| async move {
        Ok::<_, Error>(chatdesk::lambda::http(app, FUNCTION, req).await)
    }))
    .await
}
