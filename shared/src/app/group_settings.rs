//! A group's settings: how its chats reach agents, its hand-off timers, its business hours and
//! offline behaviour, and its texts. Members read them; the group's managers and any
//! administrator change them, except the texts, which only administrators change (they are what
//! customers read in every e-mail).

use super::{App, AppError};
use crate::auth::Principal;
use crate::domain::{
    Agent, BusinessHours, Distribution, Group, GroupId, GroupTexts, HandOffSettings,
    OfflineSettings, Role,
};

/// A change of a group's settings. `None` keeps what the group has (for business hours,
/// `Some(None)` makes the group always open).
#[derive(Clone, Debug)]
pub struct GroupSettingsChange {
    pub distribution: Distribution,
    pub hand_off: HandOffSettings,
    pub business_hours: Option<Option<BusinessHours>>,
    pub offline: Option<OfflineSettings>,
    pub texts: Option<GroupTexts>,
}

impl App {
    /// The group, with its settings, for a member or an administrator.
    pub async fn group_settings(
        &self,
        principal: &Principal,
        group: &GroupId,
    ) -> Result<Group, AppError> {
        let agent = self.agent(principal).await?;
        let group = self.find_group(group).await?;
        if !agent.is_member_of(&group.id) && agent.role != Role::Administrator {
            return Err(AppError::Forbidden(format!(
                "you are not a member of group {}",
                group.id
            )));
        }
        Ok(group)
    }

    /// Changes the group's settings. A group that starts handing chats out gives its waiting
    /// chats to its members with room at once. Texts sent unchanged (a settings page sends back
    /// what it read) are no change: a manager may save the rest.
    pub async fn update_group_settings(
        &self,
        principal: &Principal,
        group: &GroupId,
        change: GroupSettingsChange,
    ) -> Result<Group, AppError> {
        let agent = self.agent(principal).await?;
        let mut group = self.find_group(group).await?;
        require_group_manager(&agent, &group)?;
        let hand_off = change.hand_off.validated()?;
        let offline = change.offline.map(OfflineSettings::validated).transpose()?;
        let texts = change.texts.map(GroupTexts::validated).transpose()?;
        if let Some(texts) = &texts {
            if *texts != group.texts && agent.role != Role::Administrator {
                return Err(AppError::Forbidden(
                    "only administrators may change a group's texts (the offline notice and the e-mails)"
                        .into(),
                ));
            }
        }
        let distribution = change.distribution;
        let starts_handing_out = distribution.hands_out() && !group.distribution.hands_out();
        group.distribution = distribution;
        group.hand_off = hand_off;
        if let Some(hours) = change.business_hours {
            group.business_hours = hours;
        }
        if let Some(offline) = offline {
            group.offline = offline;
        }
        if let Some(texts) = texts {
            group.texts = texts;
        }
        self.directory.put_group(&group).await?;
        if starts_handing_out {
            for member in self.directory.list_agents().await? {
                if member.is_member_of(&group.id) {
                    self.distribute_to(&member.id).await;
                }
            }
        }
        Ok(group)
    }

    pub(super) async fn find_group(&self, id: &GroupId) -> Result<Group, AppError> {
        self.directory
            .list_groups()
            .await?
            .into_iter()
            .find(|g| &g.id == id)
            .ok_or_else(|| AppError::NotFound(format!("group {id} was not found")))
    }
}

fn require_group_manager(agent: &Agent, group: &Group) -> Result<(), AppError> {
    let may = agent.role == Role::Administrator
        || (agent.role == Role::Manager && agent.is_member_of(&group.id));
    if may {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "only managers of group {} and administrators may change its settings",
            group.id
        )))
    }
}
