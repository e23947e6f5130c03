//! Who gets a chat in a group with automatic distribution: the order in which its agents are
//! offered the chat. The store has the last word: an offer commits only if the agent is still
//! under their limit (the same conditional write as a pull), so two chats handed out at once can
//! never push anyone over it; a refused offer moves on to the next agent in this order.

use std::hash::{DefaultHasher, Hash, Hasher};

use super::agent::{Agent, Group};
use super::ids::{AgentId, ChatId};
use super::time::Timestamp;

/// An agent with the number of chats they have active now, and when they were last handed one.
#[derive(Clone, Debug)]
pub struct AgentLoad {
    pub agent: Agent,
    pub active_chats: u32,
    /// When the agent was last assigned a chat (`None`: never, as far as the store knows).
    pub last_assigned_at: Option<Timestamp>,
}

/// The agents to offer `chat` to, best first: members of the group who are available and have
/// room, fewest active chats first (load balancing); among equals, SmarterTrack's tie-break: the
/// one whose last assignment is longest ago (never assigned first). Agents equal in both are
/// taken in a rotation that starts at a different agent for every chat. `except` is left out
/// (the agent who just handed the chat back to the queue).
pub fn offer_order<'a>(
    group: &Group,
    chat: &ChatId,
    loads: &'a [AgentLoad],
    except: Option<&AgentId>,
) -> Vec<&'a Agent> {
    let mut eligible = eligible(group, loads, except);
    // A stable base order, then the chat's own starting point in it.
    eligible.sort_by(|a, b| a.agent.id.cmp(&b.agent.id));
    if !eligible.is_empty() {
        let start = (rotation_seed(chat) % eligible.len() as u64) as usize;
        eligible.rotate_left(start);
    }
    // Stable: equal loads and assignment times keep the rotated order.
    eligible.sort_by_key(|l| (l.active_chats, l.last_assigned_at));
    eligible.into_iter().map(|l| &l.agent).collect()
}

/// The agents to offer a chat to in a round-robin group: the members who are available and
/// have room (and are not `except`), in turn order (by id), starting with the first after `last`,
/// who had the last turn, and wrapping around. A member who is away or full is skipped, not
/// moved: when they come back they take their turn in the same place.
pub fn turn_order<'a>(
    group: &Group,
    loads: &'a [AgentLoad],
    last: Option<&AgentId>,
    except: Option<&AgentId>,
) -> Vec<&'a Agent> {
    let mut eligible: Vec<&Agent> = eligible(group, loads, except)
        .into_iter()
        .map(|l| &l.agent)
        .collect();
    eligible.sort_by(|a, b| a.id.cmp(&b.id));
    if let Some(last) = last {
        let next = eligible.iter().position(|a| &a.id > last).unwrap_or(0);
        eligible.rotate_left(next);
    }
    eligible
}

/// The members of `group` who may be handed a chat now: available, under their limit, and not
/// `except`.
fn eligible<'a>(
    group: &Group,
    loads: &'a [AgentLoad],
    except: Option<&AgentId>,
) -> Vec<&'a AgentLoad> {
    loads
        .iter()
        .filter(|l| {
            l.agent.is_member_of(&group.id)
                && l.agent.available
                && l.active_chats < l.agent.max_concurrent_chats
                && Some(&l.agent.id) != except
        })
        .collect()
}

fn rotation_seed(chat: &ChatId) -> u64 {
    let mut h = DefaultHasher::new();
    chat.as_str().hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_loads_go_first_to_the_one_assigned_longest_ago() {
        let at = |ms: i64, mut l: AgentLoad| {
            l.last_assigned_at = Some(Timestamp(ms));
            l
        };
        let loads = vec![
            at(3_000, load("ann", &["support"], true, 1, 5)),
            at(1_000, load("ben", &["support"], true, 1, 5)),
            load("cat", &["support"], true, 1, 5),
            at(500, load("dan", &["support"], true, 2, 5)),
        ];
        let chat = ChatId::parse("01J9ZQ3T6H5P0V8R9S7K2M4N1B").unwrap();
        // Never assigned, then longest ago; more active chats last whatever their time.
        assert_eq!(
            names(offer_order(&group(), &chat, &loads, None)),
            ["cat", "ben", "ann", "dan"]
        );
    }

    #[test]
    fn turns_start_after_the_last_and_skip_the_away_and_the_full() {
        let loads = vec![
            load("ann", &["support"], true, 0, 5),
            load("bob", &["support"], false, 0, 5),
            load("cat", &["support"], true, 5, 5),
            load("dan", &["support"], true, 1, 5),
            load("eve", &["sales"], true, 0, 5),
        ];
        let g = group();
        let after = |last: Option<&str>, except: Option<&str>| {
            let id = |n: &str| AgentId::parse(n).unwrap();
            let (last, except) = (last.map(id), except.map(id));
            names(turn_order(&g, &loads, last.as_ref(), except.as_ref()))
        };
        assert_eq!(after(None, None), ["ann", "dan"]);
        assert_eq!(after(Some("ann"), None), ["dan", "ann"]);
        // The last turn went to someone now away: the next after them in the order.
        assert_eq!(after(Some("bob"), None), ["dan", "ann"]);
        assert_eq!(after(Some("dan"), None), ["ann", "dan"]);
        assert_eq!(after(Some("ann"), Some("dan")), ["ann"]);
    }
    use crate::domain::{Distribution, GroupId, Role};

    fn group() -> Group {
        Group {
            id: GroupId::parse("support").unwrap(),
            name: "Support".into(),
            distribution: Distribution::Automatic,
            hand_off: Default::default(),
            business_hours: None,
            offline: Default::default(),
            texts: Default::default(),
        }
    }

    fn load(name: &str, groups: &[&str], available: bool, active: u32, max: u32) -> AgentLoad {
        AgentLoad {
            agent: Agent {
                id: AgentId::parse(name).unwrap(),
                username: name.into(),
                display_name: name.into(),
                role: Role::Agent,
                groups: groups.iter().map(|g| GroupId::parse(g).unwrap()).collect(),
                available,
                max_concurrent_chats: max,
                session_epoch: 1,
                deactivated_at: None,
            },
            active_chats: active,
            last_assigned_at: None,
        }
    }

    fn names(order: Vec<&Agent>) -> Vec<String> {
        order.into_iter().map(|a| a.username.clone()).collect()
    }

    #[test]
    fn only_available_members_with_room_are_offered_the_chat_fewest_chats_first() {
        let loads = vec![
            load("ann", &["support"], true, 2, 5),
            load("ben", &["support"], true, 0, 5),
            load("cat", &["sales"], true, 0, 5),
            load("dan", &["support"], false, 0, 5),
            load("eve", &["support"], true, 3, 3),
            load("fay", &["support", "sales"], true, 1, 5),
        ];
        let order = offer_order(&group(), &ChatId::generate(), &loads, None);
        assert_eq!(names(order), ["ben", "fay", "ann"]);
    }

    #[test]
    fn the_agent_who_handed_the_chat_back_is_not_offered_it() {
        let loads = vec![
            load("ann", &["support"], true, 0, 5),
            load("ben", &["support"], true, 1, 5),
        ];
        let ann = AgentId::parse("ann").unwrap();
        let order = offer_order(&group(), &ChatId::generate(), &loads, Some(&ann));
        assert_eq!(names(order), ["ben"]);
    }

    #[test]
    fn equal_loads_take_turns_across_chats() {
        let loads = vec![
            load("ann", &["support"], true, 1, 5),
            load("ben", &["support"], true, 1, 5),
            load("cat", &["support"], true, 1, 5),
        ];
        let mut first_offers = std::collections::HashMap::<String, u32>::new();
        for _ in 0..3000 {
            let order = offer_order(&group(), &ChatId::generate(), &loads, None);
            assert_eq!(order.len(), 3, "every equal agent stays in the order");
            *first_offers.entry(order[0].username.clone()).or_default() += 1;
        }
        for name in ["ann", "ben", "cat"] {
            let n = first_offers.get(name).copied().unwrap_or(0);
            assert!(
                (800..=1200).contains(&n),
                "{name} was first {n} times of 3000"
            );
        }
    }

    #[test]
    fn nobody_with_room_means_the_chat_waits() {
        let loads = vec![load("ann", &["support"], true, 5, 5)];
        assert!(offer_order(&group(), &ChatId::generate(), &loads, None).is_empty());
    }
}
