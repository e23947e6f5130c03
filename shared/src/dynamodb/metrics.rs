//! Every DynamoDB call the store makes, counted by operation, with the capacity it consumed: as
//! reported by the endpoint (`ReturnConsumedCapacity`), or, where the endpoint reports none (moto),
//! computed from item sizes by AWS's rules.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use aws_sdk_dynamodb::types::{AttributeValue, ConsumedCapacity};

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct OperationMetrics {
    pub calls: u64,
    pub read_units: f64,
    pub write_units: f64,
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct MetricsSnapshot {
    pub operations: BTreeMap<String, OperationMetrics>,
    /// True when every figure came from the endpoint's ConsumedCapacity; false when some were
    /// computed from item sizes.
    pub reported_by_endpoint: bool,
}

impl MetricsSnapshot {
    pub fn calls(&self) -> u64 {
        self.operations.values().map(|o| o.calls).sum()
    }

    pub fn read_units(&self) -> f64 {
        self.operations.values().map(|o| o.read_units).sum()
    }

    pub fn write_units(&self) -> f64 {
        self.operations.values().map(|o| o.write_units).sum()
    }
}

#[derive(Default)]
pub struct Metrics {
    inner: Mutex<(BTreeMap<String, OperationMetrics>, bool)>,
}

/// What a call consumed: from the endpoint, or computed.
pub enum Units {
    Reported(Vec<ConsumedCapacity>),
    Computed { read: f64, write: f64 },
}

impl Metrics {
    pub fn record(&self, operation: &str, units: Units) {
        let (read, write, computed) = match units {
            Units::Reported(caps) if !caps.is_empty() => {
                let mut r = 0.0;
                let mut w = 0.0;
                for c in caps {
                    let read = c.read_capacity_units().unwrap_or(0.0);
                    let write = c.write_capacity_units().unwrap_or(0.0);
                    if read == 0.0 && write == 0.0 {
                        // Some endpoints only fill the total; attribute it by the operation.
                        let total = c.capacity_units().unwrap_or(0.0);
                        if operation.starts_with("Get")
                            || operation.starts_with("Query")
                            || operation.starts_with("BatchGet")
                        {
                            r += total;
                        } else {
                            w += total;
                        }
                    } else {
                        r += read;
                        w += write;
                    }
                }
                (r, w, false)
            }
            Units::Reported(_) => (0.0, 0.0, true),
            Units::Computed { read, write } => (read, write, true),
        };
        if let Ok(mut guard) = self.inner.lock() {
            let (ops, any_computed) = &mut *guard;
            let entry = ops.entry(operation.to_owned()).or_default();
            entry.calls += 1;
            entry.read_units += read;
            entry.write_units += write;
            *any_computed |= computed;
        }
    }

    pub fn snapshot(&self) -> MetricsSnapshot {
        match self.inner.lock() {
            Ok(guard) => MetricsSnapshot {
                operations: guard.0.clone(),
                reported_by_endpoint: !guard.1,
            },
            Err(_) => MetricsSnapshot::default(),
        }
    }

    pub fn reset(&self) {
        if let Ok(mut guard) = self.inner.lock() {
            *guard = (BTreeMap::new(), false);
        }
    }
}

/// An item's size as DynamoDB bills it: attribute names plus values.
pub fn item_size(item: &HashMap<String, AttributeValue>) -> usize {
    item.iter().map(|(k, v)| k.len() + value_size(v)).sum()
}

fn value_size(v: &AttributeValue) -> usize {
    match v {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => n.len().div_ceil(2) + 1,
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::Ss(v) => v.iter().map(|s| s.len()).sum(),
        AttributeValue::Ns(v) => v.iter().map(|n| n.len().div_ceil(2) + 1).sum(),
        AttributeValue::Bs(v) => v.iter().map(|b| b.as_ref().len()).sum(),
        AttributeValue::L(l) => 3 + l.iter().map(|x| 1 + value_size(x)).sum::<usize>(),
        AttributeValue::M(m) => {
            3 + m
                .iter()
                .map(|(k, x)| 1 + k.len() + value_size(x))
                .sum::<usize>()
        }
        _ => 0,
    }
}

/// Read units for `bytes` read (4 KB units; half for eventually consistent reads).
pub fn read_units(bytes: usize, consistent: bool) -> f64 {
    let units = bytes.max(1).div_ceil(4096) as f64;
    if consistent {
        units
    } else {
        units / 2.0
    }
}

/// Write units for one item of `bytes` (1 KB units).
pub fn write_units(bytes: usize) -> f64 {
    bytes.max(1).div_ceil(1024) as f64
}
