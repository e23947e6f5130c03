use super::error::DomainError;

/// The columns of every chat list (besides the selection checkbox).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    Status,
    User,
    Group,
    Started,
    QueueTime,
    Idle,
    Messages,
    Agent,
    /// The customer's satisfaction rating of an ended chat (optional: hidden by default).
    Rating,
    /// Agents' tags on the chat (optional: hidden by default).
    Tags,
}

impl Column {
    pub const ALL: [Column; 10] = [
        Column::Status,
        Column::User,
        Column::Group,
        Column::Started,
        Column::QueueTime,
        Column::Idle,
        Column::Messages,
        Column::Agent,
        Column::Rating,
        Column::Tags,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Column::Status => "status",
            Column::User => "user",
            Column::Group => "group",
            Column::Started => "started",
            Column::QueueTime => "queue_time",
            Column::Idle => "idle",
            Column::Messages => "messages",
            Column::Agent => "agent",
            Column::Rating => "rating",
            Column::Tags => "tags",
        }
    }

    pub fn parse(s: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Default width in pixels, chosen to fit a 1280-pixel screen with every column shown.
    pub fn default_width(self) -> u32 {
        match self {
            Column::Status => 90,
            Column::User => 180,
            Column::Group => 130,
            Column::Started => 150,
            Column::QueueTime => 100,
            Column::Idle => 90,
            Column::Messages => 90,
            Column::Agent => 150,
            Column::Rating => 80,
            Column::Tags => 150,
        }
    }

    /// Shown unless the agent hides it; the optional ones start hidden.
    pub fn shown_by_default(self) -> bool {
        !matches!(self, Column::Rating | Column::Tags)
    }
}

pub const MIN_COLUMN_WIDTH: u32 = 40;
pub const MAX_COLUMN_WIDTH: u32 = 800;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnPreference {
    pub column: Column,
    pub visible: bool,
    pub width: u32,
}

/// An agent's console preferences: the chat-list layout (which columns show, in which order,
/// how wide, and the sort) and what the console notifies them of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListPreferences {
    pub columns: Vec<ColumnPreference>,
    pub sort: super::sort::SortSpec,
    pub notifications: NotificationPreferences,
}

/// What the console tells an agent of while they look elsewhere, and how. The console decides
/// when something is "elsewhere" (the chat is not on screen, or the tab is in the background);
/// these say which kinds of news deserve it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotificationPreferences {
    /// A desktop notification (the browser's Notification API, once the agent allowed it).
    pub desktop: bool,
    /// A short tone.
    pub sound: bool,
    /// A chat starts waiting in the queue of one of the agent's groups.
    pub new_chats: bool,
    /// A chat is given to the agent by the group's distribution, a hand-off or a transfer.
    pub assigned: bool,
    /// A customer writes in one of the agent's chats that is not on screen.
    pub messages: bool,
}

impl Default for NotificationPreferences {
    /// Everything on: an agent who does not want a kind of news turns it off; one who never hears
    /// of a waiting customer loses them.
    fn default() -> Self {
        NotificationPreferences {
            desktop: true,
            sound: true,
            new_chats: true,
            assigned: true,
            messages: true,
        }
    }
}

impl Default for ListPreferences {
    fn default() -> Self {
        ListPreferences {
            columns: Column::ALL
                .into_iter()
                .map(|column| ColumnPreference {
                    column,
                    visible: column.shown_by_default(),
                    width: column.default_width(),
                })
                .collect(),
            sort: super::sort::SortSpec::default(),
            notifications: NotificationPreferences::default(),
        }
    }
}

impl ListPreferences {
    /// Accepts a layout that names each column at most once with a sane width; columns left out
    /// are appended hidden at their default width, so a client that knows fewer columns than the
    /// server still saves a complete layout.
    pub fn validated(mut self) -> Result<ListPreferences, DomainError> {
        let mut seen = Vec::new();
        for c in &self.columns {
            if seen.contains(&c.column) {
                return Err(DomainError::invalid(
                    "columns",
                    format!("column {} appears more than once", c.column.as_str()),
                ));
            }
            if !(MIN_COLUMN_WIDTH..=MAX_COLUMN_WIDTH).contains(&c.width) {
                return Err(DomainError::invalid(
                    "columns",
                    format!(
                        "width of {} must be between {MIN_COLUMN_WIDTH} and {MAX_COLUMN_WIDTH} pixels",
                        c.column.as_str()
                    ),
                ));
            }
            seen.push(c.column);
        }
        for column in Column::ALL {
            if !seen.contains(&column) {
                self.columns.push(ColumnPreference {
                    column,
                    visible: false,
                    width: column.default_width(),
                });
            }
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_show_every_column_but_the_optional_rating_and_tags() {
        let p = ListPreferences::default();
        assert_eq!(p.columns.len(), 10);
        assert!(p
            .columns
            .iter()
            .all(|c| c.visible == !matches!(c.column, Column::Rating | Column::Tags)));
    }

    #[test]
    fn validation_refuses_duplicates_and_bad_widths_and_completes_missing() {
        let mut p = ListPreferences::default();
        p.columns[1].column = Column::Status;
        assert!(p.validated().is_err());

        let mut p = ListPreferences::default();
        p.columns[0].width = 5;
        assert!(p.validated().is_err());

        let mut p = ListPreferences::default();
        p.columns.truncate(2);
        let p = p.validated().unwrap();
        assert_eq!(p.columns.len(), Column::ALL.len());
        assert!(!p.columns[7].visible);
    }
}
