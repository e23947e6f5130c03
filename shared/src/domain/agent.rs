use serde::{Deserialize, Serialize};

use super::ids::{AgentId, GroupId};

/// What an agent may do beyond working chats. Managers and administrators may restore deleted
/// chats and take chats from colleagues; only administrators may purge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Agent,
    Manager,
    Administrator,
}

impl Role {
    pub fn is_manager_or_admin(self) -> bool {
        matches!(self, Role::Manager | Role::Administrator)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Manager => "manager",
            Role::Administrator => "administrator",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "agent" => Some(Role::Agent),
            "manager" => Some(Role::Manager),
            "administrator" => Some(Role::Administrator),
            _ => None,
        }
    }
}

/// How a group's queued chats reach agents (SmarterTrack's two distribution methods).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Distribution {
    /// Chats wait in the queue until an agent pulls one ("cherry picking").
    #[default]
    Pull,
    /// Each new chat goes straight to an available member with room for it; it waits in the
    /// queue only while nobody has room, and is handed out as soon as somebody does.
    Automatic,
}

impl Distribution {
    pub fn as_str(self) -> &'static str {
        match self {
            Distribution::Pull => "pull",
            Distribution::Automatic => "automatic",
        }
    }

    pub fn parse(s: &str) -> Option<Distribution> {
        match s {
            "pull" => Some(Distribution::Pull),
            "automatic" => Some(Distribution::Automatic),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Group {
    pub id: GroupId,
    pub name: String,
    #[serde(default)]
    pub distribution: Distribution,
}

impl Group {
    /// A group whose chats are pulled from its queue, the default.
    pub fn pull(id: GroupId, name: impl Into<String>) -> Group {
        Group {
            id,
            name: name.into(),
            distribution: Distribution::Pull,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Agent {
    pub id: AgentId,
    /// Sign-in name (unique).
    pub username: String,
    /// The name customers see in the chat ("display name for chat").
    pub display_name: String,
    pub role: Role,
    pub groups: Vec<GroupId>,
    /// Receiving chats now (transfers to an unavailable agent are refused).
    pub available: bool,
    /// Most chats this agent may have active at once.
    pub max_concurrent_chats: u32,
}

impl Agent {
    pub fn is_member_of(&self, group: &GroupId) -> bool {
        self.groups.iter().any(|g| g == group)
    }

    /// Global Live Chats is only for agents who are members of every group.
    pub fn is_member_of_all<'a>(&self, all: impl IntoIterator<Item = &'a GroupId>) -> bool {
        all.into_iter().all(|g| self.is_member_of(g))
    }
}
