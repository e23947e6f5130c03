//! The audit log: who changed what in the administration (agents, groups, passwords) and every
//! delete, restore and purge of a chat, when, and what the change was field by field. Entries are
//! only ever added: no use case changes or removes one, and the stores refuse to.

use super::agent::{Agent, Role};
use super::ids::{AgentId, ChatId, GroupId};
use super::time::Timestamp;

/// Who did it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditActor {
    /// An agent, by the administration API or the console; their name as it was then.
    Agent { id: AgentId, name: String },
    /// The operator, with the `chatdesk` command line on the server (or with AWS credentials).
    Operator,
}

/// What was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuditAction {
    AgentCreated,
    AgentUpdated,
    AgentDeactivated,
    AgentReactivated,
    AgentDeleted,
    PasswordReset,
    GroupCreated,
    GroupUpdated,
    GroupRemoved,
    SettingsUpdated,
    ChatDeleted,
    ChatRestored,
    ChatPurged,
}

impl AuditAction {
    pub const ALL: [AuditAction; 13] = [
        AuditAction::AgentCreated,
        AuditAction::AgentUpdated,
        AuditAction::AgentDeactivated,
        AuditAction::AgentReactivated,
        AuditAction::AgentDeleted,
        AuditAction::PasswordReset,
        AuditAction::GroupCreated,
        AuditAction::GroupUpdated,
        AuditAction::GroupRemoved,
        AuditAction::SettingsUpdated,
        AuditAction::ChatDeleted,
        AuditAction::ChatRestored,
        AuditAction::ChatPurged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::AgentCreated => "agent_created",
            AuditAction::AgentUpdated => "agent_updated",
            AuditAction::AgentDeactivated => "agent_deactivated",
            AuditAction::AgentReactivated => "agent_reactivated",
            AuditAction::AgentDeleted => "agent_deleted",
            AuditAction::PasswordReset => "password_reset",
            AuditAction::GroupCreated => "group_created",
            AuditAction::GroupUpdated => "group_updated",
            AuditAction::GroupRemoved => "group_removed",
            AuditAction::SettingsUpdated => "settings_updated",
            AuditAction::ChatDeleted => "chat_deleted",
            AuditAction::ChatRestored => "chat_restored",
            AuditAction::ChatPurged => "chat_purged",
        }
    }

    pub fn parse(s: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// What it was done to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditTarget {
    Agent(AgentId),
    Group(GroupId),
    Chat(ChatId),
    /// The organisation's settings.
    Organisation,
}

/// One field as it was before and after (`None`: it did not exist then).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// One entry of the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    /// Orders the log: the time in milliseconds (13 digits), then a sequence within the
    /// millisecond and a random part, so entries of the same millisecond keep their order and
    /// apart, and a page continues "before" an id.
    pub id: String,
    pub at: Timestamp,
    pub actor: AuditActor,
    pub action: AuditAction,
    pub target: AuditTarget,
    pub changes: Vec<FieldChange>,
}

impl AuditEntry {
    pub fn new(
        at: Timestamp,
        actor: AuditActor,
        action: AuditAction,
        target: AuditTarget,
        changes: Vec<FieldChange>,
    ) -> AuditEntry {
        AuditEntry {
            id: entry_id(at),
            at,
            actor,
            action,
            target,
            changes,
        }
    }
}

/// The id of an entry made at `at`: the time, then a number that grows within the millisecond in
/// this process (entries of one action made in the same millisecond keep their order), then a
/// random part that keeps entries of different processes apart.
fn entry_id(at: Timestamp) -> String {
    use std::sync::Mutex;
    static LAST: Mutex<(i64, u32)> = Mutex::new((0, 0));
    let ms = at.0.max(0);
    let seq = match LAST.lock() {
        Ok(mut last) => {
            *last = if last.0 == ms {
                (ms, last.1.saturating_add(1))
            } else {
                (ms, 0)
            };
            last.1
        }
        Err(_) => 0,
    };
    format!("{ms:013}-{seq:04x}{:08x}", rand::random::<u32>())
}

fn role_name(r: Role) -> &'static str {
    match r {
        Role::Agent => "agent",
        Role::Manager => "manager",
        Role::Administrator => "administrator",
    }
}

/// The administrable fields of an agent, by name (never the password or the session).
fn agent_fields(a: &Agent) -> Vec<(&'static str, String)> {
    let mut groups: Vec<String> = a.groups.iter().map(|g| g.to_string()).collect();
    groups.sort();
    vec![
        ("username", a.username.clone()),
        ("display_name", a.display_name.clone()),
        ("role", role_name(a.role).to_owned()),
        ("groups", groups.join(",")),
        ("max_concurrent_chats", a.max_concurrent_chats.to_string()),
        ("active", a.is_active().to_string()),
    ]
}

/// The fields that differ between two versions of an agent (`None`: absent on that side).
pub fn agent_changes(before: Option<&Agent>, after: Option<&Agent>) -> Vec<FieldChange> {
    let b = before.map(agent_fields).unwrap_or_default();
    let a = after.map(agent_fields).unwrap_or_default();
    let names: Vec<&'static str> = if a.is_empty() {
        b.iter().map(|(n, _)| *n).collect()
    } else {
        a.iter().map(|(n, _)| *n).collect()
    };
    names
        .into_iter()
        .filter_map(|name| {
            let find = |fields: &[(&'static str, String)]| {
                fields
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.clone())
            };
            let (before, after) = (find(&b), find(&a));
            (before != after).then(|| FieldChange {
                field: name.to_owned(),
                before,
                after,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ann() -> Agent {
        Agent {
            id: AgentId::parse("ann").unwrap(),
            username: "ann".into(),
            display_name: "Ann".into(),
            role: Role::Agent,
            groups: vec![GroupId::parse("support").unwrap()],
            available: true,
            max_concurrent_chats: 5,
            session_epoch: 1,
            deactivated_at: None,
        }
    }

    #[test]
    fn a_change_lists_only_the_fields_that_differ() {
        let before = ann();
        let mut after = ann();
        after.role = Role::Manager;
        after.groups.push(GroupId::parse("billing").unwrap());
        after.session_epoch = 7;
        let changes = agent_changes(Some(&before), Some(&after));
        assert_eq!(
            changes,
            vec![
                FieldChange {
                    field: "role".into(),
                    before: Some("agent".into()),
                    after: Some("manager".into()),
                },
                FieldChange {
                    field: "groups".into(),
                    before: Some("support".into()),
                    after: Some("billing,support".into()),
                },
            ]
        );
    }

    #[test]
    fn creation_and_deletion_list_every_field_on_one_side() {
        let created = agent_changes(None, Some(&ann()));
        assert_eq!(created.len(), 6);
        assert!(created
            .iter()
            .all(|c| c.before.is_none() && c.after.is_some()));
        let deleted = agent_changes(Some(&ann()), None);
        assert_eq!(deleted.len(), 6);
        assert!(deleted
            .iter()
            .all(|c| c.before.is_some() && c.after.is_none()));
    }

    #[test]
    fn ids_order_by_time_and_every_action_reads_back() {
        let a = AuditEntry::new(
            Timestamp(999),
            AuditActor::Operator,
            AuditAction::AgentCreated,
            AuditTarget::Agent(AgentId::parse("ann").unwrap()),
            vec![],
        );
        let b = AuditEntry::new(
            Timestamp(1_000),
            AuditActor::Operator,
            AuditAction::AgentCreated,
            AuditTarget::Agent(AgentId::parse("ann").unwrap()),
            vec![],
        );
        assert!(a.id < b.id, "{} {}", a.id, b.id);
        // Entries of one millisecond keep the order they were made in.
        let ids: Vec<String> = (0..50)
            .map(|_| {
                AuditEntry::new(
                    Timestamp(5_000),
                    AuditActor::Operator,
                    AuditAction::ChatDeleted,
                    AuditTarget::Agent(AgentId::parse("ann").unwrap()),
                    vec![],
                )
                .id
            })
            .collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
        }
    }
}
