//! Anonymous chat starts, limited per client address in the store: in the cloud every Lambda
//! instance answers some of a flood's requests, so only a count they all share can stop it. Every
//! attempt counts, valid or not, before anything is read or written, so a refused start costs one
//! conditional write and creates nothing.

use std::net::IpAddr;

use super::{App, AppError};
use crate::ports::{Allowance, ThrottleKey};

impl App {
    /// Counts a chat start from `client`, or refuses it (429) when the address is over
    /// `Settings::chat_starts_per_address`. Without a limit or a known address it admits.
    pub async fn admit_chat_start(&self, client: Option<IpAddr>) -> Result<(), AppError> {
        let (Some(limit), Some(addr)) = (self.settings.chat_starts_per_address, client) else {
            return Ok(());
        };
        let now = self.clock.now();
        let key = ThrottleKey::chat_starts_address(addr);
        match self.throttle.admit(&key, now, limit).await? {
            Allowance::Admitted => Ok(()),
            Allowance::Refused { until } => Err(AppError::rate_limited(
                "too many chats started from this address; try again later",
                until.since(now),
            )),
        }
    }
}
