//! A future is copied whole wherever it moves, and the frame handler's moves for every frame a
//! socket sends (the local gateway holds each in an allocation of its own, as a socket's frames
//! about different chats go side by side): every action, a message too, is boxed inside it, so
//! what moves is small. It was three times a message's (25 KB) when every action was inline and
//! the origin's scope held a message's future twice over.

use std::sync::Arc;

use chatdesk::auth::Principal;
use chatdesk::domain::{ChatId, ClientMessageId, IdleThresholds};
use chatdesk::ports::{ConnectionId, SystemClock};
use chatdesk::realtime::fanout::from_connection;
use chatdesk::realtime::{handle_frame, Fanout};
use chatdesk::sqlite::SqliteStore;
use chatdesk_server::Stores;
use chatdesk_tests::contract::app_over;
use chatdesk_tests::lambda_costs::CountingPoster;

fn size_of_future<F: std::future::Future>(_: &F) -> usize {
    std::mem::size_of::<F>()
}

#[test]
fn the_frame_handler_holds_no_message_inline() {
    let stores = Stores::all_in(SqliteStore::open_in_memory().unwrap());
    let app = app_over(&stores);
    let fanout = Fanout::new(
        stores.connections.clone(),
        Arc::new(CountingPoster::default()),
        stores.chats.clone(),
        stores.directory.clone(),
        Arc::new(SystemClock),
        IdleThresholds::default(),
    );
    let connection = ConnectionId::parse("socket-1").unwrap();
    let chat = ChatId::parse("c1").unwrap();
    let customer = Principal::Customer(chat.clone());
    let cmid = || ClientMessageId::parse("m1").unwrap();

    // Built, never run.
    let message = size_of_future(&app.send_message(&customer, &chat, cmid(), "Hello"));
    let scoped = size_of_future(&from_connection(
        &connection,
        app.send_message(&customer, &chat, cmid(), "Hello"),
    ));
    let handler = size_of_future(&handle_frame(
        &app,
        &fanout,
        &connection,
        Ok(&customer),
        r#"{"action":"send","chat_id":"c1","client_msg_id":"m1","body":"Hello"}"#,
    ));
    assert!(
        scoped <= message + 256,
        "the origin's scope takes {scoped} bytes for a message's {message}"
    );
    assert!(
        handler * 4 <= message,
        "the frame handler takes {handler} bytes for a message's {message}"
    );
}
