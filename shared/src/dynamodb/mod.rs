//! The DynamoDB store: one table designed from the access patterns (`docs/dynamodb.md`), with
//! conditional writes and transactions for everything two people can race on, and no Scan
//! anywhere. Every call is counted with the capacity it consumed (`metrics`).

mod audit;
mod canned;
mod chats;
mod connections;
mod directory;
mod history;
mod inbox;
pub mod keys;
mod knowledge;
pub mod metrics;
mod notes;
mod organisation;
mod outbox;
mod preferences;
mod purge;
mod recipients;
mod records;
pub mod schema;
pub mod stream;
mod throttle;

use std::collections::HashMap;
use std::sync::Arc;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;

use crate::ports::StoreError;
pub use metrics::{MetricsSnapshot, OperationMetrics};

pub type Item = HashMap<String, AttributeValue>;

#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: Arc<str>,
    metrics: Arc<metrics::Metrics>,
    seen: Arc<recipients::SeenSubscribers>,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoStore {
            client,
            table: Arc::from(table.into()),
            metrics: Arc::default(),
            seen: Arc::default(),
        }
    }

    /// `CHATDESK_TABLE` (default `chatdesk`) and, for an emulator or another compatible service,
    /// `CHATDESK_DYNAMODB_ENDPOINT`. The SDK client is built once.
    pub async fn from_env() -> Result<Self, StoreError> {
        let endpoint = endpoint_from_env();
        Ok(Self::new(
            client_for(endpoint.as_deref()).await,
            table_from_env(),
        ))
    }

    /// As `from_env`, on an SDK configuration the caller already loaded (for every client of a
    /// function) with `endpoint_from_env` among its endpoints.
    pub fn from_env_with(shared: &aws_config::SdkConfig) -> Self {
        let endpoint = endpoint_from_env();
        Self::new(client_with(shared, endpoint.as_deref()), table_from_env())
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Creates the table (tests and local use; deployments create it from the template).
    pub async fn create_table(&self) -> Result<(), StoreError> {
        schema::create_table(&self.client, &self.table).await
    }

    pub fn metrics(&self) -> MetricsSnapshot {
        self.metrics.snapshot()
    }

    pub fn reset_metrics(&self) {
        self.metrics.reset()
    }
}

fn table_from_env() -> String {
    std::env::var("CHATDESK_TABLE")
        .ok()
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "chatdesk".into())
}

/// `CHATDESK_DYNAMODB_ENDPOINT`, the endpoint of an emulator or another compatible service.
pub fn endpoint_from_env() -> Option<String> {
    std::env::var("CHATDESK_DYNAMODB_ENDPOINT")
        .ok()
        .filter(|e| !e.is_empty())
}

/// A client for DynamoDB or, with `endpoint`, a compatible service.
pub async fn client_for(endpoint: Option<&str>) -> Client {
    let shared = crate::aws::sdk_config(endpoint.as_slice()).await;
    client_with(&shared, endpoint)
}

fn client_with(shared: &aws_config::SdkConfig, endpoint: Option<&str>) -> Client {
    let mut config = aws_sdk_dynamodb::config::Builder::from(shared);
    if let Some(e) = endpoint {
        config = config.endpoint_url(e);
    }
    Client::from_conf(config.build())
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn get_s<'a>(item: &'a Item, name: &str) -> Result<&'a str, StoreError> {
    match item.get(name) {
        Some(AttributeValue::S(v)) => Ok(v),
        _ => Err(StoreError::Corrupt(format!(
            "attribute {name} is missing or not a string"
        ))),
    }
}

fn get_n(item: &Item, name: &str) -> Result<i64, StoreError> {
    match item.get(name) {
        Some(AttributeValue::N(v)) => v
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("attribute {name} is not an integer"))),
        _ => Err(StoreError::Corrupt(format!(
            "attribute {name} is missing or not a number"
        ))),
    }
}

fn key(pk: impl Into<String>, sk: impl Into<String>) -> Item {
    HashMap::from([
        (schema::PK.to_owned(), s(pk)),
        (schema::SK.to_owned(), s(sk)),
    ])
}

/// Epoch seconds for the TTL attribute.
fn ttl_seconds(at: crate::domain::Timestamp) -> AttributeValue {
    n(at.millis() / 1000)
}
