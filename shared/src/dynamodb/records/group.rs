//! A group's item (`DIR` / `GROUP#{id}`). The SQLite store keeps groups in columns of their own,
//! so this record is the DynamoDB store's alone.

use serde::{Deserialize, Serialize};

use crate::domain::{Distribution, Group};
use crate::ports::StoreError;
use crate::records::{
    id, readable, BusinessHoursRecord, HandOffRecord, OfflineRecord, TextsRecord, FORMAT_VERSION,
};

#[derive(Serialize, Deserialize)]
pub(in crate::dynamodb) struct GroupRecord {
    #[serde(default)]
    v: u32,
    id: String,
    name: String,
    /// Added after the first groups were stored: those are pulled from the queue.
    #[serde(default)]
    distribution: DistributionRecord,
    /// Added with the hand-off timers: groups stored before get the defaults.
    #[serde(default)]
    hand_off: Option<HandOffRecord>,
    /// Added with business hours; each only when not the default (`records::offline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    business_hours: Option<BusinessHoursRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    offline: Option<OfflineRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    texts: Option<TextsRecord>,
}

#[derive(Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum DistributionRecord {
    #[default]
    Pull,
    Automatic,
    RoundRobin,
}

impl From<&Group> for GroupRecord {
    fn from(g: &Group) -> Self {
        GroupRecord {
            v: FORMAT_VERSION,
            id: g.id.to_string(),
            name: g.name.clone(),
            distribution: match g.distribution {
                Distribution::Pull => DistributionRecord::Pull,
                Distribution::Automatic => DistributionRecord::Automatic,
                Distribution::RoundRobin => DistributionRecord::RoundRobin,
            },
            hand_off: Some(HandOffRecord::from(&g.hand_off)),
            business_hours: g.business_hours.as_ref().map(BusinessHoursRecord::from),
            offline: OfflineRecord::of(&g.offline),
            texts: TextsRecord::of(&g.texts),
        }
    }
}

impl TryFrom<GroupRecord> for Group {
    type Error = StoreError;
    fn try_from(r: GroupRecord) -> Result<Self, StoreError> {
        readable(r.v, "a group")?;
        Ok(Group {
            id: id(r.id)?,
            name: r.name,
            distribution: match r.distribution {
                DistributionRecord::Pull => Distribution::Pull,
                DistributionRecord::Automatic => Distribution::Automatic,
                DistributionRecord::RoundRobin => Distribution::RoundRobin,
            },
            hand_off: r.hand_off.map(Into::into).unwrap_or_default(),
            business_hours: r.business_hours.map(TryInto::try_into).transpose()?,
            offline: r.offline.map(Into::into).unwrap_or_default(),
            texts: r.texts.map(Into::into).unwrap_or_default(),
        })
    }
}
