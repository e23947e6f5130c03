//! Random sequences of (action, who, how much later) over the small world of `world.rs`: after
//! every step, whatever was accepted or refused, the invariants below hold.

use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{RngSeed, TestCaseError};

use super::actions::{kind, perform, Action, Answer, By, Kind, Targets};
use super::world::{World, MAX_CHATS};
use crate::domain::agent::{Agent, Role};
use crate::domain::chat::{Chat, ChatState};
use crate::domain::event::EventKind;
use crate::domain::pace::{Side, MESSAGE_BURST, MESSAGE_INTERVAL_MS};
use crate::domain::rules::{can_view, Mutation};
use crate::domain::time::Timestamp;

#[derive(Clone, Debug)]
enum Op {
    Start {
        group: usize,
    },
    /// `by` past the last agent is the chat's customer.
    Act {
        action: Action,
        chat: usize,
        by: usize,
        target_agent: usize,
        target_group: usize,
    },
    /// Messages from one side as fast as they come: `count` at the same instant.
    Burst {
        chat: usize,
        customer: bool,
        count: usize,
    },
    ToggleAvailable {
        agent: usize,
    },
}

#[derive(Clone, Debug)]
struct Step {
    later_ms: i64,
    op: Op,
}

const AGENTS: usize = 8;

fn step() -> impl Strategy<Value = Step> {
    // Often at the same instant (races, bursts), sometimes a pace interval apart, sometimes long
    // enough for idle and queue times to matter.
    let later_ms = prop_oneof![3 => Just(0i64), 3 => 1i64..2_000, 1 => 2_000i64..900_000];
    let op = prop_oneof![
        1 => (0..3usize).prop_map(|group| Op::Start { group }),
        12 => (select(Action::ALL.to_vec()), 0..MAX_CHATS, 0..=AGENTS, 0..AGENTS, 0..3usize)
            .prop_map(|(action, chat, by, target_agent, target_group)| Op::Act {
                action,
                chat,
                by,
                target_agent,
                target_group,
            }),
        2 => (0..MAX_CHATS, any::<bool>(), 1..30usize)
            .prop_map(|(chat, customer, count)| Op::Burst { chat, customer, count }),
        1 => (0..AGENTS).prop_map(|agent| Op::ToggleAvailable { agent }),
    ];
    (later_ms, op).prop_map(|(later_ms, op)| Step { later_ms, op })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 300,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(11),
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_sequence_of_actions_keeps_the_invariants(
        steps in proptest::collection::vec(step(), 1..120)
    ) {
        let mut world = World::new();
        for group in 0..3 {
            world.start(group);
        }
        for step in steps {
            world.now = world.now.plus_millis(step.later_ms);
            match step.op {
                Op::Start { group } => world.start(group),
                Op::Act { action, chat, by, target_agent, target_group } => {
                    let by = world.agents.get(by).cloned();
                    act(&mut world, action, chat, by.as_ref(), target_agent, target_group)?;
                }
                Op::Burst { chat, customer, count } => {
                    let ix = chat % world.chats.len();
                    let Some(tracked) = &world.chats[ix] else { continue };
                    let by = match (customer, &tracked.chat.agent_id) {
                        (true, _) => None,
                        (false, Some(id)) => Some(world.agent(id).clone()),
                        (false, None) => continue,
                    };
                    for _ in 0..count {
                        act(&mut world, Action::Send, ix, by.as_ref(), 0, 0)?;
                    }
                }
                Op::ToggleAvailable { agent } => {
                    world.agents[agent].available = !world.agents[agent].available;
                }
            }
            check_world(&mut world)?;
        }
    }
}

/// One action by `by` (`None`: the chat's customer) on a chat, checked, then committed as a
/// store would.
fn act(
    world: &mut World,
    action: Action,
    chat: usize,
    by: Option<&Agent>,
    target_agent: usize,
    target_group: usize,
) -> Result<(), TestCaseError> {
    let ix = chat % world.chats.len();
    let Some(tracked) = &world.chats[ix] else {
        return Ok(());
    };
    let before = tracked.chat.clone();
    let targets = Targets {
        agent: &world.agents[target_agent],
        group: &world.groups[target_group],
    };
    let by_ = by.map_or(By::Customer, By::Agent);
    let Some(answer) = perform(action, &before, by_, targets, world.now) else {
        return Ok(());
    };
    check_answer(action, &before, by, &answer)?;
    let mutation = match answer {
        Err(_) => return Ok(()),
        Ok(None) => {
            world.chats[ix] = None;
            return Ok(());
        }
        Ok(Some(m)) => m,
    };
    check_mutation(world, &before, &mutation)?;
    if !world.commit_load(&mutation.load) {
        // At the agent's limit: the store refuses the whole commit.
        return Ok(());
    }
    let now = world.now;
    let Some(tracked) = world.chats[ix].as_mut() else {
        return Ok(());
    };
    let mut after = mutation.chat;
    after.last_seq += 1;
    tracked.chat = after;
    tracked.commits += 1;
    match &mutation.event {
        EventKind::Message { .. } => {
            let side = if by.is_some() {
                Side::Agent
            } else {
                Side::Customer
            };
            let sent = match side {
                Side::Agent => &mut tracked.agent_messages,
                Side::Customer => &mut tracked.customer_messages,
            };
            sent.push(now);
            tracked.last_author = side;
            check_pace(sent)?;
        }
        EventKind::Assigned { .. } => {
            tracked.first_joined.get_or_insert(now);
        }
        EventKind::Ended { .. } => tracked.agent_at_end = before.agent_id.clone(),
        _ => {}
    }
    Ok(())
}

/// What any answer must respect, accepted or refused.
fn check_answer(
    action: Action,
    before: &Chat,
    by: Option<&Agent>,
    answer: &Answer,
) -> Result<(), TestCaseError> {
    let refusal = answer.as_ref().err().map(kind);
    if let Some(agent) = by {
        // The distribution's choice of agent is no one's request; everything else is.
        if action != Action::AssignAutomatically && !can_view(before, agent) {
            prop_assert_eq!(
                refusal,
                Some(Kind::Forbidden),
                "{:?} by an outsider",
                action
            );
        }
        let steers = matches!(
            action,
            Action::Take
                | Action::TransferToGroup
                | Action::TransferToAgent
                | Action::End
                | Action::EndWithResolution
        );
        let someone_elses =
            before.state == ChatState::Active && before.agent_id.as_ref() != Some(&agent.id);
        if steers && someone_elses && agent.role == Role::Agent {
            prop_assert_eq!(
                refusal,
                Some(Kind::Forbidden),
                "{:?} of a colleague's chat",
                action
            );
        }
        if answer.is_ok() && action == Action::Restore {
            prop_assert!(agent.role.is_manager_or_admin() && agent.is_member_of(&before.group_id));
        }
        if answer.is_ok() && action == Action::Purge {
            prop_assert!(agent.role == Role::Administrator && agent.is_member_of(&before.group_id));
        }
    }
    if before.is_deleted() && !matches!(action, Action::Restore | Action::Purge) {
        prop_assert!(refusal.is_some(), "{:?} changed a deleted chat", action);
    }
    if answer.as_ref().is_ok_and(|m| m.is_none()) {
        prop_assert!(before.is_deleted(), "purged a chat that was not deleted");
    }
    Ok(())
}

/// What a mutation must respect before a store commits it.
fn check_mutation(world: &World, before: &Chat, m: &Mutation) -> Result<(), TestCaseError> {
    let after = &m.chat;
    // The caller numbers the event: the rules leave the sequence number alone, and the chat's
    // identity with it.
    prop_assert_eq!(after.last_seq, before.last_seq);
    prop_assert_eq!(&after.id, &before.id);
    prop_assert_eq!(after.started_at, before.started_at);
    prop_assert_eq!(&after.customer, &before.customer);
    prop_assert_eq!(&after.question, &before.question);

    let had = (before.state == ChatState::Active)
        .then_some(before.agent_id.as_ref())
        .flatten();
    let has = (after.state == ChatState::Active)
        .then_some(after.agent_id.as_ref())
        .flatten();
    // Every new holder of an active chat takes a place under their own limit...
    match &m.load.acquire {
        Some((id, limit)) => {
            prop_assert_eq!(Some(id), has, "acquired for someone the chat is not with");
            prop_assert_eq!(*limit, world.agent(id).max_concurrent_chats);
            prop_assert_ne!(Some(id), had, "acquired twice for the same chat");
        }
        None => prop_assert!(has.is_none() || has == had, "a new agent took no place"),
    }
    // ...and the one who had it gives theirs back.
    match &m.load.release {
        Some(id) => {
            prop_assert_eq!(Some(id), had, "released an agent the chat was not with");
            prop_assert_ne!(Some(id), has, "released but still theirs");
        }
        None => prop_assert!(
            had.is_none() || had == has,
            "the previous agent kept a place"
        ),
    }
    let messages = u64::from(matches!(m.event, EventKind::Message { .. }));
    prop_assert_eq!(after.message_count, before.message_count + messages);
    match &m.event {
        EventKind::Assigned { agent_id, .. } => {
            prop_assert_eq!(Some(agent_id), after.agent_id.as_ref())
        }
        EventKind::Requeued { group_id, .. } => prop_assert_eq!(group_id, &after.group_id),
        EventKind::Restored { state, .. } => prop_assert_eq!(*state, after.state),
        _ => {}
    }
    Ok(())
}

/// Whatever the pauses, a side never gets more than a burst plus one message per interval
/// through: between any earlier accepted message and the latest one.
fn check_pace(sent: &[Timestamp]) -> Result<(), TestCaseError> {
    let Some((latest, earlier)) = sent.split_last() else {
        return Ok(());
    };
    for (i, first) in earlier.iter().enumerate() {
        let count = (sent.len() - i) as i64;
        let allowed = MESSAGE_BURST + latest.since(*first) / MESSAGE_INTERVAL_MS;
        prop_assert!(
            count <= allowed,
            "{count} messages where {allowed} may pass"
        );
    }
    Ok(())
}

fn check_world(world: &mut World) -> Result<(), TestCaseError> {
    let now = world.now;
    for agent in &world.agents {
        let counted = world.load.get(&agent.id).copied().unwrap_or(0);
        prop_assert_eq!(
            counted,
            world.active_chats_of(&agent.id),
            "{}'s load",
            agent.id
        );
        prop_assert!(counted <= agent.max_concurrent_chats);
    }
    let names: Vec<(_, _)> = world
        .agents
        .iter()
        .map(|a| (a.id.clone(), a.display_name.clone()))
        .collect();
    for tracked in world.chats.iter_mut().flatten() {
        let chat = &tracked.chat;
        prop_assert_eq!(chat.agent_name.is_some(), chat.agent_id.is_some());
        if let Some(id) = &chat.agent_id {
            let name = names.iter().find(|(a, _)| a == id).map(|(_, n)| n);
            prop_assert_eq!(chat.agent_name.as_ref(), name);
        }
        // An agent iff active while live; an ended chat keeps its last agent (My Completed).
        match chat.state {
            ChatState::Queued => {
                prop_assert!(chat.agent_id.is_none());
                prop_assert!(chat.queued_since.is_some(), "queued without queued_since");
            }
            ChatState::Active => {
                prop_assert!(chat.agent_id.is_some());
                prop_assert!(chat.queued_since.is_none());
            }
            ChatState::Inactive => {
                prop_assert_eq!(&chat.agent_id, &tracked.agent_at_end);
                prop_assert!(chat.queued_since.is_none());
                prop_assert!(chat.ended_at.is_some());
            }
        }
        prop_assert!(!chat.is_deleted() || chat.state == ChatState::Inactive);
        // Queue time only grows.
        let queue_time = chat.queue_time_ms(now);
        prop_assert!(queue_time >= tracked.queue_time_seen);
        tracked.queue_time_seen = queue_time;
        // Idle time counts from an instant that has happened, within the chat's life.
        let idle_since = chat.idle_since();
        let idle_until = chat.ended_at.unwrap_or(now);
        prop_assert!(chat.started_at <= idle_since && idle_since <= idle_until);
        prop_assert_eq!(chat.idle_ms(now), idle_until.0 - idle_since.0);
        prop_assert_eq!(chat.first_assigned_at, tracked.first_joined);
        prop_assert_eq!(
            chat.last_agent_message_at,
            tracked.agent_messages.last().copied()
        );
        prop_assert_eq!(chat.customer_waiting, tracked.last_author == Side::Customer);
        let sent = tracked.customer_messages.len() + tracked.agent_messages.len();
        prop_assert_eq!(chat.message_count, 1 + sent as u64);
        prop_assert_eq!(chat.last_seq, 2 + tracked.commits);
    }
    Ok(())
}
