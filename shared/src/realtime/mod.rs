//! Real-time messaging: the WebSocket routes (`$connect`, `$disconnect`, `send`, `typing`,
//! `resume`, `watch`, `unwatch`, `watch_list`, `ping`, `$default`) as handlers of API Gateway WebSocket events,
//! the authorizer that verifies a socket's token once at `$connect`, and the fan-out that pushes
//! every committed change to the connections that must see it.
//! The protocol is documented in `docs/websocket-protocol.md`.

pub mod authorizer;
pub mod coalesce;
pub mod fanout;
pub mod frames;
pub mod handlers;
pub mod presence;
pub mod principal_context;
pub mod table_stream;

pub use authorizer::{authorize, WsAuthorizer, WS_AUTHORIZER};
pub use coalesce::ListPush;
pub use fanout::{Fanout, ListRowsPushed};
pub use handlers::{handle_frame, handle_ws_event, WsRoute, WS_ROUTES};
pub use table_stream::{TableStreamConsumer, TABLE_STREAM_CONSUMER};
