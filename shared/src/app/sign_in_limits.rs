//! Password guessing, limited: every sign-in attempt is counted against the username and the
//! caller's address before the password is checked, and a successful one is taken back, so what
//! remains are the failures. Over a limit, sign-in is refused before the login is read: no
//! Argon2 work for an attacker to make the server spend.

use std::net::IpAddr;

use super::{App, AppError};
use crate::domain::{AgentId, Timestamp};
use crate::ports::{Allowance, ThrottleKey, ThrottleLimit};

/// The counts one attempt added, to take back if it succeeds.
pub(super) struct CountedAttempt {
    at: Timestamp,
    counted: Vec<(ThrottleKey, ThrottleLimit)>,
}

impl App {
    /// Counts an attempt, or refuses it (429) when the address or the username is over its
    /// limit. The address is checked first: one machine spraying usernames is stopped without
    /// charging those usernames.
    pub(super) async fn count_sign_in_attempt(
        &self,
        username: &AgentId,
        client: Option<IpAddr>,
    ) -> Result<CountedAttempt, AppError> {
        let limits = self.settings.sign_in;
        let now = self.clock.now();
        let mut attempt = CountedAttempt {
            at: now,
            counted: Vec::with_capacity(2),
        };
        if let Some(addr) = client {
            let key = ThrottleKey::sign_in_address(addr);
            let allowance = self.throttle.admit(&key, now, limits.per_address).await?;
            if let Allowance::Refused { until } = allowance {
                return Err(AppError::rate_limited(
                    "too many failed sign-ins from this address",
                    until.since(now),
                ));
            }
            attempt.counted.push((key, limits.per_address));
        }
        let key = ThrottleKey::sign_in_username(username);
        let allowance = self.throttle.admit(&key, now, limits.per_username).await?;
        if let Allowance::Refused { until } = allowance {
            // No password is checked, so the address is not charged for it either.
            self.take_back(attempt).await?;
            return Err(AppError::rate_limited(
                "too many failed sign-ins for this username",
                until.since(now),
            ));
        }
        attempt.counted.push((key, limits.per_username));
        Ok(attempt)
    }

    /// A successful sign-in: its attempt is not a failure. Only this attempt's own counts go,
    /// so signing in to one's own account cannot wipe out an attacker's failures.
    pub(super) async fn take_back(&self, attempt: CountedAttempt) -> Result<(), AppError> {
        for (key, limit) in &attempt.counted {
            self.throttle.release(key, attempt.at, *limit).await?;
        }
        Ok(())
    }
}
