//! End chats: agents in bulk, a customer their own; and after the end the customer's rating and
//! the transcript by e-mail (queued in the outbox; `mail-outbox` sends it).
//! Routes: `POST /api/chats/{chat_id}/end`, `POST /api/actions/end`,
//! `POST /api/chats/{chat_id}/rating`, `POST /api/chats/{chat_id}/transcript`.

use chatdesk::api::Route;
use chatdesk::handlers::{actions, chats, mail};
use lambda_http::{service_fn, Error, Request};

/// This function's routes: it links their handlers and no other route's.
static ROUTES: &[&Route] = &[
    &chats::CUSTOMER_END_CHAT,
    &actions::END_CHATS,
    &chats::RATE_CHAT,
    &mail::SEND_TRANSCRIPT,
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
