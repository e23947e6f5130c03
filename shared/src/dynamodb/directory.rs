use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Put, TransactWriteItem, Update};

use super::keys::*;
use super::metrics::{item_size, item_write, read_units};
use super::records::{from_item, to_item, AgentRecord, GroupRecord, FORMAT_VERSION, VERSION};
use super::schema::{BY_DEADLINE, GSI3_PK, GSI3_SK, PK, SK};
use super::{get_n, get_s, key, n, s, DynamoStore, Item};
use crate::domain::{Agent, AgentId, Group, GroupId, OrganisationSettings, Timestamp};
use crate::ports::{AssignmentLoad, DirectoryStore, StoreError};

impl DynamoStore {
    pub(super) async fn get(
        &self,
        pk: String,
        sk: &str,
        consistent: bool,
    ) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(self.table())
            .set_key(Some(key(pk, sk)))
            .consistent_read(consistent)
            .send()
            .await
            .map_err(StoreError::backend)?;
        // A miss still costs the minimum.
        let bytes = out.item().map(item_size).unwrap_or(0);
        self.metrics
            .record("GetItem", read_units(bytes, consistent), 0.0);
        Ok(out.item)
    }

    /// Runs a Query page by page (up to `limit` items, all with `None`), counting each page with
    /// the capacity it consumed.
    pub(super) async fn run_query(
        &self,
        query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
        consistent: bool,
        limit: Option<usize>,
    ) -> Result<Vec<Item>, StoreError> {
        self.run_query_from(query, consistent, limit, None).await
    }

    /// `run_query` starting after the item keyed `start` (`ExclusiveStartKey`).
    pub(super) async fn run_query_from(
        &self,
        query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
        consistent: bool,
        limit: Option<usize>,
        mut start: Option<Item>,
    ) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        loop {
            let mut page = query
                .clone()
                .consistent_read(consistent)
                .set_exclusive_start_key(start);
            if let Some(limit) = limit {
                page = page.limit((limit - items.len()).clamp(1, 1000) as i32);
            }
            let out = page.send().await.map_err(StoreError::backend)?;
            // A page is billed by the summed size of the items it read (filters do not lower it;
            // none of these queries filters).
            let bytes: usize = out.items().iter().map(item_size).sum();
            self.metrics
                .record("Query", read_units(bytes, consistent), 0.0);
            start = out.last_evaluated_key.clone();
            items.extend(out.items.unwrap_or_default());
            let full = limit.is_some_and(|l| items.len() >= l);
            if start.is_none() || full {
                if let Some(l) = limit {
                    items.truncate(l);
                }
                return Ok(items);
            }
        }
    }

    /// Every item of a partition whose sort key starts with `prefix` (all of it for an empty
    /// prefix).
    pub(super) async fn query_prefix(
        &self,
        pk: &str,
        prefix: &str,
    ) -> Result<Vec<Item>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(self.table())
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":pk", s(pk));
        let query = if prefix.is_empty() {
            query.key_condition_expression("#pk = :pk")
        } else {
            query
                .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                .expression_attribute_names("#sk", SK)
                .expression_attribute_values(":prefix", s(prefix))
        };
        self.run_query(query, true, None).await
    }

    /// Puts `item` only if no item has its key: false (and nothing written, though billed) when
    /// one has.
    pub(super) async fn put_new(&self, item: Item) -> Result<bool, StoreError> {
        let units = item_write(None, Some(&item), false);
        let out = self
            .client
            .put_item()
            .table_name(self.table())
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .send()
            .await;
        self.metrics.record("PutItem", 0.0, units);
        match out {
            Ok(_) => Ok(true),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
            {
                Ok(false)
            }
            Err(e) => Err(StoreError::backend(e)),
        }
    }

    /// A Delete of the item at `k`, for a transaction.
    fn delete_of(&self, k: Item) -> aws_sdk_dynamodb::types::builders::DeleteBuilder {
        aws_sdk_dynamodb::types::Delete::builder()
            .table_name(self.table())
            .set_key(Some(k))
    }

    /// Deletes the items in one transaction: all of them or, a condition failing, none.
    async fn delete_together(
        &self,
        deletes: Vec<Result<aws_sdk_dynamodb::types::Delete, aws_sdk_dynamodb::error::BuildError>>,
    ) -> Result<(), super::chats::TransactError> {
        let items = deletes
            .into_iter()
            .map(|d| {
                d.map(|d| TransactWriteItem::builder().delete(d).build())
                    .map_err(StoreError::backend)
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(super::chats::TransactError::Other)?;
        self.transact("TransactWriteItems", items).await
    }

    pub(super) async fn put(&self, item: Item) -> Result<(), StoreError> {
        // The item it replaces, if any, is taken to be of the same size and index keys.
        let units = item_write(None, Some(&item), false);
        self.client
            .put_item()
            .table_name(self.table())
            .set_item(Some(item))
            .send()
            .await
            .map_err(StoreError::backend)?;
        self.metrics.record("PutItem", 0.0, units);
        Ok(())
    }
}

fn agent_item(agent: &Agent) -> Result<Item, StoreError> {
    let mut item = to_item(&AgentRecord::from(agent))?;
    item.insert(PK.into(), s(DIR));
    item.insert(SK.into(), s(agent_sk(&agent.id)));
    Ok(item)
}

fn parse_agent(item: Item) -> Result<Agent, StoreError> {
    from_item::<AgentRecord, _>(item)
}

#[async_trait]
impl DirectoryStore for DynamoStore {
    async fn put_group(&self, group: &Group) -> Result<(), StoreError> {
        let mut item = to_item(&GroupRecord::from(group))?;
        item.extend(key(DIR, group_sk(&group.id)));
        self.put(item).await
    }

    async fn list_groups(&self) -> Result<Vec<Group>, StoreError> {
        let mut groups = self
            .query_prefix(DIR, "GROUP#")
            .await?
            .into_iter()
            .map(from_item::<GroupRecord, Group>)
            .collect::<Result<Vec<_>, _>>()?;
        groups.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
        Ok(groups)
    }

    /// One transaction: the profile, and the username item that keeps usernames unique (a rename
    /// moves it, with the password hash).
    async fn put_agent(&self, agent: &Agent) -> Result<(), StoreError> {
        let previous = self.get(DIR.into(), &agent_sk(&agent.id), true).await?;
        let previous_username = previous
            .as_ref()
            .and_then(|i| get_s(i, "username").ok().map(str::to_owned));
        // The stored session epoch is kept, and the write is conditional on it not having moved
        // since it was read: a profile written from an earlier read never revives a revoked one.
        let mut item = agent_item(agent)?;
        let put = Put::builder().table_name(self.table());
        let put = match &previous {
            None => put.condition_expression("attribute_not_exists(pk)"),
            Some(before) => match get_n(before, "session_epoch") {
                Ok(epoch) => {
                    item.insert("session_epoch".into(), n(epoch));
                    put.condition_expression("session_epoch = :epoch")
                        .expression_attribute_values(":epoch", n(epoch))
                }
                Err(_) => {
                    item.insert("session_epoch".into(), n(0));
                    put.condition_expression(
                        "attribute_exists(pk) AND attribute_not_exists(session_epoch)",
                    )
                }
            },
        };
        let mut items = vec![TransactWriteItem::builder()
            .put(
                put.set_item(Some(item))
                    .build()
                    .map_err(StoreError::backend)?,
            )
            .build()];
        match &previous_username {
            Some(old) if old == &agent.username => {
                // Same username: nothing to move; still check nobody else holds it.
                items.push(
                    TransactWriteItem::builder()
                        .condition_check(
                            ConditionCheck::builder()
                                .table_name(self.table())
                                .set_key(Some(key(username_pk(old), USERNAME)))
                                .condition_expression("attribute_not_exists(pk) OR agent_id = :id")
                                .expression_attribute_values(":id", s(agent.id.as_str()))
                                .build()
                                .map_err(StoreError::backend)?,
                        )
                        .build(),
                );
            }
            _ => {
                let mut hash = None;
                if let Some(old) = &previous_username {
                    let old_item = self.get(username_pk(old), USERNAME, true).await?;
                    hash = old_item.and_then(|i| i.get("password_hash").cloned());
                    items.push(
                        TransactWriteItem::builder()
                            .delete(
                                aws_sdk_dynamodb::types::Delete::builder()
                                    .table_name(self.table())
                                    .set_key(Some(key(username_pk(old), USERNAME)))
                                    .condition_expression("agent_id = :id")
                                    .expression_attribute_values(":id", s(agent.id.as_str()))
                                    .build()
                                    .map_err(StoreError::backend)?,
                            )
                            .build(),
                    );
                }
                let mut update = Update::builder()
                    .table_name(self.table())
                    .set_key(Some(key(username_pk(&agent.username), USERNAME)))
                    .condition_expression("attribute_not_exists(pk) OR agent_id = :id")
                    .expression_attribute_values(":id", s(agent.id.as_str()))
                    .expression_attribute_values(":v", n(FORMAT_VERSION));
                update = match hash {
                    Some(h) => update
                        .update_expression(format!(
                            "SET agent_id = :id, password_hash = :hash, {VERSION} = :v"
                        ))
                        .expression_attribute_values(":hash", h),
                    None => update.update_expression(format!("SET agent_id = :id, {VERSION} = :v")),
                };
                items.push(
                    TransactWriteItem::builder()
                        .update(update.build().map_err(StoreError::backend)?)
                        .build(),
                );
            }
        }
        match self.transact("TransactWriteItems", items).await {
            Ok(()) => Ok(()),
            Err(super::chats::TransactError::Cancelled(reasons)) => {
                if reasons
                    .first()
                    .is_some_and(|r| r.as_deref() == Some("ConditionalCheckFailed"))
                {
                    // Created, removed or revoked by someone else since it was read.
                    return Err(StoreError::Stale);
                }
                if reasons
                    .iter()
                    .skip(1)
                    .any(|r| r.as_deref() == Some("ConditionalCheckFailed"))
                {
                    Err(StoreError::AlreadyExists(format!(
                        "username {}",
                        agent.username
                    )))
                } else {
                    Err(StoreError::Corrupt(format!(
                        "agent write cancelled: {reasons:?}"
                    )))
                }
            }
            Err(super::chats::TransactError::Other(e)) => Err(e),
        }
    }

    async fn set_session_epoch(&self, id: &AgentId, epoch: u64) -> Result<(), StoreError> {
        let out = self
            .client
            .update_item()
            .table_name(self.table())
            .set_key(Some(key(DIR, agent_sk(id))))
            .update_expression("SET session_epoch = :epoch")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":epoch", n(epoch))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
            .send()
            .await;
        match out {
            Ok(out) => {
                self.record_update(out.attributes());
                Ok(())
            }
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
            {
                // A failed condition is billed as a write.
                self.record_update(None);
                Err(StoreError::NotFound(format!("agent {id}")))
            }
            Err(e) => Err(StoreError::backend(e)),
        }
    }

    /// One transaction: the profile, the username item (only if it is still this agent's), the
    /// active-chat counter and the preferences.
    /// One transaction: the group (only if it exists, which tells the answer) and its turn.
    async fn delete_group(&self, id: &GroupId) -> Result<bool, StoreError> {
        let items = vec![
            self.delete_of(key(DIR, group_sk(id)))
                .condition_expression("attribute_exists(pk)")
                .build(),
            self.delete_of(key(DIR, turn_sk(id))).build(),
        ];
        match self.delete_together(items).await {
            Ok(()) => Ok(true),
            Err(super::chats::TransactError::Cancelled(_)) => Ok(false),
            Err(super::chats::TransactError::Other(e)) => Err(e),
        }
    }

    async fn get_organisation(&self) -> Result<Option<OrganisationSettings>, StoreError> {
        self.read_organisation().await
    }

    async fn put_organisation(
        &self,
        settings: &OrganisationSettings,
        read_revision: u64,
    ) -> Result<(), StoreError> {
        self.write_organisation(settings, read_revision).await
    }

    async fn delete_agent(&self, id: &AgentId) -> Result<bool, StoreError> {
        let Some(agent) = self.get_agent(id).await? else {
            return Ok(false);
        };
        let items = vec![
            self.delete_of(key(DIR, agent_sk(id))).build(),
            self.delete_of(key(username_pk(&agent.username), USERNAME))
                .condition_expression("attribute_not_exists(pk) OR agent_id = :id")
                .expression_attribute_values(":id", s(id.as_str()))
                .build(),
            self.delete_of(key(agent_pk(id), LOAD)).build(),
            self.delete_of(key(agent_pk(id), PREFS)).build(),
        ];
        match self.delete_together(items).await {
            Ok(()) => Ok(true),
            Err(super::chats::TransactError::Cancelled(reasons)) => Err(StoreError::Corrupt(
                format!("agent removal cancelled: {reasons:?}"),
            )),
            Err(super::chats::TransactError::Other(e)) => Err(e),
        }
    }

    async fn get_agent(&self, id: &AgentId) -> Result<Option<Agent>, StoreError> {
        self.get(DIR.into(), &agent_sk(id), false)
            .await?
            .map(parse_agent)
            .transpose()
    }

    async fn list_agents(&self) -> Result<Vec<Agent>, StoreError> {
        let mut agents = self
            .query_prefix(DIR, "AGENT#")
            .await?
            .into_iter()
            .map(parse_agent)
            .collect::<Result<Vec<_>, _>>()?;
        agents.sort_by(|a, b| a.username.cmp(&b.username));
        Ok(agents)
    }

    async fn set_password_hash(&self, id: &AgentId, hash: &str) -> Result<(), StoreError> {
        let agent = self
            .get_agent(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("agent {id}")))?;
        let out = self
            .client
            .update_item()
            .table_name(self.table())
            .set_key(Some(key(username_pk(&agent.username), USERNAME)))
            .update_expression("SET password_hash = :hash")
            .condition_expression("agent_id = :id")
            .expression_attribute_values(":hash", s(hash))
            .expression_attribute_values(":id", s(id.as_str()))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
            .send()
            .await;
        match out {
            Ok(out) => {
                self.record_update(out.attributes());
                Ok(())
            }
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
            {
                // A failed condition is billed as a write.
                self.record_update(None);
                Err(StoreError::NotFound(format!("agent {id}")))
            }
            Err(e) => Err(StoreError::backend(e)),
        }
    }

    async fn find_login(&self, username: &str) -> Result<Option<(Agent, String)>, StoreError> {
        let Some(login) = self.get(username_pk(username), USERNAME, false).await? else {
            return Ok(None);
        };
        let Some(AttributeValue::S(hash)) = login.get("password_hash").cloned() else {
            return Ok(None);
        };
        let id = AgentId::parse(get_s(&login, "agent_id")?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(self.get_agent(&id).await?.map(|a| (a, hash)))
    }

    async fn active_chat_count(&self, id: &AgentId) -> Result<u32, StoreError> {
        let item = self.get(agent_pk(id), LOAD, true).await?;
        Ok(item
            .and_then(|i| get_n(&i, "active_chats").ok())
            .unwrap_or(0)
            .max(0) as u32)
    }

    async fn assignment_load(&self, id: &AgentId) -> Result<AssignmentLoad, StoreError> {
        let item = self.get(agent_pk(id), LOAD, true).await?;
        Ok(
            item.map_or_else(AssignmentLoad::default, |i| AssignmentLoad {
                active_chats: get_n(&i, "active_chats").unwrap_or(0).max(0) as u32,
                last_assigned_at: get_n(&i, "last_assigned_at").ok().map(Timestamp),
                offline_since: get_n(&i, OFFLINE_SINCE).ok().map(Timestamp),
            }),
        )
    }

    async fn round_robin_turn(&self, group: &GroupId) -> Result<Option<AgentId>, StoreError> {
        // Strongly consistent: the turn is passed with a condition on what was read.
        let item = self.get(DIR.to_owned(), &turn_sk(group), true).await?;
        item.map(|i| {
            get_s(&i, TURN_AGENT)
                .and_then(|a| AgentId::parse(a).map_err(|e| StoreError::Corrupt(e.to_string())))
        })
        .transpose()
    }

    async fn pass_round_robin_turn(
        &self,
        group: &GroupId,
        from: Option<&AgentId>,
        to: &AgentId,
    ) -> Result<bool, StoreError> {
        let mut update = self
            .client
            .update_item()
            .table_name(self.table())
            .set_key(Some(key(DIR.to_owned(), turn_sk(group))))
            .update_expression("SET #agent = :to, #v = :v")
            .expression_attribute_names("#agent", TURN_AGENT)
            .expression_attribute_names("#v", VERSION)
            .expression_attribute_values(":to", s(to.as_str()))
            .expression_attribute_values(":v", n(FORMAT_VERSION))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew);
        update = match from {
            None => update.condition_expression("attribute_not_exists(#agent)"),
            Some(from) => update
                .condition_expression("#agent = :from")
                .expression_attribute_values(":from", s(from.as_str())),
        };
        match update.send().await {
            Ok(out) => {
                self.record_update(out.attributes());
                Ok(true)
            }
            Err(e) => match e.into_service_error() {
                aws_sdk_dynamodb::operation::update_item::UpdateItemError::ConditionalCheckFailedException(_) => {
                    // A failed condition is billed too.
                    self.record_update(None);
                    Ok(false)
                }
                other => Err(StoreError::backend(other)),
            },
        }
    }

    async fn mark_offline(&self, agent: &AgentId, since: Timestamp) -> Result<(), StoreError> {
        // An agent already offline keeps the earlier instant, and its index key with it.
        let out = self
            .client
            .update_item()
            .table_name(self.table())
            .set_key(Some(key(agent_pk(agent), LOAD)))
            .update_expression(format!(
                "SET #off = if_not_exists(#off, :since), #pk3 = :pk3, \
                 #sk3 = if_not_exists(#sk3, :sk3), {VERSION} = :v"
            ))
            .expression_attribute_names("#off", OFFLINE_SINCE)
            .expression_attribute_names("#pk3", GSI3_PK)
            .expression_attribute_names("#sk3", GSI3_SK)
            .expression_attribute_values(":since", n(since.millis()))
            .expression_attribute_values(":pk3", s(OFFLINE_INDEX_PK))
            .expression_attribute_values(":sk3", s(offline_sort_key(since, agent)))
            .expression_attribute_values(":v", n(FORMAT_VERSION))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
            .send()
            .await
            .map_err(StoreError::backend)?;
        // Billed with its index entry (entering the index, or staying with the same key).
        self.record_update(out.attributes());
        Ok(())
    }

    async fn mark_online(&self, agent: &AgentId) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(self.table())
            .set_key(Some(key(agent_pk(agent), LOAD)))
            .update_expression("REMOVE #off, #pk3, #sk3")
            .condition_expression("attribute_exists(#off)")
            .expression_attribute_names("#off", OFFLINE_SINCE)
            .expression_attribute_names("#pk3", GSI3_PK)
            .expression_attribute_names("#sk3", GSI3_SK)
            .send()
            .await;
        match result {
            Ok(_) => {
                self.record_update(None);
                Ok(())
            }
            Err(e) => match e.into_service_error() {
                // Not offline: nothing to do (a failed condition is billed too).
                aws_sdk_dynamodb::operation::update_item::UpdateItemError::ConditionalCheckFailedException(_) => {
                    self.record_update(None);
                    Ok(())
                }
                other => Err(StoreError::backend(other)),
            },
        }
    }

    async fn offline_agents(
        &self,
        until: Timestamp,
        limit: usize,
    ) -> Result<Vec<(AgentId, Timestamp)>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(self.table())
            .index_name(BY_DEADLINE)
            .key_condition_expression("#pk = :pk AND #sk <= :until")
            .expression_attribute_names("#pk", GSI3_PK)
            .expression_attribute_names("#sk", GSI3_SK)
            .expression_attribute_values(":pk", s(OFFLINE_INDEX_PK))
            .expression_attribute_values(":until", s(format!("{:013}#~", until.millis().max(0))));
        self.run_query(query, false, Some(limit))
            .await?
            .iter()
            .map(|entry| {
                let sk = get_s(entry, GSI3_SK)?;
                let garbled = || StoreError::Corrupt(format!("offline entry {sk} is garbled"));
                let (since, agent) = sk.split_once('#').ok_or_else(garbled)?;
                let since = since.parse::<i64>().map_err(|_| garbled())?;
                let agent = AgentId::parse(agent).map_err(|_| garbled())?;
                Ok((agent, Timestamp(since)))
            })
            .collect()
    }
}

/// The attribute of an agent's counter item (`LOAD`) that says since when they have had no
/// console open; the item is in the deadline index meanwhile.
const OFFLINE_SINCE: &str = "offline_since";

/// The attribute of a group's turn item that names who had the last turn.
const TURN_AGENT: &str = "agent_id";
