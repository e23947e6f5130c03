//! One chat, its events and the state of its mails.
//! Routes: `GET /api/chats/{chat_id}`, `GET /api/chats/{chat_id}/events`,
//! `GET /api/chats/{chat_id}/mail`.

use chatdesk::api::Route;
use chatdesk::handlers::{chats, mail};
use lambda_http::{service_fn, Error, Request};

/// This function's routes: it links their handlers and no other route's.
static ROUTES: &[&Route] = &[&chats::GET_CHAT, &chats::LIST_EVENTS, &mail::CHAT_MAIL];

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
