//! An audit log entry (SQLite `audit_log.doc`, DynamoDB `AUDIT` / `{id}`).

use serde::{Deserialize, Serialize};

use super::{readable, FORMAT_VERSION};
use crate::domain::{
    AgentId, AuditAction, AuditActor, AuditEntry, AuditTarget, ChatId, FieldChange, GroupId,
    Timestamp,
};
use crate::ports::StoreError;

#[derive(Serialize, Deserialize)]
pub(crate) struct AuditRecord {
    #[serde(default)]
    v: u32,
    id: String,
    at: i64,
    /// The acting agent's id; absent for the operator's command line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    actor_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    actor_name: Option<String>,
    action: String,
    /// `agent`, `group` or `chat`.
    target_kind: String,
    target_id: String,
    #[serde(default)]
    changes: Vec<ChangeRecord>,
}

#[derive(Serialize, Deserialize)]
struct ChangeRecord {
    field: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    after: Option<String>,
}

impl AuditRecord {
    pub(crate) fn id(&self) -> &str {
        &self.id
    }
}

impl From<&AuditEntry> for AuditRecord {
    fn from(e: &AuditEntry) -> Self {
        let (actor_id, actor_name) = match &e.actor {
            AuditActor::Agent { id, name } => (Some(id.to_string()), Some(name.clone())),
            AuditActor::Operator => (None, None),
        };
        let (target_kind, target_id) = match &e.target {
            AuditTarget::Agent(id) => ("agent", id.to_string()),
            AuditTarget::Group(id) => ("group", id.to_string()),
            AuditTarget::Chat(id) => ("chat", id.to_string()),
            AuditTarget::Organisation => ("organisation", "settings".to_owned()),
        };
        AuditRecord {
            v: FORMAT_VERSION,
            id: e.id.clone(),
            at: e.at.0,
            actor_id,
            actor_name,
            action: e.action.as_str().to_owned(),
            target_kind: target_kind.to_owned(),
            target_id,
            changes: e
                .changes
                .iter()
                .map(|c| ChangeRecord {
                    field: c.field.clone(),
                    before: c.before.clone(),
                    after: c.after.clone(),
                })
                .collect(),
        }
    }
}

impl TryFrom<AuditRecord> for AuditEntry {
    type Error = StoreError;
    fn try_from(r: AuditRecord) -> Result<Self, StoreError> {
        readable(r.v, "an audit entry")?;
        let corrupt = |e: crate::domain::DomainError| StoreError::Corrupt(e.to_string());
        let actor = match r.actor_id {
            Some(id) => AuditActor::Agent {
                id: AgentId::parse(&id).map_err(corrupt)?,
                name: r.actor_name.unwrap_or_default(),
            },
            None => AuditActor::Operator,
        };
        let action = AuditAction::parse(&r.action)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown audit action {:?}", r.action)))?;
        let target = match r.target_kind.as_str() {
            "agent" => AuditTarget::Agent(AgentId::parse(&r.target_id).map_err(corrupt)?),
            "group" => AuditTarget::Group(GroupId::parse(&r.target_id).map_err(corrupt)?),
            "chat" => AuditTarget::Chat(ChatId::parse(&r.target_id).map_err(corrupt)?),
            "organisation" => AuditTarget::Organisation,
            other => {
                return Err(StoreError::Corrupt(format!(
                    "unknown audit target {other:?}"
                )))
            }
        };
        Ok(AuditEntry {
            id: r.id,
            at: Timestamp(r.at),
            actor,
            action,
            target,
            changes: r
                .changes
                .into_iter()
                .map(|c| FieldChange {
                    field: c.field,
                    before: c.before,
                    after: c.after,
                })
                .collect(),
        })
    }
}
