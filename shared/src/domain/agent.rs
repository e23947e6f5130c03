use super::business_hours::BusinessHours;
use super::handoff::HandOffSettings;
use super::ids::{AgentId, GroupId};
use super::offline::OfflineSettings;
use super::texts::GroupTexts;

/// What an agent may do beyond working chats. Managers and administrators may restore deleted
/// chats and take chats from colleagues; only administrators may purge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Distribution {
    /// Chats wait in the queue until an agent pulls one ("cherry picking").
    #[default]
    Pull,
    /// Each new chat goes straight to an available member with room for it; it waits in the
    /// queue only while nobody has room, and is handed out as soon as somebody does. The least
    /// busy member first.
    Automatic,
    /// As `Automatic`, but members take turns in a fixed order, whatever their load: each new
    /// chat goes to the next available member with room after the one who had the last turn.
    RoundRobin,
}

impl Distribution {
    pub fn as_str(self) -> &'static str {
        match self {
            Distribution::Pull => "pull",
            Distribution::Automatic => "automatic",
            Distribution::RoundRobin => "round_robin",
        }
    }

    /// Whether chats are handed to agents without them pulling (automatic or in turns).
    pub fn hands_out(self) -> bool {
        matches!(self, Distribution::Automatic | Distribution::RoundRobin)
    }

    pub fn parse(s: &str) -> Option<Distribution> {
        match s {
            "pull" => Some(Distribution::Pull),
            "automatic" => Some(Distribution::Automatic),
            "round_robin" => Some(Distribution::RoundRobin),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub id: GroupId,
    pub name: String,
    pub distribution: Distribution,
    pub hand_off: HandOffSettings,
    /// When the group is open; `None`: always (subject to members receiving chats).
    pub business_hours: Option<BusinessHours>,
    pub offline: OfflineSettings,
    pub texts: GroupTexts,
}

impl Group {
    /// A group whose chats are pulled from its queue, the default.
    pub fn pull(id: GroupId, name: impl Into<String>) -> Group {
        Group {
            id,
            name: name.into(),
            distribution: Distribution::Pull,
            hand_off: HandOffSettings::default(),
            business_hours: None,
            offline: OfflineSettings::default(),
            texts: GroupTexts::default(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// Every credential chatdesk issues to the agent carries this number, and is honoured only
    /// while it is still the agent's. A new random value (never a counter, so an agent removed and
    /// created again does not get the old one back) revokes every earlier sign-in and socket.
    pub session_epoch: u64,
    /// Set while an administrator has deactivated the agent: they cannot sign in, every
    /// credential they hold is refused, and they get no chats; their name stays on past chats.
    pub deactivated_at: Option<super::time::Timestamp>,
}

impl Agent {
    /// Whether the agent may sign in and work (not deactivated).
    pub fn is_active(&self) -> bool {
        self.deactivated_at.is_none()
    }

    /// Whether `next` (the same agent, changed) may do less than `self`: a lower role or fewer
    /// groups. Such a change must revoke the sessions that were granted the old access.
    pub fn loses_access_in(&self, next: &Agent) -> bool {
        let rank = |r: Role| match r {
            Role::Agent => 0,
            Role::Manager => 1,
            Role::Administrator => 2,
        };
        rank(next.role) < rank(self.role) || self.groups.iter().any(|g| !next.is_member_of(g))
    }

    pub fn is_member_of(&self, group: &GroupId) -> bool {
        self.groups.iter().any(|g| g == group)
    }

    /// Global Live Chats is only for agents who are members of every group.
    pub fn is_member_of_all<'a>(&self, all: impl IntoIterator<Item = &'a GroupId>) -> bool {
        all.into_iter().all(|g| self.is_member_of(g))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(role: Role, groups: &[&str]) -> Agent {
        Agent {
            id: AgentId::parse("ann").unwrap(),
            username: "ann".into(),
            display_name: "Ann".into(),
            role,
            groups: groups.iter().map(|g| GroupId::parse(g).unwrap()).collect(),
            available: true,
            max_concurrent_chats: 5,
            session_epoch: 1,
            deactivated_at: None,
        }
    }

    #[test]
    fn losing_a_group_or_a_role_is_a_loss_of_access() {
        let manager = agent(Role::Manager, &["sales", "support"]);
        assert!(manager.loses_access_in(&agent(Role::Agent, &["sales", "support"])));
        assert!(manager.loses_access_in(&agent(Role::Manager, &["support"])));
        assert!(manager.loses_access_in(&agent(Role::Administrator, &["billing"])));
    }

    #[test]
    fn gaining_or_keeping_access_is_not() {
        let agent_ = agent(Role::Agent, &["support"]);
        assert!(!agent_.loses_access_in(&agent(Role::Agent, &["support"])));
        assert!(!agent_.loses_access_in(&agent(Role::Manager, &["support", "sales"])));
        let mut renamed = agent_.clone();
        renamed.display_name = "Annie".into();
        renamed.max_concurrent_chats = 1;
        renamed.available = false;
        assert!(!agent_.loses_access_in(&renamed));
    }
}
