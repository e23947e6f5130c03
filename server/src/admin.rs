//! Operator commands: create groups and agents (the first administrator of a new deployment),
//! against the local data directory or, with `--store dynamodb`, the deployment's table.

use std::sync::Arc;

use clap::{Args, Subcommand, ValueEnum};

use chatdesk::app::{AgentProfile, AppError};
use chatdesk::domain::{
    AgentId, AuditActor, Distribution, DomainError, Group, GroupId, HandOffSettings, Role,
};
use chatdesk::ports::{ConnectionId, ConnectionPoster, DirectoryStore, PostError};

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
    /// Create a group, or change its name, distribution or hand-off timers.
    Add {
        /// Id: letters, digits, '-' and '_' (e.g. `support`).
        id: String,
        /// Display name (e.g. `Customer Support`).
        name: String,
        /// How chats reach agents: `pull` (they wait in the queue until an agent pulls one),
        /// `automatic` (each goes to the available member with the fewest chats and room for it)
        /// or `round_robin` (members with room take turns in a fixed order). Unset: the group's
        /// current method, or `pull` for a new group.
        #[arg(long, value_parser = ["pull", "automatic", "round_robin"])]
        distribution: Option<String>,
        /// Hand-off timers in seconds (0 turns one off); unset ones keep the group's current
        /// value, or the default for a new group.
        #[command(flatten)]
        timers: HandOffArgs,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Remove a group that holds nothing (no chat, offline message or canned reply); its
    /// members lose it and their open consoles draw their groups again. A group with chats is
    /// removed in the console (Administration, Groups), which moves them to another group.
    Remove {
        id: String,
        #[command(flatten)]
        store: StoreArg,
    },
    /// List groups.
    List {
        #[command(flatten)]
        store: StoreArg,
    },
}

/// A group's hand-off settings on the command line (`docs/domain.md`, Hand-off timers).
#[derive(Args, Debug)]
pub struct HandOffArgs {
    /// Seconds an assigned agent has to write their first message.
    #[arg(long)]
    no_first_response_secs: Option<u32>,
    /// Seconds an agent has to answer a waiting customer.
    #[arg(long)]
    no_follow_up_secs: Option<u32>,
    /// Seconds an agent's chats wait for their closed console to come back.
    #[arg(long)]
    agent_disconnected_secs: Option<u32>,
    /// Hand-offs of one chat before it waits in the queue for a person.
    #[arg(long)]
    max_hand_offs: Option<u32>,
}

impl HandOffArgs {
    fn apply(&self, to: HandOffSettings) -> HandOffSettings {
        HandOffSettings {
            no_first_response_secs: self
                .no_first_response_secs
                .unwrap_or(to.no_first_response_secs),
            no_follow_up_secs: self.no_follow_up_secs.unwrap_or(to.no_follow_up_secs),
            agent_disconnected_secs: self
                .agent_disconnected_secs
                .unwrap_or(to.agent_disconnected_secs),
            max_hand_offs: self.max_hand_offs.unwrap_or(to.max_hand_offs),
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum AgentCommand {
    /// Create or update an agent. The password is read from the environment variable named by
    /// `--password-env` (default `CHATDESK_AGENT_PASSWORD`), never from the command line.
    /// Setting a password for an existing agent, or taking a role or group away, revokes their
    /// earlier sign-ins and closes their open consoles.
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
    /// Remove an agent: their sign-ins stop working and their open consoles close at once.
    /// Refused while they have active chats.
    Remove {
        username: String,
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
            Ok(crate::Stores::all_in(crate::data_dir::open_store(
                &config.data_dir,
            )?))
        }
        StoreKind::Dynamodb => Ok(crate::Stores::all_in(
            chatdesk::dynamodb::DynamoStore::from_env().await?,
        )),
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
            timers,
            store,
        } => {
            let app = operator_app(store.store).await?;
            let id = GroupId::parse(&id).map_err(invalid)?;
            let current = app
                .directory
                .list_groups()
                .await?
                .into_iter()
                .find(|g| g.id == id);
            let distribution = match distribution {
                Some(d) => Distribution::parse(&d)
                    .ok_or_else(|| ServerError::Config(format!("unknown distribution {d:?}")))?,
                None => current.as_ref().map(|g| g.distribution).unwrap_or_default(),
            };
            // What this command does not set (business hours, offline behaviour, texts) is kept.
            let kept = current.unwrap_or_else(|| Group::pull(id.clone(), name.clone()));
            let group = Group {
                id,
                name: chatdesk::domain::limits::single_line("name", &name, 80).map_err(invalid)?,
                distribution,
                hand_off: timers.apply(kept.hand_off).validated().map_err(invalid)?,
                business_hours: kept.business_hours,
                offline: kept.offline,
                texts: kept.texts,
            };
            app.save_group_by(AuditActor::Operator, &group)
                .await
                .map_err(refused)?;
            let h = &group.hand_off;
            println!(
                "group {} ({}) saved, distribution {}, hand-off timers: first response {} s, \
                 follow-up {} s, disconnected {} s, at most {} hand-offs",
                group.id,
                group.name,
                group.distribution.as_str(),
                h.no_first_response_secs,
                h.no_follow_up_secs,
                h.agent_disconnected_secs,
                h.max_hand_offs
            );
        }
        GroupCommand::Remove { id, store } => {
            let app = operator_app(store.store).await?;
            let group = GroupId::parse(&id).map_err(invalid)?;
            app.remove_group_by(AuditActor::Operator, &group)
                .await
                .map_err(refused)?;
            println!("group {id} removed; its members no longer have it");
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
            let app = operator_app(store.store).await?;
            let mut group_ids = Vec::new();
            for g in &groups {
                group_ids.push(GroupId::parse(g.trim()).map_err(invalid)?);
            }
            let password = std::env::var(&password_env).ok().filter(|p| !p.is_empty());
            let saved = app
                .save_agent_by(
                    AuditActor::Operator,
                    AgentProfile {
                        username: username.clone(),
                        display_name: name,
                        role: role.into(),
                        groups: group_ids,
                        max_concurrent_chats: max_chats,
                    },
                    password.as_deref(),
                )
                .await
                .map_err(refused)?;
            let what = if saved.created { "created" } else { "saved" };
            match password {
                Some(_) => println!("agent {username} {what} with a password"),
                None => println!(
                    "agent {username} {what} without a password (set {password_env} to give one; in the cloud agents sign in through Cognito)"
                ),
            }
            if saved.sessions_revoked {
                println!("their earlier sign-ins are revoked and their open consoles closed");
            }
        }
        AgentCommand::Remove { username, store } => {
            let app = operator_app(store.store).await?;
            let id = AgentId::parse(&username).map_err(invalid)?;
            app.remove_agent_by(AuditActor::Operator, &id)
                .await
                .map_err(refused)?;
            println!("agent {username} removed; their sign-ins are revoked and their open consoles closed");
        }
        AgentCommand::List { store } => {
            for a in directory(store.store).await?.list_agents().await? {
                let groups: Vec<&str> = a.groups.iter().map(|g| g.as_str()).collect();
                println!(
                    "{}\t{}\t{}\t{}{}",
                    a.username,
                    a.display_name,
                    a.role.as_str(),
                    groups.join(","),
                    if a.is_active() { "" } else { "\tdeactivated" }
                );
            }
        }
    }
    Ok(())
}

/// A refusal of the use case, as the operator should read it.
fn refused(e: AppError) -> ServerError {
    match e {
        AppError::Internal(inner) => ServerError::Store(inner),
        other => ServerError::Config(other.public_message()),
    }
}

/// The use cases for an operator command on `kind`'s stores, with a fan-out that can close the
/// connections of a revoked agent: through the running local server's gateway, or API Gateway's
/// management endpoint (`CHATDESK_WS_ENDPOINT`) for the cloud table. Without either, the revoked
/// connections are still forgotten in the store (they receive nothing more, and every frame they
/// send is refused); only telling and closing them is left out.
pub async fn operator_app(kind: StoreKind) -> Result<chatdesk::app::App, ServerError> {
    let config = Config::from_env()?;
    let stores = match kind {
        StoreKind::Sqlite => crate::Stores::all_in(crate::data_dir::open_store(&config.data_dir)?),
        StoreKind::Dynamodb => stores(kind).await?,
    };
    operator_app_over(&config, kind, &stores).await
}

/// `operator_app` over stores already open: the data directory's (SQLite) or the table's.
pub async fn operator_app_over(
    config: &Config,
    kind: StoreKind,
    stores: &crate::Stores,
) -> Result<chatdesk::app::App, ServerError> {
    let endpoint = match kind {
        StoreKind::Sqlite => crate::read_gateway_endpoint(&config.data_dir),
        StoreKind::Dynamodb => std::env::var("CHATDESK_WS_ENDPOINT")
            .ok()
            .filter(|e| !e.is_empty()),
    };
    let poster: Arc<dyn ConnectionPoster> = match endpoint {
        Some(url) => Arc::new(chatdesk::aws::ApiGatewayPoster::for_endpoint(&url).await),
        None => Arc::new(NoGateway),
    };
    crate::offline_app_with(config, stores, None, poster)
}

/// No running gateway to reach: posts and closes fail (and are logged by the fan-out).
struct NoGateway;

#[async_trait::async_trait]
impl ConnectionPoster for NoGateway {
    async fn post(&self, _: &ConnectionId, _: bytes::Bytes) -> Result<(), PostError> {
        Err(PostError::Failed("no running gateway to reach".into()))
    }

    async fn close(&self, _: &ConnectionId) -> Result<(), PostError> {
        Err(PostError::Failed("no running gateway to reach".into()))
    }
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
