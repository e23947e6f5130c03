//! Customers leave a message for a group's inbox, or turn their queued chat into one.
//! Routes: `POST /api/messages`, `POST /api/chats/{chat_id}/message`.

use chatdesk::api::Route;
use chatdesk::handlers::inbox;
use lambda_http::{service_fn, Error, Request};

/// This function's routes: it links their handlers and no other route's.
static ROUTES: &[&Route] = &[&inbox::LEAVE_MESSAGE, &inbox::CHAT_TO_MESSAGE];

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
