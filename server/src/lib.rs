//! The local server: the product on one machine. The same use cases and HTTP glue as the Lambda
//! functions, over the embedded SQLite store, behind one public listener that also serves the
//! console and the customer chat page, and a second one on loopback for the `@connections`
//! management API.

pub mod admin;
pub mod chat_start_limit;
mod config;
pub mod data_dir;
mod endpoint_file;
mod file_routes;
pub mod gateway;
mod http_api;
mod mail_delivery;
mod management;
pub mod manifest;
mod secrets;
mod serve;
mod statics;
pub mod telemetry;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use thiserror::Error;
use tokio::net::TcpListener;

use chatdesk::app::{compose, App, Parts};
use chatdesk::auth::TokenService;
use chatdesk::ports::{Clock, ConnectionPoster, SystemClock};
use chatdesk::realtime::Fanout;

pub use config::{Config, FanoutVia, ServerClock, SmtpConfig};
pub use endpoint_file::read_gateway_endpoint;

/// The local server's allocator, which its binary (and a benchmark embedding the server) sets
/// as the global one: every message allocates its frames, rows and futures on the async threads
/// while the commit writer allocates pages on its own, and glibc's malloc spent a quarter of the
/// server's CPU in the realtime benchmark (most of it consolidating free chunks and in contended
/// arenas).
pub use mimalloc::MiMalloc as Allocator;

/// The stores the server runs on: the embedded SQLite store by default; tests can pass others
/// (the DynamoDB adapter) to run the very same server over them.
pub use chatdesk::app::Stores;

#[derive(Debug, Error)]
pub enum ServerError {
    #[error("configuration: {0}")]
    Config(String),
    #[error("data directory {path}: {source}")]
    DataDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("store: {0}")]
    Store(#[from] chatdesk::ports::StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("server: {0}")]
    Serve(#[source] std::io::Error),
}

pub struct Server {
    listener: TcpListener,
    router: axum::Router,
    addr: SocketAddr,
    gateway_listener: TcpListener,
    gateway_router: axum::Router,
    gateway_addr: SocketAddr,
    config: Config,
    seeded_demo: bool,
    pub app: App,
    pub stores: Stores,
    pub registry: gateway::Registry,
    pub fanout: Arc<Fanout>,
}

impl Server {
    /// The local server over its embedded store in `config.data_dir`.
    pub async fn build(config: Config) -> Result<Server, ServerError> {
        config::check_gateway_addr(config.gateway_addr)?;
        let store = data_dir::open_store(&config.data_dir)?;
        // Sockets do not survive a restart; neither should their records.
        store.clear_connections().await?;
        Self::build_with(config, Stores::all_in(store)).await
    }

    pub async fn build_with(config: Config, stores: Stores) -> Result<Server, ServerError> {
        config::check_gateway_addr(config.gateway_addr)?;
        data_dir::prepare(&config.data_dir)?;
        let secret = secrets::load_or_create_signing_key(&config.data_dir)?;
        let tokens = TokenService::new(&secret).map_err(ServerError::Config)?;
        let seeded_demo = if config.seed_demo {
            chatdesk::demo::seed_demo_directory(stores.directory.as_ref()).await?
        } else {
            false
        };
        let listener =
            TcpListener::bind(config.addr)
                .await
                .map_err(|source| ServerError::Bind {
                    addr: config.addr,
                    source,
                })?;
        let addr = listener.local_addr().map_err(ServerError::Serve)?;
        let gateway_listener = TcpListener::bind(config.gateway_addr)
            .await
            .map_err(|source| ServerError::Bind {
                addr: config.gateway_addr,
                source,
            })?;
        let gateway_addr = gateway_listener.local_addr().map_err(ServerError::Serve)?;
        let identity = match &config.identity_secret {
            None => None,
            Some(secret) => Some(Arc::new(
                chatdesk::auth::identity::IdentityVerifier::new(secret.as_bytes())
                    .map_err(ServerError::Config)?,
            )),
        };
        let clock: Arc<dyn Clock> = config.clock.0.clone();
        let registry = gateway::Registry::default();
        let poster: Arc<dyn ConnectionPoster> = match config.fanout_via {
            FanoutVia::InProcess => Arc::new(gateway::LocalPoster(registry.clone())),
            FanoutVia::ManagementApi => Arc::new(
                chatdesk::aws::ApiGatewayPoster::for_endpoint(&endpoint_file::url_of(gateway_addr))
                    .await,
            ),
        };
        let files = Arc::new(chatdesk::files::local::LocalFiles::new(
            config.data_dir.join(ATTACHMENTS_DIR),
        ));
        let parts = Parts {
            clock,
            tokens,
            identity,
            oidc: config
                .oidc
                .clone()
                .map(|c| Arc::new(chatdesk::auth::oidc::OidcVerifier::new(c))),
            suggester: if config.suggestions { engine() } else { None },
            idle: config.idle,
            // The server lives on between changes, so it can hold rows back and send them
            // together.
            list_push: chatdesk::realtime::ListPush::Coalesced(LIST_ROWS_EVERY),
            mail_from: config.smtp.as_ref().map(|s| s.from.clone()),
            mail_sender: match &config.smtp {
                None => None,
                Some(smtp) => Some(Arc::new(
                    chatdesk::smtp::SmtpSender::new(&smtp.url, smtp.from.clone())
                        .map_err(|e| ServerError::Config(e.to_string()))?,
                )),
            },
            attachments: Some(files.clone()),
        };
        let (mut app, fanout) = compose::app_with_fanout(&stores, poster, parts);
        app.settings.away_grace_ms =
            i64::try_from(config.away_grace.as_millis()).unwrap_or(i64::MAX);
        if seeded_demo {
            seed_demo_knowledge(&app).await;
        }
        let router = axum::Router::new()
            .merge(http_api::routes(
                app.clone(),
                &config.allowed_origins,
                config.chat_starts,
            ))
            .merge(gateway::routes(
                app.clone(),
                fanout.clone(),
                registry.clone(),
                config.ws_idle_timeout,
            ))
            .merge(file_routes::routes(files, app.clock.clone()))
            .merge(management::absent_on_public_listener())
            .merge(statics::routes(&config.web_dir, &sign_in_origins(&config)));
        let gateway_router = management::routes(registry.clone());
        // Written once both listeners are bound: connections wait in the backlog until serving.
        endpoint_file::write(&config.data_dir, gateway_addr)?;
        Ok(Server {
            listener,
            router,
            addr,
            gateway_listener,
            gateway_router,
            gateway_addr,
            config,
            seeded_demo,
            app,
            stores,
            registry,
            fanout,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The internal listener of the `@connections` management API (always loopback).
    pub fn gateway_addr(&self) -> SocketAddr {
        self.gateway_addr
    }

    /// `http://{gateway_addr}`, also written to `<data_dir>/gateway-endpoint`.
    pub fn gateway_url(&self) -> String {
        endpoint_file::url_of(self.gateway_addr)
    }

    pub fn print_welcome(&self) {
        let url = self.base_url();
        println!("chatdesk is running at {url}");
        println!("  agent console:  {url}/console/");
        println!("  customer chat:  {url}/chat/?group=support");
        println!("  API document:   {url}/api/openapi.json");
        println!("  data directory: {}", self.config.data_dir.display());
        if self.seeded_demo {
            println!("Created the demo organisation. Sign in to the console as any of:");
            for a in chatdesk::demo::DEMO_AGENTS {
                println!(
                    "  {:<8} ({:<13}) password: {}",
                    a.username,
                    a.role.as_str(),
                    chatdesk::demo::DEMO_PASSWORD
                );
            }
        } else {
            println!(
                "Demo agents (if this data directory has them): admin, manager, alice, bob, carol; password {}",
                chatdesk::demo::DEMO_PASSWORD
            );
        }
        if !self.addr.ip().is_loopback() {
            tracing::warn!(
                "listening beyond loopback: change the demo passwords before anyone else can reach this server"
            );
        }
    }

    /// Serves until Ctrl-C.
    pub async fn run_until_stopped(self) -> Result<(), ServerError> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves both listeners until `stop` completes; then closes every WebSocket ("going away")
    /// and lets each run its `$disconnect` cleanup, lets open requests finish, and removes the
    /// gateway endpoint file.
    pub async fn run_until(self, stop: impl Future<Output = ()>) -> Result<(), ServerError> {
        let (stopping, stopped) = tokio::sync::watch::channel(false);
        let stopped_too = stopped.clone();
        let when_stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|s| *s).await;
        };
        let header_read_timeout = self.config.header_read_timeout;
        let sockets = self.registry.clone();
        let sweeper = hand_off_sweeper(
            self.app.clone(),
            self.fanout.clone(),
            self.config.hand_off_sweep,
            stopped.clone(),
        );
        let mail = mail_delivery::deliver_until_stopped(
            self.app.clone(),
            self.config.mail_delivery_every,
            stopped.clone(),
        );
        tokio::join!(
            sweeper,
            mail,
            async move {
                stop.await;
                // Sockets first, while the listeners (the `@connections` API among them) still
                // answer what their last frames post.
                let left = sockets.close_all(SOCKET_DRAIN).await;
                if left > 0 {
                    tracing::warn!(
                        sockets = left,
                        "sockets still open after the shutdown grace"
                    );
                }
                let _ = stopping.send(true);
            },
            serve::serve(
                self.listener,
                self.router,
                header_read_timeout,
                when_stopped(stopped)
            ),
            serve::serve(
                self.gateway_listener,
                self.gateway_router,
                header_read_timeout,
                when_stopped(stopped_too)
            ),
        );
        // A socket that connected while the listeners stopped.
        self.registry.close_all(SOCKET_DRAIN).await;
        endpoint_file::remove(&self.config.data_dir, self.gateway_addr);
        Ok(())
    }
}

/// The in-process scheduler of hand-off timers: the same sweep the cloud's rule runs, over the
/// same store queries, until the server stops.
async fn hand_off_sweeper(
    app: App,
    fanout: Arc<chatdesk::realtime::Fanout>,
    every: Option<std::time::Duration>,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) {
    let Some(every) = every else {
        return;
    };
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stopped.wait_for(|s| *s) => return,
        }
        match app.run_hand_off_timers(fanout.connections.as_ref()).await {
            Ok(report) if report.to_agent + report.to_queue > 0 => {
                tracing::info!(
                    to_agent = report.to_agent,
                    to_queue = report.to_queue,
                    "hand-off timers moved chats"
                );
            }
            Ok(_) => {}
            Err(e) => {
                tracing::error!(error = %chatdesk::errors::error_chain(&e), "hand-off sweep failed");
            }
        }
    }
}

/// Origins the console may call besides its own: the OpenID Connect token endpoint, where it
/// redeems the sign-in code.
fn sign_in_origins(config: &Config) -> Vec<String> {
    let token_endpoint = config
        .oidc
        .as_ref()
        .and_then(|o| o.browser.as_ref())
        .map(|b| b.token_endpoint.as_str());
    match token_endpoint {
        Some(url) => match statics::origin_of(url) {
            Some(origin) => vec![origin],
            None => {
                tracing::warn!(url, "CHATDESK_OIDC_TOKEN_URL is not an http(s) URL; the console cannot finish a sign-in there");
                Vec::new()
            }
        },
        None => Vec::new(),
    }
}

/// The demo organisation's articles (`server/demo-kb/`), imported when the demo is created.
async fn seed_demo_knowledge(app: &App) {
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/demo-kb"));
    let batch = match chatdesk::domain::kb_import::read_path(dir) {
        Ok(batch) => batch,
        Err(e) => {
            tracing::warn!(error = %e, "demo knowledge base not found; starting without articles");
            return;
        }
    };
    match app.knowledge.import(app, batch, |_| {}).await {
        Ok(summary) => tracing::info!(
            articles = summary.created + summary.updated,
            "imported the demo knowledge base"
        ),
        Err(e) => tracing::warn!(error = %e, "importing the demo knowledge base failed"),
    }
}

/// The suggestion engine, when this build has it (the `suggest` feature of `chatdesk-shared`).
pub fn engine() -> Option<Arc<dyn chatdesk::ports::Suggester>> {
    match chatdesk::suggest_engine::EngineSuggester::load() {
        Ok(engine) => Some(Arc::new(engine)),
        Err(e) => {
            tracing::error!(error = %e, "suggestions are unavailable");
            None
        }
    }
}

/// The use cases over `stores` without a listener or fan-out: for operator commands that change
/// no chat and no agent (knowledge-base imports).
pub fn offline_app(
    config: &Config,
    stores: &Stores,
    suggester: Option<Arc<dyn chatdesk::ports::Suggester>>,
) -> Result<App, ServerError> {
    let parts = offline_parts(config, suggester)?;
    Ok(compose::app(
        stores,
        Arc::new(chatdesk::ports::NullNotifier),
        parts,
    ))
}

/// The use cases over `stores` for operator commands, with a fan-out through `poster`, so that
/// what a command changes (an agent's access) reaches the connections it concerns.
pub fn offline_app_with(
    config: &Config,
    stores: &Stores,
    suggester: Option<Arc<dyn chatdesk::ports::Suggester>>,
    poster: Arc<dyn ConnectionPoster>,
) -> Result<App, ServerError> {
    let parts = offline_parts(config, suggester)?;
    Ok(compose::app_with_fanout(stores, poster, parts).0)
}

fn offline_parts(
    config: &Config,
    suggester: Option<Arc<dyn chatdesk::ports::Suggester>>,
) -> Result<Parts, ServerError> {
    // Operator commands sign no tokens: a throwaway key, so a command aimed at DynamoDB needs no
    // local data directory (and never creates one).
    let throwaway: [u8; 32] = rand::random();
    Ok(Parts {
        clock: Arc::new(SystemClock),
        tokens: TokenService::new(&throwaway).map_err(ServerError::Config)?,
        identity: None,
        oidc: None,
        suggester,
        idle: config.idle,
        list_push: chatdesk::realtime::ListPush::Immediate,
        mail_from: None,
        mail_sender: None,
        attachments: None,
    })
}

/// Where attached files are kept, in the data directory.
const ATTACHMENTS_DIR: &str = "attachments";

/// The most often a console is sent list rows for messages.
const LIST_ROWS_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// How long a stopping server waits for its WebSockets to close and clean up.
const SOCKET_DRAIN: std::time::Duration = std::time::Duration::from_secs(5);

/// Ctrl-C, or SIGTERM (what `docker stop`, systemd and Kubernetes send).
async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM; stop with Ctrl-C");
                std::future::pending::<()>().await
            }
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
    tracing::info!("stopping: closing WebSockets, finishing open requests");
}
