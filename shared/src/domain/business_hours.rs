//! A group's business hours: the weekly opening hours and holidays of a group, in local time of
//! its IANA time zone. Whether the group is open at an instant and when it opens next.
//!
//! Local times are resolved to instants day by day, so the hours follow daylight-saving changes:
//! a 09:00-17:00 day opens at 09:00 local time on both sides of a change. A local time that does
//! not exist (in the gap of a spring-forward change) resolves to the first instant after the gap;
//! one that exists twice (a fall-back change) to its first occurrence. A holiday is closed all
//! day, from local midnight to local midnight, whatever its weekday. A group without business
//! hours is always open.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{Datelike, Days, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;

use super::error::DomainError;
use super::time::Timestamp;

/// How far ahead `next_opening` looks: more than a year, so that a group open only on one day a
/// year (or closed for the holidays of the next twelve months) is still found.
pub const NEXT_OPENING_HORIZON_DAYS: u64 = 400;
/// Opening intervals a day may have (a lunch break or two is plenty).
pub const MAX_INTERVALS_PER_DAY: usize = 8;
/// Holidays a group may list (a few years of them).
pub const MAX_HOLIDAYS: usize = 400;

const MINUTES_PER_DAY: u16 = 24 * 60;

/// The days of a week, Monday first: the index into `BusinessHours::weekly`.
pub const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// A time of day on a wall clock, in minutes since midnight: `00:00` to `24:00` (the end of the
/// day, allowed as an interval's end only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalTime(u16);

impl LocalTime {
    pub const END_OF_DAY: LocalTime = LocalTime(MINUTES_PER_DAY);

    /// Parses `HH:MM` (two digits each, `00:00` to `23:59`, or `24:00`).
    pub fn parse(s: &str) -> Option<LocalTime> {
        let bytes = s.as_bytes();
        if bytes.len() != 5 || bytes[2] != b':' {
            return None;
        }
        let two = |i: usize| -> Option<u16> {
            let (a, b) = (bytes[i], bytes[i + 1]);
            (a.is_ascii_digit() && b.is_ascii_digit())
                .then(|| u16::from(a - b'0') * 10 + u16::from(b - b'0'))
        };
        let (h, m) = (two(0)?, two(3)?);
        if m >= 60 || h > 24 || (h == 24 && m != 0) {
            return None;
        }
        Some(LocalTime(h * 60 + m))
    }

    pub fn from_minutes(minutes: u16) -> Option<LocalTime> {
        (minutes <= MINUTES_PER_DAY).then_some(LocalTime(minutes))
    }

    pub fn minutes(self) -> u16 {
        self.0
    }
}

impl fmt::Display for LocalTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

/// Open from `start` (inclusive) to `end` (exclusive), local time, on one day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpeningInterval {
    pub start: LocalTime,
    pub end: LocalTime,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusinessHours {
    time_zone: Tz,
    /// Monday first; each day's intervals sorted, not overlapping, each ending after it starts.
    weekly: [Vec<OpeningInterval>; 7],
    holidays: BTreeSet<NaiveDate>,
}

impl BusinessHours {
    /// Checks and builds business hours. Errors name the field and, in the reason, the day.
    pub fn new(
        time_zone: Tz,
        mut weekly: [Vec<OpeningInterval>; 7],
        holidays: BTreeSet<NaiveDate>,
    ) -> Result<BusinessHours, DomainError> {
        for (day, intervals) in WEEKDAYS.iter().zip(weekly.iter_mut()) {
            if intervals.len() > MAX_INTERVALS_PER_DAY {
                return Err(DomainError::invalid(
                    "business_hours.weekly",
                    format!("{day}: at most {MAX_INTERVALS_PER_DAY} opening intervals a day"),
                ));
            }
            for i in intervals.iter() {
                if i.start == LocalTime::END_OF_DAY {
                    return Err(DomainError::invalid(
                        "business_hours.weekly",
                        format!("{day}: an interval cannot start at 24:00"),
                    ));
                }
                if i.end <= i.start {
                    return Err(DomainError::invalid(
                        "business_hours.weekly",
                        format!(
                            "{day}: {}-{} ends before it starts (an interval ends on its own day, at 24:00 at the latest)",
                            i.start, i.end
                        ),
                    ));
                }
            }
            intervals.sort_by_key(|i| i.start);
            if let Some(pair) = intervals.windows(2).find(|w| w[1].start < w[0].end) {
                return Err(DomainError::invalid(
                    "business_hours.weekly",
                    format!(
                        "{day}: {}-{} overlaps {}-{}",
                        pair[0].start, pair[0].end, pair[1].start, pair[1].end
                    ),
                ));
            }
        }
        if holidays.len() > MAX_HOLIDAYS {
            return Err(DomainError::invalid(
                "business_hours.holidays",
                format!("at most {MAX_HOLIDAYS} holidays"),
            ));
        }
        Ok(BusinessHours {
            time_zone,
            weekly,
            holidays,
        })
    }

    pub fn time_zone(&self) -> Tz {
        self.time_zone
    }

    pub fn weekly(&self) -> &[Vec<OpeningInterval>; 7] {
        &self.weekly
    }

    pub fn holidays(&self) -> &BTreeSet<NaiveDate> {
        &self.holidays
    }

    /// Whether the group is open at `at`.
    pub fn is_open(&self, at: Timestamp) -> bool {
        let Some(date) = self.local_date(at) else {
            return false;
        };
        // An interval of one local date covers instants of that date only, except around a
        // change at midnight: the neighbouring dates are checked too.
        [date.pred_opt(), Some(date), date.succ_opt()]
            .into_iter()
            .flatten()
            .any(|d| {
                self.open_instants(d)
                    .any(|(start, end)| start <= at.0 && at.0 < end)
            })
    }

    /// The first instant at or after `at` when the group is open (`at` itself if it is open);
    /// `None` if it does not open within `NEXT_OPENING_HORIZON_DAYS`.
    pub fn next_opening(&self, at: Timestamp) -> Option<Timestamp> {
        let first = self.local_date(at)?.pred_opt()?;
        let mut best: Option<i64> = None;
        for offset in 0..=NEXT_OPENING_HORIZON_DAYS + 1 {
            let date = first.checked_add_days(Days::new(offset))?;
            if let Some(found) = best {
                // Every interval of a later date starts after every instant of this one, a
                // midnight change aside: one more date is enough to be sure.
                if self.day_start(date).is_some_and(|s| s > found) {
                    break;
                }
            }
            for (start, end) in self.open_instants(date) {
                if end > at.0 {
                    let candidate = start.max(at.0);
                    best = Some(best.map_or(candidate, |b| b.min(candidate)));
                }
            }
        }
        best.map(Timestamp)
    }

    /// `at` as a local date and time in the group's zone, for people: `Monday 7 December 2026,
    /// 09:00 (Europe/Berlin)`.
    pub fn format_local(&self, at: Timestamp) -> String {
        match self.time_zone.timestamp_millis_opt(at.0) {
            LocalResult::Single(local) | LocalResult::Ambiguous(local, _) => format!(
                "{}, {} ({})",
                local.format("%A %-d %B %Y"),
                local.format("%H:%M"),
                self.time_zone.name()
            ),
            LocalResult::None => at.to_utc_string(),
        }
    }

    fn local_date(&self, at: Timestamp) -> Option<NaiveDate> {
        match self.time_zone.timestamp_millis_opt(at.0) {
            LocalResult::Single(local) | LocalResult::Ambiguous(local, _) => {
                Some(local.date_naive())
            }
            LocalResult::None => None,
        }
    }

    /// The open intervals of one local date as instants (ms), in order; none on a holiday.
    /// An interval that falls entirely in a daylight-saving gap is empty and left out.
    fn open_instants(&self, date: NaiveDate) -> impl Iterator<Item = (i64, i64)> + '_ {
        let intervals: &[OpeningInterval] = if self.holidays.contains(&date) {
            &[]
        } else {
            &self.weekly[date.weekday().num_days_from_monday() as usize]
        };
        intervals.iter().filter_map(move |i| {
            let start = self.resolve(date, i.start)?;
            let end = self.resolve(date, i.end)?;
            (end > start).then_some((start, end))
        })
    }

    fn day_start(&self, date: NaiveDate) -> Option<i64> {
        self.resolve(date, LocalTime(0))
    }

    /// The instant (ms) of a local time on a local date: its first occurrence when it exists
    /// twice, the first instant after the gap when it does not exist.
    fn resolve(&self, date: NaiveDate, time: LocalTime) -> Option<i64> {
        let local = if time == LocalTime::END_OF_DAY {
            date.succ_opt()?.and_time(NaiveTime::MIN)
        } else {
            let t = NaiveTime::from_hms_opt(u32::from(time.0 / 60), u32::from(time.0 % 60), 0)?;
            date.and_time(t)
        };
        match self.time_zone.from_local_datetime(&local) {
            LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => Some(at.timestamp_millis()),
            LocalResult::None => self.end_of_gap(local),
        }
    }

    /// The first instant whose local time is at or after `local`, which lies in a gap. Gaps are
    /// at most a few hours: the search runs over a day either side, by halving, to the second.
    fn end_of_gap(&self, local: NaiveDateTime) -> Option<i64> {
        let naive_secs = local.and_utc().timestamp();
        let (mut lo, mut hi) = (naive_secs - 86_400, naive_secs + 86_400);
        let local_at = |secs: i64| -> Option<NaiveDateTime> {
            match self.time_zone.timestamp_opt(secs, 0) {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(t.naive_local()),
                LocalResult::None => None,
            }
        };
        if local_at(lo)? >= local || local_at(hi)? < local {
            return None;
        }
        // Invariant: local(lo) < local <= local(hi).
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if local_at(mid)? >= local {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Some(hi * 1000)
    }
}

/// Parses an IANA time zone name (`Europe/Berlin`).
pub fn parse_time_zone(name: &str) -> Result<Tz, DomainError> {
    name.parse::<Tz>().map_err(|_| {
        DomainError::invalid(
            "business_hours.time_zone",
            format!("{name:?} is not an IANA time zone name (e.g. Europe/Berlin)"),
        )
    })
}

/// Parses a holiday, `YYYY-MM-DD`.
pub fn parse_holiday(s: &str) -> Result<NaiveDate, DomainError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|_| s.len() == 10)
        .ok_or_else(|| {
            DomainError::invalid(
                "business_hours.holidays",
                format!("{s:?} is not a date as YYYY-MM-DD"),
            )
        })
}

/// Parses one opening interval of `day` from `HH:MM` strings.
pub fn parse_interval(day: &str, start: &str, end: &str) -> Result<OpeningInterval, DomainError> {
    let time = |s: &str| {
        LocalTime::parse(s).ok_or_else(|| {
            DomainError::invalid(
                "business_hours.weekly",
                format!("{day}: {s:?} is not a time as HH:MM (00:00 to 24:00)"),
            )
        })
    };
    Ok(OpeningInterval {
        start: time(start)?,
        end: time(end)?,
    })
}

#[cfg(test)]
mod tests;
