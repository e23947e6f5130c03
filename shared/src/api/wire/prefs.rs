//! An agent's chat-list layout and sort, both ways: the console reads and saves it.

use serde::{Deserialize, Serialize};

use crate::domain;

/// The columns of every chat list (besides the selection checkbox).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    Status,
    User,
    Group,
    Started,
    QueueTime,
    Idle,
    Messages,
    Agent,
    /// The customer's satisfaction rating (optional, hidden by default).
    Rating,
    /// Agents' tags on the chat (optional, hidden by default).
    Tags,
}

impl From<domain::Column> for Column {
    fn from(c: domain::Column) -> Self {
        use domain::Column as D;
        match c {
            D::Status => Column::Status,
            D::User => Column::User,
            D::Group => Column::Group,
            D::Started => Column::Started,
            D::QueueTime => Column::QueueTime,
            D::Idle => Column::Idle,
            D::Messages => Column::Messages,
            D::Agent => Column::Agent,
            D::Rating => Column::Rating,
            D::Tags => Column::Tags,
        }
    }
}

impl From<Column> for domain::Column {
    fn from(c: Column) -> Self {
        use domain::Column as D;
        match c {
            Column::Status => D::Status,
            Column::User => D::User,
            Column::Group => D::Group,
            Column::Started => D::Started,
            Column::QueueTime => D::QueueTime,
            Column::Idle => D::Idle,
            Column::Messages => D::Messages,
            Column::Agent => D::Agent,
            Column::Rating => D::Rating,
            Column::Tags => D::Tags,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortDirection {
    Asc,
    Desc,
}

impl From<domain::SortDirection> for SortDirection {
    fn from(d: domain::SortDirection) -> Self {
        match d {
            domain::SortDirection::Asc => SortDirection::Asc,
            domain::SortDirection::Desc => SortDirection::Desc,
        }
    }
}

impl From<SortDirection> for domain::SortDirection {
    fn from(d: SortDirection) -> Self {
        match d {
            SortDirection::Asc => domain::SortDirection::Asc,
            SortDirection::Desc => domain::SortDirection::Desc,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SortSpec {
    pub column: Column,
    pub direction: SortDirection,
}

impl From<domain::SortSpec> for SortSpec {
    fn from(s: domain::SortSpec) -> Self {
        SortSpec {
            column: s.column.into(),
            direction: s.direction.into(),
        }
    }
}

impl From<SortSpec> for domain::SortSpec {
    fn from(s: SortSpec) -> Self {
        domain::SortSpec {
            column: s.column.into(),
            direction: s.direction.into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ColumnPreference {
    pub column: Column,
    pub visible: bool,
    pub width: u32,
}

/// An agent's console preferences: the chat-list layout (which columns show, in which order, how
/// wide, and the sort) and what the console notifies them of.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ListPreferences {
    pub columns: Vec<ColumnPreference>,
    pub sort: SortSpec,
    /// Always in answers. In a `PUT`, leaving it out keeps the saved settings (a client that
    /// only changes the layout does not reset them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notifications: Option<NotificationPreferences>,
}

/// What the console notifies the agent of while they look elsewhere, and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NotificationPreferences {
    /// A desktop notification (once the browser allowed them).
    pub desktop: bool,
    /// A short tone.
    pub sound: bool,
    /// A chat starts waiting in the queue of one of the agent's groups.
    pub new_chats: bool,
    /// A chat is given to the agent (distribution, hand-off, transfer).
    pub assigned: bool,
    /// A customer writes in one of the agent's chats that is not on screen.
    pub messages: bool,
}

impl From<domain::NotificationPreferences> for NotificationPreferences {
    fn from(n: domain::NotificationPreferences) -> Self {
        NotificationPreferences {
            desktop: n.desktop,
            sound: n.sound,
            new_chats: n.new_chats,
            assigned: n.assigned,
            messages: n.messages,
        }
    }
}

impl From<NotificationPreferences> for domain::NotificationPreferences {
    fn from(n: NotificationPreferences) -> Self {
        domain::NotificationPreferences {
            desktop: n.desktop,
            sound: n.sound,
            new_chats: n.new_chats,
            assigned: n.assigned,
            messages: n.messages,
        }
    }
}

impl From<&domain::ListPreferences> for ListPreferences {
    fn from(p: &domain::ListPreferences) -> Self {
        ListPreferences {
            columns: p
                .columns
                .iter()
                .map(|c| ColumnPreference {
                    column: c.column.into(),
                    visible: c.visible,
                    width: c.width,
                })
                .collect(),
            sort: p.sort.into(),
            notifications: Some(p.notifications.into()),
        }
    }
}

impl ListPreferences {
    /// The preferences to save, and the notification settings the client sent (`None`: keep the
    /// saved ones). Checked by the use case that saves them (`ListPreferences::validated`), which
    /// refuses a bad layout with `invalid_input`.
    pub fn into_domain(
        self,
    ) -> (
        domain::ListPreferences,
        Option<domain::NotificationPreferences>,
    ) {
        let p = self;
        let notifications = p.notifications.map(Into::into);
        let layout = domain::ListPreferences {
            columns: p
                .columns
                .into_iter()
                .map(|c| domain::prefs::ColumnPreference {
                    column: c.column.into(),
                    visible: c.visible,
                    width: c.width,
                })
                .collect(),
            sort: p.sort.into(),
            notifications: notifications.unwrap_or_default(),
        };
        (layout, notifications)
    }
}
