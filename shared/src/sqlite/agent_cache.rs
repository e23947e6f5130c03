//! The agents as last read from the database, so that an agent's message (each one checks the
//! sender's access as stored: active, same sign-in session) costs no query, while staying exact:
//! an entry is used only when the database is known to hold no change this process has not
//! seen, and this process drops an agent's entry whenever it writes that agent.
//!
//! Only another process (an operator command working on the same data directory, `sqlite3`)
//! can change the database behind this process's back. `PRAGMA data_version` on the writer
//! connection moves exactly when another connection has committed, so the cache is known to be
//! current:
//! - while the group-commit writer is inside a write transaction it began by asking that
//!   question (*guarded*): no other connection can commit until it ends;
//! - or when the writer connection is free, by asking it there and then.
//!
//! Otherwise (the writer connection is busy with something else) a lookup reads the database.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

use crate::domain::{Agent, AgentId};

/// Agents kept before the cache starts over.
const CACHED_AGENTS: usize = 10_000;

#[derive(Default)]
pub(super) struct AgentCache {
    state: Mutex<State>,
    /// Set while the group-commit writer is inside a write transaction that began after asking
    /// whether another connection had committed (`begin_guarded`).
    guarded: AtomicBool,
    /// Set for a database file; a private in-memory database has no other connection.
    shared_file: AtomicBool,
}

#[derive(Default)]
struct State {
    agents: HashMap<AgentId, Arc<Agent>>,
    /// The writer connection's `data_version` when last asked.
    writer_seen: Option<i64>,
    /// Moves whenever entries are dropped: a read that began before fills nothing, as it may
    /// be older than the write that dropped them.
    generation: u64,
}

/// What a lookup found.
pub(super) enum Lookup {
    Hit(Agent),
    /// Read the database, then `fill` with this generation.
    Miss(u64),
}

impl AgentCache {
    /// A database file, which other processes may open: from now on every use of an entry is
    /// checked as the module says.
    pub(super) fn for_shared_file(&self, writer: &Connection) {
        self.shared_file.store(true, Ordering::Release);
        self.changed_elsewhere(writer);
    }

    pub(super) fn get(&self, id: &AgentId, writer: &Mutex<Connection>) -> Lookup {
        if !self.shared_file.load(Ordering::Acquire) || self.guarded.load(Ordering::Acquire) {
            return self.lookup(id);
        }
        match writer.try_lock() {
            Ok(writer) => {
                self.changed_elsewhere(&writer);
                // Still holding the writer: nothing can commit before the entry is taken.
                self.lookup(id)
            }
            Err(_) => self.miss(),
        }
    }

    fn lookup(&self, id: &AgentId) -> Lookup {
        let Ok(state) = self.state.lock() else {
            return Lookup::Miss(u64::MAX);
        };
        match state.agents.get(id) {
            Some(agent) => {
                let agent = agent.clone();
                drop(state);
                // Copied outside the lock.
                Lookup::Hit(Agent::clone(&agent))
            }
            None => Lookup::Miss(state.generation),
        }
    }

    fn miss(&self) -> Lookup {
        Lookup::Miss(self.state.lock().map(|s| s.generation).unwrap_or(u64::MAX))
    }

    /// Keeps what a read that began at `generation` found, unless entries were dropped since.
    pub(super) fn fill(&self, agent: &Agent, generation: u64) {
        if let Ok(mut state) = self.state.lock() {
            if state.generation != generation {
                return;
            }
            if state.agents.len() >= CACHED_AGENTS && !state.agents.contains_key(&agent.id) {
                state.agents.clear();
            }
            state
                .agents
                .insert(agent.id.clone(), Arc::new(agent.clone()));
        }
    }

    /// This process is writing `id` (called with the writer connection held).
    pub(super) fn forget(&self, id: &AgentId) {
        if let Ok(mut state) = self.state.lock() {
            state.agents.remove(id);
            state.generation = state.generation.wrapping_add(1);
        }
    }

    /// With the writer connection held: whether another connection committed since the last
    /// call, in which case every entry is dropped (and the caller drops what else it keeps).
    pub(super) fn changed_elsewhere(&self, writer: &Connection) -> bool {
        let now = super::query_row(writer, "PRAGMA data_version", [], |r| r.get::<_, i64>(0)).ok();
        let Ok(mut state) = self.state.lock() else {
            return true;
        };
        let changed = match (state.writer_seen, now) {
            (Some(seen), Some(now)) => seen != now,
            // Unknown: assume it did.
            (_, None) => true,
            (None, Some(_)) => false,
        };
        state.writer_seen = now;
        if changed {
            state.agents.clear();
            state.generation = state.generation.wrapping_add(1);
        }
        changed
    }

    /// The group-commit writer has begun a write transaction (no other connection can commit
    /// until it ends) and asked `changed_elsewhere` inside it.
    pub(super) fn guard(&self) {
        self.guarded.store(true, Ordering::Release);
    }

    /// Before the transaction ends, whether committed or not.
    pub(super) fn unguard(&self) {
        self.guarded.store(false, Ordering::Release);
    }
}
