//! The people and the chat the tables are written about: one chat of the Support group, seen in
//! each of its states, and everyone who might act on it.

use crate::domain::agent::{Agent, Group, Role};
use crate::domain::chat::Chat;
use crate::domain::ids::{AgentId, ChatId, ClientMessageId, GroupId};
use crate::domain::rules::{self, EndedBy, Mutation, Sender};
use crate::domain::time::Timestamp;

/// When the chat starts (2026-01-01T00:00:00Z).
pub const T0: Timestamp = Timestamp(1_767_225_600_000);

pub fn at(secs: i64) -> Timestamp {
    T0.plus_millis(secs * 1000)
}

/// When the tables' actions happen: ten minutes after the chat started.
pub fn now() -> Timestamp {
    at(600)
}

pub fn group(id: &str, name: &str) -> Group {
    Group::pull(GroupId::parse(id).unwrap(), name)
}

/// The chat's group.
pub fn support() -> Group {
    group("support", "Support")
}

/// Where a transfer to a group sends the chat.
pub fn sales() -> Group {
    group("sales", "Sales")
}

pub fn agent(id: &str, role: Role, groups: &[&str], limit: u32) -> Agent {
    let mut name = id.to_owned();
    name[..1].make_ascii_uppercase();
    Agent {
        id: AgentId::parse(id).unwrap(),
        username: id.into(),
        display_name: name,
        role,
        groups: groups.iter().map(|g| GroupId::parse(g).unwrap()).collect(),
        available: true,
        max_concurrent_chats: limit,
        session_epoch: 1,
        deactivated_at: None,
    }
}

/// Where a transfer to an agent sends the chat: an available member of Support.
pub fn tina() -> Agent {
    agent("tina", Role::Agent, &["support"], 4)
}

/// Who acts, by their relation to the chat. Every agent has a different concurrent-chat limit,
/// so a load change that names the wrong agent's limit shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    /// The customer of the chat (the caller checked their token).
    Customer,
    /// An agent of Support the chat is not assigned to.
    Member,
    /// Bob, an agent of Support: the active chat is his, the ended one was his last.
    Assigned,
    /// Bob after he was moved out of Support to Billing: still the chat's agent.
    Former,
    /// An agent of Sales only.
    Outsider,
    /// A manager of Support.
    Manager,
    /// An administrator of Support (and Sales).
    Admin,
    /// An administrator of Sales and Billing, not of Support.
    OutsideAdmin,
}

impl Actor {
    pub const ALL: [Actor; 8] = [
        Actor::Customer,
        Actor::Member,
        Actor::Assigned,
        Actor::Former,
        Actor::Outsider,
        Actor::Manager,
        Actor::Admin,
        Actor::OutsideAdmin,
    ];

    /// The agent this actor is; `None` for the customer.
    pub fn agent(self) -> Option<Agent> {
        Some(match self {
            Actor::Customer => return None,
            Actor::Member => agent("amy", Role::Agent, &["support"], 2),
            Actor::Assigned => bob(),
            Actor::Former => Agent {
                groups: vec![GroupId::parse("billing").unwrap()],
                ..bob()
            },
            Actor::Outsider => agent("oscar", Role::Agent, &["sales"], 7),
            Actor::Manager => agent("mia", Role::Manager, &["support"], 5),
            Actor::Admin => agent("ada", Role::Administrator, &["support", "sales"], 6),
            Actor::OutsideAdmin => agent("otto", Role::Administrator, &["sales", "billing"], 8),
        })
    }
}

fn bob() -> Agent {
    agent("bob", Role::Agent, &["support"], 3)
}

/// The chat's states. Only ended chats can be deleted through the rules; the deleted live ones
/// stand for data written otherwise (an older version, an operator), which the rules must
/// refuse to change all the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Queued,
    /// Assigned to Bob.
    Active,
    /// Ended by Bob.
    Ended,
    DeletedQueued,
    DeletedActive,
    DeletedEnded,
}

impl State {
    pub const ALL: [State; 6] = [
        State::Queued,
        State::Active,
        State::Ended,
        State::DeletedQueued,
        State::DeletedActive,
        State::DeletedEnded,
    ];

    /// The chat in this state, built through the rules: Carl asks at T0 and writes again at
    /// 0:40, Amy sets a follow-up at 0:30; Bob takes it at 1:00 and answers at 1:30, Carl
    /// writes at 2:00; Bob ends it at 3:00; it is deleted at 3:20.
    pub fn chat(self) -> Chat {
        let amy = Actor::Member.agent().unwrap();
        let bob = bob();
        let queued = {
            let chat = rules::start_chat(
                ChatId::parse("chat-1").unwrap(),
                &support(),
                "Carl",
                Some("carl@example.com"),
                "My password no longer works",
                msg("q"),
                T0,
            )
            .unwrap()
            .chat;
            let due = at(86_400);
            let chat = commit(
                &chat,
                rules::set_follow_up(&chat, &amy, Some((due, "call")), at(30)),
            );
            commit(
                &chat,
                rules::send_message(&chat, Sender::Customer, msg("c1"), "hi?", at(40)),
            )
        };
        let active = {
            let chat = commit(&queued, rules::take(&queued, &bob, at(60)));
            let chat = commit(
                &chat,
                rules::send_message(&chat, Sender::Agent(&bob), msg("b1"), "Hello", at(90)),
            );
            commit(
                &chat,
                rules::send_message(&chat, Sender::Customer, msg("c2"), "Still broken", at(120)),
            )
        };
        let ended = commit(
            &active,
            rules::end(&active, EndedBy::Agent(&bob), None, at(180)),
        );
        let deleted = |chat: &Chat| Chat {
            deleted_at: Some(at(200)),
            ..chat.clone()
        };
        match self {
            State::Queued => queued,
            State::Active => active,
            State::Ended => ended,
            State::DeletedQueued => deleted(&queued),
            State::DeletedActive => deleted(&active),
            State::DeletedEnded => commit(&ended, rules::delete(&ended, &amy, at(200))),
        }
    }
}

pub fn msg(id: &str) -> ClientMessageId {
    ClientMessageId::parse(id).unwrap()
}

/// What a store does with an accepted mutation: the chat moves to the next sequence number.
pub fn commit(chat: &Chat, mutation: Result<Mutation, crate::domain::DomainError>) -> Chat {
    let mut next = mutation.unwrap().chat;
    next.last_seq = chat.last_seq + 1;
    next
}
