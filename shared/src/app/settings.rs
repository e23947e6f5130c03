use crate::domain::IdleThresholds;
use crate::ports::RateLimit;

#[derive(Clone, Debug)]
pub struct Settings {
    pub idle: IdleThresholds,
    /// Most chats read per list query (per group for multi-group views).
    pub list_limit: usize,
    /// Frames one WebSocket connection may send.
    pub rate_limit: RateLimit,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            idle: IdleThresholds::default(),
            list_limit: 200,
            rate_limit: RateLimit::default(),
        }
    }
}
