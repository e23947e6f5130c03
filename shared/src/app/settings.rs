use crate::domain::IdleThresholds;
use crate::ports::{RateLimit, ThrottleLimit};

#[derive(Clone, Debug)]
pub struct Settings {
    pub idle: IdleThresholds,
    /// Rows per page of a chat list (of the whole view, whatever its number of groups).
    pub list_limit: usize,
    /// Frames one WebSocket connection may send.
    pub rate_limit: RateLimit,
    /// Open WebSocket connections one agent may have (a console tab each).
    pub connections_per_agent: u32,
    /// Open WebSocket connections one customer token (one chat) may have.
    pub connections_per_customer: u32,
    /// Failed password sign-ins allowed before sign-in is refused for a while.
    pub sign_in: SignInLimits,
    /// Chats one client address may start, counted in the store so that every process (every
    /// Lambda instance) sees one count. `None` where the edge limits them before the request is
    /// read (the local server's token bucket).
    pub chat_starts_per_address: Option<ThrottleLimit>,
    /// How long an agent whose last console closed still counts as available (a reload, a
    /// network change); past it they are away until a console comes back.
    pub away_grace_ms: i64,
}

/// A minute: long enough for a reload or a laptop changing networks, short enough that nobody
/// is handed chats by a console that is not coming back.
pub const AWAY_GRACE_MS: i64 = 60_000;

/// Chats one address may start in the cloud, about what the local server's bucket lets through
/// (a burst of 30, then one every 2 s): a script starting thousands is stopped after 300 of each
/// 10 minutes. Generous, because behind the template's CloudFront distribution the address API
/// Gateway sees is the edge's, which many customers of one region share (docs/security.md).
pub const CHAT_STARTS_PER_ADDRESS: ThrottleLimit = ThrottleLimit {
    max: 300,
    window_ms: 10 * 60 * 1000,
};

/// Tabs and devices of one agent at once: far more than anyone works in, far fewer than a flood.
pub const CONNECTIONS_PER_AGENT: u32 = 10;
/// A customer's chat open in a few tabs or devices.
pub const CONNECTIONS_PER_CUSTOMER: u32 = 5;

impl Default for Settings {
    fn default() -> Self {
        Settings {
            idle: IdleThresholds::default(),
            list_limit: 200,
            rate_limit: RateLimit::default(),
            connections_per_agent: CONNECTIONS_PER_AGENT,
            connections_per_customer: CONNECTIONS_PER_CUSTOMER,
            sign_in: SignInLimits::default(),
            chat_starts_per_address: None,
            away_grace_ms: AWAY_GRACE_MS,
        }
    }
}

/// Failed sign-ins counted per username and per client address (docs/security.md, Limits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignInLimits {
    pub per_username: ThrottleLimit,
    pub per_address: ThrottleLimit,
}

const FIFTEEN_MINUTES_MS: i64 = 15 * 60 * 1000;

impl Default for SignInLimits {
    /// Per username: 10 failures in 15 minutes is more than any agent mistyping needs, and caps
    /// guessing at 40 an hour per account (at most 20 in a burst across a window boundary),
    /// while a locked-out agent waits 15 minutes at most. Per address: 30, so one office behind
    /// one address (successes never count) is not locked out by a few typos, while one machine
    /// spraying usernames gets 120 guesses an hour instead of thousands a minute.
    fn default() -> Self {
        SignInLimits {
            per_username: ThrottleLimit {
                max: 10,
                window_ms: FIFTEEN_MINUTES_MS,
            },
            per_address: ThrottleLimit {
                max: 30,
                window_ms: FIFTEEN_MINUTES_MS,
            },
        }
    }
}
