//! Attempt counters shared by every process (every Lambda instance): how sign-in guessing and
//! anonymous chat starts are limited. Counts live in fixed windows of the clock, and an attempt is counted before the work
//! it guards is done, in one conditional write, so concurrent attempts cannot slip past a limit.

use std::net::IpAddr;

use async_trait::async_trait;

use super::error::StoreError;
use crate::domain::{AgentId, Timestamp};

/// What is counted: one username's or one client address's sign-in attempts. Keys are short
/// (under 100 bytes) whatever the request held.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ThrottleKey(String);

impl ThrottleKey {
    pub fn sign_in_username(username: &AgentId) -> Self {
        ThrottleKey(format!("signin-user:{username}"))
    }

    /// IPv6 addresses count by their /64 network: one subscriber usually gets a whole /64, and
    /// counting single addresses would give an attacker 2^64 fresh counters.
    pub fn sign_in_address(addr: IpAddr) -> Self {
        ThrottleKey(format!("signin-addr:{}", address_group(addr)))
    }

    /// Chats started from one client address (IPv6: its /64), as sign-in addresses count.
    pub fn chat_starts_address(addr: IpAddr) -> Self {
        ThrottleKey(format!("chatstart-addr:{}", address_group(addr)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ThrottleKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The address an attacker controls as one unit: an IPv4 address (also when written as an
/// IPv4-mapped IPv6 address), or an IPv6 /64 network (its first address stands for it).
pub fn network_of(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(_) => addr,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// `network_of` as text: `203.0.113.7`, `2001:db8:1:2::/64`.
pub fn address_group(addr: IpAddr) -> String {
    match network_of(addr) {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(net) => format!("{net}/64"),
    }
}

/// At most `max` (at least 1) attempts in each fixed window of `window_ms` (windows start at
/// multiples of `window_ms` since the epoch, so every process agrees on them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottleLimit {
    pub max: u32,
    pub window_ms: i64,
}

impl ThrottleLimit {
    /// The start of the window that holds `at`.
    pub fn window_start(&self, at: Timestamp) -> Timestamp {
        let len = self.window_ms.max(1);
        Timestamp(at.millis().div_euclid(len) * len)
    }

    /// The first instant after the window that holds `at`: when its count no longer matters.
    pub fn window_end(&self, at: Timestamp) -> Timestamp {
        self.window_start(at).plus_millis(self.window_ms.max(1))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Allowance {
    /// Counted; go ahead.
    Admitted,
    /// The window already holds `max` attempts: nothing was counted. Try again at `until`.
    Refused { until: Timestamp },
}

#[async_trait]
pub trait ThrottleStore: Send + Sync {
    /// Counts one attempt against `key` in the window of `limit` that holds `now`, unless that
    /// window already has `limit.max`: then nothing is written and the answer is `Refused`.
    /// Atomic: of any number of concurrent calls, at most `max` per window are admitted.
    async fn admit(
        &self,
        key: &ThrottleKey,
        now: Timestamp,
        limit: ThrottleLimit,
    ) -> Result<Allowance, StoreError>;

    /// Takes back one attempt admitted at `admitted_at` (it turned out not to count, e.g. a
    /// successful sign-in). Never goes below zero, and does nothing once that window is gone, so
    /// it can only undo an attempt of one's own.
    async fn release(
        &self,
        key: &ThrottleKey,
        admitted_at: Timestamp,
        limit: ThrottleLimit,
    ) -> Result<(), StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_fixed_multiples_of_their_length() {
        let limit = ThrottleLimit {
            max: 3,
            window_ms: 1_000,
        };
        assert_eq!(limit.window_start(Timestamp(12_345)), Timestamp(12_000));
        assert_eq!(limit.window_end(Timestamp(12_345)), Timestamp(13_000));
        assert_eq!(limit.window_start(Timestamp(13_000)), Timestamp(13_000));
        assert_eq!(limit.window_start(Timestamp(-1)), Timestamp(-1_000));
    }

    #[test]
    fn addresses_group_as_an_attacker_holds_them() {
        let v4: IpAddr = "203.0.113.7".parse().unwrap();
        assert_eq!(address_group(v4), "203.0.113.7");
        let mapped: IpAddr = "::ffff:203.0.113.7".parse().unwrap();
        assert_eq!(address_group(mapped), "203.0.113.7");
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_group(a), "2001:db8:1:2::/64");
        assert_eq!(
            ThrottleKey::sign_in_address(a),
            ThrottleKey::sign_in_address(b)
        );
        assert_ne!(
            ThrottleKey::sign_in_address(a),
            ThrottleKey::sign_in_address(other)
        );
    }
}
