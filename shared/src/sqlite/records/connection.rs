//! A WebSocket connection's document (`connections.doc`).

use serde::{Deserialize, Serialize};

use crate::domain::Timestamp;
use crate::ports::{Connection, ConnectionOwner, StoreError};
use crate::records::{id, ids, readable, FORMAT_VERSION};

#[derive(Serialize, Deserialize)]
pub(in crate::sqlite) struct ConnectionRecord {
    #[serde(default)]
    v: u32,
    id: String,
    owner: OwnerRecord,
    connected_at: i64,
    expires_at: i64,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum OwnerRecord {
    Agent {
        agent_id: String,
        groups: Vec<String>,
        /// Added after the first connections were stored.
        #[serde(default)]
        session: Option<u64>,
    },
    Customer {
        chat_id: String,
    },
}

impl From<&Connection> for ConnectionRecord {
    fn from(c: &Connection) -> Self {
        ConnectionRecord {
            v: FORMAT_VERSION,
            id: c.id.to_string(),
            owner: match &c.owner {
                ConnectionOwner::Agent {
                    agent_id,
                    groups,
                    session,
                } => OwnerRecord::Agent {
                    agent_id: agent_id.to_string(),
                    groups: groups.iter().map(|g| g.to_string()).collect(),
                    session: *session,
                },
                ConnectionOwner::Customer { chat_id } => OwnerRecord::Customer {
                    chat_id: chat_id.to_string(),
                },
            },
            connected_at: c.connected_at.millis(),
            expires_at: c.expires_at.millis(),
        }
    }
}

impl TryFrom<ConnectionRecord> for Connection {
    type Error = StoreError;
    fn try_from(r: ConnectionRecord) -> Result<Self, StoreError> {
        readable(r.v, "a connection")?;
        Ok(Connection {
            id: id(r.id)?,
            owner: match r.owner {
                OwnerRecord::Agent {
                    agent_id,
                    groups,
                    session,
                } => ConnectionOwner::Agent {
                    agent_id: id(agent_id)?,
                    groups: ids(groups)?,
                    session,
                },
                OwnerRecord::Customer { chat_id } => ConnectionOwner::Customer {
                    chat_id: id(chat_id)?,
                },
            },
            connected_at: Timestamp(r.connected_at),
            expires_at: Timestamp(r.expires_at),
        })
    }
}
