//! How fast each side of a chat may write, whatever the path (any number of sockets, REST): a
//! burst, then a steady rate. Kept on the chat itself, so the check costs no extra read or
//! write: the message's own commit carries it, and two racing messages cannot both take the
//! last place (compare-and-set on the chat).
//!
//! The rule is the generic cell rate algorithm: each side has a "theoretical arrival time"; a
//! message is accepted while that time is at most `(BURST - 1) * INTERVAL` ahead of now, and
//! moves it one interval on. Unlike fixed windows, no burst across a window boundary gets twice
//! through.

use super::error::DomainError;
use super::time::Timestamp;

/// Messages one side may send at once.
pub const MESSAGE_BURST: i64 = 20;
/// Then one message per this many milliseconds.
pub const MESSAGE_INTERVAL_MS: i64 = 1_000;

/// Each side's theoretical arrival time (`None`: no message yet, a full burst is available).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SendPace {
    pub customer: Option<Timestamp>,
    pub agent: Option<Timestamp>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Customer,
    Agent,
}

impl SendPace {
    /// Accepts one message from `side` at `now`, or says how long to wait.
    pub fn accept(&mut self, side: Side, now: Timestamp) -> Result<(), DomainError> {
        let slot = match side {
            Side::Customer => &mut self.customer,
            Side::Agent => &mut self.agent,
        };
        let tat = slot.map_or(now, |t| if t.0 > now.0 { t } else { now });
        let ahead = tat.0 - now.0;
        let tolerance = (MESSAGE_BURST - 1) * MESSAGE_INTERVAL_MS;
        if ahead > tolerance {
            return Err(DomainError::TooFast {
                retry_after_ms: ahead - tolerance,
            });
        }
        *slot = Some(Timestamp(tat.0 + MESSAGE_INTERVAL_MS));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_one_per_interval() {
        let mut pace = SendPace::default();
        let t = Timestamp(1_000_000);
        for _ in 0..MESSAGE_BURST {
            pace.accept(Side::Customer, t).unwrap();
        }
        let refused = pace.accept(Side::Customer, t).unwrap_err();
        assert_eq!(
            refused,
            DomainError::TooFast {
                retry_after_ms: MESSAGE_INTERVAL_MS
            }
        );
        // The other side has its own allowance.
        pace.accept(Side::Agent, t).unwrap();
        // One interval later, exactly one more.
        let later = Timestamp(t.0 + MESSAGE_INTERVAL_MS);
        pace.accept(Side::Customer, later).unwrap();
        assert!(pace.accept(Side::Customer, later).is_err());
        // After a long pause the whole burst is back, not more.
        let much_later = Timestamp(t.0 + 3_600_000);
        for _ in 0..MESSAGE_BURST {
            pace.accept(Side::Customer, much_later).unwrap();
        }
        assert!(pace.accept(Side::Customer, much_later).is_err());
    }

    #[test]
    fn no_window_boundary_lets_twice_the_burst_through() {
        let mut pace = SendPace::default();
        let mut accepted = 0;
        // 10 s of someone sending as fast as they can, one attempt per millisecond.
        for ms in 0..10_000 {
            if pace.accept(Side::Agent, Timestamp(5_000_000 + ms)).is_ok() {
                accepted += 1;
            }
        }
        assert_eq!(accepted, MESSAGE_BURST + 10_000 / MESSAGE_INTERVAL_MS - 1);
    }
}
