//! What agents keep on a chat for each other (its internal notes and tags), and the customer's
//! earlier chats. Routes: `GET /api/chats/{chat_id}/notes`, `POST /api/chats/{chat_id}/notes`,
//! `PUT /api/chats/{chat_id}/tags`, `GET /api/chats/{chat_id}/history`.

use chatdesk::api::Route;
use chatdesk::handlers::{history, notes, tags};
use lambda_http::{service_fn, Error, Request};

/// This function's routes: it links their handlers and no other route's.
static ROUTES: &[&Route] = &[
    &notes::LIST_CHAT_NOTES,
    &notes::ADD_CHAT_NOTE,
    &tags::SET_CHAT_TAGS,
    &history::CUSTOMER_HISTORY,
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
