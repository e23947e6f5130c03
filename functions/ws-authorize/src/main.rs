//! WebSocket `$connect` authorizer: verifies the token once and hands API Gateway the principal
//! for every event of the connection.

use lambda_http::{lambda_runtime, service_fn, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    chatdesk::lambda::init_logging();
    let cloud = chatdesk::cloud::Cloud::from_env().await?;
    let app = &cloud.app;
    lambda_runtime::run(service_fn(|event| {
        chatdesk::lambda::websocket_authorizer(app, event)
    }))
    .await
}
