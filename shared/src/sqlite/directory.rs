use async_trait::async_trait;
use rusqlite::{params, OptionalExtension};

use super::agent_cache::Lookup;
use super::records::{from_doc, to_doc, AgentRecord};
use super::{db_err, doc_where, docs_where, SqliteStore};
use crate::domain::{
    Agent, AgentId, Distribution, Group, GroupId, OrganisationSettings, Timestamp,
};
use crate::ports::{AssignmentLoad, DirectoryStore, StoreError};
use crate::records::{BusinessHoursRecord, HandOffRecord, OfflineRecord, TextsRecord};

#[async_trait]
impl DirectoryStore for SqliteStore {
    async fn put_group(&self, group: &Group) -> Result<(), StoreError> {
        let group = group.clone();
        let hand_off = json(&HandOffRecord::from(&group.hand_off))?;
        let business_hours = match &group.business_hours {
            Some(h) => Some(json(&BusinessHoursRecord::from(h))?),
            None => None,
        };
        let offline = match OfflineRecord::of(&group.offline) {
            Some(r) => Some(json(&r)?),
            None => None,
        };
        let texts = match TextsRecord::of(&group.texts) {
            Some(r) => Some(json(&r)?),
            None => None,
        };
        self.with(move |c| {
            super::execute(
                c,
                "INSERT INTO groups (id, name, distribution, hand_off, business_hours, offline, texts)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (id) DO UPDATE
                 SET name = excluded.name, distribution = excluded.distribution,
                     hand_off = excluded.hand_off, business_hours = excluded.business_hours,
                     offline = excluded.offline, texts = excluded.texts",
                params![
                    group.id.as_str(),
                    group.name,
                    group.distribution.as_str(),
                    hand_off,
                    business_hours,
                    offline,
                    texts
                ],
            )
            .map_err(db_err)?;
            Ok(())
        })
        .await
    }

    async fn list_groups(&self) -> Result<Vec<Group>, StoreError> {
        self.read(|c| {
            let mut stmt = c
                .prepare_cached(
                    "SELECT id, name, distribution, hand_off, business_hours, offline, texts
                     FROM groups ORDER BY name, id",
                )
                .map_err(db_err)?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        [
                            r.get::<_, Option<String>>(4)?,
                            r.get::<_, Option<String>>(5)?,
                            r.get::<_, Option<String>>(6)?,
                        ],
                    ))
                })
                .map_err(db_err)?;
            let mut groups = Vec::new();
            for row in rows {
                let (id, name, distribution, hand_off, [business_hours, offline, texts]) =
                    row.map_err(db_err)?;
                // Groups stored before the timers existed have none: the defaults.
                let hand_off = match hand_off {
                    Some(doc) => serde_json::from_str::<HandOffRecord>(&doc)
                        .map_err(|e| StoreError::Corrupt(format!("group {id}: hand_off: {e}")))?
                        .into(),
                    None => Default::default(),
                };
                let id = GroupId::parse(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let distribution = Distribution::parse(&distribution).ok_or_else(|| {
                    StoreError::Corrupt(format!("group {id}: distribution {distribution:?}"))
                })?;
                let business_hours: Option<BusinessHoursRecord> =
                    from_json(&id, "business_hours", business_hours)?;
                let offline: Option<OfflineRecord> = from_json(&id, "offline", offline)?;
                let texts: Option<TextsRecord> = from_json(&id, "texts", texts)?;
                groups.push(Group {
                    business_hours: business_hours.map(TryInto::try_into).transpose()?,
                    offline: offline.map(Into::into).unwrap_or_default(),
                    texts: texts.map(Into::into).unwrap_or_default(),
                    id,
                    name,
                    distribution,
                    hand_off,
                });
            }
            Ok(groups)
        })
        .await
    }

    async fn put_agent(&self, agent: &Agent) -> Result<(), StoreError> {
        let agent = agent.clone();
        let cache = self.agents.clone();
        self.with(move |c| {
            let doc = to_doc(&AgentRecord::from(&agent))?;
            let taken: Option<String> = super::query_row(
                c,
                "SELECT id FROM agents WHERE username = ?1 AND id <> ?2",
                params![agent.username, agent.id.as_str()],
                |r| r.get(0),
            )
            .optional()
            .map_err(db_err)?;
            if taken.is_some() {
                return Err(StoreError::AlreadyExists(format!(
                    "username {}",
                    agent.username
                )));
            }
            super::execute(
                c,
                "INSERT INTO agents (id, username, doc) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET username = excluded.username,
                 doc = json_set(excluded.doc, '$.session_epoch',
                                COALESCE(json_extract(agents.doc, '$.session_epoch'), 0))",
                params![agent.id.as_str(), agent.username, doc],
            )
            .map_err(db_err)?;
            cache.forget(&agent.id);
            Ok(())
        })
        .await
    }

    async fn set_session_epoch(&self, id: &AgentId, epoch: u64) -> Result<(), StoreError> {
        let id = id.clone();
        let epoch = i64::try_from(epoch)
            .map_err(|_| StoreError::Corrupt("session epoch out of range".into()))?;
        let cache = self.agents.clone();
        self.with(move |c| {
            let n = super::execute(
                c,
                "UPDATE agents SET doc = json_set(doc, '$.session_epoch', ?2) WHERE id = ?1",
                params![id.as_str(), epoch],
            )
            .map_err(db_err)?;
            cache.forget(&id);
            if n == 0 {
                return Err(StoreError::NotFound(format!("agent {id}")));
            }
            Ok(())
        })
        .await
    }

    async fn delete_group(&self, id: &GroupId) -> Result<bool, StoreError> {
        let id = id.clone();
        self.with(move |c| {
            let tx = c.transaction().map_err(db_err)?;
            super::execute(
                &tx,
                "DELETE FROM round_robin_turns WHERE group_id = ?1",
                params![id.as_str()],
            )
            .map_err(db_err)?;
            let n = super::execute(
                &tx,
                "DELETE FROM groups WHERE id = ?1",
                params![id.as_str()],
            )
            .map_err(db_err)?;
            tx.commit().map_err(db_err)?;
            Ok(n > 0)
        })
        .await
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
        let id = id.clone();
        let cache = self.agents.clone();
        self.with(move |c| {
            let tx = c.transaction().map_err(db_err)?;
            super::execute(
                &tx,
                "DELETE FROM preferences WHERE agent_id = ?1",
                params![id.as_str()],
            )
            .map_err(db_err)?;
            let n = super::execute(
                &tx,
                "DELETE FROM agents WHERE id = ?1",
                params![id.as_str()],
            )
            .map_err(db_err)?;
            tx.commit().map_err(db_err)?;
            cache.forget(&id);
            Ok(n > 0)
        })
        .await
    }

    async fn get_agent(&self, id: &AgentId) -> Result<Option<Agent>, StoreError> {
        let generation = match self.agents.get(id, &self.conn) {
            Lookup::Hit(agent) => return Ok(Some(agent)),
            Lookup::Miss(generation) => generation,
        };
        let id = id.clone();
        let agent: Option<Agent> = self
            .read_by_key(move |c| {
                doc_where::<AgentRecord, _, _>(
                    c,
                    "SELECT doc FROM agents WHERE id = ?1",
                    params![id.as_str()],
                )
            })
            .await?;
        if let Some(agent) = &agent {
            self.agents.fill(agent, generation);
        }
        Ok(agent)
    }

    async fn list_agents(&self) -> Result<Vec<Agent>, StoreError> {
        self.read(|c| {
            docs_where::<AgentRecord, _, _>(c, "SELECT doc FROM agents ORDER BY username", [])
        })
        .await
    }

    async fn set_password_hash(&self, id: &AgentId, hash: &str) -> Result<(), StoreError> {
        let (id, hash) = (id.clone(), hash.to_owned());
        self.with(move |c| {
            let n = super::execute(
                c,
                "UPDATE agents SET password_hash = ?2 WHERE id = ?1",
                params![id.as_str(), hash],
            )
            .map_err(db_err)?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("agent {id}")));
            }
            Ok(())
        })
        .await
    }

    async fn find_login(&self, username: &str) -> Result<Option<(Agent, String)>, StoreError> {
        let username = username.to_owned();
        self.read(move |c| {
            let row: Option<(String, Option<String>)> = super::query_row(
                c,
                "SELECT doc, password_hash FROM agents WHERE username = ?1",
                params![username],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(db_err)?;
            match row {
                Some((doc, Some(hash))) => Ok(Some((from_doc::<AgentRecord, _>(&doc)?, hash))),
                _ => Ok(None),
            }
        })
        .await
    }

    async fn active_chat_count(&self, id: &AgentId) -> Result<u32, StoreError> {
        let id = id.clone();
        self.read(move |c| {
            let n: Option<i64> = super::query_row(
                c,
                "SELECT active_chats FROM agents WHERE id = ?1",
                params![id.as_str()],
                |r| r.get(0),
            )
            .optional()
            .map_err(db_err)?;
            Ok(n.unwrap_or(0).max(0) as u32)
        })
        .await
    }

    async fn assignment_load(&self, id: &AgentId) -> Result<AssignmentLoad, StoreError> {
        let id = id.clone();
        self.read(move |c| {
            let row: Option<(i64, Option<i64>, Option<i64>)> = super::query_row(
                c,
                "SELECT active_chats, last_assigned_at, offline_since FROM agents WHERE id = ?1",
                params![id.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(db_err)?;
            Ok(
                row.map_or_else(AssignmentLoad::default, |(active, at, offline)| {
                    AssignmentLoad {
                        active_chats: active.max(0) as u32,
                        last_assigned_at: at.map(Timestamp),
                        offline_since: offline.map(Timestamp),
                    }
                }),
            )
        })
        .await
    }

    async fn round_robin_turn(&self, group: &GroupId) -> Result<Option<AgentId>, StoreError> {
        let group = group.clone();
        let last: Option<String> = self
            .read(move |c| {
                super::query_row(
                    c,
                    "SELECT agent_id FROM round_robin_turns WHERE group_id = ?1",
                    params![group.as_str()],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db_err)
            })
            .await?;
        last.map(|a| AgentId::parse(&a).map_err(|e| StoreError::Corrupt(e.to_string())))
            .transpose()
    }

    async fn pass_round_robin_turn(
        &self,
        group: &GroupId,
        from: Option<&AgentId>,
        to: &AgentId,
    ) -> Result<bool, StoreError> {
        let (group, from, to) = (group.clone(), from.cloned(), to.clone());
        self.with(move |c| {
            // One statement, so the check and the write are one step: no turn exists yet and
            // none is inserted meanwhile (`from` = None), or the last turn is still `from`.
            let changed = match &from {
                None => super::execute(
                    c,
                    "INSERT INTO round_robin_turns (group_id, agent_id) VALUES (?1, ?2)
                     ON CONFLICT (group_id) DO NOTHING",
                    params![group.as_str(), to.as_str()],
                ),
                Some(from) => super::execute(
                    c,
                    "UPDATE round_robin_turns SET agent_id = ?3 WHERE group_id = ?1 AND agent_id = ?2",
                    params![group.as_str(), from.as_str(), to.as_str()],
                ),
            }
            .map_err(db_err)?;
            Ok(changed == 1)
        })
        .await
    }

    async fn mark_offline(&self, agent: &AgentId, since: Timestamp) -> Result<(), StoreError> {
        let agent = agent.clone();
        self.with(move |c| {
            super::execute(
                c,
                "UPDATE agents SET offline_since = COALESCE(offline_since, ?2) WHERE id = ?1",
                params![agent.as_str(), since.millis()],
            )
            .map_err(db_err)?;
            Ok(())
        })
        .await
    }

    async fn mark_online(&self, agent: &AgentId) -> Result<(), StoreError> {
        let agent = agent.clone();
        self.with(move |c| {
            super::execute(
                c,
                "UPDATE agents SET offline_since = NULL
                 WHERE id = ?1 AND offline_since IS NOT NULL",
                params![agent.as_str()],
            )
            .map_err(db_err)?;
            Ok(())
        })
        .await
    }

    async fn offline_agents(
        &self,
        until: Timestamp,
        limit: usize,
    ) -> Result<Vec<(AgentId, Timestamp)>, StoreError> {
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached(
                    "SELECT id, offline_since FROM agents
                     WHERE offline_since IS NOT NULL AND offline_since <= ?1
                     ORDER BY offline_since, id LIMIT ?2",
                )
                .map_err(db_err)?;
            let rows = stmt
                .query_map(params![until.millis(), limit as i64], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
                })
                .map_err(db_err)?;
            let mut agents = Vec::new();
            for row in rows {
                let (id, since) = row.map_err(db_err)?;
                let id = AgentId::parse(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                agents.push((id, Timestamp(since)));
            }
            Ok(agents)
        })
        .await
    }
}

fn json(record: &impl serde::Serialize) -> Result<String, StoreError> {
    serde_json::to_string(record).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// A group's JSON column; NULL is `None` (the default).
fn from_json<T: serde::de::DeserializeOwned>(
    group: &GroupId,
    column: &str,
    doc: Option<String>,
) -> Result<Option<T>, StoreError> {
    doc.map(|doc| {
        serde_json::from_str(&doc)
            .map_err(|e| StoreError::Corrupt(format!("group {group}: {column}: {e}")))
    })
    .transpose()
}
