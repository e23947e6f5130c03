use crate::domain::IdleThresholds;

#[derive(Clone, Debug)]
pub struct Settings {
    pub idle: IdleThresholds,
    /// Most chats read per list query (per group for multi-group views).
    pub list_limit: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            idle: IdleThresholds::default(),
            list_limit: 200,
        }
    }
}
