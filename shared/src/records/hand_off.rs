//! A group's hand-off settings (SQLite `groups.hand_off`, DynamoDB the group item's `hand_off`).
//! Groups stored before the timers existed have none and get the defaults.

use serde::{Deserialize, Serialize};

use crate::domain::HandOffSettings;

#[derive(Serialize, Deserialize)]
pub(crate) struct HandOffRecord {
    no_first_response_secs: u32,
    no_follow_up_secs: u32,
    agent_disconnected_secs: u32,
    max_hand_offs: u32,
}

impl From<&HandOffSettings> for HandOffRecord {
    fn from(h: &HandOffSettings) -> Self {
        HandOffRecord {
            no_first_response_secs: h.no_first_response_secs,
            no_follow_up_secs: h.no_follow_up_secs,
            agent_disconnected_secs: h.agent_disconnected_secs,
            max_hand_offs: h.max_hand_offs,
        }
    }
}

impl From<HandOffRecord> for HandOffSettings {
    fn from(r: HandOffRecord) -> Self {
        HandOffSettings {
            no_first_response_secs: r.no_first_response_secs,
            no_follow_up_secs: r.no_follow_up_secs,
            agent_disconnected_secs: r.agent_disconnected_secs,
            // A cap of 0 would hand nothing off and everything to the queue: read as 1.
            max_hand_offs: r.max_hand_offs.max(1),
        }
    }
}
