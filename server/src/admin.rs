//! Operator commands: create groups and agents (the first administrator of a new deployment),
//! against the local data directory or, with `--store dynamodb`, the deployment's table.

use std::sync::Arc;

use clap::{Args, Subcommand, ValueEnum};

use chatdesk::auth::password::hash_password;
use chatdesk::domain::{Agent, AgentId, Distribution, DomainError, Group, GroupId, Role};
use chatdesk::ports::DirectoryStore;

use crate::{Config, ServerError};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum StoreKind {
    /// The local server's data directory (`CHATDESK_DATA_DIR`).
    Sqlite,
    /// The DynamoDB table named by `CHATDESK_TABLE` (AWS credentials from the environment).
    Dynamodb,
}

#[derive(Args, Debug)]
pub struct StoreArg {
    #[arg(long, value_enum, default_value_t = StoreKind::Sqlite)]
    pub store: StoreKind,
}

#[derive(Subcommand, Debug)]
pub enum GroupCommand {
    /// Create a group, or change its name or distribution.
    Add {
        /// Id: letters, digits, '-' and '_' (e.g. `support`).
        id: String,
        /// Display name (e.g. `Customer Support`).
        name: String,
        /// How chats reach agents: `pull` (they wait in the queue until an agent pulls one) or
        /// `automatic` (each goes to the available member with the fewest chats and room for it).
        #[arg(long, default_value = "pull", value_parser = ["pull", "automatic"])]
        distribution: String,
        #[command(flatten)]
        store: StoreArg,
    },
    /// List groups.
    List {
        #[command(flatten)]
        store: StoreArg,
    },
}

#[derive(Subcommand, Debug)]
pub enum AgentCommand {
    /// Create or update an agent. The password is read from the environment variable named by
    /// `--password-env` (default `CHATDESK_AGENT_PASSWORD`), never from the command line.
    Add {
        /// Sign-in name; also the agent's id (in the cloud: their Cognito username).
        username: String,
        /// The name customers see.
        #[arg(long)]
        name: String,
        #[arg(long, value_enum, default_value_t = RoleArg::Agent)]
        role: RoleArg,
        /// Comma-separated group ids.
        #[arg(long, value_delimiter = ',')]
        groups: Vec<String>,
        #[arg(long, default_value_t = 5)]
        max_chats: u32,
        #[arg(long, default_value = "CHATDESK_AGENT_PASSWORD")]
        password_env: String,
        #[command(flatten)]
        store: StoreArg,
    },
    /// List agents.
    List {
        #[command(flatten)]
        store: StoreArg,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum RoleArg {
    Agent,
    Manager,
    Administrator,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Agent => Role::Agent,
            RoleArg::Manager => Role::Manager,
            RoleArg::Administrator => Role::Administrator,
        }
    }
}

fn invalid(e: DomainError) -> ServerError {
    ServerError::Config(e.to_string())
}

pub async fn stores(kind: StoreKind) -> Result<crate::Stores, ServerError> {
    match kind {
        StoreKind::Sqlite => {
            let config = Config::from_env()?;
            Ok(crate::Stores::all_in(
                chatdesk::sqlite::SqliteStore::open_dir(&config.data_dir)?,
            ))
        }
        StoreKind::Dynamodb => {
            let store = Arc::new(chatdesk::dynamodb::DynamoStore::from_env().await?);
            Ok(crate::Stores {
                directory: store.clone(),
                chats: store.clone(),
                preferences: store.clone(),
                connections: store.clone(),
                throttle: store.clone(),
                knowledge: store,
            })
        }
    }
}

pub async fn directory(kind: StoreKind) -> Result<Arc<dyn DirectoryStore>, ServerError> {
    Ok(stores(kind).await?.directory)
}

pub async fn group(cmd: GroupCommand) -> Result<(), ServerError> {
    match cmd {
        GroupCommand::Add {
            id,
            name,
            distribution,
            store,
        } => {
            let dir = directory(store.store).await?;
            let group = Group {
                id: GroupId::parse(&id).map_err(invalid)?,
                name: chatdesk::domain::limits::single_line("name", &name, 80).map_err(invalid)?,
                distribution: Distribution::parse(&distribution).ok_or_else(|| {
                    ServerError::Config(format!("unknown distribution {distribution:?}"))
                })?,
            };
            dir.put_group(&group).await?;
            println!(
                "group {} ({}) saved, distribution {}",
                group.id,
                group.name,
                group.distribution.as_str()
            );
        }
        GroupCommand::List { store } => {
            for g in directory(store.store).await?.list_groups().await? {
                println!("{}\t{}\t{}", g.id, g.name, g.distribution.as_str());
            }
        }
    }
    Ok(())
}

pub async fn agent(cmd: AgentCommand) -> Result<(), ServerError> {
    match cmd {
        AgentCommand::Add {
            username,
            name,
            role,
            groups,
            max_chats,
            password_env,
            store,
        } => {
            let dir = directory(store.store).await?;
            let known = dir.list_groups().await?;
            let mut group_ids = Vec::new();
            for g in &groups {
                let id = GroupId::parse(g.trim()).map_err(invalid)?;
                if !known.iter().any(|k| k.id == id) {
                    return Err(ServerError::Config(format!(
                        "there is no group {id}; create it first with `chatdesk group add`"
                    )));
                }
                group_ids.push(id);
            }
            let id = AgentId::parse(&username).map_err(invalid)?;
            let agent = Agent {
                id: id.clone(),
                username: username.clone(),
                display_name: chatdesk::domain::limits::single_line("name", &name, 80)
                    .map_err(invalid)?,
                role: role.into(),
                groups: group_ids,
                available: true,
                max_concurrent_chats: max_chats.clamp(1, 100),
            };
            dir.put_agent(&agent).await?;
            match std::env::var(&password_env).ok().filter(|p| !p.is_empty()) {
                Some(password) if password.chars().count() >= 12 => {
                    let hash = hash_password(&password).map_err(ServerError::Config)?;
                    dir.set_password_hash(&id, &hash).await?;
                    println!("agent {username} saved with a password");
                }
                Some(_) => {
                    return Err(ServerError::Config(
                        "the password must be at least 12 characters".into(),
                    ))
                }
                None => println!(
                    "agent {username} saved without a password (set {password_env} to give one; in the cloud agents sign in through Cognito)"
                ),
            }
        }
        AgentCommand::List { store } => {
            for a in directory(store.store).await?.list_agents().await? {
                let groups: Vec<&str> = a.groups.iter().map(|g| g.as_str()).collect();
                println!(
                    "{}\t{}\t{}\t{}",
                    a.username,
                    a.display_name,
                    a.role.as_str(),
                    groups.join(",")
                );
            }
        }
    }
    Ok(())
}

#[derive(Subcommand, Debug)]
pub enum KbCommand {
    /// Import articles from a folder of Markdown files (with front matter) or a JSON file.
    /// Articles are identified by file name (or JSON `id`): importing again updates them.
    Import {
        /// A folder of `.md` files, or a `.json` file with a list of articles.
        path: std::path::PathBuf,
        #[command(flatten)]
        store: StoreArg,
    },
}

/// Imports a knowledge base with a progress bar and prints what was imported, skipped and why.
pub async fn kb(
    cmd: KbCommand,
    knowledge: chatdesk::app::Knowledge,
    app: &chatdesk::app::App,
) -> Result<(), ServerError> {
    match cmd {
        KbCommand::Import { path, .. } => {
            let batch =
                chatdesk::domain::kb_import::read_path(&path).map_err(ServerError::Config)?;
            let total = batch.items.len() as u64;
            let bar = indicatif::ProgressBar::new(total);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} articles  {wide_msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let summary = knowledge
                .import(app, batch, |source| {
                    bar.set_message(source.to_owned());
                    bar.inc(1);
                })
                .await
                .map_err(|e| ServerError::Config(e.to_string()))?;
            bar.finish_and_clear();
            println!(
                "imported {} articles ({} new, {} updated); skipped {}",
                summary.created + summary.updated,
                summary.created,
                summary.updated,
                summary.skipped.len()
            );
            for s in &summary.skipped {
                println!("  skipped {}: {}", s.source, s.reason);
            }
            Ok(())
        }
    }
}
