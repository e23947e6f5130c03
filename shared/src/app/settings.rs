use crate::domain::IdleThresholds;
use crate::ports::RateLimit;

#[derive(Clone, Debug)]
pub struct Settings {
    pub idle: IdleThresholds,
    /// Rows per page of a chat list (of the whole view, whatever its number of groups).
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
