//! Chat starts per client address on the local server: anyone may start a chat without signing
//! in, so one machine could otherwise fill every queue with junk (the cloud puts a WAF rule in
//! front instead). A token bucket per address: a burst, then a steady rate.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use chatdesk::app::AppError;
use chatdesk::domain::Timestamp;
use chatdesk::ports::throttle::network_of;

/// `burst` starts at once, then one more every `refill_every_ms`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChatStartLimit {
    pub burst: u32,
    pub refill_every_ms: i64,
}

impl Default for ChatStartLimit {
    /// 30 at once covers a whole office (one address behind its router) starting chats during an
    /// outage; one every 2 s (30 a minute) after that is more than one address starts for real,
    /// and holds a flood to 1,800 an hour instead of the 70 a second one machine managed.
    fn default() -> Self {
        ChatStartLimit {
            burst: 30,
            refill_every_ms: 2_000,
        }
    }
}

/// Addresses tracked at once. Beyond this (a flood from very many addresses), new addresses
/// share one bucket until idle ones are swept: memory stays bounded and the flood limited.
pub const MAX_TRACKED_ADDRESSES: usize = 10_000;

pub struct ChatStartLimiter {
    limit: ChatStartLimit,
    max_tracked: usize,
    state: Mutex<Buckets>,
}

/// Each bucket is the instant it will be full again (the generic cell rate algorithm's
/// "theoretical arrival time"): one number per address, and a bucket at or before now is the
/// same as none, so it can go.
struct Buckets {
    full_at: HashMap<Option<IpAddr>, Timestamp>,
    overflow_full_at: Timestamp,
    last_sweep: Timestamp,
}

impl ChatStartLimiter {
    pub fn new(limit: ChatStartLimit) -> Self {
        Self::with_capacity(limit, MAX_TRACKED_ADDRESSES)
    }

    pub fn with_capacity(limit: ChatStartLimit, max_tracked: usize) -> Self {
        ChatStartLimiter {
            limit: ChatStartLimit {
                burst: limit.burst.max(1),
                refill_every_ms: limit.refill_every_ms.max(1),
            },
            max_tracked,
            state: Mutex::new(Buckets {
                full_at: HashMap::new(),
                overflow_full_at: Timestamp(i64::MIN),
                last_sweep: Timestamp(i64::MIN),
            }),
        }
    }

    /// Takes one start from the bucket of `client`'s address (`None`: unknown, one shared
    /// bucket), or refuses with 429 `rate_limited` saying when the next one is free.
    pub fn admit(&self, client: Option<IpAddr>, now: Timestamp) -> Result<(), AppError> {
        let interval = self.limit.refill_every_ms;
        let tolerance = interval.saturating_mul(i64::from(self.limit.burst) - 1);
        let Ok(mut guard) = self.state.lock() else {
            // Poisoned only by a panic while counting; refusing every start would be worse.
            return Ok(());
        };
        let state = &mut *guard;
        // A bucket is full again at most one whole refill after its last start: sweeping that
        // often keeps only addresses active in the last two refills.
        let full_refill = interval.saturating_mul(i64::from(self.limit.burst));
        let since_sweep = now.millis().saturating_sub(state.last_sweep.millis());
        if since_sweep >= full_refill || since_sweep < 0 {
            state.full_at.retain(|_, full_at| *full_at > now);
            state.last_sweep = now;
        }
        let key = client.map(network_of);
        let slot = if state.full_at.contains_key(&key) || state.full_at.len() < self.max_tracked {
            state.full_at.entry(key).or_insert(now)
        } else {
            &mut state.overflow_full_at
        };
        let from = (*slot).max(now);
        let ahead = from.millis().saturating_sub(now.millis());
        if ahead > tolerance {
            return Err(AppError::rate_limited(
                "too many chats started from this address",
                ahead - tolerance,
            ));
        }
        *slot = from.plus_millis(interval);
        Ok(())
    }

    /// Addresses with a bucket not yet full again (for tests of the memory bound).
    pub fn tracked(&self) -> usize {
        self.state.lock().map(|s| s.full_at.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Timestamp = Timestamp(1_700_000_000_000);

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    fn limiter(burst: u32, refill_every_ms: i64) -> ChatStartLimiter {
        ChatStartLimiter::new(ChatStartLimit {
            burst,
            refill_every_ms,
        })
    }

    #[test]
    fn a_burst_then_one_per_interval() {
        let l = limiter(3, 1_000);
        for _ in 0..3 {
            assert!(l.admit(ip("203.0.113.7"), T0).is_ok());
        }
        match l.admit(ip("203.0.113.7"), T0) {
            Err(AppError::RateLimited {
                retry_after_secs, ..
            }) => assert_eq!(retry_after_secs, 1),
            other => panic!("expected rate_limited, got {other:?}"),
        }
        assert!(l.admit(ip("203.0.113.7"), T0.plus_millis(999)).is_err());
        assert!(l.admit(ip("203.0.113.7"), T0.plus_millis(1_000)).is_ok());
        assert!(l.admit(ip("203.0.113.7"), T0.plus_millis(1_000)).is_err());
        // Idle long enough, the whole burst is back (and no more).
        let later = T0.plus_millis(60_000);
        for _ in 0..3 {
            assert!(l.admit(ip("203.0.113.7"), later).is_ok());
        }
        assert!(l.admit(ip("203.0.113.7"), later).is_err());
    }

    #[test]
    fn each_address_has_its_own_bucket_and_an_ipv6_network_one() {
        let l = limiter(1, 60_000);
        assert!(l.admit(ip("203.0.113.7"), T0).is_ok());
        assert!(l.admit(ip("203.0.113.7"), T0).is_err());
        assert!(l.admit(ip("203.0.113.8"), T0).is_ok());
        assert!(l.admit(ip("::ffff:203.0.113.8"), T0).is_err());
        assert!(l.admit(ip("2001:db8:1:2::1"), T0).is_ok());
        assert!(l.admit(ip("2001:db8:1:2::ffff"), T0).is_err());
        assert!(l.admit(ip("2001:db8:1:3::1"), T0).is_ok());
        assert!(l.admit(None, T0).is_ok());
        assert!(l.admit(None, T0).is_err());
    }

    #[test]
    fn memory_stays_bounded_and_idle_buckets_go() {
        let l = ChatStartLimiter::with_capacity(
            ChatStartLimit {
                burst: 2,
                refill_every_ms: 1_000,
            },
            3,
        );
        for i in 1..=3 {
            assert!(l.admit(ip(&format!("198.51.100.{i}")), T0).is_ok());
        }
        assert_eq!(l.tracked(), 3);
        // Full: further addresses share one bucket, so a flood from many addresses is still
        // held to one burst.
        assert!(l.admit(ip("198.51.100.10"), T0).is_ok());
        assert!(l.admit(ip("198.51.100.11"), T0).is_ok());
        assert!(l.admit(ip("198.51.100.12"), T0).is_err());
        assert_eq!(l.tracked(), 3);
        // Once their buckets are full again, idle addresses are forgotten.
        let later = T0.plus_millis(2_000);
        assert!(l.admit(ip("198.51.100.12"), later).is_ok());
        assert_eq!(l.tracked(), 1);
    }
}
