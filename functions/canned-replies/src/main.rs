//! Canned replies: list, read, create, edit, delete, mark reviewed, and use one in a chat.
//! Routes: `GET` and `POST /api/canned-replies`, `GET`, `PUT` and `DELETE
//! /api/canned-replies/{reply_id}`, and `POST` on its `reviewed` and `use`.

use chatdesk::api::Route;
use chatdesk::handlers::canned;
use lambda_http::{service_fn, Error, Request};

/// This function's routes: it links their handlers and no other route's.
static ROUTES: &[&Route] = &[
    &canned::LIST_CANNED_REPLIES,
    &canned::CREATE_CANNED_REPLY,
    &canned::GET_CANNED_REPLY,
    &canned::UPDATE_CANNED_REPLY,
    &canned::DELETE_CANNED_REPLY,
    &canned::REVIEW_CANNED_REPLY,
    &canned::USE_CANNED_REPLY,
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
