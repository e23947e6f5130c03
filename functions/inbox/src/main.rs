//! The groups' inboxes: list, read, assign, reply, note, close and reopen messages.
//! Routes: `GET /api/messages`, `GET /api/messages/{message_id}`, and `POST` on its `assign`,
//! `reply`, `notes`, `close` and `reopen`.

use chatdesk::api::Route;
use chatdesk::handlers::inbox;
use lambda_http::{service_fn, Error, Request};

/// This function's routes: it links their handlers and no other route's.
static ROUTES: &[&Route] = &[
    &inbox::LIST_INBOX,
    &inbox::GET_MESSAGE,
    &inbox::ASSIGN_MESSAGE,
    &inbox::REPLY_TO_MESSAGE,
    &inbox::NOTE_MESSAGE,
    &inbox::CLOSE_MESSAGE,
    &inbox::REOPEN_MESSAGE,
];

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
