//! Helpers shared by the integration tests: a real server on a free port, HTTP and WebSocket
//! clients that speak its API, and the DynamoDB-compatible endpoint for the cloud adapters.

pub mod client;
pub mod contract;
pub mod counting;
pub mod distribution;
pub mod dynamo_endpoint;
pub mod dynamo_json;
pub mod flows;
pub mod purge_race;
pub mod pushes;
pub mod server;
pub mod sign_in;
pub mod stored_world;
