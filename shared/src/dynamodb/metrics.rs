//! Every DynamoDB call the store makes, counted by operation, with the capacity AWS bills for
//! it, computed here by AWS's rules from the items the call wrote or read (never taken from the
//! endpoint: emulators report fixed numbers whatever the item size):
//! - a write costs 1 write unit per started KB of the larger of the item before and after, at
//!   least 1; a transactional write costs twice that; a write whose condition fails is charged
//!   as if it had written;
//! - each global secondary index the item is in costs one standard write of its projected size
//!   (the table's and the index's keys with `KEYS_ONLY`, the item's size with `ALL`) when the
//!   entry is created or deleted, or rewritten because a projected attribute changed (never with
//!   `KEYS_ONLY`); a change of the index's key costs a delete and a put;
//! - a read costs 1 read unit per started 4 KB (a Query sums the page's items first), at least
//!   1, half for an eventually consistent read, twice for a transactional one.
//!
//! Where the adapter does not hold the item as it was before a write, the figures take it to be
//! the size of the new one with the same index keys (the usual case: a chat is rewritten with a
//! few more bytes); such estimates are marked at the call.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use aws_sdk_dynamodb::types::AttributeValue;

use super::schema;

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct OperationMetrics {
    pub calls: u64,
    pub read_units: f64,
    pub write_units: f64,
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct MetricsSnapshot {
    pub operations: BTreeMap<String, OperationMetrics>,
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
    inner: Mutex<BTreeMap<String, OperationMetrics>>,
}

impl Metrics {
    /// One call of `operation`, with the read and write units it is billed.
    pub fn record(&self, operation: &str, read: f64, write: f64) {
        if let Ok(mut ops) = self.inner.lock() {
            let entry = ops.entry(operation.to_owned()).or_default();
            entry.calls += 1;
            entry.read_units += read;
            entry.write_units += write;
        }
    }

    pub fn snapshot(&self) -> MetricsSnapshot {
        match self.inner.lock() {
            Ok(ops) => MetricsSnapshot {
                operations: ops.clone(),
            },
            Err(_) => MetricsSnapshot::default(),
        }
    }

    pub fn reset(&self) {
        if let Ok(mut ops) = self.inner.lock() {
            ops.clear();
        }
    }
}

/// Write units of putting, updating or deleting one item: `old` and `new` are the item before
/// and after (`None`: absent). The table's write (doubled when `transactional`) and one standard
/// write per index entry written or deleted.
pub fn item_write(old: Option<&Item>, new: Option<&Item>, transactional: bool) -> f64 {
    let size = old.map_or(0, item_size).max(new.map_or(0, item_size));
    let table = write_units(size) * if transactional { 2.0 } else { 1.0 };
    table + index_writes(old, new)
}

/// Standard writes to the table's global secondary indexes when an item changes from `old` to
/// `new`: per index, nothing if the item is in neither version, one write if it enters, leaves or
/// stays with the same key, a delete and a put if its key changes.
pub fn index_writes(old: Option<&Item>, new: Option<&Item>) -> f64 {
    schema::table_spec()
        .global_secondary_indexes
        .iter()
        .map(|index| {
            let key = |item: Option<&Item>| {
                item.and_then(|i| {
                    Some((
                        i.get(index.partition_key)?.clone(),
                        i.get(index.sort_key)?.clone(),
                    ))
                })
            };
            let entry =
                |item: Option<&Item>| item.map_or(0.0, |i| write_units(entry_size(i, index)));
            match (key(old), key(new)) {
                (None, None) => 0.0,
                (Some(_), None) => entry(old),
                (None, Some(_)) => entry(new),
                // Same key: the entry is rewritten only if an attribute it projects changed (with
                // KEYS_ONLY, never).
                (Some(a), Some(b)) if a == b => match index.projection {
                    "KEYS_ONLY" => 0.0,
                    _ => entry(old).max(entry(new)),
                },
                (Some(_), Some(_)) => entry(old) + entry(new),
            }
        })
        .sum()
}

/// The size of an item's entry in the named index: its keys (the table's and the index's) for
/// KEYS_ONLY, the whole item for ALL.
pub fn index_entry_size(item: &Item, index_name: &str) -> usize {
    schema::table_spec()
        .global_secondary_indexes
        .iter()
        .find(|i| i.name == index_name)
        .map_or_else(|| item_size(item), |index| entry_size(item, index))
}

fn entry_size(item: &Item, index: &schema::IndexSpec) -> usize {
    match index.projection {
        "KEYS_ONLY" => [schema::PK, schema::SK, index.partition_key, index.sort_key]
            .iter()
            .filter_map(|name| item.get(*name).map(|v| name.len() + value_size(v)))
            .sum(),
        _ => item_size(item),
    }
}

type Item = HashMap<String, AttributeValue>;

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

/// Read units for `bytes` read by one call (4 KB units, at least 1; half for eventually
/// consistent reads).
pub fn read_units(bytes: usize, consistent: bool) -> f64 {
    let units = bytes.max(1).div_ceil(4096) as f64;
    if consistent {
        units
    } else {
        units / 2.0
    }
}

/// Write units for one item of `bytes` (1 KB units, at least 1).
pub fn write_units(bytes: usize) -> f64 {
    bytes.max(1).div_ceil(1024) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(pairs: &[(&str, &str)]) -> Item {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), AttributeValue::S((*v).to_owned())))
            .collect()
    }

    fn sized(pairs: &[(&str, &str)], pad: usize) -> Item {
        let mut i = item(pairs);
        i.insert("pad".into(), AttributeValue::S("x".repeat(pad)));
        i
    }

    #[test]
    fn writes_round_up_to_whole_kilobytes_with_one_unit_at_least() {
        assert_eq!(write_units(0), 1.0);
        assert_eq!(write_units(1), 1.0);
        assert_eq!(write_units(1024), 1.0);
        assert_eq!(write_units(1025), 2.0);
        let small = item(&[("pk", "a"), ("sk", "b")]);
        assert_eq!(item_write(None, Some(&small), false), 1.0);
        assert_eq!(
            item_write(None, Some(&small), true),
            2.0,
            "transactions double"
        );
        let big = sized(&[("pk", "a"), ("sk", "b")], 3000);
        assert_eq!(
            item_write(Some(&big), Some(&small), false),
            3.0,
            "the larger version counts"
        );
    }

    #[test]
    fn reads_round_up_to_four_kilobytes_and_halve_when_eventually_consistent() {
        assert_eq!(read_units(0, true), 1.0);
        assert_eq!(read_units(4096, true), 1.0);
        assert_eq!(read_units(4097, true), 2.0);
        assert_eq!(read_units(100, false), 0.5);
    }

    #[test]
    fn index_entries_are_written_where_the_item_is_indexed() {
        let plain = item(&[("pk", "CHAT#1"), ("sk", "META")]);
        assert_eq!(index_writes(None, Some(&plain)), 0.0);
        let in_group = item(&[
            ("pk", "CHAT#1"),
            ("sk", "META"),
            ("gsi1pk", "G#support"),
            ("gsi1sk", "1#0001"),
        ]);
        assert_eq!(index_writes(None, Some(&in_group)), 1.0, "enters one index");
        let longer = {
            let mut i = in_group.clone();
            i.insert("messages".into(), AttributeValue::N("12".into()));
            i
        };
        assert_eq!(
            index_writes(Some(&in_group), Some(&longer)),
            0.0,
            "same key, keys-only entry: nothing to rewrite"
        );
        let moved = item(&[
            ("pk", "CHAT#1"),
            ("sk", "META"),
            ("gsi1pk", "G#support"),
            ("gsi1sk", "2#0001"),
            ("gsi2pk", "A#alice"),
            ("gsi2sk", "2#0001"),
        ]);
        // The group index key changed (delete + put); the agent index is entered.
        assert_eq!(index_writes(Some(&in_group), Some(&moved)), 3.0);
        assert_eq!(index_writes(Some(&moved), None), 2.0, "deleted from both");
        // A message rewrites a 3 KB chat and none of its index entries; when it leaves the agent
        // index, only that entry (its keys, under 1 KB) is deleted.
        let big = {
            let mut i = moved.clone();
            i.insert("pad".into(), AttributeValue::S("x".repeat(3000)));
            i
        };
        assert_eq!(item_write(Some(&big), Some(&big), true), 6.0);
        let mut left_agent = big.clone();
        left_agent.remove("gsi2pk");
        left_agent.remove("gsi2sk");
        assert_eq!(item_write(Some(&big), Some(&left_agent), true), 6.0 + 1.0);
        assert_eq!(
            index_entry_size(&big, "by_agent"),
            "pkCHAT#1skMETAgsi2pkA#alicegsi2sk2#0001".len()
        );
    }
}
