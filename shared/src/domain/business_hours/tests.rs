//! Business hours across daylight-saving changes, holidays and zones whose date differs from UTC.

use super::*;
use chrono::Utc;
use proptest::prelude::*;

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> Timestamp {
    Timestamp(
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .unwrap()
            .timestamp_millis(),
    )
}

fn interval(start: &str, end: &str) -> OpeningInterval {
    parse_interval("monday", start, end).unwrap()
}

/// The same intervals every day of the week.
fn every_day(zone: &str, intervals: &[(&str, &str)]) -> BusinessHours {
    let day: Vec<OpeningInterval> = intervals.iter().map(|(s, e)| interval(s, e)).collect();
    BusinessHours::new(
        parse_time_zone(zone).unwrap(),
        std::array::from_fn(|_| day.clone()),
        BTreeSet::new(),
    )
    .unwrap()
}

fn nine_to_five(zone: &str) -> BusinessHours {
    every_day(zone, &[("09:00", "17:00")])
}

#[test]
fn a_nine_to_five_day_opens_at_nine_local_on_both_sides_of_spring_forward_in_berlin() {
    // 2026-03-29 02:00 CET becomes 03:00 CEST: 09:00 is 08:00 UTC before, 07:00 UTC after.
    let hours = nine_to_five("Europe/Berlin");
    assert!(!hours.is_open(utc(2026, 3, 28, 7, 59)));
    assert!(hours.is_open(utc(2026, 3, 28, 8, 0)));
    assert!(!hours.is_open(utc(2026, 3, 29, 6, 59)));
    assert!(hours.is_open(utc(2026, 3, 29, 7, 0)));
    assert!(hours.is_open(utc(2026, 3, 29, 14, 59)));
    assert!(!hours.is_open(utc(2026, 3, 29, 15, 0)));
    assert_eq!(
        hours.next_opening(utc(2026, 3, 28, 20, 0)),
        Some(utc(2026, 3, 29, 7, 0))
    );
}

#[test]
fn a_nine_to_five_day_opens_at_nine_local_on_both_sides_of_fall_back_in_new_york() {
    // 2026-11-01 02:00 EDT becomes 01:00 EST: 09:00 is 13:00 UTC before, 14:00 UTC after.
    let hours = nine_to_five("America/New_York");
    assert!(hours.is_open(utc(2026, 10, 31, 13, 0)));
    assert!(!hours.is_open(utc(2026, 11, 1, 13, 59)));
    assert!(hours.is_open(utc(2026, 11, 1, 14, 0)));
    assert!(!hours.is_open(utc(2026, 11, 1, 22, 0)));
    assert_eq!(
        hours.next_opening(utc(2026, 10, 31, 23, 0)),
        Some(utc(2026, 11, 1, 14, 0))
    );
}

#[test]
fn spring_forward_in_new_york_and_fall_back_in_berlin_keep_local_hours_too() {
    let new_york = nine_to_five("America/New_York");
    // 2026-03-08: EST (-5) becomes EDT (-4).
    assert!(new_york.is_open(utc(2026, 3, 7, 14, 0)));
    assert!(!new_york.is_open(utc(2026, 3, 8, 12, 59)));
    assert!(new_york.is_open(utc(2026, 3, 8, 13, 0)));
    let berlin = nine_to_five("Europe/Berlin");
    // 2026-10-25: CEST (+2) becomes CET (+1).
    assert!(berlin.is_open(utc(2026, 10, 24, 7, 0)));
    assert!(!berlin.is_open(utc(2026, 10, 25, 7, 59)));
    assert!(berlin.is_open(utc(2026, 10, 25, 8, 0)));
}

#[test]
fn an_interval_starting_in_the_spring_forward_gap_starts_at_the_first_instant_after_it() {
    // 02:30 does not exist on 2026-03-29 in Berlin: clocks go from 02:00 CET to 03:00 CEST,
    // which is 01:00 UTC.
    let berlin = every_day("Europe/Berlin", &[("02:30", "04:00")]);
    assert!(!berlin.is_open(utc(2026, 3, 29, 0, 59)));
    assert!(berlin.is_open(utc(2026, 3, 29, 1, 0)));
    assert!(!berlin.is_open(utc(2026, 3, 29, 2, 0)));
    assert_eq!(
        berlin.next_opening(utc(2026, 3, 28, 12, 0)),
        Some(utc(2026, 3, 29, 1, 0))
    );
    // The same in New York on 2026-03-08: 03:00 EDT is 07:00 UTC.
    let new_york = every_day("America/New_York", &[("02:30", "04:00")]);
    assert!(!new_york.is_open(utc(2026, 3, 8, 6, 59)));
    assert!(new_york.is_open(utc(2026, 3, 8, 7, 0)));
}

#[test]
fn an_interval_wholly_inside_the_gap_does_not_open_that_day() {
    let berlin = every_day("Europe/Berlin", &[("02:00", "03:00")]);
    // 2026-03-28 02:00 CET is 01:00 UTC; the next day has no 02:00-03:00: the next opening is
    // on 2026-03-30 at 02:00 CEST, 00:00 UTC.
    assert!(berlin.is_open(utc(2026, 3, 28, 1, 0)));
    assert_eq!(
        berlin.next_opening(utc(2026, 3, 28, 2, 0)),
        Some(utc(2026, 3, 30, 0, 0))
    );
}

#[test]
fn an_ambiguous_local_time_takes_its_first_occurrence() {
    // 2026-10-25 in Berlin: 02:30 happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET).
    let berlin = every_day("Europe/Berlin", &[("02:30", "12:00")]);
    assert!(!berlin.is_open(utc(2026, 10, 25, 0, 29)));
    assert!(berlin.is_open(utc(2026, 10, 25, 0, 30)));
    assert!(berlin.is_open(utc(2026, 10, 25, 1, 0)));
    // 2026-11-01 in New York: 01:30 is 05:30 UTC (EDT) first.
    let new_york = every_day("America/New_York", &[("01:30", "05:00")]);
    assert_eq!(
        new_york.next_opening(utc(2026, 11, 1, 0, 0)),
        Some(utc(2026, 11, 1, 5, 30))
    );
}

#[test]
fn a_holiday_is_closed_all_day_in_the_groups_zone_and_the_next_day_opens_again() {
    let mut hours = nine_to_five("Europe/Berlin");
    hours.holidays.insert(parse_holiday("2026-12-24").unwrap());
    // 2026-12-24 09:00 CET is 08:00 UTC.
    assert!(hours.is_open(utc(2026, 12, 23, 8, 0)));
    assert!(!hours.is_open(utc(2026, 12, 24, 8, 0)));
    assert!(!hours.is_open(utc(2026, 12, 24, 12, 0)));
    assert!(hours.is_open(utc(2026, 12, 25, 8, 0)));
    assert_eq!(
        hours.next_opening(utc(2026, 12, 23, 17, 0)),
        Some(utc(2026, 12, 25, 8, 0))
    );
}

#[test]
fn a_zone_ahead_of_utc_opens_on_its_own_date() {
    // Monday 2026-12-07 09:00 in Auckland (NZDT, +13) is Sunday 2026-12-06 20:00 UTC.
    let mut weekly: [Vec<OpeningInterval>; 7] = Default::default();
    weekly[0] = vec![interval("09:00", "17:00")];
    let mut holidays = BTreeSet::new();
    let mut hours = BusinessHours::new(
        parse_time_zone("Pacific/Auckland").unwrap(),
        weekly,
        BTreeSet::new(),
    )
    .unwrap();
    assert!(!hours.is_open(utc(2026, 12, 6, 19, 59)));
    assert!(hours.is_open(utc(2026, 12, 6, 20, 0)));
    assert!(!hours.is_open(utc(2026, 12, 7, 4, 0)));
    // The holiday is Auckland's Monday, though it is still Sunday in UTC.
    holidays.insert(parse_holiday("2026-12-07").unwrap());
    hours.holidays = holidays;
    assert!(!hours.is_open(utc(2026, 12, 6, 20, 0)));
    assert_eq!(
        hours.next_opening(utc(2026, 12, 6, 20, 0)),
        Some(utc(2026, 12, 13, 20, 0))
    );
}

#[test]
fn an_interval_may_end_at_midnight_and_the_next_day_continue_it() {
    let hours = every_day("UTC", &[("00:00", "24:00")]);
    assert!(hours.is_open(utc(2026, 5, 1, 23, 59)));
    assert!(hours.is_open(utc(2026, 5, 2, 0, 0)));
}

#[test]
fn a_group_that_never_opens_has_no_next_opening() {
    let hours = BusinessHours::new(
        parse_time_zone("UTC").unwrap(),
        Default::default(),
        BTreeSet::new(),
    )
    .unwrap();
    assert!(!hours.is_open(utc(2026, 5, 1, 12, 0)));
    assert_eq!(hours.next_opening(utc(2026, 5, 1, 12, 0)), None);
}

#[test]
fn bad_input_is_refused_naming_the_field_and_the_day() {
    let err = |r: Result<BusinessHours, DomainError>| r.unwrap_err().to_string();
    assert!(parse_time_zone("Mars/Olympus")
        .unwrap_err()
        .to_string()
        .starts_with("business_hours.time_zone:"));
    for bad in ["9:00", "24:01", "12:60", "ab:cd", "12:000"] {
        let e = parse_interval("tuesday", bad, "17:00")
            .unwrap_err()
            .to_string();
        assert!(e.contains("tuesday") && e.contains(bad), "{e}");
    }
    assert!(parse_holiday("2026-02-30").is_err());
    assert!(parse_holiday("2026-2-3").is_err());
    let tz = parse_time_zone("UTC").unwrap();
    let mut weekly: [Vec<OpeningInterval>; 7] = Default::default();
    weekly[2] = vec![interval("17:00", "09:00")];
    let e = err(BusinessHours::new(tz, weekly.clone(), BTreeSet::new()));
    assert!(
        e.contains("wednesday") && e.contains("ends before it starts"),
        "{e}"
    );
    weekly[2] = vec![interval("09:00", "12:00"), interval("11:00", "13:00")];
    let e = err(BusinessHours::new(tz, weekly.clone(), BTreeSet::new()));
    assert!(e.contains("wednesday") && e.contains("overlaps"), "{e}");
    // Touching intervals are fine.
    weekly[2] = vec![interval("12:00", "13:00"), interval("09:00", "12:00")];
    let hours = BusinessHours::new(tz, weekly, BTreeSet::new()).unwrap();
    assert_eq!(hours.weekly()[2][0].start.to_string(), "09:00");
}

#[test]
fn local_instants_are_written_in_the_groups_zone() {
    let hours = nine_to_five("Europe/Berlin");
    assert_eq!(
        hours.format_local(utc(2026, 12, 7, 8, 0)),
        "Monday 7 December 2026, 09:00 (Europe/Berlin)"
    );
}

const ZONES: [&str; 5] = [
    "Europe/Berlin",
    "America/New_York",
    "Pacific/Auckland",
    "Asia/Kolkata",
    "UTC",
];

fn any_hours() -> impl Strategy<Value = BusinessHours> {
    let day = proptest::collection::vec((0u16..96, 1u16..32), 0..3).prop_map(|slots| {
        // Quarter-hour slots, merged into sorted, non-overlapping intervals.
        let mut marks = [false; 97];
        for (start, len) in slots {
            for q in start..(start + len).min(96) {
                marks[q as usize] = true;
            }
        }
        let mut out = Vec::new();
        let mut q = 0;
        while q < 96 {
            if marks[q] {
                let s = q;
                while q < 96 && marks[q] {
                    q += 1;
                }
                out.push(OpeningInterval {
                    start: LocalTime::from_minutes(s as u16 * 15).unwrap(),
                    end: LocalTime::from_minutes(q as u16 * 15).unwrap(),
                });
            } else {
                q += 1;
            }
        }
        out
    });
    (
        0..ZONES.len(),
        proptest::array::uniform7(day),
        proptest::collection::btree_set(0u64..730, 0..20),
    )
        .prop_map(|(zone, weekly, holidays)| {
            let first = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
            let holidays = holidays
                .into_iter()
                .map(|d| first.checked_add_days(Days::new(d)).unwrap())
                .collect();
            BusinessHours::new(parse_time_zone(ZONES[zone]).unwrap(), weekly, holidays).unwrap()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The next opening is open, and the group is closed everywhere between now and then
    /// (sampled every quarter of an hour, and the instant just before).
    #[test]
    fn the_next_opening_is_open_and_nothing_before_it_is(
        hours in any_hours(),
        minute in 0i64..(730 * 24 * 60),
    ) {
        let now = utc(2026, 1, 1, 0, 0).plus_millis(minute * 60_000 + 7_000);
        match hours.next_opening(now) {
            Some(next) => {
                prop_assert!(next >= now);
                prop_assert!(hours.is_open(next));
                prop_assert_eq!(hours.is_open(now), next == now);
                if next > now {
                    prop_assert!(!hours.is_open(Timestamp(next.0 - 1)));
                    let mut t = now;
                    while t < next && t.since(now) < 40 * 86_400_000 {
                        prop_assert!(!hours.is_open(t));
                        t = t.plus_millis(15 * 60_000);
                    }
                }
            }
            None => {
                let mut t = now;
                for _ in 0..(8 * 24 * 4) {
                    prop_assert!(!hours.is_open(t));
                    t = t.plus_millis(15 * 60_000);
                }
            }
        }
    }
}
