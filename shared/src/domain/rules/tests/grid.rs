//! Who may do what, in which state: every action x chat state x actor, with the refusal each
//! one gets. An allowed cell must also change exactly what the action's row in `EFFECTS` says.
//!
//! Reading the grid: `OK` allowed; `F` forbidden; `S` invalid state; `I` invalid input; `NA`
//! the actor has no way to ask (the rule takes no customer). Columns are the chat queued, active
//! (Bob's), ended (Bob's last), then the same three deleted.

use super::actions::{kind, perform, Action, By, Kind, Targets};
use super::cast::{now, sales, tina, Actor, State};
use super::effects::{effect_of, expected};
use crate::domain::rules::Mutation;

use Action::*;
use Actor::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    Ok,
    No(Kind),
    NA,
}

const OK: Cell = Cell::Ok;
const F: Cell = Cell::No(Kind::Forbidden);
const S: Cell = Cell::No(Kind::InvalidState);
const I: Cell = Cell::No(Kind::InvalidInput);
const NA: Cell = Cell::NA;

type Row = (Actor, [Cell; 6]);

/// Agents outside the chat's group get `F` whatever the state: `S` would tell them that the chat
/// exists and what state it is in. The distribution (`AssignAutomatically`) is no one's request:
/// it only skips an agent who cannot receive the chat.
#[rustfmt::skip]
pub const GRID: &[(Action, &[Row])] = &[
    //                           queued active ended  deleted: queued active ended
    (Take, &[
        (Customer,              [NA,    NA,    NA,             NA,    NA,    NA]),
        (Member,                [OK,    F,     S,              S,     S,     S ]),
        (Assigned,              [OK,    S,     S,              S,     S,     S ]),
        (Former,                [F,     F,     F,              F,     F,     F ]),
        (Outsider,              [F,     F,     F,              F,     F,     F ]),
        (Manager,               [OK,    OK,    S,              S,     S,     S ]),
        (Admin,                 [OK,    OK,    S,              S,     S,     S ]),
        (OutsideAdmin,          [F,     F,     F,              F,     F,     F ]),
    ]),
    (Pull, &[
        (Customer,              [NA,    NA,    NA,             NA,    NA,    NA]),
        (Member,                [OK,    S,     S,              S,     S,     S ]),
        (Assigned,              [OK,    S,     S,              S,     S,     S ]),
        (Former,                [F,     F,     F,              F,     F,     F ]),
        (Outsider,              [F,     F,     F,              F,     F,     F ]),
        (Manager,               [OK,    S,     S,              S,     S,     S ]),
        (Admin,                 [OK,    S,     S,              S,     S,     S ]),
        (OutsideAdmin,          [F,     F,     F,              F,     F,     F ]),
    ]),
    (AssignAutomatically, &[
        (Customer,              [NA,    NA,    NA,             NA,    NA,    NA]),
        (Member,                [OK,    S,     S,              S,     S,     S ]),
        (Assigned,              [OK,    S,     S,              S,     S,     S ]),
        (Former,                [S,     S,     S,              S,     S,     S ]),
        (Outsider,              [S,     S,     S,              S,     S,     S ]),
        (Manager,               [OK,    S,     S,              S,     S,     S ]),
        (Admin,                 [OK,    S,     S,              S,     S,     S ]),
        (OutsideAdmin,          [S,     S,     S,              S,     S,     S ]),
    ]),
    (TransferToGroup, &[
        (Customer,              [NA,    NA,    NA,             NA,    NA,    NA]),
        (Member,                [OK,    F,     S,              S,     S,     S ]),
        (Assigned,              [OK,    OK,    S,              S,     S,     S ]),
        (Former,                [F,     OK,    S,              F,     S,     S ]),
        (Outsider,              [F,     F,     F,              F,     F,     F ]),
        (Manager,               [OK,    OK,    S,              S,     S,     S ]),
        (Admin,                 [OK,    OK,    S,              S,     S,     S ]),
        (OutsideAdmin,          [F,     F,     F,              F,     F,     F ]),
    ]),
    (TransferToAgent, &[
        (Customer,              [NA,    NA,    NA,             NA,    NA,    NA]),
        (Member,                [OK,    F,     S,              S,     S,     S ]),
        (Assigned,              [OK,    OK,    S,              S,     S,     S ]),
        (Former,                [F,     OK,    S,              F,     S,     S ]),
        (Outsider,              [F,     F,     F,              F,     F,     F ]),
        (Manager,               [OK,    OK,    S,              S,     S,     S ]),
        (Admin,                 [OK,    OK,    S,              S,     S,     S ]),
        (OutsideAdmin,          [F,     F,     F,              F,     F,     F ]),
    ]),
    (End, &[
        (Customer,              [OK,    OK,    S,              S,     S,     S ]),
        (Member,                [OK,    F,     S,              S,     S,     S ]),
        (Assigned,              [OK,    OK,    S,              S,     S,     S ]),
        (Former,                [F,     OK,    S,              F,     S,     S ]),
        (Outsider,              [F,     F,     F,              F,     F,     F ]),
        (Manager,               [OK,    OK,    S,              S,     S,     S ]),
        (Admin,                 [OK,    OK,    S,              S,     S,     S ]),
        (OutsideAdmin,          [F,     F,     F,              F,     F,     F ]),
    ]),
    // Only agents record resolutions.
    (EndWithResolution, &[
        (Customer,              [I,     I,     S,              S,     S,     S ]),
        (Member,                [OK,    F,     S,              S,     S,     S ]),
        (Assigned,              [OK,    OK,    S,              S,     S,     S ]),
        (Former,                [F,     OK,    S,              F,     S,     S ]),
        (Outsider,              [F,     F,     F,              F,     F,     F ]),
        (Manager,               [OK,    OK,    S,              S,     S,     S ]),
        (Admin,                 [OK,    OK,    S,              S,     S,     S ]),
        (OutsideAdmin,          [F,     F,     F,              F,     F,     F ]),
    ]),
    // Only ended chats, so a customer is never cut off by a deletion they cannot see.
    (Delete, &[
        (Customer,              [NA,    NA,    NA,             NA,    NA,    NA]),
        (Member,                [S,     S,     OK,             S,     S,     S ]),
        (Assigned,              [S,     S,     OK,             S,     S,     S ]),
        (Former,                [F,     F,     F,              F,     F,     F ]),
        (Outsider,              [F,     F,     F,              F,     F,     F ]),
        (Manager,               [S,     S,     OK,             S,     S,     S ]),
        (Admin,                 [S,     S,     OK,             S,     S,     S ]),
        (OutsideAdmin,          [F,     F,     F,              F,     F,     F ]),
    ]),
    (Restore, &[
        (Customer,              [NA,    NA,    NA,             NA,    NA,    NA]),
        (Member,                [F,     F,     F,              F,     F,     F ]),
        (Assigned,              [F,     F,     F,              F,     F,     F ]),
        (Former,                [F,     F,     F,              F,     F,     F ]),
        (Outsider,              [F,     F,     F,              F,     F,     F ]),
        (Manager,               [S,     S,     S,              OK,    OK,    OK]),
        (Admin,                 [S,     S,     S,              OK,    OK,    OK]),
        (OutsideAdmin,          [F,     F,     F,              F,     F,     F ]),
    ]),
    (Purge, &[
        (Customer,              [NA,    NA,    NA,             NA,    NA,    NA]),
        (Member,                [F,     F,     F,              F,     F,     F ]),
        (Assigned,              [F,     F,     F,              F,     F,     F ]),
        (Former,                [F,     F,     F,              F,     F,     F ]),
        (Outsider,              [F,     F,     F,              F,     F,     F ]),
        (Manager,               [F,     F,     F,              F,     F,     F ]),
        (Admin,                 [S,     S,     S,              OK,    OK,    OK]),
        (OutsideAdmin,          [F,     F,     F,              F,     F,     F ]),
    ]),
    // Anyone who may see the chat; the chat's agent sees it even after leaving the group.
    (SetFollowUp, &[
        (Customer,              [NA,    NA,    NA,             NA,    NA,    NA]),
        (Member,                [OK,    OK,    OK,             S,     S,     S ]),
        (Assigned,              [OK,    OK,    OK,             S,     S,     S ]),
        (Former,                [F,     OK,    OK,             F,     S,     S ]),
        (Outsider,              [F,     F,     F,              F,     F,     F ]),
        (Manager,               [OK,    OK,    OK,             S,     S,     S ]),
        (Admin,                 [OK,    OK,    OK,             S,     S,     S ]),
        (OutsideAdmin,          [F,     F,     F,              F,     F,     F ]),
    ]),
    (ClearFollowUp, &[
        (Customer,              [NA,    NA,    NA,             NA,    NA,    NA]),
        (Member,                [OK,    OK,    OK,             S,     S,     S ]),
        (Assigned,              [OK,    OK,    OK,             S,     S,     S ]),
        (Former,                [F,     OK,    OK,             F,     S,     S ]),
        (Outsider,              [F,     F,     F,              F,     F,     F ]),
        (Manager,               [OK,    OK,    OK,             S,     S,     S ]),
        (Admin,                 [OK,    OK,    OK,             S,     S,     S ]),
        (OutsideAdmin,          [F,     F,     F,              F,     F,     F ]),
    ]),
    // The customer while the chat is live; in it, only the agent it is assigned to, while active.
    (Send, &[
        (Customer,              [OK,    OK,    S,              S,     S,     S ]),
        (Member,                [F,     F,     F,              S,     S,     S ]),
        (Assigned,              [F,     OK,    F,              S,     S,     S ]),
        (Former,                [F,     OK,    F,              F,     S,     S ]),
        (Outsider,              [F,     F,     F,              F,     F,     F ]),
        (Manager,               [F,     F,     F,              S,     S,     S ]),
        (Admin,                 [F,     F,     F,              S,     S,     S ]),
        (OutsideAdmin,          [F,     F,     F,              F,     F,     F ]),
    ]),
];

#[test]
fn the_grid_names_every_action_and_every_actor_once() {
    for action in Action::ALL {
        let rows: Vec<_> = GRID.iter().filter(|(a, _)| *a == action).collect();
        assert_eq!(rows.len(), 1, "{action:?} has {} grids", rows.len());
        let actors: Vec<Actor> = rows[0].1.iter().map(|(actor, _)| *actor).collect();
        assert_eq!(actors, Actor::ALL, "the rows of {action:?}");
        assert_eq!(
            effect_of(action).is_some(),
            action != Purge,
            "the effect row of {action:?}"
        );
    }
}

#[test]
fn every_action_in_every_state_by_everyone() {
    let (tina, sales) = (tina(), sales());
    let targets = Targets {
        agent: &tina,
        group: &sales,
    };
    let mut wrong = Vec::new();
    for (action, rows) in GRID {
        for (actor, cells) in rows.iter() {
            let agent = actor.agent();
            let by = agent.as_ref().map_or(By::Customer, By::Agent);
            for (state, cell) in State::ALL.into_iter().zip(cells) {
                let before = state.chat();
                let answer = perform(*action, &before, by, targets, now());
                let cell_name = format!("{action:?} by {actor:?} when {state:?}");
                match (cell, answer) {
                    (Cell::NA, None) => {}
                    (Cell::No(k), Some(Err(e))) if kind(&e) == *k => {}
                    (Cell::Ok, Some(Ok(None))) if *action == Purge => {}
                    (Cell::Ok, Some(Ok(Some(m)))) => {
                        let Some(effect) = effect_of(*action) else {
                            wrong.push(format!("{cell_name}: a mutation from a check: {m:?}"));
                            continue;
                        };
                        let want = expected(*action, effect, &before, by, targets, now());
                        if m != want {
                            wrong.push(format!("{cell_name}:\n{}", differences(&m, &want)));
                        }
                    }
                    (cell, answer) => wrong.push(format!(
                        "{cell_name}: expected {cell:?}, got {:?}",
                        answer.map(|a| a.map(|m| m.map(|m| m.event)))
                    )),
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} cells differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// The lines of the two mutations' descriptions that differ, each under the field it belongs
/// to, so a failure names what changed.
fn differences(got: &Mutation, want: &Mutation) -> String {
    let (got, want) = (format!("{got:#?}"), format!("{want:#?}"));
    let (got, want): (Vec<_>, Vec<_>) = (got.lines().collect(), want.lines().collect());
    let mut field = "";
    let mut out = String::new();
    for i in 0..got.len().max(want.len()) {
        let (g, w) = (got.get(i).copied(), want.get(i).copied());
        if let Some(line) = g.filter(|l| l.contains(": ")) {
            field = line.trim();
        }
        if g != w {
            out += &format!(
                "  in {field}\n    got  {}\n    want {}\n",
                g.unwrap_or("").trim(),
                w.unwrap_or("").trim()
            );
        }
    }
    out
}

/// An agent outside the group learns nothing from a refusal: the very same answer, word for
/// word, whatever the chat's state.
#[test]
fn outsiders_get_the_same_refusal_in_every_state() {
    let (tina, sales) = (tina(), sales());
    let targets = Targets {
        agent: &tina,
        group: &sales,
    };
    for actor in [Outsider, OutsideAdmin] {
        let agent = actor.agent().unwrap();
        for action in Action::ALL {
            if action == AssignAutomatically {
                continue;
            }
            let answers: Vec<_> = State::ALL
                .into_iter()
                .map(|state| perform(action, &state.chat(), By::Agent(&agent), targets, now()))
                .collect();
            assert!(
                matches!(&answers[0], Some(Err(e)) if kind(e) == Kind::Forbidden),
                "{action:?} by {actor:?}: {:?}",
                answers[0]
            );
            assert!(
                answers.iter().all(|a| *a == answers[0]),
                "{action:?} by {actor:?} differs by state: {answers:?}"
            );
        }
    }
}
