//! DynamoDB items as JSON in the service's wire format (what `GetItem` and `Scan` return:
//! `{"pk": {"S": "CHAT#1"}, "seq": {"N": "3"}, ...}`), and the table's items read and written as
//! such: how stored data is checked into `tests/fixtures/` and loaded back into a table.

use std::collections::HashMap;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use aws_sdk_dynamodb::Client;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Map, Value};

pub type Item = HashMap<String, AttributeValue>;

pub fn value_to_json(v: &AttributeValue) -> Value {
    match v {
        AttributeValue::S(s) => json!({ "S": s }),
        AttributeValue::N(n) => json!({ "N": n }),
        AttributeValue::B(b) => json!({ "B": STANDARD.encode(b.as_ref()) }),
        AttributeValue::Bool(b) => json!({ "BOOL": b }),
        AttributeValue::Null(_) => json!({ "NULL": true }),
        AttributeValue::Ss(v) => json!({ "SS": v }),
        AttributeValue::Ns(v) => json!({ "NS": v }),
        AttributeValue::Bs(v) => {
            json!({ "BS": v.iter().map(|b| STANDARD.encode(b.as_ref())).collect::<Vec<_>>() })
        }
        AttributeValue::L(l) => json!({ "L": l.iter().map(value_to_json).collect::<Vec<_>>() }),
        AttributeValue::M(m) => json!({ "M": item_to_json(m) }),
        other => panic!("an attribute type the wire format here does not know: {other:?}"),
    }
}

/// An item as a JSON object, attributes in name order.
pub fn item_to_json(item: &Item) -> Value {
    let mut names: Vec<&String> = item.keys().collect();
    names.sort();
    Value::Object(
        names
            .into_iter()
            .map(|k| (k.clone(), value_to_json(&item[k])))
            .collect::<Map<_, _>>(),
    )
}

pub fn value_from_json(v: &Value) -> Result<AttributeValue, String> {
    let obj = v
        .as_object()
        .filter(|o| o.len() == 1)
        .ok_or_else(|| format!("not a typed attribute value: {v}"))?;
    let (ty, inner) = obj.iter().next().ok_or("empty attribute value")?;
    let text = |x: &Value| {
        x.as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("{ty}: not a string: {x}"))
    };
    let bytes = |x: &Value| -> Result<Blob, String> {
        STANDARD
            .decode(text(x)?)
            .map(Blob::new)
            .map_err(|e| format!("{ty}: {e}"))
    };
    let list = |x: &Value| {
        x.as_array()
            .cloned()
            .ok_or_else(|| format!("{ty}: not a list: {x}"))
    };
    Ok(match ty.as_str() {
        "S" => AttributeValue::S(text(inner)?),
        "N" => AttributeValue::N(text(inner)?),
        "B" => AttributeValue::B(bytes(inner)?),
        "BOOL" => AttributeValue::Bool(inner.as_bool().ok_or("BOOL: not a boolean")?),
        "NULL" => AttributeValue::Null(true),
        "SS" => AttributeValue::Ss(list(inner)?.iter().map(text).collect::<Result<_, _>>()?),
        "NS" => AttributeValue::Ns(list(inner)?.iter().map(text).collect::<Result<_, _>>()?),
        "BS" => AttributeValue::Bs(list(inner)?.iter().map(bytes).collect::<Result<_, _>>()?),
        "L" => AttributeValue::L(
            list(inner)?
                .iter()
                .map(value_from_json)
                .collect::<Result<_, _>>()?,
        ),
        "M" => AttributeValue::M(item_from_json(inner)?),
        other => return Err(format!("unknown attribute type {other}")),
    })
}

pub fn item_from_json(v: &Value) -> Result<Item, String> {
    v.as_object()
        .ok_or_else(|| format!("an item is an object: {v}"))?
        .iter()
        .map(|(k, x)| Ok((k.clone(), value_from_json(x)?)))
        .collect()
}

fn key_of(item: &Item) -> (String, String) {
    let s = |name: &str| match item.get(name) {
        Some(AttributeValue::S(s)) => s.clone(),
        _ => String::new(),
    };
    (s("pk"), s("sk"))
}

/// Every item of a table, in key order. A Scan: for tests and fixtures, never a request path.
pub async fn all_items(client: &Client, table: &str) -> Vec<Item> {
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let out = client
            .scan()
            .table_name(table)
            .set_exclusive_start_key(start)
            .consistent_read(true)
            .send()
            .await
            .expect("scan the table");
        items.extend(out.items.unwrap_or_default());
        start = out.last_evaluated_key;
        if start.is_none() {
            break;
        }
    }
    items.sort_by_key(key_of);
    items
}

/// Writes `items` into the table as they are (BatchWriteItem, 25 at a time).
pub async fn put_items(client: &Client, table: &str, items: Vec<Item>) {
    for chunk in items.chunks(25) {
        let mut requests: Vec<WriteRequest> = chunk
            .iter()
            .map(|item| {
                WriteRequest::builder()
                    .put_request(
                        PutRequest::builder()
                            .set_item(Some(item.clone()))
                            .build()
                            .unwrap(),
                    )
                    .build()
            })
            .collect();
        while !requests.is_empty() {
            let out = client
                .batch_write_item()
                .request_items(table, requests)
                .send()
                .await
                .expect("write the items");
            requests = out
                .unprocessed_items
                .and_then(|mut m| m.remove(table))
                .unwrap_or_default();
        }
    }
}

/// A fixture file: `{"Items": [...]}`, as a Scan answers.
pub fn items_to_file(items: &[Item]) -> String {
    let list: Vec<Value> = items.iter().map(item_to_json).collect();
    let mut text = serde_json::to_string_pretty(&json!({ "Items": list })).unwrap();
    text.push('\n');
    text
}

pub fn items_from_file(text: &str) -> Vec<Item> {
    let v: Value = serde_json::from_str(text).expect("a JSON fixture");
    v["Items"]
        .as_array()
        .expect("an Items list")
        .iter()
        .map(|i| item_from_json(i).expect("a wire-format item"))
        .collect()
}
