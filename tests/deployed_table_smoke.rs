//! Store contract cases against a table created by deploying `infra/template.yaml` (expanded with
//! aws-sam-translator, deployed to moto's CloudFormation by `scripts/test-infra.sh`, which sets
//! CHATDESK_TEST_DYNAMODB_ENDPOINT and CHATDESK_TEST_TABLE). Run on its own, it uses a table
//! created from the adapter's schema instead, so it always tests something real.

use std::sync::Arc;

use chatdesk::dynamodb::DynamoStore;
use chatdesk_server::Stores;
use chatdesk_tests::contract;

async fn deployed() -> Stores {
    let store = match std::env::var("CHATDESK_TEST_TABLE")
        .ok()
        .filter(|t| !t.is_empty())
    {
        Some(table) => {
            let endpoint = chatdesk_tests::dynamo_endpoint::endpoint().await;
            eprintln!("using the deployed table {table}");
            DynamoStore::new(chatdesk::dynamodb::client_for(Some(&endpoint)).await, table)
        }
        None => chatdesk_tests::dynamo_endpoint::fresh_store().await,
    };
    let shared = Arc::new(store);
    Stores {
        directory: shared.clone(),
        chats: shared.clone(),
        preferences: shared.clone(),
        connections: shared.clone(),
        throttle: shared.clone(),
        knowledge: shared.clone(),
        inbox: shared.clone(),
        notes: shared.clone(),
        history: shared.clone(),
        canned: shared.clone(),
        outbox: shared.clone(),
        audit: shared,
    }
}

macro_rules! case {
    ($name:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            contract::$name(deployed().await).await
        }
    };
}

// Cases that touch only what they create (the deployed table is shared by all of them).
case!(chats_are_created_once_and_read_back);
case!(a_repeated_client_message_id_returns_the_first_message);
case!(events_are_read_in_order_after_a_sequence_number);
case!(connections_and_subscriptions);
case!(list_watchers_are_the_consoles_whose_list_follows_the_chat);
