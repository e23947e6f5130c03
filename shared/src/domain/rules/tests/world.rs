//! A small help desk for random sequences of actions: three groups, agents of every role, a few
//! chats, and a store that does what the real ones do with a mutation (the next sequence number,
//! the agents' active-chat counters with their limits, purging).

use std::collections::HashMap;

use super::cast::{agent, group, msg, T0};
use crate::domain::agent::{Agent, Group, Role};
use crate::domain::chat::{Chat, ChatState};
use crate::domain::ids::{AgentId, ChatId};
use crate::domain::pace::Side;
use crate::domain::rules::{self, LoadChange};
use crate::domain::time::Timestamp;

pub fn groups() -> Vec<Group> {
    vec![
        group("support", "Support"),
        group("sales", "Sales"),
        group("billing", "Billing"),
    ]
}

/// Two or three of each role, members of one to three groups, with small limits so that agents
/// fill up.
pub fn agents() -> Vec<Agent> {
    vec![
        agent("amy", Role::Agent, &["support"], 1),
        agent("bob", Role::Agent, &["support", "sales"], 2),
        agent("sam", Role::Agent, &["sales"], 1),
        agent("bea", Role::Agent, &["billing"], 2),
        agent("mia", Role::Manager, &["support"], 2),
        agent("max", Role::Manager, &["sales", "billing"], 1),
        agent(
            "ada",
            Role::Administrator,
            &["support", "sales", "billing"],
            3,
        ),
        agent("ari", Role::Administrator, &["billing"], 1),
    ]
}

/// One chat and what the test saw happen to it.
pub struct Tracked {
    pub chat: Chat,
    /// Mutations committed since the start (which carried two events).
    pub commits: u64,
    /// The instants of accepted messages, per side.
    pub customer_messages: Vec<Timestamp>,
    pub agent_messages: Vec<Timestamp>,
    /// Who wrote the last message (the question counts as the customer's).
    pub last_author: Side,
    /// Highest queue time seen.
    pub queue_time_seen: i64,
    /// When an agent first joined.
    pub first_joined: Option<Timestamp>,
    /// The agent the chat had when it ended.
    pub agent_at_end: Option<AgentId>,
}

pub struct World {
    pub groups: Vec<Group>,
    pub agents: Vec<Agent>,
    /// `None` once purged.
    pub chats: Vec<Option<Tracked>>,
    /// Active chats per agent, as the store counts them.
    pub load: HashMap<AgentId, u32>,
    pub now: Timestamp,
}

pub const MAX_CHATS: usize = 5;

impl World {
    pub fn new() -> World {
        World {
            groups: groups(),
            agents: agents(),
            chats: Vec::new(),
            load: HashMap::new(),
            now: T0,
        }
    }

    pub fn start(&mut self, group: usize) {
        if self.chats.len() >= MAX_CHATS {
            return;
        }
        let id = ChatId::parse(&format!("chat-{}", self.chats.len())).unwrap();
        let started = rules::start_chat(
            id,
            &self.groups[group],
            "Carl",
            None,
            "Hello?",
            msg("q"),
            self.now,
        )
        .unwrap();
        self.chats.push(Some(Tracked {
            chat: started.chat,
            commits: 0,
            customer_messages: Vec::new(),
            agent_messages: Vec::new(),
            last_author: Side::Customer,
            queue_time_seen: 0,
            first_joined: None,
            agent_at_end: None,
        }));
    }

    pub fn agent(&self, id: &AgentId) -> &Agent {
        self.agents.iter().find(|a| &a.id == id).unwrap()
    }

    /// The store's part of a commit: the counter increment is refused at the agent's limit (and
    /// then nothing is written); otherwise all of it applies at once.
    pub fn commit_load(&mut self, load: &LoadChange) -> bool {
        if let Some((id, limit)) = &load.acquire {
            if self.load.get(id).copied().unwrap_or(0) >= *limit {
                return false;
            }
        }
        if let Some(id) = &load.release {
            let count = self.load.entry(id.clone()).or_insert(0);
            assert!(*count > 0, "released {id}, who had no active chat");
            *count -= 1;
        }
        if let Some((id, _)) = &load.acquire {
            *self.load.entry(id.clone()).or_insert(0) += 1;
        }
        true
    }

    /// Active chats per agent, counted from the chats themselves.
    pub fn active_chats_of(&self, id: &AgentId) -> u32 {
        self.chats
            .iter()
            .flatten()
            .filter(|t| t.chat.state == ChatState::Active && t.chat.agent_id.as_ref() == Some(id))
            .count() as u32
    }
}
