//! A group's routing settings: distribution and hand-off timers (read, change).
//! Routes: `GET /api/groups/{group_id}/settings`, `PUT /api/groups/{group_id}/settings`.

use chatdesk::api::Route;
use chatdesk::handlers::agents;
use lambda_http::{service_fn, Error, Request};

/// This function's routes: it links their handlers and no other route's.
static ROUTES: &[&Route] = &[&agents::GET_GROUP_SETTINGS, &agents::PUT_GROUP_SETTINGS];

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
