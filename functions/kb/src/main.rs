//! Knowledge-base articles (managers edit, customers read) and deflection counts.
//! Routes: the entries of `chatdesk::api::ROUTES` whose function is `kb`.

use lambda_http::{service_fn, Error, Request};

const FUNCTION: &str = "kb";

#[tokio::main]
async fn main() -> Result<(), Error> {
    chatdesk::lambda::init_logging();
    let cloud = chatdesk::cloud::Cloud::from_env().await?;
    let app = &cloud.app;
    lambda_http::run(service_fn(|req: Request| async move {
        Ok::<_, Error>(chatdesk::lambda::http(app, FUNCTION, req).await)
    }))
    .await
}
