//! Scheduled sweep: an EventBridge rule invokes it once a minute (`rate(1 minute)`), and it hands
//! off the chats whose hand-off timer ran out (`App::run_hand_off_timers`): to another member of
//! an automatic group, or back to the head of the queue. The event's content is not read.

use lambda_http::{lambda_runtime, service_fn, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    chatdesk::lambda::init_logging();
    let cloud = chatdesk::cloud::Cloud::from_env().await?;
    let (app, fanout) = (&cloud.app, cloud.fanout.as_ref());
    lambda_runtime::run(service_fn(|event| {
        chatdesk::lambda::hand_off_timers(app, fanout, event)
    }))
    .await
}
