//! The organisation's settings (SQLite `organisation.doc`, DynamoDB `DIR` / `ORG`).

use serde::{Deserialize, Serialize};

use super::{readable, FORMAT_VERSION};
use crate::domain::{IdleThresholds, OrganisationSettings};
use crate::ports::StoreError;

#[derive(Serialize, Deserialize)]
pub(crate) struct OrganisationRecord {
    #[serde(default)]
    v: u32,
    idle_warning_ms: i64,
    idle_high_ms: i64,
    pub(crate) revision: u64,
}

impl From<&OrganisationSettings> for OrganisationRecord {
    fn from(s: &OrganisationSettings) -> Self {
        OrganisationRecord {
            v: FORMAT_VERSION,
            idle_warning_ms: s.idle.warning_ms,
            idle_high_ms: s.idle.high_ms,
            revision: s.revision,
        }
    }
}

impl TryFrom<OrganisationRecord> for OrganisationSettings {
    type Error = StoreError;
    fn try_from(r: OrganisationRecord) -> Result<Self, StoreError> {
        readable(r.v, "organisation settings")?;
        let idle =
            IdleThresholds::new(r.idle_warning_ms, r.idle_high_ms).map_err(StoreError::Corrupt)?;
        Ok(OrganisationSettings {
            idle,
            revision: r.revision,
        })
    }
}
