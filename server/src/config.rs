use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use std::sync::Arc;

use chatdesk::domain::IdleThresholds;
use chatdesk::ports::{Clock, SystemClock};

use crate::chat_start_limit::ChatStartLimit;
use crate::ServerError;

/// The local server's settings, from the environment.
#[derive(Clone, Debug)]
pub struct Config {
    /// `CHATDESK_ADDR`, default `127.0.0.1:8080`. Port 0 picks a free port (tests).
    pub addr: SocketAddr,
    /// `CHATDESK_GATEWAY_ADDR`, default `127.0.0.1:0` (a free port): the internal listener of the
    /// `@connections` management API, which has no authentication and so must be on loopback.
    pub gateway_addr: SocketAddr,
    /// `CHATDESK_HEADER_READ_TIMEOUT_SECS`, default 10: how long a client may take to send a
    /// request's headers, and how long a keep-alive connection may wait idle for the next one.
    pub header_read_timeout: Duration,
    /// `CHATDESK_WS_IDLE_TIMEOUT_SECS`, default 600 (API Gateway's): a WebSocket that sends
    /// nothing, not even a ping, for this long is closed.
    pub ws_idle_timeout: Duration,
    /// `CHATDESK_DATA_DIR`, default `./.data`: the database and the token signing key.
    pub data_dir: PathBuf,
    /// `CHATDESK_WEB_DIR`: the console and chat page files, default the repository's `web/`.
    pub web_dir: PathBuf,
    /// `CHATDESK_DEMO=0` starts an empty data directory without demo data.
    pub seed_demo: bool,
    /// `CHATDESK_IDLE_WARNING_SECS` / `CHATDESK_IDLE_HIGH_SECS`.
    pub idle: IdleThresholds,
    /// `CHATDESK_CHAT_START_BURST` / `CHATDESK_CHAT_STARTS_PER_MINUTE`: chats one client address
    /// may start at once, and then per minute.
    pub chat_starts: ChatStartLimit,
    /// The time the server runs by: the system clock; tests set a `ManualClock`.
    pub clock: ServerClock,
    /// `CHATDESK_FANOUT=management-api` pushes through the `@connections` HTTP API with the AWS
    /// SDK, exactly as the Lambda functions do; the default posts in-process.
    pub fanout_via: FanoutVia,
    /// `CHATDESK_IDENTITY_SECRET` (at least 32 bytes): enables identity validation of customers
    /// for websites that sign their user ids (see docs/security.md).
    pub identity_secret: Option<String>,
    /// `CHATDESK_ALLOWED_ORIGINS`: comma-separated origins besides this server's own that may
    /// call the API from a browser (CORS). Empty by default: the console and the chat page are
    /// served from the same origin and need none.
    pub allowed_origins: Vec<String>,
    /// `CHATDESK_OIDC_ISSUER` (+ `_AUDIENCE`, `_JWKS_URL`, `_USERNAME_CLAIM`): also accept agents'
    /// ID tokens from this OpenID Connect issuer, as the cloud deployment does.
    pub oidc: Option<chatdesk::auth::oidc::OidcConfig>,
    /// `CHATDESK_SUGGESTIONS=0` runs without the suggestion engine (no model loaded).
    pub suggestions: bool,
    /// `CHATDESK_AWAY_GRACE_SECS`, default 60: how long an agent whose last console closed
    /// still receives chats; past it they are away until a console comes back.
    pub away_grace: Duration,
    /// How often the in-process scheduler sweeps for run-out hand-off timers: every 250 ms
    /// (timers fire within a second). `None` only in tests that count every store call.
    pub hand_off_sweep: Option<Duration>,
    /// `CHATDESK_SMTP_URL` and `CHATDESK_MAIL_FROM`: where e-mail is sent and from which
    /// address. Both or neither; without them the server sends no e-mail (and says so).
    pub smtp: Option<SmtpConfig>,
    /// How often the outbox is checked for mail due again (an enqueue wakes it at once).
    pub mail_delivery_every: Duration,
}

/// The default period of the delivery loop: retries are due in steps of 30 s and more.
pub const MAIL_DELIVERY_EVERY: Duration = Duration::from_secs(5);

/// The local server's mail service.
#[derive(Clone)]
pub struct SmtpConfig {
    /// `smtp://host:port`, `smtp://user:pass@host:587?tls=required`, `smtps://user:pass@host`.
    pub url: String,
    pub from: chatdesk::domain::EmailAddress,
}

// The URL may hold a password: never printed.
impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("from", &self.from.as_str())
            .finish_non_exhaustive()
    }
}

fn smtp_config() -> Result<Option<SmtpConfig>, ServerError> {
    match (env("CHATDESK_SMTP_URL"), env("CHATDESK_MAIL_FROM")) {
        (None, None) => Ok(None),
        (Some(url), Some(from)) => Ok(Some(SmtpConfig {
            url: url.trim().to_owned(),
            from: chatdesk::domain::EmailAddress::parse(&from)
                .map_err(|e| ServerError::Config(format!("CHATDESK_MAIL_FROM: {e}")))?,
        })),
        _ => Err(ServerError::Config(
            "set both CHATDESK_SMTP_URL and CHATDESK_MAIL_FROM to send e-mail, or neither".into(),
        )),
    }
}

/// Timers fire within this of their deadline, well inside the documented second.
pub const HAND_OFF_SWEEP_EVERY: Duration = Duration::from_millis(250);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FanoutVia {
    InProcess,
    ManagementApi,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_WS_IDLE_TIMEOUT: Duration = Duration::from_secs(600);

/// A timeout of whole seconds, at least one.
fn timeout(name: &str, default: Duration) -> Result<Duration, ServerError> {
    match env(name) {
        None => Ok(default),
        Some(v) => match v.trim().parse::<u64>() {
            Ok(secs) if secs > 0 => Ok(Duration::from_secs(secs)),
            _ => Err(ServerError::Config(format!(
                "{name} must be a whole number of seconds above 0, got {v:?}"
            ))),
        },
    }
}

/// The `@connections` API answers anyone who reaches it, so it may only listen on loopback.
pub fn check_gateway_addr(addr: SocketAddr) -> Result<(), ServerError> {
    if addr.ip().is_loopback() {
        Ok(())
    } else {
        Err(ServerError::Config(format!(
            "CHATDESK_GATEWAY_ADDR must be a loopback address (127.x.x.x or [::1]): the \
             @connections API it serves has no authentication; got {addr}"
        )))
    }
}

fn secs(name: &str, default_ms: i64) -> Result<i64, ServerError> {
    match env(name) {
        None => Ok(default_ms),
        Some(v) => v.trim().parse::<i64>().map(|s| s * 1000).map_err(|_| {
            ServerError::Config(format!("{name} must be a number of seconds, got {v:?}"))
        }),
    }
}

impl Config {
    pub fn from_env() -> Result<Self, ServerError> {
        let addr = env("CHATDESK_ADDR").unwrap_or_else(|| "127.0.0.1:8080".into());
        let addr = addr.parse().map_err(|_| {
            ServerError::Config(format!("CHATDESK_ADDR must be host:port, got {addr:?}"))
        })?;
        let gateway = env("CHATDESK_GATEWAY_ADDR").unwrap_or_else(|| "127.0.0.1:0".into());
        let gateway_addr = gateway.parse().map_err(|_| {
            ServerError::Config(format!(
                "CHATDESK_GATEWAY_ADDR must be ip:port, got {gateway:?}"
            ))
        })?;
        check_gateway_addr(gateway_addr)?;
        let defaults = IdleThresholds::default();
        let idle = IdleThresholds::new(
            secs("CHATDESK_IDLE_WARNING_SECS", defaults.warning_ms)?,
            secs("CHATDESK_IDLE_HIGH_SECS", defaults.high_ms)?,
        )
        .map_err(ServerError::Config)?;
        Ok(Config {
            addr,
            gateway_addr,
            header_read_timeout: timeout(
                "CHATDESK_HEADER_READ_TIMEOUT_SECS",
                DEFAULT_HEADER_READ_TIMEOUT,
            )?,
            ws_idle_timeout: timeout("CHATDESK_WS_IDLE_TIMEOUT_SECS", DEFAULT_WS_IDLE_TIMEOUT)?,
            data_dir: env("CHATDESK_DATA_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(".data")),
            web_dir: env("CHATDESK_WEB_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(default_web_dir),
            seed_demo: env("CHATDESK_DEMO").as_deref() != Some("0"),
            idle,
            chat_starts: chat_start_limit()?,
            clock: ServerClock::default(),
            identity_secret: env("CHATDESK_IDENTITY_SECRET"),
            oidc: chatdesk::auth::oidc::OidcConfig::from_env(),
            suggestions: env("CHATDESK_SUGGESTIONS").as_deref() != Some("0"),
            away_grace: Duration::from_millis(
                secs("CHATDESK_AWAY_GRACE_SECS", chatdesk::app::AWAY_GRACE_MS)?.max(0) as u64,
            ),
            hand_off_sweep: Some(HAND_OFF_SWEEP_EVERY),
            smtp: smtp_config()?,
            mail_delivery_every: MAIL_DELIVERY_EVERY,
            allowed_origins: env("CHATDESK_ALLOWED_ORIGINS")
                .map(|v| {
                    v.split(',')
                        .map(|o| o.trim().trim_end_matches('/').to_owned())
                        .filter(|o| !o.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            fanout_via: match env("CHATDESK_FANOUT").as_deref() {
                None | Some("in-process") => FanoutVia::InProcess,
                Some("management-api") => FanoutVia::ManagementApi,
                Some(other) => {
                    return Err(ServerError::Config(format!(
                        "CHATDESK_FANOUT must be in-process or management-api, got {other:?}"
                    )))
                }
            },
        })
    }

    /// A configuration for tests: a free port on loopback and the given data directory.
    pub fn for_tests(data_dir: PathBuf) -> Self {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            gateway_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            ws_idle_timeout: DEFAULT_WS_IDLE_TIMEOUT,
            data_dir,
            web_dir: default_web_dir(),
            seed_demo: true,
            idle: IdleThresholds::default(),
            chat_starts: ChatStartLimit::default(),
            clock: ServerClock::default(),
            fanout_via: FanoutVia::InProcess,
            identity_secret: None,
            allowed_origins: Vec::new(),
            oidc: None,
            // Most tests need no suggestions; those that do turn the engine on.
            suggestions: false,
            away_grace: Duration::from_millis(chatdesk::app::AWAY_GRACE_MS as u64),
            hand_off_sweep: Some(HAND_OFF_SWEEP_EVERY),
            smtp: None,
            // Tests move a manual clock past a retry and expect the mail soon after.
            mail_delivery_every: Duration::from_millis(200),
        }
    }
}

/// The server's clock, shareable and printable in a `Config`.
#[derive(Clone)]
pub struct ServerClock(pub Arc<dyn Clock>);

impl Default for ServerClock {
    fn default() -> Self {
        ServerClock(Arc::new(SystemClock))
    }
}

impl std::fmt::Debug for ServerClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ServerClock(now = {})", self.0.now().millis())
    }
}

fn positive(name: &str, default: u32, max: u32) -> Result<u32, ServerError> {
    match env(name) {
        None => Ok(default),
        Some(v) => match v.trim().parse::<u32>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(ServerError::Config(format!(
                "{name} must be a whole number from 1 to {max}, got {v:?}"
            ))),
        },
    }
}

fn chat_start_limit() -> Result<ChatStartLimit, ServerError> {
    let defaults = ChatStartLimit::default();
    let per_minute = positive(
        "CHATDESK_CHAT_STARTS_PER_MINUTE",
        (60_000 / defaults.refill_every_ms.max(1)) as u32,
        60_000,
    )?;
    Ok(ChatStartLimit {
        burst: positive("CHATDESK_CHAT_START_BURST", defaults.burst, 1_000_000)?,
        refill_every_ms: 60_000 / i64::from(per_minute),
    })
}

fn default_web_dir() -> PathBuf {
    let beside_cwd = PathBuf::from("web");
    if beside_cwd.join("console").is_dir() {
        return beside_cwd;
    }
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../web"))
}
