use async_trait::async_trait;
use aws_sdk_dynamodb::types::{
    AttributeValue, Put, ReturnValue, ReturnValuesOnConditionCheckFailure, TransactWriteItem,
    Update,
};

use super::keys::*;
use super::metrics::item_write;
use super::records::{from_item, to_item, versioned, ConnectionItem};
use super::schema::{SK, TTL_ATTRIBUTE};
use super::{get_n, get_s, key, n, s, ttl_seconds, DynamoStore, Item};
use crate::domain::{AgentId, ChatId, ChatView, GroupId, ListWatch, Timestamp};
use crate::ports::{
    Admission, Audience, Connection, ConnectionId, ConnectionOwner, ConnectionStore,
    GroupSubscriber, PrincipalKey, RateLimit, StoreError, Subscriber,
};

fn connection_item(c: &Connection) -> Result<Item, StoreError> {
    let mut item = to_item(&ConnectionItem::from(c))?;
    item.extend(key(connection_pk(c.id.as_str()), META));
    item.insert(TTL_ATTRIBUTE.into(), ttl_seconds(c.expires_at));
    Ok(item)
}

fn parse_connection(item: Item) -> Result<Connection, StoreError> {
    from_item::<ConnectionItem, _>(item)
}

fn subscription(pk: String, c: &Connection, audience: Option<Audience>) -> Item {
    let mut item = key(pk, c.id.as_str());
    item.insert("connection_id".into(), s(c.id.as_str()));
    if let Some(a) = audience {
        item.insert(
            "audience".into(),
            s(match a {
                Audience::Customer => "customer",
                Audience::Agent => "agent",
            }),
        );
    }
    item.insert(TTL_ATTRIBUTE.into(), ttl_seconds(c.expires_at));
    versioned(item)
}

fn put_item(table: &str, item: Item) -> Result<TransactWriteItem, StoreError> {
    Ok(TransactWriteItem::builder()
        .put(
            Put::builder()
                .table_name(table)
                .set_item(Some(item))
                .build()
                .map_err(StoreError::backend)?,
        )
        .build())
}

fn parse_connection_id(item: &Item) -> Result<ConnectionId, StoreError> {
    ConnectionId::parse(get_s(item, SK)?).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// A chat subscription item (in the chat's partition or an old `CSUB#` one).
pub(super) fn parse_subscriber(item: &Item) -> Result<Subscriber, StoreError> {
    let connection = match item.get("connection_id") {
        Some(AttributeValue::S(id)) => id.as_str(),
        _ => get_s(item, SK)?,
    };
    Ok(Subscriber {
        connection: ConnectionId::parse(connection)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        audience: match item.get("audience") {
            Some(AttributeValue::S(a)) if a == "customer" => Audience::Customer,
            _ => Audience::Agent,
        },
    })
}

/// A connection's subscription to a chat: in the chat's partition, or (`legacy`, for a chat
/// stored before subscriptions moved there) under `CSUB#{chat}`.
fn chat_subscription(chat: &ChatId, c: &Connection, audience: Audience, legacy: bool) -> Item {
    if legacy {
        subscription(legacy_chat_subscribers_pk(chat), c, Some(audience))
    } else {
        let mut item = subscription(chat_pk(chat), c, Some(audience));
        item.insert(SK.into(), s(subscription_sk(c.id.as_str())));
        item
    }
}

/// Moves the chat's subscription revision on, only in a chat that has one (stored since
/// subscriptions live in its partition): a commit made from a read before this fails its
/// condition and reads the subscribers again.
fn bump_subscriptions(table: &str, chat: &ChatId) -> Result<TransactWriteItem, StoreError> {
    Ok(TransactWriteItem::builder()
        .update(
            Update::builder()
                .table_name(table)
                .set_key(Some(key(chat_pk(chat), META)))
                .update_expression("SET #rev = #rev + :one")
                .condition_expression("attribute_exists(#rev)")
                .expression_attribute_names("#rev", SUBS_REV)
                .expression_attribute_values(":one", n(1))
                .build()
                .map_err(StoreError::backend)?,
        )
        .build())
}

/// Whether item `i` of a cancelled transaction failed its condition.
fn condition_failed(reasons: &[Option<String>], i: usize) -> bool {
    reasons
        .get(i)
        .and_then(|r| r.as_deref())
        .is_some_and(|r| r == "ConditionalCheckFailed")
}

/// A principal's connections take numbered slots (`PCONN#{principal}` / `SLOT#{n}`, n below the
/// limit): a connect claims a free or expired slot with a conditional put in its transaction, so
/// two concurrent connects can never both take the last one.
struct Slots {
    taken: Vec<(u32, ConnectionId)>,
}

impl Slots {
    fn free_below(&self, limit: u32) -> Option<u32> {
        (0..limit).find(|n| !self.taken.iter().any(|(t, _)| t == n))
    }
}

fn slot_item(principal: &str, slot: u32, c: &Connection) -> Item {
    let mut item = key(principal_pk(principal), slot_sk(slot));
    item.insert("connection_id".into(), s(c.id.as_str()));
    item.insert(TTL_ATTRIBUTE.into(), ttl_seconds(c.expires_at));
    versioned(item)
}

/// What a change of an agent's watch does to the chat it is about.
#[derive(Clone, Copy)]
enum Watch {
    Start,
    Stop,
}

impl DynamoStore {
    /// The connect transaction: the connection (noting its slot, so `$disconnect` frees it), its
    /// subscriptions, and the slot, put only if free or expired.
    async fn put_connection_in_slot(
        &self,
        connection: &Connection,
        slot: u32,
        legacy_chat: bool,
    ) -> Result<(), super::chats::TransactError> {
        let principal = connection.owner.principal_key();
        let other = super::chats::TransactError::Other;
        let mut record = connection_item(connection).map_err(other)?;
        record.insert("slot".into(), n(slot));
        let mut items = vec![put_item(self.table(), record).map_err(other)?];
        match &connection.owner {
            ConnectionOwner::Agent { groups, .. } => {
                for g in groups {
                    items.push(
                        put_item(
                            self.table(),
                            subscription(group_subscribers_pk(g), connection, None),
                        )
                        .map_err(other)?,
                    );
                }
            }
            ConnectionOwner::Customer { chat_id } => {
                items.push(
                    put_item(
                        self.table(),
                        chat_subscription(chat_id, connection, Audience::Customer, legacy_chat),
                    )
                    .map_err(other)?,
                );
                if !legacy_chat {
                    items.push(bump_subscriptions(self.table(), chat_id).map_err(other)?);
                }
            }
        }
        items.push(
            TransactWriteItem::builder()
                .put(
                    Put::builder()
                        .table_name(self.table())
                        .set_item(Some(slot_item(principal.as_str(), slot, connection)))
                        .condition_expression("attribute_not_exists(#pk) OR #ttl <= :now")
                        .expression_attribute_names("#pk", super::schema::PK)
                        .expression_attribute_names("#ttl", TTL_ATTRIBUTE)
                        .expression_attribute_values(
                            ":now",
                            n(connection.connected_at.millis() / 1000),
                        )
                        .build()
                        .map_err(|e| other(StoreError::backend(e)))?,
                )
                .build(),
        );
        self.transact("TransactWriteItems", items).await
    }

    /// The slots of a principal still held by a live connection at `now`.
    async fn slots(&self, principal: &str, now: Timestamp) -> Result<Slots, StoreError> {
        let items = self.query_prefix(&principal_pk(principal), "SLOT#").await?;
        let now_s = now.millis() / 1000;
        let mut taken = Vec::new();
        for item in items {
            if get_n(&item, TTL_ATTRIBUTE).unwrap_or(0) <= now_s {
                continue;
            }
            let slot = get_s(&item, SK)?
                .strip_prefix("SLOT#")
                .and_then(|n| n.parse::<u32>().ok())
                .ok_or_else(|| StoreError::Corrupt("connection slot without a number".into()))?;
            let id = ConnectionId::parse(get_s(&item, "connection_id")?)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            taken.push((slot, id));
        }
        Ok(Slots { taken })
    }
}

#[async_trait]
impl ConnectionStore for DynamoStore {
    /// One transaction: the connection, its subscriptions (an agent's groups, a customer's
    /// chat) and a slot of its principal claimed on condition that it is free, each item
    /// expiring by TTL in case `$disconnect` never comes. A lost race for a slot retries with
    /// the slots read again.
    async fn put_connection(
        &self,
        connection: &Connection,
        max_per_principal: u32,
    ) -> Result<(), StoreError> {
        let principal = connection.owner.principal_key();
        let mut legacy_chat = false;
        for _ in 0..5 {
            let slots = self
                .slots(principal.as_str(), connection.connected_at)
                .await?;
            let Some(slot) = slots.free_below(max_per_principal) else {
                return Err(StoreError::LimitReached {
                    what: "open connections per sign-in",
                    limit: max_per_principal,
                });
            };
            match self
                .put_connection_in_slot(connection, slot, legacy_chat)
                .await
            {
                Ok(()) => return Ok(()),
                // The chat has no subscription revision: stored before subscriptions moved into
                // its partition, it keeps them where it always had them.
                Err(super::chats::TransactError::Cancelled(reasons))
                    if !legacy_chat
                        && matches!(connection.owner, ConnectionOwner::Customer { .. })
                        && condition_failed(&reasons, 2) =>
                {
                    legacy_chat = true;
                }
                Err(super::chats::TransactError::Cancelled(_)) => continue,
                Err(super::chats::TransactError::Other(e)) => return Err(e),
            }
        }
        Err(StoreError::LimitReached {
            what: "open connections per sign-in",
            limit: max_per_principal,
        })
    }

    async fn principal_connections(
        &self,
        principal: &PrincipalKey,
        now: Timestamp,
    ) -> Result<Vec<ConnectionId>, StoreError> {
        let slots = self.slots(principal.as_str(), now).await?;
        let mut ids: Vec<ConnectionId> = slots.taken.into_iter().map(|(_, id)| id).collect();
        ids.sort();
        Ok(ids)
    }

    async fn get_connection(&self, id: &ConnectionId) -> Result<Option<Connection>, StoreError> {
        self.get(connection_pk(id.as_str()), META, false)
            .await?
            .map(parse_connection)
            .transpose()
    }

    /// A fixed-window counter on the connection item, updated and read in one conditional
    /// UpdateItem (a second one when a new window starts).
    async fn admit_frame(
        &self,
        id: &ConnectionId,
        now: Timestamp,
        limit: RateLimit,
    ) -> Result<Admission, StoreError> {
        let window = now.millis() / limit.window_ms.max(1);
        for _ in 0..3 {
            // Same window, under the limit: count this frame.
            let counted = self
                .client
                .update_item()
                .table_name(self.table())
                .set_key(Some(key(connection_pk(id.as_str()), META)))
                .update_expression("SET rate_count = rate_count + :one")
                .condition_expression("rate_window = :w AND rate_count < :limit")
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":w", n(window))
                .expression_attribute_values(":limit", n(limit.limit))
                .return_values(ReturnValue::AllNew)
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                )
                .send()
                .await;
            let old = match counted {
                Ok(out) => {
                    self.record_update(out.attributes());
                    return match out.attributes {
                        Some(item) => Ok(Admission::Admitted(parse_connection(item)?)),
                        None => Ok(Admission::Unknown),
                    };
                }
                Err(e) => match e.into_service_error() {
                    aws_sdk_dynamodb::operation::update_item::UpdateItemError::ConditionalCheckFailedException(c) => {
                        // A failed condition is billed as a write of the item as it is.
                        self.record_update(c.item.as_ref());
                        c.item
                    }
                    other => return Err(StoreError::backend(other)),
                },
            };
            let Some(old) = old else {
                return Ok(Admission::Unknown);
            };
            if get_n(&old, "rate_window").ok() == Some(window) {
                return Ok(Admission::Limited);
            }
            // A new window (or the first frame): start counting at one.
            let started = self
                .client
                .update_item()
                .table_name(self.table())
                .set_key(Some(key(connection_pk(id.as_str()), META)))
                .update_expression("SET rate_window = :w, rate_count = :one")
                .condition_expression("attribute_exists(pk) AND (attribute_not_exists(rate_window) OR rate_window <> :w)")
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":w", n(window))
                .return_values(ReturnValue::AllNew)
                .send()
                .await;
            match started {
                Ok(out) => {
                    self.record_update(out.attributes());
                    if let Some(item) = out.attributes {
                        return Ok(Admission::Admitted(parse_connection(item)?));
                    }
                }
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
                {
                    // Another frame of this connection opened the window first: count again.
                    self.record_update(None);
                }
                Err(e) => return Err(StoreError::backend(e)),
            }
        }
        Ok(Admission::Limited)
    }

    async fn remove_connection(&self, id: &ConnectionId) -> Result<(), StoreError> {
        let Some(item) = self.get(connection_pk(id.as_str()), META, true).await? else {
            return Ok(());
        };
        let watched: Vec<String> = match item.get("watching") {
            Some(AttributeValue::Ss(v)) => v.clone(),
            _ => Vec::new(),
        };
        let slot = get_n(&item, "slot").ok();
        let connection = parse_connection(item)?;
        let mut keys = vec![key(connection_pk(id.as_str()), META)];
        if let Some(slot) = slot {
            // A slot outlives its connection only if `$disconnect` never came; then TTL and the
            // expiry check of the next connect free it.
            keys.push(key(
                principal_pk(connection.owner.principal_key().as_str()),
                slot_sk(slot as u32),
            ));
        }
        match &connection.owner {
            ConnectionOwner::Agent { groups, .. } => {
                for g in groups {
                    keys.push(key(group_subscribers_pk(g), id.as_str()));
                }
            }
            ConnectionOwner::Customer { chat_id } => {
                keys.extend(subscription_keys(chat_id, id));
            }
        }
        // Only chat ids were ever noted; anything else names no subscription, and must not
        // stop the rest of the clean-up.
        for chat in watched.iter().filter_map(|c| ChatId::parse(c).ok()) {
            keys.extend(subscription_keys(&chat, id));
        }
        self.delete_keys(keys).await
    }

    async fn watch_chat(&self, chat: &ChatId, connection: &ConnectionId) -> Result<(), StoreError> {
        self.change_watch(chat, connection, Watch::Start).await
    }

    async fn unwatch_chat(
        &self,
        chat: &ChatId,
        connection: &ConnectionId,
    ) -> Result<(), StoreError> {
        self.change_watch(chat, connection, Watch::Stop).await
    }

    /// Right after a commit of the chat by this store: the subscribers its read saw, which the
    /// commit's condition proved unchanged (no call). Otherwise one Query of the chat's partition
    /// head (a chat stored before subscriptions moved there: one more, of `CSUB#`).
    async fn chat_subscribers(&self, chat: &ChatId) -> Result<Vec<Subscriber>, StoreError> {
        if let Some(subscribers) = self.seen.take_confirmed(chat) {
            return Ok(subscribers);
        }
        let (in_partition, mut subscribers) = match self.read_chat_partition_head(chat).await? {
            Some((meta, subscribers)) => (meta.contains_key(SUBS_REV), subscribers),
            None => (false, Vec::new()),
        };
        if !in_partition {
            for item in self
                .query_prefix(&legacy_chat_subscribers_pk(chat), "")
                .await?
            {
                subscribers.push(parse_subscriber(&item)?);
            }
        }
        subscribers.sort_by(|a, b| a.connection.cmp(&b.connection));
        Ok(subscribers)
    }

    async fn group_subscribers(&self, group: &GroupId) -> Result<Vec<GroupSubscriber>, StoreError> {
        self.query_prefix(&group_subscribers_pk(group), "")
            .await?
            .iter()
            .map(|i| {
                Ok(GroupSubscriber {
                    connection: parse_connection_id(i)?,
                    list: parse_list_watch(i)?,
                })
            })
            .collect()
    }

    /// One transaction over the connection's group subscriptions, each updated only if it still
    /// exists (a connection removed meanwhile gets none back).
    async fn watch_list(
        &self,
        connection: &ConnectionId,
        list: Option<&ListWatch>,
    ) -> Result<(), StoreError> {
        let Some(record) = self.get_connection(connection).await? else {
            return Ok(());
        };
        let ConnectionOwner::Agent { groups, .. } = &record.owner else {
            return Ok(());
        };
        let mut items = Vec::with_capacity(groups.len());
        for g in groups {
            let update = Update::builder()
                .table_name(self.table())
                .set_key(Some(key(group_subscribers_pk(g), connection.as_str())))
                .condition_expression("attribute_exists(pk)");
            let update = match list {
                Some(l) => update
                    .update_expression("SET list_agent = :agent, list_view = :view")
                    .expression_attribute_values(":agent", s(l.agent_id.as_str()))
                    .expression_attribute_values(":view", s(l.view.key())),
                None => update.update_expression("REMOVE list_agent, list_view"),
            };
            items.push(
                TransactWriteItem::builder()
                    .update(update.build().map_err(StoreError::backend)?)
                    .build(),
            );
        }
        if items.is_empty() {
            return Ok(());
        }
        match self.transact("TransactWriteItems", items).await {
            Ok(()) | Err(super::chats::TransactError::Cancelled(_)) => Ok(()),
            Err(super::chats::TransactError::Other(e)) => Err(e),
        }
    }
}

/// The keys a connection's subscription to a chat may have: in the chat's partition, or under
/// `CSUB#` for a chat stored before subscriptions moved there.
fn subscription_keys(chat: &ChatId, connection: &ConnectionId) -> [Item; 2] {
    [
        key(chat_pk(chat), subscription_sk(connection.as_str())),
        key(legacy_chat_subscribers_pk(chat), connection.as_str()),
    ]
}

/// A group subscription's list watch: both attributes or neither.
fn parse_list_watch(item: &Item) -> Result<Option<ListWatch>, StoreError> {
    match (item.get("list_agent"), item.get("list_view")) {
        (Some(AttributeValue::S(agent)), Some(AttributeValue::S(view))) => Ok(Some(ListWatch {
            agent_id: AgentId::parse(agent).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            view: ChatView::parse_key(view)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown list view {view:?}")))?,
        })),
        _ => Ok(None),
    }
}

impl DynamoStore {
    /// The chat's agent subscription and its note on the connection (so `$disconnect` can remove
    /// it), changed together in one transaction that also checks the connection still exists. A
    /// connection that is gone changes nothing; a customer's subscription is never removed.
    async fn change_watch(
        &self,
        chat: &ChatId,
        connection: &ConnectionId,
        change: Watch,
    ) -> Result<(), StoreError> {
        let note = |expression: &str| -> Result<TransactWriteItem, StoreError> {
            Ok(TransactWriteItem::builder()
                .update(
                    Update::builder()
                        .table_name(self.table())
                        .set_key(Some(key(connection_pk(connection.as_str()), META)))
                        .update_expression(expression)
                        .condition_expression("attribute_exists(pk)")
                        .expression_attribute_values(
                            ":chat",
                            AttributeValue::Ss(vec![chat.to_string()]),
                        )
                        .build()
                        .map_err(StoreError::backend)?,
                )
                .build())
        };
        let items = match change {
            Watch::Start => {
                let Some(record) = self.get_connection(connection).await? else {
                    return Ok(());
                };
                let items = vec![
                    put_item(
                        self.table(),
                        chat_subscription(chat, &record, Audience::Agent, false),
                    )?,
                    note("ADD watching :chat")?,
                    bump_subscriptions(self.table(), chat)?,
                ];
                match self.transact("TransactWriteItems", items).await {
                    Ok(()) => return Ok(()),
                    // A chat stored before subscriptions moved into its partition keeps them
                    // where it had them (and a missing chat gets a subscription nobody reads,
                    // as before).
                    Err(super::chats::TransactError::Cancelled(reasons))
                        if condition_failed(&reasons, 2) && !condition_failed(&reasons, 1) =>
                    {
                        vec![
                            put_item(
                                self.table(),
                                chat_subscription(chat, &record, Audience::Agent, true),
                            )?,
                            note("ADD watching :chat")?,
                        ]
                    }
                    Err(super::chats::TransactError::Cancelled(_)) => return Ok(()),
                    Err(super::chats::TransactError::Other(e)) => return Err(e),
                }
            }
            // Both places (a subscription is in one of them); a customer's is never removed.
            Watch::Stop => {
                let mut items = Vec::new();
                for at in subscription_keys(chat, connection) {
                    items.push(
                        TransactWriteItem::builder()
                            .delete(
                                aws_sdk_dynamodb::types::Delete::builder()
                                    .table_name(self.table())
                                    .set_key(Some(at))
                                    .condition_expression(
                                        "attribute_not_exists(audience) OR audience = :agent",
                                    )
                                    .expression_attribute_values(":agent", s("agent"))
                                    .build()
                                    .map_err(StoreError::backend)?,
                            )
                            .build(),
                    );
                }
                items.push(note("DELETE watching :chat")?);
                items
            }
        };
        match self.transact("TransactWriteItems", items).await {
            Ok(()) | Err(super::chats::TransactError::Cancelled(_)) => Ok(()),
            Err(super::chats::TransactError::Other(e)) => Err(e),
        }
    }

    /// One UpdateItem of an item of no index, billed by its size after the update (`None`: not
    /// known, under a KB).
    pub(super) fn record_update(&self, item: Option<&Item>) {
        let units = match item {
            Some(item) => item_write(None, Some(item), false),
            None => 1.0,
        };
        self.metrics.record("UpdateItem", 0.0, units);
    }
}
