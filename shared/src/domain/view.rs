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

    /// Whether the console showing this list is sent the latest row of `chat` when a message
    /// changes it: the chats the list holds, and the agent's own active chats whatever the list,
    /// so the console can tell them of a customer's message in a chat they are not looking at.
    /// Those are few (the agent's chat limit): the cost of a message still grows only with the
    /// people in the chat.
    pub fn follows_messages_of(&self, chat: &Chat) -> bool {
        let own_active = chat.state == ChatState::Active
            && !chat.is_deleted()
            && chat.agent_id.as_ref() == Some(&self.agent_id);
        own_active || self.holds(chat)
    }
}

/// Whether a console whose list on screen is `list` (`None`: it shows none) follows `chat`'s
/// messages: the one rule for every adapter that answers `ConnectionStore::list_watchers`.
pub fn list_follows_messages_of(list: Option<&ListWatch>, chat: &Chat) -> bool {
    list.is_some_and(|l| l.follows_messages_of(chat))
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

    #[test]
    fn a_console_follows_the_messages_of_its_agents_active_chats_whatever_the_list() {
        let me = AgentId::parse("alice").unwrap();
        let other = AgentId::parse("bob").unwrap();
        let support = GroupId::parse("support").unwrap();
        let sales = GroupId::parse("sales").unwrap();
        let group = crate::domain::Group {
            id: sales,
            name: "Sales".into(),
            distribution: crate::domain::Distribution::Pull,
            hand_off: Default::default(),
            business_hours: None,
            offline: Default::default(),
            texts: Default::default(),
        };
        let chat = |agent: Option<&AgentId>, state: ChatState| {
            let mut c = crate::domain::rules::start_chat(
                crate::domain::ChatId::parse("c1").unwrap(),
                &group,
                "Eve",
                None,
                "Help",
                crate::domain::ClientMessageId::parse("m1").unwrap(),
                crate::domain::Timestamp(1_000),
            )
            .unwrap()
            .chat;
            c.agent_id = agent.cloned();
            c.state = state;
            c
        };
        let queue_list = ListWatch {
            agent_id: me.clone(),
            view: ChatView::Group {
                group_id: support,
                inactive: false,
            },
        };
        assert!(queue_list.follows_messages_of(&chat(Some(&me), ChatState::Active)));
        assert!(!queue_list.holds(&chat(Some(&me), ChatState::Active)));
        assert!(!queue_list.follows_messages_of(&chat(Some(&other), ChatState::Active)));
        assert!(!queue_list.follows_messages_of(&chat(Some(&me), ChatState::Inactive)));
        assert!(!queue_list.follows_messages_of(&chat(None, ChatState::Queued)));
    }
}
