//! The rules' own specification, checked without any I/O: who may do what in which state and
//! what it changes (tables written as data), then invariants that must survive any sequence of
//! actions (property tests).

mod actions;
mod cast;
mod effects;
mod grid;
mod sequences;
mod special_cases;
mod world;
