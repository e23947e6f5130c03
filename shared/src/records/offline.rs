//! A group's business hours, offline behaviour and texts (SQLite `groups.business_hours`,
//! `groups.offline`, `groups.texts`; DynamoDB the group item's attributes of the same names).
//! Each is written only when it differs from the default, so groups stored before them, and
//! groups that never changed them, hold nothing and read as the defaults: always open, the
//! customer chooses, no wait limit, the built-in texts.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::domain::business_hours::{
    parse_holiday, parse_interval, parse_time_zone, BusinessHours, OpeningInterval, WEEKDAYS,
};
use crate::domain::{GroupTexts, OfflineSettings, WhenClosed};
use crate::ports::StoreError;

#[derive(Serialize, Deserialize)]
pub(crate) struct BusinessHoursRecord {
    time_zone: String,
    /// By weekday name (`monday`); days without opening hours are left out.
    #[serde(default)]
    weekly: BTreeMap<String, Vec<IntervalRecord>>,
    /// Local dates, `YYYY-MM-DD`.
    #[serde(default)]
    holidays: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct IntervalRecord {
    start: String,
    end: String,
}

impl From<&BusinessHours> for BusinessHoursRecord {
    fn from(h: &BusinessHours) -> Self {
        BusinessHoursRecord {
            time_zone: h.time_zone().name().to_owned(),
            weekly: WEEKDAYS
                .iter()
                .zip(h.weekly().iter())
                .filter(|(_, day)| !day.is_empty())
                .map(|(name, day)| {
                    let intervals = day
                        .iter()
                        .map(|i| IntervalRecord {
                            start: i.start.to_string(),
                            end: i.end.to_string(),
                        })
                        .collect();
                    ((*name).to_owned(), intervals)
                })
                .collect(),
            holidays: h.holidays().iter().map(|d| d.to_string()).collect(),
        }
    }
}

impl TryFrom<BusinessHoursRecord> for BusinessHours {
    type Error = StoreError;
    fn try_from(r: BusinessHoursRecord) -> Result<Self, StoreError> {
        let corrupt = |e: crate::domain::DomainError| StoreError::Corrupt(e.to_string());
        let mut weekly: [Vec<OpeningInterval>; 7] = Default::default();
        for (name, intervals) in r.weekly {
            let day = WEEKDAYS
                .iter()
                .position(|d| *d == name)
                .ok_or_else(|| StoreError::Corrupt(format!("business hours: weekday {name:?}")))?;
            weekly[day] = intervals
                .iter()
                .map(|i| parse_interval(&name, &i.start, &i.end))
                .collect::<Result<_, _>>()
                .map_err(corrupt)?;
        }
        let holidays = r
            .holidays
            .iter()
            .map(|d| parse_holiday(d))
            .collect::<Result<BTreeSet<_>, _>>()
            .map_err(corrupt)?;
        BusinessHours::new(
            parse_time_zone(&r.time_zone).map_err(corrupt)?,
            weekly,
            holidays,
        )
        .map_err(corrupt)
    }
}

#[derive(Serialize, Deserialize)]
pub(crate) struct OfflineRecord {
    #[serde(default)]
    when_closed_or_unstaffed: WhenClosedRecord,
    #[serde(default)]
    queue_wait_limit_secs: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reply_to: Option<String>,
}

#[derive(Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum WhenClosedRecord {
    MessageOnly,
    #[default]
    ChooseWaitOrMessage,
}

impl OfflineRecord {
    /// The record to write: none for the defaults.
    pub(crate) fn of(o: &OfflineSettings) -> Option<OfflineRecord> {
        (*o != OfflineSettings::default()).then_some(OfflineRecord {
            when_closed_or_unstaffed: match o.when_closed_or_unstaffed {
                WhenClosed::MessageOnly => WhenClosedRecord::MessageOnly,
                WhenClosed::ChooseWaitOrMessage => WhenClosedRecord::ChooseWaitOrMessage,
            },
            queue_wait_limit_secs: o.queue_wait_limit_secs,
            reply_to: o.reply_to.clone(),
        })
    }
}

impl From<OfflineRecord> for OfflineSettings {
    fn from(r: OfflineRecord) -> Self {
        OfflineSettings {
            when_closed_or_unstaffed: match r.when_closed_or_unstaffed {
                WhenClosedRecord::MessageOnly => WhenClosed::MessageOnly,
                WhenClosedRecord::ChooseWaitOrMessage => WhenClosed::ChooseWaitOrMessage,
            },
            queue_wait_limit_secs: r.queue_wait_limit_secs,
            reply_to: r.reply_to,
        }
    }
}

#[derive(Serialize, Deserialize)]
pub(crate) struct TextsRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    offline_notice: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reply_subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reply_body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    transcript_subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    transcript_body: Option<String>,
}

impl TextsRecord {
    /// The record to write: none when every text is the default.
    pub(crate) fn of(t: &GroupTexts) -> Option<TextsRecord> {
        (*t != GroupTexts::default()).then(|| TextsRecord {
            offline_notice: t.offline_notice.clone(),
            reply_subject: t.reply_subject.clone(),
            reply_body: t.reply_body.clone(),
            transcript_subject: t.transcript_subject.clone(),
            transcript_body: t.transcript_body.clone(),
        })
    }
}

impl From<TextsRecord> for GroupTexts {
    fn from(r: TextsRecord) -> Self {
        GroupTexts {
            offline_notice: r.offline_notice,
            reply_subject: r.reply_subject,
            reply_body: r.reply_body,
            transcript_subject: r.transcript_subject,
            transcript_body: r.transcript_body,
        }
    }
}
