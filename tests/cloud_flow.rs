//! The whole flow once more with the cloud adapters: the DynamoDB store (moto here), and fan-out
//! through `aws-sdk-apigatewaymanagement` PostToConnection against the local gateway's
//! `@connections` endpoint, as the Lambda functions do against API Gateway.

use chatdesk_server::FanoutVia;
use chatdesk_tests::dynamo_endpoint::fresh_stores;
use chatdesk_tests::server::spawn_server_with;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_chat_flow_over_dynamodb_and_the_management_api() {
    let (stores, store) = fresh_stores().await;
    let server = spawn_server_with(stores, |c| c.fanout_via = FanoutVia::ManagementApi).await;
    chatdesk_tests::flows::full_flow(&server).await;
    let metrics = store.metrics();
    assert!(metrics.calls() > 0);
    assert!(
        !metrics.operations.contains_key("Scan"),
        "no Scan on any path"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_vanished_connection_is_removed_when_post_to_connection_says_gone() {
    use chatdesk::domain::{AgentId, GroupId, Timestamp};
    use chatdesk::ports::{Connection, ConnectionId, ConnectionOwner};
    use chatdesk_tests::client::{is_chat_changed, Api, Ws};

    let (stores, _store) = fresh_stores().await;
    let server = spawn_server_with(stores, |c| c.fanout_via = FanoutVia::ManagementApi).await;
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await;
    let mut live = Ws::connect(&server.ws_url(&alice)).await.unwrap();
    let ghost = ConnectionId::parse("gone-away=").unwrap();
    server
        .stores
        .connections
        .put_connection(
            &Connection {
                id: ghost.clone(),
                owner: ConnectionOwner::Agent {
                    agent_id: AgentId::parse("alice").unwrap(),
                    groups: vec![GroupId::parse("support").unwrap()],
                    session: None,
                },
                connected_at: Timestamp(0),
                expires_at: Timestamp(4_102_444_800_000),
            },
            10,
        )
        .await
        .unwrap();
    let (chat, _) = api.start_chat("support", "Ann", "Hello?").await;
    live.expect("queued chat", is_chat_changed(&chat, "started"))
        .await;
    // The live frame can arrive before the fan-out has finished removing the ghost.
    let connections = server.stores.connections.clone();
    let removed = chatdesk_tests::server::eventually(|| {
        let (connections, ghost) = (connections.clone(), ghost.clone());
        async move { connections.get_connection(&ghost).await.unwrap().is_none() }
    })
    .await;
    assert!(
        removed,
        "PostToConnection's 410 Gone removed the vanished connection"
    );
}
