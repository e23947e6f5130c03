//! The query of `GET /api/chats`: which view, and how to sort it.

use crate::api::dto::ListQuery;
use crate::api::error::ApiError;
use crate::domain::{ChatView, Column, DomainError, GroupId, SortDirection, SortSpec};

/// The view and the sort the query names (`None`: the agent's saved sort).
pub fn parse(q: &ListQuery) -> Result<(ChatView, Option<SortSpec>), ApiError> {
    let view = match q.view.as_str() {
        "my_active" => ChatView::MyActive,
        "my_completed" => ChatView::MyCompleted,
        "queue" => ChatView::Queue,
        "global" => ChatView::Global,
        "deleted" => ChatView::Deleted,
        "group" => {
            let raw = q.group_id.as_deref().ok_or_else(|| {
                DomainError::invalid("group_id", "is required with view=group")
            })?;
            ChatView::Group {
                group_id: GroupId::parse(raw)?,
                inactive: q.inactive.unwrap_or(false),
            }
        }
        other => {
            return Err(DomainError::invalid(
                "view",
                format!(
                    "unknown view {other:?}; use my_active, my_completed, group, queue, global or deleted"
                ),
            )
            .into())
        }
    };
    let sort = match (&q.sort, &q.dir) {
        (None, None) => None,
        (column, dir) => {
            let column = match column {
                Some(c) => Column::parse(c).ok_or_else(|| {
                    DomainError::invalid(
                        "sort",
                        format!("unknown column {c:?}; use status, user, group, started, queue_time, idle, messages, agent, rating or tags"),
                    )
                })?,
                None => SortSpec::default().column,
            };
            let direction = match dir {
                Some(d) => SortDirection::parse(d)
                    .ok_or_else(|| DomainError::invalid("dir", "use asc or desc"))?,
                None => SortDirection::Asc,
            };
            Some(SortSpec { column, direction })
        }
    };
    Ok((view, sort))
}
