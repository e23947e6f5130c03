//! A group's routing settings: how its chats reach agents and its hand-off timers. Members read
//! them; the group's managers and any administrator change them.

use super::{App, AppError};
use crate::auth::Principal;
use crate::domain::{Agent, Distribution, Group, GroupId, HandOffSettings, Role};

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

    /// Changes the group's distribution and hand-off timers. A group that starts handing chats
    /// out gives its waiting chats to its members with room at once.
    pub async fn update_group_settings(
        &self,
        principal: &Principal,
        group: &GroupId,
        distribution: Distribution,
        hand_off: HandOffSettings,
    ) -> Result<Group, AppError> {
        let agent = self.agent(principal).await?;
        let mut group = self.find_group(group).await?;
        require_group_manager(&agent, &group)?;
        let hand_off = hand_off.validated()?;
        let starts_handing_out = distribution.hands_out() && !group.distribution.hands_out();
        group.distribution = distribution;
        group.hand_off = hand_off;
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
