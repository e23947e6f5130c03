use async_trait::async_trait;
use std::collections::HashMap;

use aws_sdk_dynamodb::types::{
    DeleteRequest, KeysAndAttributes, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem,
    Update, WriteRequest,
};

use super::keys::*;
use super::metrics::{item_size, item_write, read_units};
use super::recipients::SeenRead;
use super::records::{
    from_item, to_item, versioned, ChatRecord, EventRecord, FORMAT_VERSION, VERSION,
};
use super::schema::{
    BY_AGENT, BY_DEADLINE, BY_GROUP, GSI1_PK, GSI1_SK, GSI2_PK, GSI2_SK, GSI3_PK, GSI3_SK, PK, SK,
};
use super::{get_n, key, n, s, DynamoStore, Item};
use crate::domain::queue_place::QUEUE_READ_LIMIT;
use crate::domain::{
    AgentId, Awaiting, Chat, ChatEvent, ChatId, ClientMessageId, GroupId, Timestamp,
};
use crate::ports::{
    ChatCommit, ChatFilter, ChatStore, CommitOutcome, ListPosition, StoreError, Subscriber,
};

pub(super) enum TransactError {
    /// The transaction was cancelled: the reason code of each item, in order (`None` = fine).
    Cancelled(Vec<Option<String>>),
    Other(StoreError),
}

impl DynamoStore {
    /// One TransactWriteItems (all or nothing), billed as transactional writes (twice the units
    /// of each item; index entries at the standard rate), also when it is cancelled.
    pub(super) async fn transact(
        &self,
        operation: &str,
        items: Vec<TransactWriteItem>,
    ) -> Result<(), TransactError> {
        self.transact_replacing(operation, items, &[]).await
    }

    /// `transact`, where `replaced` gives the stored version of items it puts (by position), so
    /// the write is billed by the larger of the two and by the index keys that change.
    pub(super) async fn transact_replacing(
        &self,
        operation: &str,
        items: Vec<TransactWriteItem>,
        replaced: &[(usize, Item)],
    ) -> Result<(), TransactError> {
        let units: f64 = items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let old = replaced.iter().find(|(at, _)| *at == i).map(|(_, old)| old);
                match (
                    item.put(),
                    item.update(),
                    item.delete(),
                    item.condition_check(),
                ) {
                    (Some(p), ..) => item_write(old, Some(p.item()), true),
                    // Updated, deleted and checked items here (agents' counters, subscriptions,
                    // connection notes) are small and in no index: one KB at most.
                    (None, Some(u), ..) => item_write(None, Some(u.key()), true),
                    (None, None, Some(d), _) => item_write(Some(d.key()), None, true),
                    (None, None, None, Some(c)) => item_write(None, Some(c.key()), true),
                    _ => 0.0,
                }
            })
            .sum();
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        // A cancelled transaction is billed like one that succeeded.
        self.metrics.record(operation, 0.0, units);
        match result {
            Ok(_) => Ok(()),
            Err(e) => {
                if let Some(aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionCanceledException(c)) = e.as_service_error() {
                    let reasons = c
                        .cancellation_reasons()
                        .iter()
                        .map(|r| r.code().filter(|c| *c != "None").map(str::to_owned))
                        .collect();
                    return Err(TransactError::Cancelled(reasons));
                }
                Err(TransactError::Other(StoreError::backend(e)))
            }
        }
    }

    /// A chat's META and the subscriptions in its partition, in one strongly consistent Query
    /// (`sk >= "META"`: events and client ids sort before it, subscriptions after); `None`
    /// without a META.
    pub(super) async fn read_chat_partition_head(
        &self,
        id: &ChatId,
    ) -> Result<Option<(Item, Vec<Subscriber>)>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(self.table())
            .key_condition_expression("#pk = :pk AND #sk >= :meta")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":pk", s(chat_pk(id)))
            .expression_attribute_values(":meta", s(META));
        let mut meta = None;
        let mut subscribers = Vec::new();
        for item in self.run_query(query, true, None).await? {
            match super::get_s(&item, SK)? {
                META => meta = Some(item),
                sk if sk.starts_with(SUBSCRIPTION_PREFIX) => {
                    subscribers.push(super::connections::parse_subscriber(&item)?)
                }
                _ => {}
            }
        }
        Ok(meta.map(|m| (m, subscribers)))
    }

    /// The chat's `subs_rev` now (`None`: no chat, or one in the old layout).
    async fn current_subs_rev(&self, id: &ChatId) -> Result<Option<u64>, StoreError> {
        match self.get(chat_pk(id), META, true).await? {
            Some(meta) => subs_rev(&meta),
            None => Ok(None),
        }
    }

    /// The chats the index entries of a list name, read from the table (the indexes hold keys
    /// only), in the entries' order; a chat that has left the list since the index was written
    /// (the index lags the table a little) or is gone is left out.
    async fn chats_of_entries(
        &self,
        filter: &ChatFilter,
        entries: &[Item],
    ) -> Result<Vec<Chat>, StoreError> {
        let ids: Vec<String> = entries
            .iter()
            .map(|e| super::get_s(e, PK).map(str::to_owned))
            .collect::<Result<_, _>>()?;
        let mut found: HashMap<String, Item> = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(BATCH_GET_KEYS) {
            let keys = chunk.iter().map(|pk| key(pk.clone(), META)).collect();
            for item in self.batch_get(keys).await? {
                if let Ok(pk) = super::get_s(&item, PK) {
                    found.insert(pk.to_owned(), item);
                }
            }
        }
        let mut chats = Vec::with_capacity(ids.len());
        for pk in &ids {
            let Some(item) = found.remove(pk) else {
                continue;
            };
            if super::purge::is_purged(&item) {
                continue;
            }
            let chat: Chat = from_item::<ChatRecord, _>(item)?;
            if filter.holds(&chat) {
                chats.push(chat);
            }
        }
        Ok(chats)
    }

    /// One BatchGetItem (eventually consistent, like the index it follows), repeated for the
    /// keys DynamoDB leaves unprocessed. Billed per item, each rounded up to 4 KB on its own.
    pub(super) async fn batch_get(&self, keys: Vec<Item>) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::with_capacity(keys.len());
        let mut pending = keys;
        for round in 0..BATCH_GET_ROUNDS {
            if pending.is_empty() {
                return Ok(items);
            }
            if round > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(20 << round)).await;
            }
            let request = KeysAndAttributes::builder()
                .set_keys(Some(pending))
                .consistent_read(false)
                .build()
                .map_err(StoreError::backend)?;
            let out = self
                .client
                .batch_get_item()
                .request_items(self.table(), request)
                .send()
                .await
                .map_err(StoreError::backend)?;
            let got = out
                .responses
                .and_then(|mut r| r.remove(self.table()))
                .unwrap_or_default();
            let units: f64 = got.iter().map(|i| read_units(item_size(i), false)).sum();
            self.metrics.record("BatchGetItem", units, 0.0);
            items.extend(got);
            pending = out
                .unprocessed_keys
                .and_then(|mut u| u.remove(self.table()))
                .map(|k| k.keys)
                .unwrap_or_default();
        }
        if pending.is_empty() {
            Ok(items)
        } else {
            Err(StoreError::backend(std::io::Error::other(
                "BatchGetItem left keys unprocessed after every retry",
            )))
        }
    }

    async fn query_index(
        &self,
        q: IndexQuery,
        start: Option<Item>,
        limit: usize,
    ) -> Result<Vec<Item>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(self.table())
            .index_name(q.index)
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .expression_attribute_names("#pk", q.pk_name)
            .expression_attribute_names("#sk", q.sk_name)
            .expression_attribute_values(":pk", s(q.pk))
            .expression_attribute_values(":prefix", s(q.prefix.as_str()))
            .scan_index_forward(q.forward);
        // Indexes are eventually consistent only.
        self.run_query_from(query, false, Some(limit), start).await
    }
}

/// One list query: an index, the partition, a sort-key prefix and the direction.
struct IndexQuery {
    index: &'static str,
    pk_name: &'static str,
    pk: String,
    sk_name: &'static str,
    prefix: String,
    forward: bool,
}

/// The index query that reads a list.
fn list_query(filter: &ChatFilter) -> IndexQuery {
    let group = |g: &GroupId, prefix: String, forward: bool| IndexQuery {
        index: BY_GROUP,
        pk_name: GSI1_PK,
        pk: group_index_pk(g),
        sk_name: GSI1_SK,
        prefix,
        forward,
    };
    let agent = |a: &AgentId, prefix: String, forward: bool| IndexQuery {
        index: BY_AGENT,
        pk_name: GSI2_PK,
        pk: agent_index_pk(a),
        sk_name: GSI2_SK,
        prefix,
        forward,
    };
    match filter {
        ChatFilter::GroupLive(g) => group(g, LIVE.to_owned(), true),
        ChatFilter::GroupEnded(g) => group(g, format!("{ENDED}#"), false),
        ChatFilter::GroupQueue(g) => group(g, format!("{QUEUED}#"), true),
        ChatFilter::GroupDeleted(g) => group(g, format!("{DELETED}#"), false),
        ChatFilter::AgentActive(a) => agent(a, format!("{ACTIVE}#"), true),
        ChatFilter::AgentEnded(a) => agent(a, format!("{ENDED}#"), false),
    }
}

/// Most keys one BatchGetItem may ask for.
const BATCH_GET_KEYS: usize = 100;
/// Rounds of BatchGetItem for the keys DynamoDB left unprocessed (it does so under load) before
/// the read fails.
const BATCH_GET_ROUNDS: u32 = 8;

/// A META item's subscription revision (`None`: stored before subscriptions moved into the
/// chat's partition).
fn subs_rev(meta: &Item) -> Result<Option<u64>, StoreError> {
    match meta.get(SUBS_REV) {
        None => Ok(None),
        Some(_) => Ok(Some(get_n(meta, SUBS_REV)?.max(0) as u64)),
    }
}

fn chat_item(chat: &Chat) -> Result<Item, StoreError> {
    let mut item = to_item(&ChatRecord::from(chat))?;
    item.insert(PK.into(), s(chat_pk(&chat.id)));
    item.insert(SK.into(), s(META));
    item.insert(GSI1_PK.into(), s(group_index_pk(&chat.group_id)));
    item.insert(GSI1_SK.into(), s(list_sort_key(chat)));
    if let (true, Some(agent)) = (in_agent_index(chat), &chat.agent_id) {
        item.insert(GSI2_PK.into(), s(agent_index_pk(agent)));
        item.insert(GSI2_SK.into(), s(list_sort_key(chat)));
    }
    if let Some((pk, sk)) = await_index_keys(chat) {
        item.insert(GSI3_PK.into(), s(pk));
        item.insert(GSI3_SK.into(), s(sk));
    }
    Ok(item)
}

fn event_item(event: &ChatEvent) -> Result<Item, StoreError> {
    let mut item = to_item(&EventRecord::from(event))?;
    item.insert(PK.into(), s(chat_pk(&event.chat_id)));
    item.insert(SK.into(), s(event_sk(event.seq)));
    Ok(item)
}

/// The item that keeps a client message id unique in its chat: the sequence number of the message
/// stored under it.
fn message_guard(chat: &ChatId, cmid: &ClientMessageId, seq: u64) -> Item {
    let mut guard = key(chat_pk(chat), cmid_sk(cmid.as_str()));
    guard.insert("seq".into(), n(seq));
    versioned(guard)
}

fn put(table: &str, item: Item, condition: Option<&str>) -> Result<TransactWriteItem, StoreError> {
    let mut p = Put::builder().table_name(table).set_item(Some(item));
    if let Some(c) = condition {
        p = p.condition_expression(c);
    }
    Ok(TransactWriteItem::builder()
        .put(p.build().map_err(StoreError::backend)?)
        .build())
}

#[async_trait]
impl ChatStore for DynamoStore {
    async fn create_chat(&self, chat: &Chat, events: &[ChatEvent]) -> Result<(), StoreError> {
        // Its subscriptions start at revision 0, in its own partition.
        let mut meta = chat_item(chat)?;
        meta.insert(SUBS_REV.into(), n(0));
        let mut items = vec![put(self.table(), meta, Some("attribute_not_exists(pk)"))?];
        for e in events {
            items.push(put(
                self.table(),
                event_item(e)?,
                Some("attribute_not_exists(pk)"),
            )?);
            if let Some(cmid) = e.kind.client_msg_id() {
                items.push(put(
                    self.table(),
                    message_guard(&chat.id, cmid, e.seq),
                    Some("attribute_not_exists(pk)"),
                )?);
            }
        }
        // The pointer from the customer's history (one more write per chat start, when the
        // customer gave an address or is a verified user).
        if let Some(pointer) = super::history::history_item(chat) {
            items.push(put(self.table(), pointer, None)?);
        }
        match self.transact("TransactWriteItems", items).await {
            Ok(()) => Ok(()),
            Err(TransactError::Cancelled(_)) => {
                Err(StoreError::AlreadyExists(format!("chat {}", chat.id)))
            }
            Err(TransactError::Other(e)) => Err(e),
        }
    }

    async fn get_chat(&self, id: &ChatId) -> Result<Option<Chat>, StoreError> {
        // Strongly consistent: a compare-and-set loop must read what the last commit wrote.
        let Some((meta, subscribers)) = self.read_chat_partition_head(id).await? else {
            return Ok(None);
        };
        // A committed purge whose deletes are not finished: the chat is gone.
        if super::purge::is_purged(&meta) {
            return Ok(None);
        }
        let rev = subs_rev(&meta)?;
        let chat: Chat = from_item::<ChatRecord, _>(meta)?;
        self.seen.note_read(
            id,
            SeenRead {
                last_seq: chat.last_seq,
                rev,
                subscribers,
            },
        );
        Ok(Some(chat))
    }

    async fn commit(&self, commit: &ChatCommit) -> Result<CommitOutcome, StoreError> {
        let table = self.table();
        let id = &commit.chat.id;
        // The subscription revision the read saw: the commit holds only if nobody subscribed
        // since (then the subscribers read are the ones to tell), and writes it back (a Put
        // replaces the whole item). A commit from a read this store did not make reads it now.
        let rev = match self.seen.rev_at(id, commit.expected_seq()) {
            Some(rev) => rev,
            None => self.current_subs_rev(id).await?,
        };
        let mut meta = chat_item(&commit.chat)?;
        let chat_put = Put::builder()
            .table_name(table)
            .expression_attribute_values(":expected", n(commit.expected_seq()))
            .expression_attribute_names("#rev", SUBS_REV)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        let chat_put = match rev {
            Some(rev) => {
                meta.insert(SUBS_REV.into(), n(rev));
                chat_put
                    .condition_expression("last_seq = :expected AND #rev = :rev")
                    .expression_attribute_values(":rev", n(rev))
            }
            None => {
                chat_put.condition_expression("last_seq = :expected AND attribute_not_exists(#rev)")
            }
        };
        let chat_put = chat_put
            .set_item(Some(meta))
            .build()
            .map_err(StoreError::backend)?;
        let mut items = Vec::new();
        items.push(TransactWriteItem::builder().put(chat_put).build());
        items.push(put(
            table,
            event_item(&commit.event)?,
            Some("attribute_not_exists(pk)"),
        )?);
        let cmid_index = match commit.event.kind.client_msg_id() {
            Some(cmid) => {
                items.push(put(
                    table,
                    message_guard(&commit.chat.id, cmid, commit.event.seq),
                    Some("attribute_not_exists(pk)"),
                )?);
                Some(items.len() - 1)
            }
            None => None,
        };
        let acquire_index = match &commit.load.acquire {
            Some((agent, limit)) => {
                let update = Update::builder()
                    .table_name(table)
                    .set_key(Some(key(agent_pk(agent), LOAD)))
                    .update_expression(format!(
                        "SET active_chats = if_not_exists(active_chats, :zero) + :one, \
                         last_assigned_at = :at, {VERSION} = :v"
                    ))
                    .condition_expression(
                        "attribute_not_exists(active_chats) OR active_chats < :limit",
                    )
                    .expression_attribute_values(":zero", n(0))
                    .expression_attribute_values(":one", n(1))
                    .expression_attribute_values(":limit", n(*limit))
                    .expression_attribute_values(":at", n(commit.event.at.millis()))
                    .expression_attribute_values(":v", n(FORMAT_VERSION))
                    .build()
                    .map_err(StoreError::backend)?;
                items.push(TransactWriteItem::builder().update(update).build());
                Some(items.len() - 1)
            }
            None => None,
        };
        if let Some(agent) = &commit.load.release {
            // Unconditional: a release never fails a commit; reads clamp at zero.
            let update = Update::builder()
                .table_name(table)
                .set_key(Some(key(agent_pk(agent), LOAD)))
                .update_expression(format!("ADD active_chats :minus_one SET {VERSION} = :v"))
                .expression_attribute_values(":minus_one", n(-1))
                .expression_attribute_values(":v", n(FORMAT_VERSION))
                .build()
                .map_err(StoreError::backend)?;
            items.push(TransactWriteItem::builder().update(update).build());
        }
        let before = chat_item(&commit.before)?;
        match self
            .transact_replacing("TransactWriteItems", items, &[(0, before)])
            .await
        {
            Ok(()) => {
                self.seen.confirm(id, commit.expected_seq());
                Ok(CommitOutcome::Committed)
            }
            Err(TransactError::Other(e)) => Err(e),
            Err(TransactError::Cancelled(reasons)) => {
                let failed = |i: usize| {
                    reasons
                        .get(i)
                        .and_then(|r| r.as_deref())
                        .is_some_and(|r| r == "ConditionalCheckFailed")
                };
                if let (Some(i), Some(cmid)) = (cmid_index, commit.event.kind.client_msg_id()) {
                    if failed(i) {
                        return match self.find_message(&commit.chat.id, cmid).await? {
                            Some(existing) => Ok(CommitOutcome::DuplicateMessage(existing)),
                            None => Err(StoreError::Stale),
                        };
                    }
                }
                if failed(0) {
                    return match self.get(chat_pk(&commit.chat.id), META, true).await? {
                        Some(_) => Err(StoreError::Stale),
                        None => Err(StoreError::NotFound(format!("chat {}", commit.chat.id))),
                    };
                }
                if let (Some(i), Some((agent, limit))) = (acquire_index, &commit.load.acquire) {
                    if failed(i) {
                        return Err(StoreError::AtCapacity {
                            agent: agent.to_string(),
                            limit: *limit,
                        });
                    }
                }
                // Conflicts with a concurrent transaction on the same items: retry like a lost race.
                if reasons.iter().flatten().any(|r| r == "TransactionConflict") {
                    return Err(StoreError::Stale);
                }
                Err(StoreError::Corrupt(format!(
                    "commit cancelled: {reasons:?}"
                )))
            }
        }
    }

    async fn events_after(
        &self,
        chat: &ChatId,
        after_seq: u64,
        limit: usize,
    ) -> Result<Vec<ChatEvent>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(self.table())
            .key_condition_expression("#pk = :pk AND #sk BETWEEN :from AND :to")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":pk", s(chat_pk(chat)))
            .expression_attribute_values(":from", s(event_sk(after_seq.saturating_add(1))))
            .expression_attribute_values(":to", s("EV#~"));
        self.run_query(query, true, Some(limit))
            .await?
            .into_iter()
            .map(from_item::<EventRecord, _>)
            .collect()
    }

    async fn find_message(
        &self,
        chat: &ChatId,
        client_msg_id: &ClientMessageId,
    ) -> Result<Option<ChatEvent>, StoreError> {
        let Some(guard) = self
            .get(chat_pk(chat), &cmid_sk(client_msg_id.as_str()), true)
            .await?
        else {
            return Ok(None);
        };
        let seq = get_n(&guard, "seq")?.max(0) as u64;
        self.get(chat_pk(chat), &event_sk(seq), true)
            .await?
            .map(from_item::<EventRecord, _>)
            .transpose()
    }

    async fn list_chats_after(
        &self,
        filter: &ChatFilter,
        after: Option<&ListPosition>,
        limit: usize,
    ) -> Result<Vec<Chat>, StoreError> {
        if after.is_some_and(|p| !filter.buckets().contains(&p.bucket)) {
            return Ok(Vec::new());
        }
        let query = list_query(filter);
        // A page goes on after the previous page's last chat: its index keys (the table's and
        // the index's), whether or not that chat is still there.
        let start = after.map(|p| {
            let mut start = key(chat_pk(&p.chat_id), META);
            start.insert(query.pk_name.into(), s(query.pk.clone()));
            start.insert(
                query.sk_name.into(),
                s(list_key(p.bucket, p.at, &p.chat_id)),
            );
            start
        });
        let entries = self.query_index(query, start, limit).await?;
        self.chats_of_entries(filter, &entries).await
    }

    async fn list_positions(
        &self,
        filter: &ChatFilter,
        limit: usize,
    ) -> Result<Vec<ListPosition>, StoreError> {
        let query = list_query(filter);
        let sk_name = query.sk_name;
        self.query_index(query, None, limit)
            .await?
            .iter()
            .map(|entry| {
                super::get_s(entry, sk_name).and_then(|sk| {
                    parse_list_key(sk)
                        .ok_or_else(|| StoreError::Corrupt(format!("list key {sk} is garbled")))
                })
            })
            .collect()
    }

    async fn queue_position(&self, chat: &Chat) -> Result<u32, StoreError> {
        // The keys of the queue up to this chat's place: the index holds keys only, so a filter
        // on the chat's id could not run there; the chat itself is told apart by its table key
        // (it may be there or, just queued, not yet).
        let own = chat_pk(&chat.id);
        let query = self
            .client
            .query()
            .table_name(self.table())
            .index_name(BY_GROUP)
            .key_condition_expression("#pk = :pk AND #sk BETWEEN :from AND :own")
            .expression_attribute_names("#pk", GSI1_PK)
            .expression_attribute_names("#sk", GSI1_SK)
            .expression_attribute_values(":pk", s(group_index_pk(&chat.group_id)))
            .expression_attribute_values(":from", s(format!("{QUEUED}#")))
            .expression_attribute_values(":own", s(list_sort_key(chat)));
        // One more than the limit: the chat itself may be among the entries read.
        let entries = self
            .run_query(query, false, Some(QUEUE_READ_LIMIT + 1))
            .await?;
        let ahead = entries
            .iter()
            .filter(|e| super::get_s(e, PK).is_ok_and(|pk| pk != own))
            .count()
            .min(QUEUE_READ_LIMIT);
        Ok(u32::try_from(ahead).unwrap_or(u32::MAX))
    }

    async fn awaiting_chats(
        &self,
        group: &GroupId,
        kind: Awaiting,
        until: Timestamp,
        limit: usize,
    ) -> Result<Vec<ChatId>, StoreError> {
        // '~' sorts after every character of an id: every chat awaiting since `until` or before.
        let query = self
            .client
            .query()
            .table_name(self.table())
            .index_name(BY_DEADLINE)
            .key_condition_expression("#pk = :pk AND #sk BETWEEN :from AND :until")
            .expression_attribute_names("#pk", GSI3_PK)
            .expression_attribute_names("#sk", GSI3_SK)
            .expression_attribute_values(":pk", s(await_index_pk(group)))
            .expression_attribute_values(":from", s(format!("{}#", kind.key())))
            .expression_attribute_values(
                ":until",
                s(format!("{}#{:013}#~", kind.key(), until.millis().max(0))),
            );
        self.run_query(query, false, Some(limit))
            .await?
            .iter()
            .map(|entry| {
                let pk = super::get_s(entry, PK)?;
                pk.strip_prefix("CHAT#")
                    .and_then(|id| ChatId::parse(id).ok())
                    .ok_or_else(|| StoreError::Corrupt(format!("deadline entry {pk} is garbled")))
            })
            .collect()
    }

    async fn note_agent_activity(&self, before: &Chat, at: Timestamp) -> Result<bool, StoreError> {
        let mut chat = before.clone();
        chat.agent_active_at = Some(at);
        // Only the activity and the deadline keys move: no event, no sequence number, and the
        // subscription revision stays as it is.
        let mut update = self
            .client
            .update_item()
            .table_name(self.table())
            .set_key(Some(key(chat_pk(&chat.id), META)))
            .condition_expression("last_seq = :seq AND attribute_not_exists(purged)")
            .expression_attribute_names("#active", "agent_active_at")
            .expression_attribute_names("#pk3", GSI3_PK)
            .expression_attribute_names("#sk3", GSI3_SK)
            .expression_attribute_values(":seq", n(chat.last_seq))
            .expression_attribute_values(":at", n(at.millis()))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew);
        update = match await_index_keys(&chat) {
            Some((pk, sk)) => update
                .update_expression("SET #active = :at, #pk3 = :pk3, #sk3 = :sk3")
                .expression_attribute_values(":pk3", s(pk))
                .expression_attribute_values(":sk3", s(sk)),
            None => update.update_expression("SET #active = :at REMOVE #pk3, #sk3"),
        };
        let old = chat_item(before)?;
        match update.send().await {
            Ok(out) => {
                let units = item_write(Some(&old), out.attributes(), false);
                self.metrics.record("UpdateItem", 0.0, units);
                Ok(true)
            }
            Err(e) => match e.into_service_error() {
                aws_sdk_dynamodb::operation::update_item::UpdateItemError::ConditionalCheckFailedException(_) => {
                    self.metrics.record("UpdateItem", 0.0, item_write(None, Some(&old), false));
                    Ok(false)
                }
                other => Err(StoreError::backend(other)),
            },
        }
    }

    async fn purge_chat(&self, id: &ChatId, expected_seq: u64) -> Result<(), StoreError> {
        self.commit_purge(id, expected_seq).await?;
        self.remove_purged(id).await
    }

    async fn finish_purge(&self, id: &ChatId) -> Result<Option<Chat>, StoreError> {
        self.finish_purge_of(id).await
    }
}

impl DynamoStore {
    /// Deletes items in batches of 25, retrying what DynamoDB leaves unprocessed.
    pub(super) async fn delete_keys(&self, keys: Vec<Item>) -> Result<(), StoreError> {
        for chunk in keys.chunks(25) {
            let mut requests: Vec<WriteRequest> = chunk
                .iter()
                .map(|k| {
                    DeleteRequest::builder()
                        .set_key(Some(k.clone()))
                        .build()
                        .map(|d| WriteRequest::builder().delete_request(d).build())
                        .map_err(StoreError::backend)
                })
                .collect::<Result<_, _>>()?;
            for attempt in 0..8u32 {
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(self.table(), requests.clone())
                    .send()
                    .await
                    .map_err(StoreError::backend)?;
                // Each delete is billed on its own, by the item's size: these are small items of
                // no index (events, subscriptions, connection records), one KB at most each.
                let units: f64 = requests
                    .iter()
                    .filter_map(|r| r.delete_request())
                    .map(|d| item_write(Some(d.key()), None, false))
                    .sum();
                self.metrics.record("BatchWriteItem", 0.0, units);
                requests = out
                    .unprocessed_items
                    .and_then(|mut m| m.remove(self.table()))
                    .unwrap_or_default();
                if requests.is_empty() {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(20 << attempt.min(6))).await;
            }
            if !requests.is_empty() {
                return Err(StoreError::Corrupt(
                    "some deletes stayed unprocessed".into(),
                ));
            }
        }
        Ok(())
    }
}
