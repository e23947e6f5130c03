//! Agents, groups and the signed-in agent's console settings.

use serde::{Deserialize, Serialize};

use super::ids::{AgentId, GroupId};
use super::offline::{Availability, BusinessHours, GroupTexts, OfflineSettings};
use crate::{app, domain};

/// What an agent may do beyond working chats. Managers and administrators may restore deleted
/// chats and take chats from colleagues; only administrators may purge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Agent,
    Manager,
    Administrator,
}

impl From<domain::Role> for Role {
    fn from(r: domain::Role) -> Self {
        match r {
            domain::Role::Agent => Role::Agent,
            domain::Role::Manager => Role::Manager,
            domain::Role::Administrator => Role::Administrator,
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
    /// queue only while nobody has room, and is handed out as soon as somebody does. The least
    /// busy member first.
    Automatic,
    /// As `automatic`, but members take turns in a fixed order whatever their load; members who
    /// are away or full are skipped.
    RoundRobin,
}

impl From<domain::Distribution> for Distribution {
    fn from(d: domain::Distribution) -> Self {
        match d {
            domain::Distribution::Pull => Distribution::Pull,
            domain::Distribution::Automatic => Distribution::Automatic,
            domain::Distribution::RoundRobin => Distribution::RoundRobin,
        }
    }
}

impl From<Distribution> for domain::Distribution {
    fn from(d: Distribution) -> Self {
        match d {
            Distribution::Pull => domain::Distribution::Pull,
            Distribution::Automatic => domain::Distribution::Automatic,
            Distribution::RoundRobin => domain::Distribution::RoundRobin,
        }
    }
}

/// Whether an agent receives chats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// Receiving chats (a console is open, or closed for less than the grace period).
    Available,
    /// Switched to away: no new chats.
    Away,
    /// Away automatically: no console open for longer than the grace period. No new chats;
    /// their active chats move after the group's disconnected timer.
    Offline,
}

impl From<domain::Presence> for Presence {
    fn from(p: domain::Presence) -> Self {
        match p {
            domain::Presence::Available => Presence::Available,
            domain::Presence::Away => Presence::Away,
            domain::Presence::Offline => Presence::Offline,
        }
    }
}

/// A group's hand-off timers, in seconds (0 turns one off).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandOffSettings {
    /// An assigned agent has not written since the chat was assigned to them.
    #[schema(maximum = 86400)]
    pub no_first_response_secs: u32,
    /// The customer wrote after the agent's last message and the agent has neither answered
    /// nor typed since.
    #[schema(maximum = 86400)]
    pub no_follow_up_secs: u32,
    /// The agent's last console closed and did not come back.
    #[schema(maximum = 86400)]
    pub agent_disconnected_secs: u32,
    /// Hand-offs of one chat before it waits in the queue for a person (managers are alerted).
    #[schema(minimum = 1, maximum = 20)]
    pub max_hand_offs: u32,
}

impl From<&domain::HandOffSettings> for HandOffSettings {
    fn from(h: &domain::HandOffSettings) -> Self {
        HandOffSettings {
            no_first_response_secs: h.no_first_response_secs,
            no_follow_up_secs: h.no_follow_up_secs,
            agent_disconnected_secs: h.agent_disconnected_secs,
            max_hand_offs: h.max_hand_offs,
        }
    }
}

impl From<HandOffSettings> for domain::HandOffSettings {
    fn from(h: HandOffSettings) -> Self {
        domain::HandOffSettings {
            no_first_response_secs: h.no_first_response_secs,
            no_follow_up_secs: h.no_follow_up_secs,
            agent_disconnected_secs: h.agent_disconnected_secs,
            max_hand_offs: h.max_hand_offs,
        }
    }
}

/// A group's settings (members read them; its managers and administrators change them, its
/// texts only administrators).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GroupSettings {
    pub id: GroupId,
    pub name: String,
    pub distribution: Distribution,
    pub hand_off: HandOffSettings,
    /// Null: always open.
    #[serde(default)]
    pub business_hours: Option<BusinessHours>,
    #[serde(default)]
    pub offline: OfflineSettings,
    #[serde(default)]
    pub texts: GroupTexts,
}

impl From<&domain::Group> for GroupSettings {
    fn from(g: &domain::Group) -> Self {
        GroupSettings {
            id: (&g.id).into(),
            name: g.name.clone(),
            distribution: g.distribution.into(),
            hand_off: (&g.hand_off).into(),
            business_hours: g.business_hours.as_ref().map(Into::into),
            offline: (&g.offline).into(),
            texts: (&g.texts).into(),
        }
    }
}

/// New settings for a group. `business_hours`, `offline` and `texts` left out keep what the
/// group has; `business_hours: null` makes it always open. Only administrators change texts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateGroupSettings {
    pub distribution: Distribution,
    pub hand_off: HandOffSettings,
    #[serde(
        default,
        deserialize_with = "super::offline::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<BusinessHours>)]
    pub business_hours: Option<Option<BusinessHours>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offline: Option<OfflineSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub texts: Option<GroupTexts>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Group {
    pub id: GroupId,
    pub name: String,
    #[serde(default)]
    pub distribution: Distribution,
    /// In the public list of groups only: whether anyone can answer now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<Availability>,
}

impl From<&domain::Group> for Group {
    fn from(g: &domain::Group) -> Self {
        Group {
            id: (&g.id).into(),
            name: g.name.clone(),
            distribution: g.distribution.into(),
            availability: None,
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
    /// Every credential chatdesk issues to the agent carries this number, and is honoured only
    /// while it is still the agent's. A new random value (never a counter, so an agent removed and
    /// created again does not get the old one back) revokes every earlier sign-in and socket.
    #[serde(default)]
    pub session_epoch: u64,
}

impl From<&domain::Agent> for Agent {
    fn from(a: &domain::Agent) -> Self {
        Agent {
            id: (&a.id).into(),
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            role: a.role.into(),
            groups: a.groups.iter().map(Into::into).collect(),
            available: a.available,
            max_concurrent_chats: a.max_concurrent_chats,
            session_epoch: a.session_epoch,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IdleThresholds {
    /// Idle at or above this is a warning (yellow).
    pub warning_ms: i64,
    /// Idle at or above this is a high warning (red).
    pub high_ms: i64,
}

impl From<domain::IdleThresholds> for IdleThresholds {
    fn from(t: domain::IdleThresholds) -> Self {
        IdleThresholds {
            warning_ms: t.warning_ms,
            high_ms: t.high_ms,
        }
    }
}

/// The signed-in agent, with what the console needs to draw its navigation pane.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Me {
    pub agent: Agent,
    pub groups: Vec<Group>,
    /// Member of every group: may open Global Live Chats.
    pub can_view_global: bool,
    pub active_chats: u32,
    /// The idle thresholds of this deployment, so the console can recolour idle times as they
    /// tick without asking the server.
    pub idle_thresholds: IdleThresholds,
    /// Whether chats reach this agent now.
    pub presence: Presence,
}

impl From<&app::Me> for Me {
    fn from(m: &app::Me) -> Self {
        Me {
            agent: (&m.agent).into(),
            groups: m.groups.iter().map(Into::into).collect(),
            can_view_global: m.can_view_global,
            active_chats: m.active_chats,
            idle_thresholds: m.idle_thresholds.into(),
            presence: m.presence.into(),
        }
    }
}

/// An agent as colleagues see them (for transfers).
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AgentSummary {
    pub id: AgentId,
    pub display_name: String,
    pub role: Role,
    pub groups: Vec<GroupId>,
    /// Receives chats now (transfers to anyone else are refused).
    pub available: bool,
    pub presence: Presence,
}

impl From<&app::AgentSummary> for AgentSummary {
    fn from(a: &app::AgentSummary) -> Self {
        AgentSummary {
            id: (&a.id).into(),
            display_name: a.display_name.clone(),
            role: a.role.into(),
            groups: a.groups.iter().map(Into::into).collect(),
            available: a.available,
            presence: a.presence.into(),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SignedIn {
    pub token: String,
    pub me: Me,
}

impl From<&app::SignedIn> for SignedIn {
    fn from(s: &app::SignedIn) -> Self {
        SignedIn {
            token: s.token.clone(),
            me: (&s.me).into(),
        }
    }
}
