use super::chat::{Chat, ChatState};
use super::ids::{AgentId, GroupId};

/// The lists of the Live Chats navigation pane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChatView {
    /// Chats assigned to me and still active.
    MyActive,
    /// Chats I had that have ended.
    MyCompleted,
    /// One of my groups: its live chats (queued and active) or its ended ones.
    Group { group_id: GroupId, inactive: bool },
    /// Queued chats of all my groups, oldest first by default.
    Queue,
    /// Every chat of every group; only for members of all groups.
    Global,
    /// Deleted chats of my groups, restorable by managers and administrators.
    Deleted,
}

impl ChatView {
    /// The view as stored with a connection's subscription: `my_active`, `group:{id}` or
    /// `group:{id}:inactive`, ... (ids never hold `:`).
    pub fn key(&self) -> String {
        match self {
            ChatView::MyActive => "my_active".into(),
            ChatView::MyCompleted => "my_completed".into(),
            ChatView::Group {
                group_id,
                inactive: false,
            } => format!("group:{group_id}"),
            ChatView::Group {
                group_id,
                inactive: true,
            } => format!("group:{group_id}:inactive"),
            ChatView::Queue => "queue".into(),
            ChatView::Global => "global".into(),
            ChatView::Deleted => "deleted".into(),
        }
    }

    pub fn parse_key(key: &str) -> Option<ChatView> {
        Some(match key {
            "my_active" => ChatView::MyActive,
            "my_completed" => ChatView::MyCompleted,
            "queue" => ChatView::Queue,
            "global" => ChatView::Global,
            "deleted" => ChatView::Deleted,
            other => {
                let rest = other.strip_prefix("group:")?;
                let (id, inactive) = match rest.strip_suffix(":inactive") {
                    Some(id) => (id, true),
                    None => (rest, false),
                };
                ChatView::Group {
                    group_id: GroupId::parse(id).ok()?,
                    inactive,
                }
            }
        })
    }
}

/// The list an agent's console shows: what decides which chat changes it is sent. Only chats of
/// the connection's groups ever reach it, so the group condition of the queue, global and
/// deleted views holds already.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListWatch {
    pub agent_id: AgentId,
    pub view: ChatView,
}

impl ListWatch {
    /// Whether the view holds `chat` as it is now (the rules of the list queries).
    pub fn holds(&self, chat: &Chat) -> bool {
        if chat.is_deleted() {
            return self.view == ChatView::Deleted;
        }
        let mine = chat.agent_id.as_ref() == Some(&self.agent_id);
        match &self.view {
            ChatView::MyActive => mine && chat.state == ChatState::Active,
            ChatView::MyCompleted => mine && chat.state == ChatState::Inactive,
            ChatView::Group { group_id, inactive } => {
                &chat.group_id == group_id && chat.state.is_live() != *inactive
            }
            ChatView::Queue => chat.state == ChatState::Queued,
            ChatView::Global => true,
            ChatView::Deleted => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_view_key_reads_back_as_the_same_view() {
        let group = GroupId::parse("support").unwrap();
        for view in [
            ChatView::MyActive,
            ChatView::MyCompleted,
            ChatView::Group {
                group_id: group.clone(),
                inactive: false,
            },
            ChatView::Group {
                group_id: group,
                inactive: true,
            },
            ChatView::Queue,
            ChatView::Global,
            ChatView::Deleted,
        ] {
            assert_eq!(ChatView::parse_key(&view.key()), Some(view));
        }
        assert_eq!(ChatView::parse_key("group:"), None);
        assert_eq!(ChatView::parse_key("everything"), None);
    }
}
