//! chatdesk: a live-chat help desk. This crate holds everything the per-route Lambda functions
//! and the local server share: the chat rules (`domain`), the ports they need (`ports`), the
//! use cases (`app`), the HTTP and WebSocket glue (`api`, `realtime`) and the store adapters.

pub mod api;
pub mod app;
pub mod auth;
#[cfg(feature = "dynamo")]
pub mod aws;
#[cfg(feature = "lambda")]
pub mod cloud;
pub mod demo;
pub mod domain;
#[cfg(feature = "dynamo")]
pub mod dynamodb;
pub mod errors;
pub mod files;
pub mod handlers;
#[cfg(feature = "lambda")]
pub mod lambda;
pub mod ports;
pub mod realtime;
#[cfg(any(feature = "sqlite", feature = "dynamo"))]
mod records;

#[cfg(feature = "smtp")]
pub mod smtp;
#[cfg(feature = "sqlite")]
pub mod sqlite;
#[cfg(feature = "suggest")]
pub mod suggest_engine;
