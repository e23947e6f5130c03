//! Sorting chat lists by any column. Ties are broken by idle time in the same direction (three
//! chats of one customer sort least idle -> most idle ascending, the reverse descending), then by
//! chat id, so the order is total and the same on every refresh.

use std::cmp::Ordering;

use super::chat::ChatState;
use super::list::ChatRow;
use super::prefs::Column;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
        // Unrated chats sort before any rating ascending.
        Column::Rating => a.rating.cmp(&b.rating),
        // Untagged first when ascending, then by the sorted tags as text.
        Column::Tags => a.tags.cmp(&b.tags),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::idle::{Severity, StatusIcons};
    use crate::domain::{ChatId, FollowUp, GroupId, Timestamp};

    fn row(id: &str, user: &str, idle_ms: i64) -> ChatRow {
        ChatRow {
            id: ChatId::parse(id).unwrap(),
            state: ChatState::Active,
            deleted: false,
            follow_up: None,
            icons: StatusIcons {
                state: Severity::Green,
                idle: Severity::Grey,
                follow_up: None,
            },
            user: user.into(),
            verified_user_id: None,
            group_id: GroupId::parse("g").unwrap(),
            group_name: "G".into(),
            started_at: Timestamp(0),
            queue_ms: 0,
            idle_ms,
            messages: 0,
            agent_id: None,
            agent_name: None,
            question: String::new(),
            last_seq: 1,
            hand_offs: 0,
            escalated: false,
            rating: None,
            customer_waiting: false,
            tags: Vec::new(),
            as_of: Timestamp(0),
        }
    }

    fn ids(rows: &[ChatRow]) -> Vec<&str> {
        rows.iter().map(|r| r.id.as_str()).collect()
    }

    fn sorted(mut rows: Vec<ChatRow>, column: Column, direction: SortDirection) -> Vec<ChatRow> {
        sort_rows(&mut rows, SortSpec { column, direction });
        rows
    }

    /// Three chats per column: two equal in that column (broken by idle), one different.
    /// Returns rows and the expected ascending order.
    fn case(column: Column) -> (Vec<ChatRow>, Vec<&'static str>) {
        let mut lo_idle = row("a1", "Sam", 10);
        let mut hi_idle = row("a2", "Sam", 500);
        let mut other = row("a3", "Sam", 50);
        // `other` sorts after the tied pair in the column.
        match column {
            Column::Status => {
                lo_idle.state = ChatState::Queued;
                hi_idle.state = ChatState::Queued;
                other.state = ChatState::Active;
            }
            Column::User => {
                lo_idle.user = "ann".into();
                hi_idle.user = "ann".into();
                other.user = "Bob".into();
            }
            Column::Group => {
                lo_idle.group_name = "Billing".into();
                hi_idle.group_name = "Billing".into();
                other.group_name = "support".into();
            }
            Column::Started => {
                lo_idle.started_at = Timestamp(5);
                hi_idle.started_at = Timestamp(5);
                other.started_at = Timestamp(9);
            }
            Column::QueueTime => {
                lo_idle.queue_ms = 100;
                hi_idle.queue_ms = 100;
                other.queue_ms = 2000;
            }
            Column::Idle => {
                // Idle is its own column: the order is by idle, then by id.
                lo_idle.idle_ms = 10;
                hi_idle.idle_ms = 10;
                other.idle_ms = 20;
                return (vec![other, hi_idle, lo_idle], vec!["a1", "a2", "a3"]);
            }
            Column::Messages => {
                lo_idle.messages = 3;
                hi_idle.messages = 3;
                other.messages = 30;
            }
            Column::Agent => {
                lo_idle.agent_name = None;
                hi_idle.agent_name = None;
                other.agent_name = Some("Alice".into());
            }
            Column::Rating => {
                lo_idle.rating = Some(2);
                hi_idle.rating = Some(2);
                other.rating = Some(5);
            }
            Column::Tags => {
                lo_idle.tags = vec!["billing".into()];
                hi_idle.tags = vec!["billing".into()];
                other.tags = vec!["vip".into()];
            }
        }
        (vec![other, hi_idle, lo_idle], vec!["a1", "a2", "a3"])
    }

    #[test]
    fn every_column_sorts_both_ways_with_the_idle_tie_break() {
        for column in Column::ALL {
            let (rows, ascending) = case(column);
            let asc = sorted(rows.clone(), column, SortDirection::Asc);
            assert_eq!(ids(&asc), ascending, "{column:?} ascending");
            let desc = sorted(rows, column, SortDirection::Desc);
            let mut descending = ascending.clone();
            descending.reverse();
            assert_eq!(ids(&desc), descending, "{column:?} descending");
        }
    }

    #[test]
    fn three_chats_of_one_user_sort_by_idle_in_the_same_direction() {
        let rows = vec![
            row("x", "Sam", 300),
            row("y", "Sam", 100),
            row("z", "Sam", 200),
        ];
        let asc = sorted(rows.clone(), Column::User, SortDirection::Asc);
        assert_eq!(ids(&asc), vec!["y", "z", "x"], "least idle to most idle");
        let desc = sorted(rows, Column::User, SortDirection::Desc);
        assert_eq!(ids(&desc), vec!["x", "z", "y"], "most idle to least idle");
    }

    #[test]
    fn the_order_is_total() {
        let rows = vec![row("b", "Sam", 1), row("a", "Sam", 1), row("c", "Sam", 1)];
        assert_eq!(
            ids(&sorted(rows.clone(), Column::User, SortDirection::Asc)),
            vec!["a", "b", "c"]
        );
        assert_eq!(
            ids(&sorted(rows, Column::User, SortDirection::Desc)),
            vec!["c", "b", "a"]
        );
    }

    #[test]
    fn status_orders_follow_ups_after_plain_chats_of_the_same_state() {
        let plain = row("p", "Sam", 1);
        let mut followed = row("f", "Sam", 1);
        followed.follow_up = Some(FollowUp {
            due_at: Timestamp(1),
            note: "call back".into(),
            set_by: crate::domain::AgentId::parse("a").unwrap(),
        });
        let asc = sorted(vec![followed, plain], Column::Status, SortDirection::Asc);
        assert_eq!(ids(&asc), vec!["p", "f"]);
    }

    #[test]
    fn user_names_sort_case_insensitively() {
        let rows = vec![
            row("1", "bob", 1),
            row("2", "Alice", 1),
            row("3", "carl", 1),
        ];
        assert_eq!(
            ids(&sorted(rows, Column::User, SortDirection::Asc)),
            vec!["2", "1", "3"]
        );
    }
}
