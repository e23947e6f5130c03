//! The signed-in agent: read, set available/unavailable; whether e-mail is configured.
//! Routes: `GET /api/me`, `PATCH /api/me`, `GET /api/mail/status`.

use chatdesk::api::Route;
use chatdesk::handlers::{agents, mail};
use lambda_http::{service_fn, Error, Request};

/// This function's routes: it links their handlers and no other route's.
static ROUTES: &[&Route] = &[&agents::GET_ME, &agents::UPDATE_ME, &mail::MAIL_STATUS];

#[tokio::main]
async fn main() -> Result<(), Error> {
    chatdesk::lambda::init_logging();
    let cloud = chatdesk::cloud::Cloud::from_env().await?;
    let app = &cloud.app;
    lambda_http::run(service_fn(|req: Request| async move {
        Ok::<_, Error>(chatdesk::lambda::serve_http(app, ROUTES, req).await)
    }))
    .await
}
