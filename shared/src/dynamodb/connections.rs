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
                        subscription(
                            chat_subscribers_pk(chat_id),
                            connection,
                            Some(Audience::Customer),
                        ),
                    )
                    .map_err(other)?,
                );
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
            match self.put_connection_in_slot(connection, slot).await {
                Ok(()) => return Ok(()),
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
                keys.push(key(chat_subscribers_pk(chat_id), id.as_str()));
            }
        }
        // Only chat ids were ever noted; anything else names no subscription, and must not
        // stop the rest of the clean-up.
        for chat in watched.iter().filter_map(|c| ChatId::parse(c).ok()) {
            keys.push(key(chat_subscribers_pk(&chat), id.as_str()));
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

    async fn chat_subscribers(&self, chat: &ChatId) -> Result<Vec<Subscriber>, StoreError> {
        let items = self.query_prefix(&chat_subscribers_pk(chat), "").await?;
        items
            .iter()
            .map(|i| {
                Ok(Subscriber {
                    connection: parse_connection_id(i)?,
                    audience: match i.get("audience") {
                        Some(AttributeValue::S(a)) if a == "customer" => Audience::Customer,
                        _ => Audience::Agent,
                    },
                })
            })
            .collect()
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
        let subscription = match change {
            Watch::Start => {
                let Some(record) = self.get_connection(connection).await? else {
                    return Ok(());
                };
                put_item(
                    self.table(),
                    subscription(chat_subscribers_pk(chat), &record, Some(Audience::Agent)),
                )?
            }
            Watch::Stop => TransactWriteItem::builder()
                .delete(
                    aws_sdk_dynamodb::types::Delete::builder()
                        .table_name(self.table())
                        .set_key(Some(key(chat_subscribers_pk(chat), connection.as_str())))
                        .condition_expression("attribute_not_exists(audience) OR audience = :agent")
                        .expression_attribute_values(":agent", s("agent"))
                        .build()
                        .map_err(StoreError::backend)?,
                )
                .build(),
        };
        let note = match change {
            Watch::Start => "ADD watching :chat",
            Watch::Stop => "DELETE watching :chat",
        };
        let items = vec![
            subscription,
            TransactWriteItem::builder()
                .update(
                    Update::builder()
                        .table_name(self.table())
                        .set_key(Some(key(connection_pk(connection.as_str()), META)))
                        .update_expression(note)
                        .condition_expression("attribute_exists(pk)")
                        .expression_attribute_values(
                            ":chat",
                            AttributeValue::Ss(vec![chat.to_string()]),
                        )
                        .build()
                        .map_err(StoreError::backend)?,
                )
                .build(),
        ];
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
