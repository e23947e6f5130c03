//! The administration API's bodies for groups and the organisation's settings.

use serde::{Deserialize, Serialize};

use super::{AgentId, Distribution, GroupId};
use crate::app;
use crate::domain;

/// A group as administrators see it: with its members (its settings are on its settings page).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AdminGroup {
    pub id: GroupId,
    pub name: String,
    pub distribution: Distribution,
    /// Every agent in the group, deactivated ones too, by id.
    pub members: Vec<AgentId>,
}

impl From<&app::AdminGroup> for AdminGroup {
    fn from(g: &app::AdminGroup) -> Self {
        AdminGroup {
            id: (&g.group.id).into(),
            name: g.group.name.clone(),
            distribution: g.group.distribution.into(),
            members: g.members.iter().map(Into::into).collect(),
        }
    }
}

/// A new group (chats are pulled from its queue until its settings say otherwise).
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGroup {
    /// Its id in links and the API: letters, digits, `-` and `_`; it never changes.
    pub id: String,
    /// 1-80 characters, shown to customers and agents.
    pub name: String,
}

/// A group's new name.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupRename {
    pub name: String,
}

/// The group's members, all of them: agents left out lose the group.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupMembers {
    pub members: Vec<AgentId>,
}

/// Where a removed group's chats and messages go.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GroupRemovalQuery {
    /// The group that receives its chats (queued, active, ended, deleted), offline messages and
    /// canned replies. Left out: only a group that has none can be removed.
    pub move_to: Option<String>,
}

/// How far a removal got.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GroupRemoval {
    /// Chats and messages moved by this call.
    pub moved: usize,
    /// The group is gone. False: more remain to be moved; call again with the same `move_to`.
    pub removed: bool,
}

impl From<app::GroupRemoval> for GroupRemoval {
    fn from(r: app::GroupRemoval) -> Self {
        GroupRemoval {
            moved: r.moved,
            removed: r.removed,
        }
    }
}

/// How agents sign in to this deployment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SignInMethods {
    /// Usernames and passwords kept by chatdesk.
    pub passwords: bool,
    /// The OpenID Connect issuer whose ID tokens agents sign in with (the Cognito user pool in
    /// the cloud); null when none is configured.
    pub identity_provider: Option<String>,
}

/// The organisation's settings page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Organisation {
    /// Idle time at which a waiting customer's chat turns yellow in every console.
    pub idle_warning_secs: i64,
    /// ... and red.
    pub idle_high_secs: i64,
    /// Send it back with a change: a save over a revision someone else saved since is refused.
    pub revision: u64,
    /// Fixed by the deployment (its environment and template), shown here.
    pub sign_in: SignInMethods,
}

impl From<&app::OrganisationView> for Organisation {
    fn from(v: &app::OrganisationView) -> Self {
        Organisation {
            idle_warning_secs: v.settings.idle.warning_ms / 1000,
            idle_high_secs: v.settings.idle.high_ms / 1000,
            revision: v.settings.revision,
            sign_in: SignInMethods {
                passwords: v.sign_in.passwords,
                identity_provider: v.sign_in.identity_provider.clone(),
            },
        }
    }
}

/// A change of the organisation's settings.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationUpdate {
    /// 1 s to 24 h.
    pub idle_warning_secs: i64,
    /// Above the warning, at most 24 h.
    pub idle_high_secs: i64,
    /// The revision read.
    pub revision: u64,
}

impl OrganisationUpdate {
    /// The thresholds asked for (checked by the use case, which names a field out of range).
    pub fn idle(&self) -> domain::IdleThresholds {
        let ms = |secs: i64| secs.saturating_mul(1000);
        domain::IdleThresholds {
            warning_ms: ms(self.idle_warning_secs),
            high_ms: ms(self.idle_high_secs),
        }
    }
}
