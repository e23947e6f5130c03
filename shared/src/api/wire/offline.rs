//! A group's business hours, offline behaviour and texts on the wire, and the public
//! availability the chat page shows before the customer types.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::ids::Timestamp;
use crate::domain::business_hours::{self as hours, OpeningInterval, WEEKDAYS};
use crate::domain::{self, DomainError};

/// Open from `start` to `end`, local time (`HH:MM`; `24:00` as an end is midnight).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpeningHours {
    #[schema(example = "09:00")]
    pub start: String,
    #[schema(example = "17:00")]
    pub end: String,
}

/// Each weekday's opening intervals; a day left out or empty is closed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeeklyHours {
    #[serde(default)]
    pub monday: Vec<OpeningHours>,
    #[serde(default)]
    pub tuesday: Vec<OpeningHours>,
    #[serde(default)]
    pub wednesday: Vec<OpeningHours>,
    #[serde(default)]
    pub thursday: Vec<OpeningHours>,
    #[serde(default)]
    pub friday: Vec<OpeningHours>,
    #[serde(default)]
    pub saturday: Vec<OpeningHours>,
    #[serde(default)]
    pub sunday: Vec<OpeningHours>,
}

impl WeeklyHours {
    fn days(&self) -> [&Vec<OpeningHours>; 7] {
        [
            &self.monday,
            &self.tuesday,
            &self.wednesday,
            &self.thursday,
            &self.friday,
            &self.saturday,
            &self.sunday,
        ]
    }
}

/// When a group is open, in its own time zone (daylight-saving changes followed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BusinessHours {
    /// An IANA time zone name.
    #[schema(example = "Europe/Berlin")]
    pub time_zone: String,
    pub weekly: WeeklyHours,
    /// Dates (`YYYY-MM-DD`, in the group's zone) closed all day.
    #[serde(default)]
    pub holidays: Vec<String>,
}

impl From<&domain::BusinessHours> for BusinessHours {
    fn from(h: &domain::BusinessHours) -> Self {
        let day = |i: usize| -> Vec<OpeningHours> {
            h.weekly()[i]
                .iter()
                .map(|o| OpeningHours {
                    start: o.start.to_string(),
                    end: o.end.to_string(),
                })
                .collect()
        };
        BusinessHours {
            time_zone: h.time_zone().name().to_owned(),
            weekly: WeeklyHours {
                monday: day(0),
                tuesday: day(1),
                wednesday: day(2),
                thursday: day(3),
                friday: day(4),
                saturday: day(5),
                sunday: day(6),
            },
            holidays: h.holidays().iter().map(|d| d.to_string()).collect(),
        }
    }
}

impl TryFrom<BusinessHours> for domain::BusinessHours {
    type Error = DomainError;
    fn try_from(b: BusinessHours) -> Result<Self, DomainError> {
        let time_zone = hours::parse_time_zone(&b.time_zone)?;
        let mut weekly: [Vec<OpeningInterval>; 7] = Default::default();
        for ((slot, name), given) in weekly.iter_mut().zip(WEEKDAYS).zip(b.weekly.days()) {
            *slot = given
                .iter()
                .map(|o| hours::parse_interval(name, &o.start, &o.end))
                .collect::<Result<_, _>>()?;
        }
        let holidays = b
            .holidays
            .iter()
            .map(|d| hours::parse_holiday(d))
            .collect::<Result<BTreeSet<_>, _>>()?;
        if holidays.len() < b.holidays.len() {
            return Err(DomainError::invalid(
                "business_hours.holidays",
                "a date is listed twice",
            ));
        }
        domain::BusinessHours::new(time_zone, weekly, holidays)
    }
}

/// What the chat page offers outside business hours or while no member receives chats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WhenClosed {
    /// Leave a message only.
    MessageOnly,
    /// The customer chooses between waiting for a chat and leaving a message.
    #[default]
    ChooseWaitOrMessage,
}

/// A group's offline behaviour.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfflineSettings {
    #[serde(default)]
    pub when_closed_or_unstaffed: WhenClosed,
    /// After this many seconds in the queue a waiting customer is offered to leave a message
    /// instead; null: never.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 86400)]
    pub queue_wait_limit_secs: Option<u32>,
    /// The group's e-mail address: the Reply-To of its agents' answers to offline messages.
    #[serde(default)]
    pub reply_to: Option<String>,
}

impl From<&domain::OfflineSettings> for OfflineSettings {
    fn from(o: &domain::OfflineSettings) -> Self {
        OfflineSettings {
            when_closed_or_unstaffed: match o.when_closed_or_unstaffed {
                domain::WhenClosed::MessageOnly => WhenClosed::MessageOnly,
                domain::WhenClosed::ChooseWaitOrMessage => WhenClosed::ChooseWaitOrMessage,
            },
            queue_wait_limit_secs: o.queue_wait_limit_secs,
            reply_to: o.reply_to.clone(),
        }
    }
}

impl From<OfflineSettings> for domain::OfflineSettings {
    fn from(o: OfflineSettings) -> Self {
        domain::OfflineSettings {
            when_closed_or_unstaffed: match o.when_closed_or_unstaffed {
                WhenClosed::MessageOnly => domain::WhenClosed::MessageOnly,
                WhenClosed::ChooseWaitOrMessage => domain::WhenClosed::ChooseWaitOrMessage,
            },
            queue_wait_limit_secs: o.queue_wait_limit_secs,
            reply_to: o.reply_to,
        }
    }
}

/// A group's texts; null is the built-in default. Placeholders: `{customer_name}`, `{group}`,
/// `{agent_name}`, `{question}`, `{next_open}`; the reply body also `{reply}`, the transcript
/// body `{transcript}`. `{{` and `}}` are literal braces.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupTexts {
    /// Shown on the chat page when nobody can chat (plain text).
    #[serde(default)]
    pub offline_notice: Option<String>,
    #[serde(default)]
    pub reply_subject: Option<String>,
    #[serde(default)]
    pub reply_body: Option<String>,
    #[serde(default)]
    pub transcript_subject: Option<String>,
    #[serde(default)]
    pub transcript_body: Option<String>,
}

impl From<&domain::GroupTexts> for GroupTexts {
    fn from(t: &domain::GroupTexts) -> Self {
        GroupTexts {
            offline_notice: t.offline_notice.clone(),
            reply_subject: t.reply_subject.clone(),
            reply_body: t.reply_body.clone(),
            transcript_subject: t.transcript_subject.clone(),
            transcript_body: t.transcript_body.clone(),
        }
    }
}

impl From<GroupTexts> for domain::GroupTexts {
    fn from(t: GroupTexts) -> Self {
        domain::GroupTexts {
            offline_notice: t.offline_notice,
            reply_subject: t.reply_subject,
            reply_body: t.reply_body,
            transcript_subject: t.transcript_subject,
            transcript_body: t.transcript_body,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AvailabilityState {
    Open,
    OutsideHours,
    NobodyAvailable,
}

/// What the chat page offers: a chat, a message only, or the choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Offer {
    Chat,
    Message,
    Choose,
}

/// Whether anyone can answer in a group now, and what the customer is offered (public).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Availability {
    pub state: AvailabilityState,
    pub offer: Offer,
    /// The group's offline notice, plain text (show it as text, never as markup).
    pub notice: String,
    /// When the group opens next, outside its hours.
    pub next_open_at: Option<Timestamp>,
    pub queue_wait_limit_secs: Option<u32>,
}

impl Availability {
    /// `notice`: the group's offline notice, rendered (`App::offline_notice`).
    pub fn of(group: &domain::Group, a: &domain::Availability, notice: String) -> Self {
        Availability {
            state: match a.state {
                domain::AvailabilityState::Open => AvailabilityState::Open,
                domain::AvailabilityState::OutsideHours => AvailabilityState::OutsideHours,
                domain::AvailabilityState::NobodyAvailable => AvailabilityState::NobodyAvailable,
            },
            offer: match a.offer {
                domain::Offer::Chat => Offer::Chat,
                domain::Offer::Message => Offer::Message,
                domain::Offer::Choose => Offer::Choose,
            },
            notice,
            next_open_at: a.next_open_at.map(Into::into),
            queue_wait_limit_secs: group.offline.queue_wait_limit_secs,
        }
    }
}

/// For a field that may be absent (keep what is stored) or null (clear it): `Some(None)` is null.
pub(crate) fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}
