//! Files in a chat, kept in the attachments bucket.
//! Routes: `POST /api/chats/{chat_id}/attachments`,
//! `POST /api/chats/{chat_id}/attachments/{attachment_id}/confirm` and
//! `GET /api/chats/{chat_id}/attachments/{attachment_id}`.

use chatdesk::api::Route;
use chatdesk::handlers::attachments;
use lambda_http::{service_fn, Error, Request};

/// This function's routes: it links their handlers and no other route's.
static ROUTES: &[&Route] = &[
    &attachments::START_UPLOAD,
    &attachments::CONFIRM_UPLOAD,
    &attachments::ATTACHMENT_LINK,
];

#[tokio::main]
async fn main() -> Result<(), Error> {
    chatdesk::lambda::init_logging();
    let cloud = chatdesk::cloud::Cloud::from_env()
        .await?
        .with_s3_attachments()?;
    let app = &cloud.app;
    lambda_http::run(service_fn(|req: Request| async move {
        Ok::<_, Error>(chatdesk::lambda::serve_http(app, ROUTES, req).await)
    }))
    .await
}
