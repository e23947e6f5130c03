//! An agent's list layout (SQLite `preferences.doc`, DynamoDB `AGENT#{id}` / `PREFS`).

use serde::{Deserialize, Serialize};

use super::{readable, FORMAT_VERSION};
use crate::domain::prefs::ColumnPreference;
use crate::domain::{Column, ListPreferences, NotificationPreferences, SortDirection, SortSpec};
use crate::ports::StoreError;

#[derive(Serialize, Deserialize)]
pub(crate) struct PreferencesRecord {
    #[serde(default)]
    v: u32,
    columns: Vec<ColumnRecord>,
    sort: SortRecord,
    /// Absent in layouts saved before notifications existed: the defaults apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    notifications: Option<NotificationsRecord>,
}

#[derive(Serialize, Deserialize)]
struct NotificationsRecord {
    desktop: bool,
    sound: bool,
    new_chats: bool,
    assigned: bool,
    messages: bool,
}

#[derive(Serialize, Deserialize)]
struct ColumnRecord {
    column: ColumnName,
    visible: bool,
    width: u32,
}

#[derive(Serialize, Deserialize)]
struct SortRecord {
    column: ColumnName,
    direction: DirectionRecord,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ColumnName {
    Status,
    User,
    Group,
    Started,
    QueueTime,
    Idle,
    Messages,
    Agent,
    Rating,
    Tags,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum DirectionRecord {
    Asc,
    Desc,
}

impl From<Column> for ColumnName {
    fn from(c: Column) -> Self {
        match c {
            Column::Status => ColumnName::Status,
            Column::User => ColumnName::User,
            Column::Group => ColumnName::Group,
            Column::Started => ColumnName::Started,
            Column::QueueTime => ColumnName::QueueTime,
            Column::Idle => ColumnName::Idle,
            Column::Messages => ColumnName::Messages,
            Column::Agent => ColumnName::Agent,
            Column::Rating => ColumnName::Rating,
            Column::Tags => ColumnName::Tags,
        }
    }
}

impl From<ColumnName> for Column {
    fn from(c: ColumnName) -> Self {
        match c {
            ColumnName::Status => Column::Status,
            ColumnName::User => Column::User,
            ColumnName::Group => Column::Group,
            ColumnName::Started => Column::Started,
            ColumnName::QueueTime => Column::QueueTime,
            ColumnName::Idle => Column::Idle,
            ColumnName::Messages => Column::Messages,
            ColumnName::Agent => Column::Agent,
            ColumnName::Rating => Column::Rating,
            ColumnName::Tags => Column::Tags,
        }
    }
}

impl From<&ListPreferences> for PreferencesRecord {
    fn from(p: &ListPreferences) -> Self {
        PreferencesRecord {
            v: FORMAT_VERSION,
            columns: p
                .columns
                .iter()
                .map(|c| ColumnRecord {
                    column: c.column.into(),
                    visible: c.visible,
                    width: c.width,
                })
                .collect(),
            sort: SortRecord {
                column: p.sort.column.into(),
                direction: match p.sort.direction {
                    SortDirection::Asc => DirectionRecord::Asc,
                    SortDirection::Desc => DirectionRecord::Desc,
                },
            },
            notifications: Some(NotificationsRecord {
                desktop: p.notifications.desktop,
                sound: p.notifications.sound,
                new_chats: p.notifications.new_chats,
                assigned: p.notifications.assigned,
                messages: p.notifications.messages,
            }),
        }
    }
}

impl TryFrom<PreferencesRecord> for ListPreferences {
    type Error = StoreError;
    fn try_from(r: PreferencesRecord) -> Result<Self, StoreError> {
        readable(r.v, "list preferences")?;
        Ok(ListPreferences {
            columns: r
                .columns
                .into_iter()
                .map(|c| ColumnPreference {
                    column: c.column.into(),
                    visible: c.visible,
                    width: c.width,
                })
                .collect(),
            sort: SortSpec {
                column: r.sort.column.into(),
                direction: match r.sort.direction {
                    DirectionRecord::Asc => SortDirection::Asc,
                    DirectionRecord::Desc => SortDirection::Desc,
                },
            },
            notifications: r
                .notifications
                .map(|n| NotificationPreferences {
                    desktop: n.desktop,
                    sound: n.sound,
                    new_chats: n.new_chats,
                    assigned: n.assigned,
                    messages: n.messages,
                })
                .unwrap_or_default(),
        })
    }
}
