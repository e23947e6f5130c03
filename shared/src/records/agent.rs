//! An agent's profile (SQLite `agents.doc`, DynamoDB `DIR` / `AGENT#{id}`). The session epoch in
//! it moves only through `set_session_epoch`: the adapters keep the stored one when a profile is
//! written.

use serde::{Deserialize, Serialize};

use super::{id, ids, readable, FORMAT_VERSION};
use crate::domain::{Agent, Role};
use crate::ports::StoreError;

#[derive(Serialize, Deserialize)]
pub(crate) struct AgentRecord {
    #[serde(default)]
    v: u32,
    id: String,
    username: String,
    display_name: String,
    role: RoleRecord,
    groups: Vec<String>,
    available: bool,
    max_concurrent_chats: u32,
    /// Added after the first agents were stored.
    #[serde(default)]
    session_epoch: u64,
    /// Added with the administration: absent for an active agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    deactivated_at: Option<i64>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum RoleRecord {
    Agent,
    Manager,
    Administrator,
}

impl From<&Agent> for AgentRecord {
    fn from(a: &Agent) -> Self {
        AgentRecord {
            v: FORMAT_VERSION,
            id: a.id.to_string(),
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            role: match a.role {
                Role::Agent => RoleRecord::Agent,
                Role::Manager => RoleRecord::Manager,
                Role::Administrator => RoleRecord::Administrator,
            },
            groups: a.groups.iter().map(|g| g.to_string()).collect(),
            available: a.available,
            max_concurrent_chats: a.max_concurrent_chats,
            session_epoch: a.session_epoch,
            deactivated_at: a.deactivated_at.map(|t| t.0),
        }
    }
}

impl TryFrom<AgentRecord> for Agent {
    type Error = StoreError;
    fn try_from(r: AgentRecord) -> Result<Self, StoreError> {
        readable(r.v, "an agent")?;
        Ok(Agent {
            id: id(r.id)?,
            username: r.username,
            display_name: r.display_name,
            role: match r.role {
                RoleRecord::Agent => Role::Agent,
                RoleRecord::Manager => Role::Manager,
                RoleRecord::Administrator => Role::Administrator,
            },
            groups: ids(r.groups)?,
            available: r.available,
            max_concurrent_chats: r.max_concurrent_chats,
            session_epoch: r.session_epoch,
            deactivated_at: r.deactivated_at.map(crate::domain::Timestamp),
        })
    }
}
