//! Wall-clock instants as milliseconds since the Unix epoch: cheap to compare, store and send,
//! and the unit every client already has (`Date.now()`).
//!
//! Every instant a client sends is checked here before it is stored: a value a browser cannot
//! represent (JavaScript dates end at ±8.64e15 ms) would make every console showing it fail.

use serde::{Deserialize, Serialize};

use super::error::DomainError;

pub const MINUTE_MS: i64 = 60_000;
pub const DAY_MS: i64 = 86_400_000;

/// How far in the past a follow-up may be set: the sender's clock may run a little behind ours,
/// and a follow-up due "now" must not be refused for it.
pub const MAX_CLOCK_SKEW_MS: i64 = 5 * MINUTE_MS;
/// How far ahead a follow-up may be scheduled: two years.
pub const MAX_FOLLOW_UP_AHEAD_MS: i64 = 730 * DAY_MS;
/// The latest instant a list index orders by: 13 digits of milliseconds (the width of the
/// DynamoDB list keys), in the year 2286.
pub const MAX_INDEXED_MS: i64 = 9_999_999_999_999;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
// Serde only for documents that embed instants (`kb::Resolution`); the API
// writes instants through `api::wire::ids`, and storage records hold them as numbers.
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn millis(self) -> i64 {
        self.0
    }

    /// Milliseconds from `earlier` to `self`, never negative (clocks of different Lambda hosts
    /// can disagree by a few milliseconds; a negative duration would only confuse a list).
    /// Saturates rather than overflows: a stored instant from before the edge checks may be
    /// anything, and a list must still be computed.
    pub fn since(self, earlier: Timestamp) -> i64 {
        self.0.saturating_sub(earlier.0).max(0)
    }

    pub fn plus_millis(self, ms: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(ms))
    }

    /// ISO 8601 in UTC to the second (`2026-03-01T14:05:09Z`), for messages people read. Instants
    /// outside years 0-9999 are written as their milliseconds.
    pub fn to_utc_string(self) -> String {
        // Years 0000 to 9999.
        const FIRST: i64 = -62_167_219_200_000;
        const LAST: i64 = 253_402_300_799_999;
        if !(FIRST..=LAST).contains(&self.0) {
            return format!("{} ms", self.0);
        }
        let secs = self.0.div_euclid(1000);
        let (days, secs_of_day) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        let (y, m, d) = civil_from_days(days);
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            secs_of_day / 3600,
            secs_of_day % 3600 / 60,
            secs_of_day % 60
        )
    }
}

/// Year, month, day of a count of days since 1970-01-01 (proleptic Gregorian; H. Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// A follow-up's due time as a client sent it, accepted from a few minutes ago (clock skew) to
/// two years ahead of `now`.
pub fn follow_up_due(due_at: Timestamp, now: Timestamp) -> Result<Timestamp, DomainError> {
    let earliest = now.plus_millis(-MAX_CLOCK_SKEW_MS);
    let latest = now.plus_millis(MAX_FOLLOW_UP_AHEAD_MS);
    if (earliest..=latest).contains(&due_at) {
        return Ok(due_at);
    }
    Err(DomainError::invalid(
        "due_at",
        format!(
            "must be between {} and {} (epoch milliseconds {} to {}: from {} minutes ago to {} \
             days ahead); got {}",
            earliest.to_utc_string(),
            latest.to_utc_string(),
            earliest.0,
            latest.0,
            MAX_CLOCK_SKEW_MS / MINUTE_MS,
            MAX_FOLLOW_UP_AHEAD_MS / DAY_MS,
            due_at.0
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The largest instant a JavaScript `Date` holds.
    const JS_DATE_LIMIT: i64 = 8_640_000_000_000_000;
    const NOW: Timestamp = Timestamp(1_767_225_600_000); // 2026-01-01T00:00:00Z

    #[test]
    fn formats_instants_in_utc() {
        assert_eq!(Timestamp(0).to_utc_string(), "1970-01-01T00:00:00Z");
        assert_eq!(NOW.to_utc_string(), "2026-01-01T00:00:00Z");
        assert_eq!(
            Timestamp(951_782_400_000 + 3_661_999).to_utc_string(),
            "2000-02-29T01:01:01Z"
        );
        assert_eq!(Timestamp(-1).to_utc_string(), "1969-12-31T23:59:59Z");
        assert_eq!(
            Timestamp(i64::MAX).to_utc_string(),
            "9223372036854775807 ms"
        );
    }

    #[test]
    fn durations_between_any_instants_are_computed() {
        assert_eq!(Timestamp(5).since(Timestamp(2)), 3);
        assert_eq!(Timestamp(2).since(Timestamp(5)), 0);
        assert_eq!(NOW.since(Timestamp(i64::MIN)), i64::MAX);
        assert_eq!(NOW.since(Timestamp(i64::MAX)), 0);
    }

    #[test]
    fn the_probe_values_are_refused_with_the_range() {
        for absurd in [8_640_000_000_000_001, i64::MIN, i64::MAX, -1, 0] {
            let err = follow_up_due(Timestamp(absurd), NOW).unwrap_err();
            let DomainError::InvalidInput { field, reason } = err else {
                panic!("not an input error")
            };
            assert_eq!(field, "due_at");
            assert!(
                reason.contains("2025-12-31T23:55:00Z") && reason.contains("2028-01-01T00:00:00Z"),
                "{reason}"
            );
            assert!(reason.contains(&absurd.to_string()), "{reason}");
        }
    }

    #[test]
    fn the_bounds_are_inclusive() {
        let earliest = NOW.plus_millis(-MAX_CLOCK_SKEW_MS);
        let latest = NOW.plus_millis(MAX_FOLLOW_UP_AHEAD_MS);
        assert_eq!(follow_up_due(earliest, NOW), Ok(earliest));
        assert_eq!(follow_up_due(latest, NOW), Ok(latest));
        assert!(follow_up_due(earliest.plus_millis(-1), NOW).is_err());
        assert!(follow_up_due(latest.plus_millis(1), NOW).is_err());
    }

    proptest! {
        /// Whatever a client sends, an accepted due time is one every reader can show: a
        /// JavaScript date, within the horizon, and the server itself never overflows on it.
        #[test]
        fn accepted_due_times_are_always_displayable(
            now in 0i64..=4_102_444_800_000,
            due in any::<i64>(),
        ) {
            let now = Timestamp(now);
            match follow_up_due(Timestamp(due), now) {
                Ok(t) => {
                    prop_assert!(t.0.abs() <= JS_DATE_LIMIT);
                    prop_assert!(t.0 >= now.0 - MAX_CLOCK_SKEW_MS);
                    prop_assert!(t.0 <= now.0 + MAX_FOLLOW_UP_AHEAD_MS);
                    prop_assert!(t.to_utc_string().ends_with('Z'));
                }
                Err(DomainError::InvalidInput { field, .. }) => prop_assert_eq!(field, "due_at"),
                Err(other) => prop_assert!(false, "unexpected {other:?}"),
            }
        }

        #[test]
        fn formatting_agrees_with_day_arithmetic(days in -700_000i64..2_900_000) {
            let text = Timestamp(days * DAY_MS).to_utc_string();
            let next = Timestamp((days + 1) * DAY_MS).to_utc_string();
            prop_assert!(text.ends_with("T00:00:00Z"));
            // Consecutive days format in increasing text order (fixed-width ISO dates).
            prop_assert!(text < next, "{text} !< {next}");
        }
    }
}
