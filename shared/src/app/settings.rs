use crate::domain::IdleThresholds;
use crate::ports::RateLimit;

#[derive(Clone, Debug)]
pub struct Settings {
    pub idle: IdleThresholds,
    /// Most chats read per list query (per group for multi-group views).
    pub list_limit: usize,
    /// Frames one WebSocket connection may send.
    pub rate_limit: RateLimit,
    /// Open WebSocket connections one agent may have (a console tab each).
    pub connections_per_agent: u32,
    /// Open WebSocket connections one customer token (one chat) may have.
    pub connections_per_customer: u32,
}

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
        }
    }
}
