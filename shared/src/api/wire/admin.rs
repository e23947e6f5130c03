//! The administration API's bodies: agents as administrators see and set them, and the audit
//! log.

use serde::{Deserialize, Serialize};

use super::{AgentId, GroupId, Role, Timestamp};
use crate::app;
use crate::domain;

impl From<Role> for domain::Role {
    fn from(r: Role) -> Self {
        match r {
            Role::Agent => domain::Role::Agent,
            Role::Manager => domain::Role::Manager,
            Role::Administrator => domain::Role::Administrator,
        }
    }
}

/// An agent as administrators see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AdminAgent {
    pub id: AgentId,
    pub username: String,
    /// The name customers see in the chat.
    pub display_name: String,
    pub role: Role,
    pub groups: Vec<GroupId>,
    pub max_concurrent_chats: u32,
    /// Switched on for chats (their presence switch).
    pub available: bool,
    /// False once deactivated: they cannot sign in and get no chats.
    pub active: bool,
    pub deactivated_at: Option<Timestamp>,
}

impl From<&domain::Agent> for AdminAgent {
    fn from(a: &domain::Agent) -> Self {
        AdminAgent {
            id: (&a.id).into(),
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            role: a.role.into(),
            groups: a.groups.iter().map(Into::into).collect(),
            max_concurrent_chats: a.max_concurrent_chats,
            available: a.available,
            active: a.is_active(),
            deactivated_at: a.deactivated_at.map(Into::into),
        }
    }
}

/// A new agent.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAgent {
    /// Sign-in name and id: letters, digits, `-` and `_`.
    pub username: String,
    pub display_name: String,
    pub role: Role,
    #[serde(default)]
    pub groups: Vec<GroupId>,
    /// 1-100 (5 when left out).
    #[serde(default = "default_max_chats")]
    pub max_concurrent_chats: u32,
    /// At least 12 characters. Left out: one is generated and answered once.
    #[serde(default)]
    pub password: Option<String>,
    /// Where the sign-in invitation goes: required in the cloud, whose user pool creates the
    /// agent's sign-in and sends it (the pool keeps the address; chatdesk does not). Elsewhere it
    /// is checked when given and not used.
    #[serde(default)]
    pub email: Option<String>,
}

fn default_max_chats() -> u32 {
    5
}

impl NewAgent {
    pub fn into_profile(self) -> (app::AgentProfile, Option<String>) {
        (
            app::AgentProfile {
                username: self.username,
                display_name: self.display_name,
                role: self.role.into(),
                groups: self.groups.into_iter().map(Into::into).collect(),
                max_concurrent_chats: self.max_concurrent_chats,
            },
            self.password,
        )
    }
}

/// The created agent, and the password generated for them when none was given: shown here once,
/// stored only as a hash.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CreatedAgent {
    pub agent: AdminAgent,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

impl From<&app::CreatedAgent> for CreatedAgent {
    fn from(c: &app::CreatedAgent) -> Self {
        CreatedAgent {
            agent: (&c.agent).into(),
            password: c.generated_password.clone(),
        }
    }
}

/// What an administrator changes on an agent (every field; the username stays).
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentUpdate {
    pub display_name: String,
    pub role: Role,
    pub groups: Vec<GroupId>,
    pub max_concurrent_chats: u32,
}

impl AgentUpdate {
    pub fn into_profile(self, username: String) -> app::AgentProfile {
        app::AgentProfile {
            username,
            display_name: self.display_name,
            role: self.role.into(),
            groups: self.groups.into_iter().map(Into::into).collect(),
            max_concurrent_chats: self.max_concurrent_chats,
        }
    }
}

/// A generated password, shown once.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NewPassword {
    pub password: String,
}

/// Who did it: an agent (`id`, their name then) or the operator's command line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AuditActor {
    Agent { id: AgentId, name: String },
    Operator,
}

/// What it was done to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditTarget {
    /// `agent`, `group`, `chat` or `organisation` (id `settings`).
    pub kind: String,
    pub id: String,
}

/// A field before and after (null: it did not exist).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// One entry of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: String,
    pub at: Timestamp,
    pub actor: AuditActor,
    /// `agent_created`, `agent_updated`, `agent_deactivated`, `agent_reactivated`,
    /// `agent_deleted`, `password_reset`, `group_created`, `group_updated`, `group_removed`,
    /// `settings_updated`, `chat_deleted`, `chat_restored`, `chat_purged`.
    pub action: String,
    pub target: AuditTarget,
    pub changes: Vec<FieldChange>,
}

impl From<&domain::AuditEntry> for AuditEntry {
    fn from(e: &domain::AuditEntry) -> Self {
        let (kind, id) = match &e.target {
            domain::AuditTarget::Agent(id) => ("agent", id.to_string()),
            domain::AuditTarget::Group(id) => ("group", id.to_string()),
            domain::AuditTarget::Chat(id) => ("chat", id.to_string()),
            domain::AuditTarget::Organisation => ("organisation", "settings".to_owned()),
        };
        AuditEntry {
            id: e.id.clone(),
            at: e.at.into(),
            actor: match &e.actor {
                domain::AuditActor::Agent { id, name } => AuditActor::Agent {
                    id: id.into(),
                    name: name.clone(),
                },
                domain::AuditActor::Operator => AuditActor::Operator,
            },
            action: e.action.as_str().to_owned(),
            target: AuditTarget {
                kind: kind.to_owned(),
                id,
            },
            changes: e
                .changes
                .iter()
                .map(|c| FieldChange {
                    field: c.field.clone(),
                    before: c.before.clone(),
                    after: c.after.clone(),
                })
                .collect(),
        }
    }
}

/// A page of the audit log, newest first.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `before` for the next (older) page; absent on the last.
    pub next: Option<String>,
}

impl From<&app::AuditPage> for AuditPage {
    fn from(p: &app::AuditPage) -> Self {
        AuditPage {
            entries: p.entries.iter().map(Into::into).collect(),
            next: p.next.clone(),
        }
    }
}
