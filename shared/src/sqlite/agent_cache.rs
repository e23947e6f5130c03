//! The agents as last read, so that an agent's message (which checks that its sender is still
//! an active agent of the same sign-in) costs no read transaction. Every write of an agent's
//! record in this process forgets that agent, inside the blocking write itself and after it
//! committed (a caller that stops waiting cannot skip it); another process's write empties the
//! cache on the checkpointer's next tick, as for chats (`start_checkpointer`).

use std::collections::HashMap;
use std::sync::Mutex;

use crate::domain::{Agent, AgentId};

/// Agents kept before the cache starts over.
const CACHED_AGENTS: usize = 10_000;

#[derive(Default)]
pub(super) struct AgentCache {
    inner: Mutex<Cached>,
}

#[derive(Default)]
struct Cached {
    agents: HashMap<AgentId, Agent>,
    /// Moves with every write: a read that started before a write finished must not be kept.
    generation: u64,
}

impl AgentCache {
    pub(super) fn get(&self, id: &AgentId) -> Option<Agent> {
        self.inner.lock().ok()?.agents.get(id).cloned()
    }

    /// Where writes stand before a read of the database starts.
    pub(super) fn generation(&self) -> Option<u64> {
        self.inner.lock().ok().map(|c| c.generation)
    }

    /// Keeps what a read found, unless a write of any agent ended since the read began (what it
    /// found may be older than that write).
    pub(super) fn keep(&self, agent: &Agent, read_at_generation: u64) {
        if let Ok(mut cached) = self.inner.lock() {
            if cached.generation != read_at_generation {
                return;
            }
            if cached.agents.len() >= CACHED_AGENTS {
                cached.agents.clear();
            }
            cached.agents.insert(agent.id.clone(), agent.clone());
        }
    }

    /// After a write of `id` committed.
    pub(super) fn forget(&self, id: &AgentId) {
        if let Ok(mut cached) = self.inner.lock() {
            cached.generation += 1;
            cached.agents.remove(id);
        }
    }

    /// After another process wrote the database.
    pub(super) fn clear(&self) {
        if let Ok(mut cached) = self.inner.lock() {
            cached.generation += 1;
            cached.agents.clear();
        }
    }
}
