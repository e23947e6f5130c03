//! Flows run against more than one configuration of the server.

use std::time::Duration;

use serde_json::json;

use crate::client::{is_ack_of, is_chat_changed, is_event, Api, Ws};
use crate::server::TestServer;

/// Customer starts a chat -> agents of that group get a queued event -> one pulls -> messages
/// both ways arrive in order -> transfer to another group -> an agent there pulls -> end ->
/// delete -> restore. An agent of another group receives nothing of the chat.
pub async fn full_flow(server: &TestServer) {
    let api = Api::new(&server.base_url);
    let alice = api.login("alice").await; // support
    let carol = api.login("carol").await; // billing + support
    let bob = api.login("bob").await; // sales only
    let manager = api.login("manager").await; // support + billing

    let mut alice_ws = Ws::connect(&server.ws_url(&alice))
        .await
        .expect("alice connects");
    let mut carol_ws = Ws::connect(&server.ws_url(&carol))
        .await
        .expect("carol connects");
    let mut bob_ws = Ws::connect(&server.ws_url(&bob))
        .await
        .expect("bob connects");

    let (chat, customer) = api
        .start_chat("support", "Ann <b>", "My mailbox is full, what can I do?")
        .await;
    let mut customer_ws = Ws::connect(&server.ws_url(&customer))
        .await
        .expect("customer connects");

    let queued = alice_ws
        .expect("queued", is_chat_changed(&chat, "started"))
        .await;
    assert_eq!(queued["chat"]["state"], "queued");
    assert_eq!(queued["queue_counts"]["support"], 1);
    carol_ws
        .expect("queued", is_chat_changed(&chat, "started"))
        .await;

    // Alice pulls it: the customer sees her join, colleagues see it leave the queue.
    let (status, pulled) = api.action("pull", &alice, json!({})).await;
    assert_eq!(status, 200, "{pulled}");
    assert_eq!(pulled["results"][0]["chat_id"], chat.as_str());
    let joined = customer_ws
        .expect("agent joined", is_event(&chat, "assigned"))
        .await;
    assert_eq!(joined["event"]["agent_name"], "Alice");
    let taken = carol_ws
        .expect("taken", is_chat_changed(&chat, "assigned"))
        .await;
    assert_eq!(taken["chat"]["agent_name"], "Alice");
    assert_eq!(taken["queue_counts"]["support"], 0);

    // Messages both ways, in order.
    alice_ws
        .send(json!({"action":"watch","chat_id":chat}))
        .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut last_seq = joined["event"]["seq"].as_u64().unwrap_or(0);
    for (i, (from_agent, text)) in [
        (true, "Hello Ann, I can help with that."),
        (false, "Thanks! It says 100% used."),
        (true, "Let's archive old mail."),
        (false, "Great, done."),
    ]
    .into_iter()
    .enumerate()
    {
        let cmid = format!("m{i}");
        let frame = json!({"action":"send","chat_id":chat,"client_msg_id":cmid,"body":text});
        if from_agent {
            alice_ws.send(frame).await;
            alice_ws.expect("stored", is_ack_of(&cmid)).await;
            let got = customer_ws
                .expect("agent message", |f| {
                    is_event(&chat, "message")(f) && f["event"]["body"] == text
                })
                .await;
            assert_eq!(got["event"]["body"], text);
            let seq = got["event"]["seq"].as_u64().unwrap();
            assert!(seq > last_seq, "in order");
            last_seq = seq;
        } else {
            customer_ws.send(frame).await;
            customer_ws.expect("stored", is_ack_of(&cmid)).await;
            let got = alice_ws
                .expect("customer message", |f| {
                    is_event(&chat, "message")(f) && f["event"]["body"] == text
                })
                .await;
            assert_eq!(got["event"]["body"], text);
            let seq = got["event"]["seq"].as_u64().unwrap();
            assert!(seq > last_seq, "in order");
            last_seq = seq;
        }
    }
    customer_ws.clear_backlog();
    alice_ws.clear_backlog();

    // Transfer to Billing: back into a queue, where Carol sees it.
    let (status, out) = api
        .action(
            "transfer",
            &alice,
            json!({"chat_ids":[chat],"to":{"kind":"group","group_id":"billing"}}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(out["succeeded"], 1, "{out}");
    customer_ws
        .expect("requeued", is_event(&chat, "requeued"))
        .await;
    let moved = carol_ws
        .expect("transferred", is_chat_changed(&chat, "requeued"))
        .await;
    assert_eq!(moved["chat"]["group_id"], "billing");
    assert_eq!(moved["chat"]["state"], "queued");
    // Alice (Support only) may no longer read it: her list only learns that it left Support.
    let left = alice_ws
        .expect("left support", |f| {
            f["type"] == "chat_removed" && f["chat_id"] == chat.as_str()
        })
        .await;
    assert_eq!(left["group_id"], "support");
    assert!(
        left.get("chat").is_none(),
        "no row of a chat she may not read"
    );
    customer_ws
        .expect("queue position", |f| {
            f["type"] == "queue_position" && f["chat_id"] == chat.as_str()
        })
        .await;

    // Carol pulls it in Billing, ends it, deletes it; the manager restores it.
    let (status, out) = api.action("pull", &carol, json!({"chat_ids":[chat]})).await;
    assert_eq!(status, 200);
    assert_eq!(out["succeeded"], 1, "{out}");
    let joined = customer_ws
        .expect("carol joined", is_event(&chat, "assigned"))
        .await;
    assert_eq!(joined["event"]["agent_name"], "Carol");
    let (_, out) = api
        .action(
            "end",
            &carol,
            json!({"chat_ids":[chat],"resolution":"Archived old mail"}),
        )
        .await;
    assert_eq!(out["succeeded"], 1, "{out}");
    customer_ws.expect("ended", is_event(&chat, "ended")).await;
    carol_ws
        .expect("ended", is_chat_changed(&chat, "ended"))
        .await;
    let (_, out) = api
        .action("delete", &carol, json!({"chat_ids":[chat]}))
        .await;
    assert_eq!(out["succeeded"], 1, "{out}");
    carol_ws
        .expect("deleted", is_chat_changed(&chat, "deleted"))
        .await;
    let (_, out) = api
        .action("restore", &manager, json!({"chat_ids":[chat]}))
        .await;
    assert_eq!(out["succeeded"], 1, "{out}");
    let restored = carol_ws
        .expect("restored", is_chat_changed(&chat, "restored"))
        .await;
    assert_eq!(restored["chat"]["deleted"], false);
    // Deletion is for agents' eyes only.
    customer_ws
        .expect_none("agent-only event", Duration::from_millis(300), |f| {
            f["type"] == "event"
                && (f["event"]["type"] == "deleted" || f["event"]["type"] == "restored")
        })
        .await;

    // Bob (Sales only) heard nothing about this chat at all.
    bob_ws
        .expect_none("anything about the chat", Duration::from_millis(300), |f| {
            f.to_string().contains(chat.as_str())
        })
        .await;
}
