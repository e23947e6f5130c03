//! Helpers shared by the integration tests: a real server on a free port, HTTP and WebSocket
//! clients that speak its API, and the DynamoDB-compatible endpoint for the cloud adapters.

pub mod audit;
pub mod business_hours;
pub mod canned;
pub mod client;
pub mod contract;
pub mod counting;
pub mod distribution;
pub mod dynamo_endpoint;
pub mod dynamo_json;
pub mod flows;
pub mod hand_offs;
pub mod history;
pub mod inbox;
pub mod lambda_costs;
pub mod notes;
pub mod outbox;
pub mod purge_race;
pub mod pushes;
pub mod server;
pub mod sign_in;
pub mod smtp_sink;
pub mod stored_world;
pub mod table_stream;
pub mod tags;

/// Runs each scenario (an `async fn(TestServer)` of the calling test file) twice: as
/// `sqlite::<name>` on the server the file's `sqlite_server()` starts, and as `dynamodb::<name>`
/// on its `dynamodb_server()`.
///
/// ```ignore
/// chatdesk_tests::on_both_stores!(worker_threads = 4; a_scenario, another_scenario);
/// ```
#[macro_export]
macro_rules! on_both_stores {
    (worker_threads = $threads:literal; $($scenario:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = $threads)]
                async fn $scenario() {
                    super::$scenario(super::sqlite_server().await).await
                }
            )*
        }
        mod dynamodb {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = $threads)]
                async fn $scenario() {
                    super::$scenario(super::dynamodb_server().await).await
                }
            )*
        }
    };
}
