//! Knowledge-base articles (managers edit, customers read) and deflection counts.
//! Routes: the entries of `chatdesk::api::ROUTES` whose function is `kb`. Loads the embedding
//! model (the template's layer) so that every article is embedded as it is saved, not later on
//! some customer's suggestion request.

use std::sync::Arc;

use lambda_http::{service_fn, Error, Request};

const FUNCTION: &str = "kb";

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
