//! Sorting chat lists by any column. Ties are broken by idle time in the same direction (three
//! chats of one customer sort least idle -> most idle ascending, the reverse descending), then by
//! chat id, so the order is total and the same on every refresh.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use super::chat::ChatState;
use super::list::ChatRow;
use super::prefs::Column;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortDirection {
    Asc,
    Desc,
}

impl SortDirection {
    pub fn parse(s: &str) -> Option<SortDirection> {
        match s {
            "asc" => Some(SortDirection::Asc),
            "desc" => Some(SortDirection::Desc),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SortSpec {
    pub column: Column,
    pub direction: SortDirection,
}

impl Default for SortSpec {
    /// Newest first: what an agent opening a list wants to see.
    fn default() -> Self {
        SortSpec {
            column: Column::Started,
            direction: SortDirection::Desc,
        }
    }
}

fn state_rank(state: ChatState) -> u8 {
    match state {
        ChatState::Queued => 0,
        ChatState::Active => 1,
        ChatState::Inactive => 2,
    }
}

/// Case-insensitive text order with the exact text as a second key, so "ann" and "Ann" are
/// neighbours but never equal.
fn text_cmp(a: &str, b: &str) -> Ordering {
    a.to_lowercase()
        .cmp(&b.to_lowercase())
        .then_with(|| a.cmp(b))
}

fn column_cmp(column: Column, a: &ChatRow, b: &ChatRow) -> Ordering {
    match column {
        Column::Status => state_rank(a.state)
            .cmp(&state_rank(b.state))
            .then_with(|| a.follow_up.is_some().cmp(&b.follow_up.is_some())),
        Column::User => text_cmp(&a.user, &b.user),
        Column::Group => text_cmp(&a.group_name, &b.group_name),
        Column::Started => a.started_at.cmp(&b.started_at),
        Column::QueueTime => a.queue_ms.cmp(&b.queue_ms),
        Column::Idle => a.idle_ms.cmp(&b.idle_ms),
        Column::Messages => a.messages.cmp(&b.messages),
        // Unassigned chats sort before any agent name ascending.
        Column::Agent => match (&a.agent_name, &b.agent_name) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => text_cmp(x, y),
        },
    }
}

pub fn compare(spec: SortSpec, a: &ChatRow, b: &ChatRow) -> Ordering {
    let ascending = column_cmp(spec.column, a, b)
        .then_with(|| a.idle_ms.cmp(&b.idle_ms))
        .then_with(|| a.id.cmp(&b.id));
    match spec.direction {
        SortDirection::Asc => ascending,
        SortDirection::Desc => ascending.reverse(),
    }
}

pub fn sort_rows(rows: &mut [ChatRow], spec: SortSpec) {
    rows.sort_by(|a, b| compare(spec, a, b));
}
