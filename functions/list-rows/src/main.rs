//! Table stream consumer: sends consoles the list rows of the chats that messages changed, one
//! frame per console per batch (the message path itself reads no group subscribers).

use lambda_http::{lambda_runtime, service_fn, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    chatdesk::lambda::init_logging();
    let cloud = chatdesk::cloud::Cloud::from_env().await?;
    let fanout = cloud.fanout.as_ref();
    lambda_runtime::run(service_fn(|event| {
        chatdesk::lambda::table_stream(fanout, event)
    }))
    .await
}
