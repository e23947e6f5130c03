//! Scheduled outbox delivery: an EventBridge rule invokes it once a minute (`rate(1 minute)`),
//! and it sends the mail that is due through Amazon SES v2 (`App::deliver_due_mail`), from the
//! verified identity `CHATDESK_MAIL_FROM`, in `CHATDESK_SES_CONFIGURATION_SET` when set. A failed
//! attempt is retried with backoff; the event's content is not read.

use lambda_http::{lambda_runtime, service_fn, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    chatdesk::lambda::init_logging();
    let cloud = chatdesk::cloud::Cloud::from_env().await?.with_ses_sender();
    let app = &cloud.app;
    lambda_runtime::run(service_fn(|event| {
        chatdesk::lambda::deliver_mail(app, event)
    }))
    .await
}
