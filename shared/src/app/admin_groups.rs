//! The administration of groups by administrators: create, rename, set the members, and remove
//! a group, moving everything it holds (queued, active, ended and deleted chats, its offline
//! messages and canned replies) to another group first, so no conversation and no transcript is
//! lost.
//!
//! A removal is resumable rather than one transaction (a group can hold more chats than one
//! request or one DynamoDB transaction should move): each call moves up to `MOVES_PER_CALL` and
//! says whether the group is gone; the console calls again until it is. Chats that arrive while
//! it runs are moved by a last sweep after the record is deleted (from then on no chat can start
//! in the group), and a later call with the same target finishes a sweep that was cut short.

use super::{App, AppError};
use crate::auth::Principal;
use crate::domain::canned::{ReplyScope, Shortcut, MAX_SHORTCUT_CHARS};
use crate::domain::rules::move_to_group;
use crate::domain::{
    Agent, AgentId, AuditAction, AuditActor, AuditTarget, DomainError, FieldChange, Group, GroupId,
    MessageStatus,
};
use crate::ports::{ChatFilter, SessionChange, StoreError};

/// Chats (and messages) one removal call moves at most, so it answers well inside an API
/// Gateway request's 29 s.
pub const MOVES_PER_CALL: usize = 200;
/// Chats read per page while moving.
const PAGE: usize = 50;
/// Longest group name (as the command line allows).
const MAX_NAME_CHARS: usize = 80;

/// A group as administrators see it: with its members.
#[derive(Clone, Debug)]
pub struct AdminGroup {
    pub group: Group,
    /// Every agent in the group, deactivated ones too, by id.
    pub members: Vec<AgentId>,
}

/// How far a removal got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupRemoval {
    /// Chats and offline messages moved by this call.
    pub moved: usize,
    /// The group is gone (otherwise call again: more remain to be moved).
    pub removed: bool,
}

impl App {
    async fn admin_group_of(&self, group: Group) -> Result<AdminGroup, AppError> {
        let mut members: Vec<AgentId> = self
            .directory
            .list_agents()
            .await?
            .into_iter()
            .filter(|a| a.is_member_of(&group.id))
            .map(|a| a.id)
            .collect();
        members.sort();
        Ok(AdminGroup { group, members })
    }

    /// Every group with its members, by name.
    pub async fn admin_groups(&self, principal: &Principal) -> Result<Vec<AdminGroup>, AppError> {
        self.administrator(principal).await?;
        let agents = self.directory.list_agents().await?;
        Ok(self
            .directory
            .list_groups()
            .await?
            .into_iter()
            .map(|group| {
                let mut members: Vec<AgentId> = agents
                    .iter()
                    .filter(|a| a.is_member_of(&group.id))
                    .map(|a| a.id.clone())
                    .collect();
                members.sort();
                AdminGroup { group, members }
            })
            .collect())
    }

    /// Creates a group whose chats are pulled from its queue (its settings page changes that).
    pub async fn admin_create_group(
        &self,
        principal: &Principal,
        id: &str,
        name: &str,
    ) -> Result<AdminGroup, AppError> {
        let (_, actor) = self.administrator(principal).await?;
        let id = GroupId::parse(id.trim()).map_err(|_| {
            DomainError::invalid("id", "is not a group id (1-64 letters, digits, '-' or '_')")
        })?;
        let name = group_name(name)?;
        if self.find_group(&id).await.is_ok() {
            return Err(AppError::Conflict(format!(
                "a group with the id {id} exists already"
            )));
        }
        let group = Group::pull(id.clone(), name.clone());
        self.directory.put_group(&group).await?;
        self.audit(
            actor,
            AuditAction::GroupCreated,
            AuditTarget::Group(id),
            vec![change("name", None, Some(name))],
        )
        .await?;
        self.admin_group_of(group).await
    }

    /// Creates or changes a group as the operator's command line does (every setting given),
    /// logged as `actor`'s with the name and distribution before and after.
    pub async fn save_group_by(&self, actor: AuditActor, group: &Group) -> Result<(), AppError> {
        let before = self
            .directory
            .list_groups()
            .await?
            .into_iter()
            .find(|g| g.id == group.id);
        self.directory.put_group(group).await?;
        let field = |name: &str, b: Option<&str>, a: &str| {
            (b != Some(a)).then(|| change(name, b.map(str::to_owned), Some(a.to_owned())))
        };
        let changes: Vec<FieldChange> = [
            field(
                "name",
                before.as_ref().map(|g| g.name.as_str()),
                &group.name,
            ),
            field(
                "distribution",
                before.as_ref().map(|g| g.distribution.as_str()),
                group.distribution.as_str(),
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        let action = if before.is_none() {
            AuditAction::GroupCreated
        } else {
            AuditAction::GroupUpdated
        };
        if before.is_none() || !changes.is_empty() {
            self.audit(actor, action, AuditTarget::Group(group.id.clone()), changes)
                .await?;
        }
        Ok(())
    }

    /// Renames a group (its id, and so every link to it, stays).
    pub async fn admin_rename_group(
        &self,
        principal: &Principal,
        id: &GroupId,
        name: &str,
    ) -> Result<AdminGroup, AppError> {
        let (_, actor) = self.administrator(principal).await?;
        let name = group_name(name)?;
        let mut group = self.find_group(id).await?;
        if group.name != name {
            let before = std::mem::replace(&mut group.name, name.clone());
            self.directory.put_group(&group).await?;
            self.audit(
                actor,
                AuditAction::GroupUpdated,
                AuditTarget::Group(id.clone()),
                vec![change("name", Some(before), Some(name))],
            )
            .await?;
        }
        self.admin_group_of(group).await
    }

    /// Makes `members` the group's members: those added gain it, the others lose it (with what
    /// losing a group means: their sign-ins end, as when an agent's groups are edited). Each
    /// agent's change is logged as an agent change. Unknown agents are refused before anything
    /// changes.
    pub async fn admin_set_group_members(
        &self,
        principal: &Principal,
        id: &GroupId,
        members: Vec<AgentId>,
    ) -> Result<AdminGroup, AppError> {
        let (_, actor) = self.administrator(principal).await?;
        let group = self.find_group(id).await?;
        let agents = self.directory.list_agents().await?;
        if let Some(unknown) = members.iter().find(|m| !agents.iter().any(|a| &a.id == *m)) {
            return Err(AppError::NotFound(format!("agent {unknown} was not found")));
        }
        for agent in agents {
            let wanted = members.contains(&agent.id);
            if wanted == agent.is_member_of(id) {
                continue;
            }
            let mut groups = agent.groups.clone();
            if wanted {
                groups.push(id.clone());
            } else {
                groups.retain(|g| g != id);
            }
            let profile = super::AgentProfile {
                username: agent.username.clone(),
                display_name: agent.display_name.clone(),
                role: agent.role,
                groups,
                max_concurrent_chats: agent.max_concurrent_chats,
            };
            self.save_agent_by(actor.clone(), profile, None).await?;
        }
        self.admin_group_of(group).await
    }

    /// Removes a group. Without `move_to` only a group that never had a chat or message; with
    /// it, everything the group holds moves there first (chats keep their state, agent and
    /// transcript; offline messages their thread), its members lose it, then it is deleted.
    /// Up to `MOVES_PER_CALL` items per call: answered `removed: false` while more remain.
    pub async fn admin_remove_group(
        &self,
        principal: &Principal,
        id: &GroupId,
        move_to: Option<&GroupId>,
    ) -> Result<GroupRemoval, AppError> {
        let (admin, actor) = self.administrator(principal).await?;
        let target = match move_to {
            Some(t) if t == id => {
                return Err(DomainError::invalid("move_to", "must be another group").into())
            }
            Some(t) => Some(self.find_group(t).await.map_err(|_| {
                AppError::NotFound(format!("group {t} (to move the chats to) was not found"))
            })?),
            None => None,
        };
        let group = self
            .directory
            .list_groups()
            .await?
            .into_iter()
            .find(|g| &g.id == id);
        let Some(group) = group else {
            // Gone already: finish a sweep a crash or a late chat left behind.
            if let Some(target) = &target {
                let moved = self
                    .move_group_contents(&admin, id, target, MOVES_PER_CALL)
                    .await?;
                if moved > 0 {
                    return Ok(GroupRemoval {
                        moved,
                        removed: moved < MOVES_PER_CALL,
                    });
                }
            }
            return Err(AppError::NotFound(format!("group {id} was not found")));
        };
        let Some(target) = target else {
            if self.group_holds_anything(id).await? {
                return Err(AppError::Conflict(format!(
                    "group {id} has chats, messages or canned replies; choose a group to move them to"
                )));
            }
            self.finish_group_removal(&actor, &group, None).await?;
            return Ok(GroupRemoval {
                moved: 0,
                removed: true,
            });
        };
        let moved = self
            .move_group_contents(&admin, id, &target, MOVES_PER_CALL)
            .await?;
        if moved >= MOVES_PER_CALL {
            return Ok(GroupRemoval {
                moved,
                removed: false,
            });
        }
        self.finish_group_removal(&actor, &group, Some(&target))
            .await?;
        // Whatever arrived between the last page and the deletion.
        let late = self
            .move_group_contents(&admin, id, &target, MOVES_PER_CALL - moved)
            .await?;
        Ok(GroupRemoval {
            moved: moved + late,
            removed: true,
        })
    }

    /// Removes a group as the operator's command line does, logged as `actor`'s: only a group
    /// that holds nothing (no chat, offline message or canned reply); its members lose it. A
    /// group that holds something is removed by an administrator in the console, who chooses
    /// the group its chats move to (`admin_remove_group`): moved chats name who moved them.
    pub async fn remove_group_by(&self, actor: AuditActor, id: &GroupId) -> Result<(), AppError> {
        let group = self.find_group(id).await?;
        if self.group_holds_anything(id).await? {
            return Err(AppError::Conflict(format!(
                "group {id} has chats, messages or canned replies; an administrator removes it in the console (Administration, Groups), choosing the group they move to"
            )));
        }
        self.finish_group_removal(&actor, &group, None).await
    }

    async fn group_holds_anything(&self, id: &GroupId) -> Result<bool, AppError> {
        for filter in group_lists(id) {
            if !self.chats.list_positions(&filter, 1).await?.is_empty() {
                return Ok(true);
            }
        }
        for status in MessageStatus::ALL {
            if !self
                .inbox
                .list_messages(id, status, None, 1)
                .await?
                .is_empty()
            {
                return Ok(true);
            }
        }
        let replies = self
            .canned
            .list_replies(&ReplyScope::Group(id.clone()), "")
            .await?;
        Ok(!replies.is_empty())
    }

    /// Members lose the group, the record is deleted, and the removal is logged.
    async fn finish_group_removal(
        &self,
        actor: &AuditActor,
        group: &Group,
        target: Option<&Group>,
    ) -> Result<(), AppError> {
        for agent in self.directory.list_agents().await? {
            if !agent.is_member_of(&group.id) {
                continue;
            }
            let before = agent.clone();
            let mut after = agent;
            after.groups.retain(|g| g != &group.id);
            // No sign-in ends: what the group gave is gone for everyone with it. Their consoles
            // reconnect to draw their groups again.
            self.directory.put_agent(&after).await?;
            self.notifier
                .agent_sessions_changed(&after.id, SessionChange::AccessGranted)
                .await;
            self.audit(
                actor.clone(),
                AuditAction::AgentUpdated,
                AuditTarget::Agent(after.id.clone()),
                crate::domain::audit::agent_changes(Some(&before), Some(&after)),
            )
            .await?;
        }
        self.directory.delete_group(&group.id).await?;
        let mut changes = vec![change("name", Some(group.name.clone()), None)];
        if let Some(t) = target {
            changes.push(change("chats_moved_to", None, Some(t.id.to_string())));
        }
        self.audit(
            actor.clone(),
            AuditAction::GroupRemoved,
            AuditTarget::Group(group.id.clone()),
            changes,
        )
        .await
    }

    /// Moves up to `budget` of the group's chats and offline messages to `target`; answers how
    /// many moved.
    async fn move_group_contents(
        &self,
        admin: &Agent,
        id: &GroupId,
        target: &Group,
        budget: usize,
    ) -> Result<usize, AppError> {
        let mut moved = 0;
        for filter in group_lists(id) {
            while moved < budget {
                let page = self
                    .chats
                    .list_chats(&filter, PAGE.min(budget - moved))
                    .await?;
                let mut moved_now = 0;
                for chat in &page {
                    let rule = |c: &crate::domain::Chat, _| {
                        // Another removal (or a transfer) took it elsewhere meanwhile: not ours.
                        if &c.group_id != id {
                            return Err(DomainError::InvalidState("moved already".into()));
                        }
                        move_to_group(c, admin, target)
                    };
                    match self.mutate_chat(&chat.id, rule).await {
                        Ok(_) => moved_now += 1,
                        Err(AppError::Domain(DomainError::InvalidState(_)))
                        | Err(AppError::NotFound(_)) => {}
                        Err(e) => return Err(e),
                    }
                }
                moved += moved_now;
                // An empty page, or one whose chats all moved on by themselves (an index that
                // lags behind them): this list is done.
                if page.is_empty() || moved_now == 0 {
                    break;
                }
            }
        }
        for status in MessageStatus::ALL {
            while moved < budget {
                let page = self
                    .inbox
                    .list_messages(id, status, None, PAGE.min(budget - moved))
                    .await?;
                let mut moved_now = 0;
                for message in page.iter() {
                    if self.move_message(&message.id, id, &target.id).await? {
                        moved_now += 1;
                    }
                }
                moved += moved_now;
                if page.is_empty() || moved_now == 0 {
                    break;
                }
            }
        }
        if moved < budget {
            moved += self.move_canned_replies(id, &target.id).await?;
        }
        Ok(moved)
    }

    /// The group's canned replies to `to`'s. A shortcut `to` already has gets the removed
    /// group's id appended (`/greet` becomes `/greet-returns`), so both stay usable.
    async fn move_canned_replies(&self, from: &GroupId, to: &GroupId) -> Result<usize, AppError> {
        let mut moved = 0;
        for reply in self
            .canned
            .list_replies(&ReplyScope::Group(from.clone()), "")
            .await?
        {
            let read = reply.revision;
            let mut next = reply.clone();
            next.scope = ReplyScope::Group(to.clone());
            next.revision += 1;
            let saved = match self.canned.save_reply(&next, read).await {
                Err(StoreError::AlreadyExists(_)) => {
                    let renamed = format!("{}-{from}", reply.shortcut.as_str());
                    let renamed: String = renamed.chars().take(MAX_SHORTCUT_CHARS).collect();
                    next.shortcut = Shortcut::parse(&renamed)?;
                    self.canned.save_reply(&next, read).await
                }
                other => other,
            };
            match saved {
                Ok(()) => moved += 1,
                // Changed or deleted meanwhile, or both shortcuts taken: it stays behind (the
                // next call tries again; the log says which).
                Err(e) => {
                    tracing::warn!(reply = %reply.id, error = %crate::errors::error_chain(&e), "a canned reply of a removed group was not moved");
                }
            }
        }
        Ok(moved)
    }

    /// One offline message to `to`, over the revision read (re-read on a lost race).
    async fn move_message(
        &self,
        id: &crate::domain::OfflineMessageId,
        from: &GroupId,
        to: &GroupId,
    ) -> Result<bool, AppError> {
        for _ in 0..super::inbox::SAVE_ATTEMPTS {
            let Some(mut message) = self.inbox.get_message(id).await? else {
                return Ok(false);
            };
            if &message.group_id != from {
                return Ok(false);
            }
            let read = message.revision;
            message.group_id = to.clone();
            message.revision += 1;
            match self.inbox.save_message(&message, read).await {
                Ok(()) => {
                    self.notifier
                        .inbox_changed(&message, crate::domain::inbox::InboxChange::Moved)
                        .await;
                    return Ok(true);
                }
                Err(StoreError::Stale) => continue,
                Err(StoreError::NotFound(_)) => return Ok(false),
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Conflict(format!(
            "message {id} is being changed by others right now; try again"
        )))
    }
}

/// Every list a group's chats are in: queued and active, ended, deleted.
fn group_lists(id: &GroupId) -> [ChatFilter; 3] {
    [
        ChatFilter::GroupLive(id.clone()),
        ChatFilter::GroupEnded(id.clone()),
        ChatFilter::GroupDeleted(id.clone()),
    ]
}

fn group_name(name: &str) -> Result<String, AppError> {
    let name = crate::domain::limits::single_line("name", name, MAX_NAME_CHARS)?;
    if name.trim().is_empty() {
        return Err(DomainError::invalid("name", "must not be empty").into());
    }
    Ok(name)
}

fn change(field: &str, before: Option<String>, after: Option<String>) -> FieldChange {
    FieldChange {
        field: field.to_owned(),
        before,
        after,
    }
}
