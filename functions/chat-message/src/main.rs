//! Send a message over HTTP (the WebSocket `send` route does the same).
//! Routes: `POST /api/chats/{chat_id}/messages`.

use chatdesk::api::Route;
use chatdesk::handlers::chats;
use lambda_http::{service_fn, Error, Request};

/// This function's routes: it links their handlers and no other route's.
static ROUTES: &[&Route] = &[&chats::SEND_MESSAGE];

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
