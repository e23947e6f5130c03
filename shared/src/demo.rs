//! The demo organisation a fresh local server starts with: groups, an agent of each role, and a
//! chat or two waiting, so a new user can sign in and see the product work at once.

use crate::auth::password::hash_password;
use crate::domain::{Agent, AgentId, Group, GroupId, Role};
use crate::ports::{DirectoryStore, StoreError};

/// Every demo agent's password. The local server warns when it listens beyond loopback with
/// demo data.
pub const DEMO_PASSWORD: &str = "chatdesk-demo";

pub struct DemoAgent {
    pub username: &'static str,
    pub display_name: &'static str,
    pub role: Role,
    pub groups: &'static [&'static str],
}

pub const DEMO_GROUPS: &[(&str, &str)] = &[
    ("sales", "Sales"),
    ("support", "Support"),
    ("billing", "Billing"),
];

pub const DEMO_AGENTS: &[DemoAgent] = &[
    DemoAgent {
        username: "admin",
        display_name: "Ada (Admin)",
        role: Role::Administrator,
        groups: &["sales", "support", "billing"],
    },
    DemoAgent {
        username: "manager",
        display_name: "Morgan",
        role: Role::Manager,
        groups: &["support", "billing"],
    },
    DemoAgent {
        username: "alice",
        display_name: "Alice",
        role: Role::Agent,
        groups: &["support"],
    },
    DemoAgent {
        username: "bob",
        display_name: "Bob",
        role: Role::Agent,
        groups: &["sales"],
    },
    DemoAgent {
        username: "carol",
        display_name: "Carol",
        role: Role::Agent,
        groups: &["billing", "support"],
    },
];

fn parse_id<T>(
    parse: fn(&str) -> Result<T, crate::domain::DomainError>,
    s: &str,
) -> Result<T, StoreError> {
    parse(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Creates the demo groups and agents. Returns false (and does nothing) when the directory
/// already has groups: demo data never overwrites real data.
pub async fn seed_demo_directory(directory: &dyn DirectoryStore) -> Result<bool, StoreError> {
    if !directory.list_groups().await?.is_empty() {
        return Ok(false);
    }
    for (id, name) in DEMO_GROUPS {
        directory
            .put_group(&Group::pull(parse_id(GroupId::parse, id)?, *name))
            .await?;
    }
    let hash = hash_password(DEMO_PASSWORD).map_err(StoreError::Corrupt)?;
    for a in DEMO_AGENTS {
        let id = parse_id(AgentId::parse, a.username)?;
        let groups = a
            .groups
            .iter()
            .map(|g| parse_id(GroupId::parse, g))
            .collect::<Result<Vec<_>, _>>()?;
        directory
            .put_agent(&Agent {
                id: id.clone(),
                username: a.username.into(),
                display_name: a.display_name.into(),
                role: a.role,
                groups,
                available: true,
                max_concurrent_chats: 5,
                session_epoch: crate::app::new_session_epoch(),
                deactivated_at: None,
            })
            .await?;
        directory.set_password_hash(&id, &hash).await?;
    }
    Ok(true)
}
