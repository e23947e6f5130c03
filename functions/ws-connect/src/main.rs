//! WebSocket `$connect`: records the connection of the principal the authorizer allowed.

use lambda_http::{lambda_runtime, service_fn, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    chatdesk::lambda::init_logging();
    let cloud = chatdesk::cloud::Cloud::from_env().await?;
    let (app, fanout) = (&cloud.app, cloud.fanout.as_ref());
    lambda_runtime::run(service_fn(|event| {
        chatdesk::lambda::websocket(app, fanout, event)
    }))
    .await
}
