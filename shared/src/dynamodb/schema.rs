//! The table, described once: the adapter creates it from this (tests, local use), and the
//! infrastructure checks compare `infra/template.yaml` with it (`chatdesk manifest`).

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, StreamSpecification, StreamViewType,
    TimeToLiveSpecification,
};
use serde::Serialize;

pub const PK: &str = "pk";
pub const SK: &str = "sk";
pub const BY_GROUP: &str = "by_group";
pub const BY_AGENT: &str = "by_agent";
pub const GSI1_PK: &str = "gsi1pk";
pub const GSI1_SK: &str = "gsi1sk";
pub const GSI2_PK: &str = "gsi2pk";
pub const GSI2_SK: &str = "gsi2sk";
/// The deadline index: chats awaiting their agent and agents with no console open, by since
/// when (the hand-off sweep's only reads; sparse, so nothing else is in it).
pub const BY_DEADLINE: &str = "by_deadline";
pub const GSI3_PK: &str = "gsi3pk";
pub const GSI3_SK: &str = "gsi3sk";
/// Epoch seconds after which DynamoDB's TTL may delete an item (connections, subscriptions,
/// deflection events).
pub const TTL_ATTRIBUTE: &str = "expires_at";

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IndexSpec {
    /// `KEYS_ONLY`: an entry holds the table's and the index's keys, so a write that changes
    /// neither (every message) writes no index entry; list pages read the chats by key.
    pub name: &'static str,
    pub partition_key: &'static str,
    pub sort_key: &'static str,
    pub projection: &'static str,
}

/// The single table, as plain data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TableSpec {
    pub partition_key: &'static str,
    pub sort_key: &'static str,
    /// Every key attribute, all strings.
    pub attributes: Vec<&'static str>,
    pub global_secondary_indexes: Vec<IndexSpec>,
    pub ttl_attribute: &'static str,
    pub billing_mode: &'static str,
    /// The table's stream: what each record carries. Its one consumer is the function that
    /// sends the list rows of messages (`crate::realtime::TABLE_STREAM_CONSUMER`).
    pub stream_view_type: &'static str,
}

/// Both images of a changed item: the list-rows function tells a message (the message count
/// moved) from other changes of a chat by comparing them.
pub const STREAM_VIEW_TYPE: &str = "NEW_AND_OLD_IMAGES";

pub fn table_spec() -> TableSpec {
    TableSpec {
        partition_key: PK,
        sort_key: SK,
        attributes: vec![PK, SK, GSI1_PK, GSI1_SK, GSI2_PK, GSI2_SK, GSI3_PK, GSI3_SK],
        global_secondary_indexes: vec![
            IndexSpec {
                name: BY_GROUP,
                partition_key: GSI1_PK,
                sort_key: GSI1_SK,
                projection: "KEYS_ONLY",
            },
            IndexSpec {
                name: BY_AGENT,
                partition_key: GSI2_PK,
                sort_key: GSI2_SK,
                projection: "KEYS_ONLY",
            },
            IndexSpec {
                name: BY_DEADLINE,
                partition_key: GSI3_PK,
                sort_key: GSI3_SK,
                projection: "KEYS_ONLY",
            },
        ],
        ttl_attribute: TTL_ATTRIBUTE,
        billing_mode: "PAY_PER_REQUEST",
        stream_view_type: STREAM_VIEW_TYPE,
    }
}

fn key(name: &str, kind: KeyType) -> Result<KeySchemaElement, aws_sdk_dynamodb::error::BuildError> {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(kind)
        .build()
}

/// Creates the table from the spec and turns TTL on.
pub async fn create_table(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
) -> Result<(), crate::ports::StoreError> {
    use crate::ports::StoreError;
    let spec = table_spec();
    let build = |e: aws_sdk_dynamodb::error::BuildError| StoreError::backend(e);
    let mut req = client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::from(spec.stream_view_type))
                .build()
                .map_err(build)?,
        )
        .key_schema(key(spec.partition_key, KeyType::Hash).map_err(build)?)
        .key_schema(key(spec.sort_key, KeyType::Range).map_err(build)?);
    for a in &spec.attributes {
        req = req.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(*a)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(build)?,
        );
    }
    for gsi in &spec.global_secondary_indexes {
        req = req.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(gsi.name)
                .key_schema(key(gsi.partition_key, KeyType::Hash).map_err(build)?)
                .key_schema(key(gsi.sort_key, KeyType::Range).map_err(build)?)
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::from(gsi.projection))
                        .build(),
                )
                .build()
                .map_err(build)?,
        );
    }
    req.send().await.map_err(StoreError::backend)?;
    client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name(spec.ttl_attribute)
                .build()
                .map_err(build)?,
        )
        .send()
        .await
        .map_err(StoreError::backend)?;
    Ok(())
}
