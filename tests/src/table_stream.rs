//! The table's stream as Lambda's event source mapping delivers it to the list-rows function,
//! for tests over the DynamoDB-compatible endpoint: records are read with DynamoDB Streams'
//! `GetRecords` (the emulator keeps the stream, but never invokes a function), filtered with the
//! filter pattern the template deploys (`TABLE_STREAM_CONSUMER`), cut into batches of its batch
//! size, and each batch runs through `chatdesk::lambda::table_stream`, the code the function runs.

use chatdesk::dynamodb::DynamoStore;
use chatdesk::realtime::{Fanout, TABLE_STREAM_CONSUMER};
use lambda_http::{Context, LambdaEvent};
use serde_json::{json, Value};

pub struct TableStream {
    http: reqwest::Client,
    endpoint: String,
    stream_arn: String,
    /// Where the next read of the (one) shard starts.
    iterator: String,
}

/// What one `deliver` did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Delivered {
    /// Records the stream held since the last delivery.
    pub records: usize,
    /// Of those, the ones the filter let through.
    pub passed: usize,
    /// Invocations of the list-rows function (one per batch).
    pub invocations: u32,
}

impl TableStream {
    /// Starts reading `store`'s table's stream at its end (`LATEST`), as a new event source
    /// mapping does.
    pub async fn open(store: &DynamoStore) -> TableStream {
        let endpoint = crate::dynamo_endpoint::endpoint().await;
        let endpoint = endpoint.as_str();
        let table = store
            .client()
            .describe_table()
            .table_name(store.table())
            .send()
            .await
            .expect("describe the table");
        let stream_arn = table
            .table()
            .and_then(|t| t.latest_stream_arn())
            .expect("the table has a stream (schema::create_table enables it)")
            .to_owned();
        let http = reqwest::Client::new();
        let described = call(
            &http,
            endpoint,
            "DescribeStream",
            json!({ "StreamArn": stream_arn }),
        )
        .await;
        let shards = described["StreamDescription"]["Shards"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(shards.len(), 1, "one shard expected: {described}");
        let shard = shards[0]["ShardId"].as_str().expect("shard id").to_owned();
        let iterator = call(
            &http,
            endpoint,
            "GetShardIterator",
            json!({ "StreamArn": stream_arn, "ShardId": shard, "ShardIteratorType": "LATEST" }),
        )
        .await["ShardIterator"]
            .as_str()
            .expect("a shard iterator")
            .to_owned();
        TableStream {
            http,
            endpoint: endpoint.to_owned(),
            stream_arn,
            iterator,
        }
    }

    /// Reads every record written since the last call and delivers those that pass the filter
    /// to the list-rows handler, in batches; returns what happened.
    pub async fn deliver(&mut self, fanout: &Fanout) -> Delivered {
        let mut records: Vec<Value> = Vec::new();
        loop {
            let page = call(
                &self.http,
                &self.endpoint,
                "GetRecords",
                json!({ "ShardIterator": self.iterator, "Limit": 1000 }),
            )
            .await;
            if let Some(next) = page["NextShardIterator"].as_str() {
                self.iterator = next.to_owned();
            }
            let got = page["Records"].as_array().cloned().unwrap_or_default();
            if got.is_empty() {
                break;
            }
            records.extend(got);
        }
        let pattern: Value = serde_json::from_str(TABLE_STREAM_CONSUMER.filter_pattern)
            .expect("the filter pattern is JSON");
        let passed: Vec<Value> = records
            .iter()
            .filter(|r| matches_pattern(r, &pattern))
            .map(|r| as_lambda_record(r, &self.stream_arn))
            .collect();
        let mut invocations = 0;
        for batch in passed.chunks(TABLE_STREAM_CONSUMER.batch_size as usize) {
            let event: aws_lambda_events::dynamodb::Event =
                serde_json::from_value(json!({ "Records": batch }))
                    .expect("stream records read as Lambda's DynamoDB event");
            chatdesk::lambda::table_stream(fanout, LambdaEvent::new(event, Context::default()))
                .await
                .expect("the list-rows handler succeeds");
            invocations += 1;
        }
        Delivered {
            records: records.len(),
            passed: passed.len(),
            invocations,
        }
    }
}

/// Whether `value` matches an event filter pattern of the subset Lambda's filters use here: an
/// object pattern matches when each of its fields matches; an array lists the allowed values,
/// each a value or a `{"prefix": "..."}` of a string.
pub fn matches_pattern(value: &Value, pattern: &Value) -> bool {
    match pattern {
        Value::Object(fields) => fields
            .iter()
            .all(|(name, inner)| value.get(name).is_some_and(|v| matches_pattern(v, inner))),
        Value::Array(allowed) => allowed.iter().any(|a| match a.get("prefix") {
            Some(Value::String(prefix)) => value.as_str().is_some_and(|v| v.starts_with(prefix)),
            _ => a == value,
        }),
        other => other == value,
    }
}

/// A `GetRecords` record as Lambda hands it over: with the stream's ARN, and the creation time
/// in epoch seconds.
fn as_lambda_record(record: &Value, stream_arn: &str) -> Value {
    let mut record = record.clone();
    record["eventSourceARN"] = json!(stream_arn);
    let at = &record["dynamodb"]["ApproximateCreationDateTime"];
    if !at.is_number() {
        record["dynamodb"]["ApproximateCreationDateTime"] = json!(0.0);
    }
    record
}

/// One DynamoDB Streams call in the service's JSON protocol.
async fn call(http: &reqwest::Client, endpoint: &str, action: &str, body: Value) -> Value {
    let response = http
        .post(endpoint)
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amz-target", format!("DynamoDBStreams_20120810.{action}"))
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
        )
        .body(body.to_string())
        .send()
        .await
        .unwrap_or_else(|e| panic!("DynamoDB Streams {action}: {e}"));
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    assert!(
        status.is_success(),
        "DynamoDB Streams {action}: {status} {text}"
    );
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("DynamoDB Streams {action}: {e}: {text}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deployed_filter_keeps_changes_of_chats_only() {
        let pattern: Value = serde_json::from_str(TABLE_STREAM_CONSUMER.filter_pattern).unwrap();
        let record = |name: &str, pk: &str, sk: &str| json!({"eventName": name, "dynamodb": {"Keys": {"pk": {"S": pk}, "sk": {"S": sk}}}});
        assert!(matches_pattern(
            &record("MODIFY", "CHAT#1", "META"),
            &pattern
        ));
        assert!(!matches_pattern(
            &record("INSERT", "CHAT#1", "META"),
            &pattern
        ));
        assert!(!matches_pattern(
            &record("REMOVE", "CHAT#1", "META"),
            &pattern
        ));
        assert!(!matches_pattern(
            &record("MODIFY", "CHAT#1", "EV#000000000002"),
            &pattern
        ));
        assert!(!matches_pattern(
            &record("MODIFY", "CHAT#1", "SUB#conn"),
            &pattern
        ));
        assert!(!matches_pattern(
            &record("MODIFY", "CONN#conn", "META"),
            &pattern
        ));
    }
}
