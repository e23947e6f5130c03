//! Attachments end to end over HTTP on the local server, on the embedded store and on DynamoDB
//! (moto) for the chat's events, with the files under the data directory: the customer attaches
//! an image and the agent downloads it intact, both sides see it in the chat as it arrives; a
//! file is checked by its content, not its name or what was declared (HTML and SVG never get in,
//! nor a PNG declared as a JPEG, nor anything over 10 MB); whatever is served is an attachment
//! with `nosniff`; another chat's file is not served to anyone outside that chat.

use chatdesk_tests::client::{Api, Ws};
use chatdesk_tests::server::TestServer;
use serde_json::{json, Value};

async fn sqlite_server() -> TestServer {
    chatdesk_tests::server::spawn_server_with(
        chatdesk_server::Stores::all_in(chatdesk::sqlite::SqliteStore::open_in_memory().unwrap()),
        |_| {},
    )
    .await
}

async fn dynamodb_server() -> TestServer {
    let (stores, _) = chatdesk_tests::dynamo_endpoint::fresh_stores().await;
    chatdesk_tests::server::spawn_server_with(stores, |_| {}).await
}

chatdesk_tests::on_both_stores!(
    worker_threads = 2;
    the_customers_image_reaches_the_agent_intact,
    files_are_checked_by_content_and_served_as_attachments,
    another_chats_files_are_not_served,
);

/// A PNG as its magic bytes and header say (what the content check reads), then noise.
fn png(len: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0".to_vec();
    bytes.extend((0..len - bytes.len()).map(|i| (i * 7 % 251) as u8));
    bytes
}

struct Chat {
    id: String,
    customer: String,
    agent: String,
}

/// A chat of Support, pulled by Alice.
async fn active_chat(api: &Api) -> Chat {
    let (id, customer) = api
        .start_chat("support", "Ann", "My screen shows this")
        .await;
    let agent = api.login("alice").await;
    let (status, body) = api.action("pull", &agent, json!({"chat_ids": [id]})).await;
    assert_eq!(status, 200, "{body}");
    Chat {
        id,
        customer,
        agent,
    }
}

async fn start(
    api: &Api,
    chat: &str,
    token: &str,
    name: &str,
    kind: &str,
    size: usize,
) -> (u16, Value) {
    api.post(
        &format!("/api/chats/{chat}/attachments"),
        token,
        json!({"file_name": name, "content_type": kind, "size": size}),
    )
    .await
}

/// PUTs `bytes` to a started upload's target; the status.
async fn upload(api: &Api, started: &Value, bytes: Vec<u8>) -> (u16, Value) {
    assert_eq!(started["upload"]["method"], "PUT", "{started}");
    let url = format!("{}{}", api.base, started["upload"]["url"].as_str().unwrap());
    let mut req = reqwest::Client::new().put(url).body(bytes);
    for pair in started["upload"]["headers"].as_array().unwrap() {
        req = req.header(pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn confirm(api: &Api, chat: &str, token: &str, attachment: &str) -> (u16, Value) {
    api.post(
        &format!("/api/chats/{chat}/attachments/{attachment}/confirm"),
        token,
        json!({}),
    )
    .await
}

/// Starts, uploads and confirms `bytes`; the confirmation.
async fn attach(
    api: &Api,
    chat: &str,
    token: &str,
    name: &str,
    kind: &str,
    bytes: Vec<u8>,
) -> (u16, Value) {
    let (status, started) = start(api, chat, token, name, kind, bytes.len()).await;
    assert_eq!(status, 201, "{started}");
    let (status, body) = upload(api, &started, bytes).await;
    assert_eq!(status, 204, "{body}");
    confirm(api, chat, token, started["attachment_id"].as_str().unwrap()).await
}

struct Download {
    status: u16,
    headers: reqwest::header::HeaderMap,
    bytes: Vec<u8>,
}

async fn fetch(api: &Api, url: &str) -> Download {
    let resp = reqwest::get(format!("{}{url}", api.base)).await.unwrap();
    Download {
        status: resp.status().as_u16(),
        headers: resp.headers().clone(),
        bytes: resp.bytes().await.unwrap().to_vec(),
    }
}

fn header<'a>(d: &'a Download, name: &str) -> &'a str {
    d.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

async fn the_customers_image_reaches_the_agent_intact(server: TestServer) {
    let api = Api::new(&server.base_url);
    let chat = active_chat(&api).await;
    let mut agent_ws = Ws::connect(&server.ws_url(&chat.agent)).await.unwrap();
    agent_ws.watch_chat(&chat.id).await;
    let image = png(300_000);

    let (status, confirmed) = attach(
        &api,
        &chat.id,
        &chat.customer,
        "screen shot.png",
        "image/png",
        image.clone(),
    )
    .await;
    assert_eq!(status, 201, "{confirmed}");
    let event = &confirmed["event"];
    assert_eq!(event["type"], "attachment");
    assert_eq!(event["author"]["kind"], "customer");
    assert_eq!(event["file"]["file_name"], "screen shot.png");
    assert_eq!(event["file"]["content_type"], "image/png");
    assert_eq!(event["file"]["size"], 300_000);
    assert_eq!(event["file"]["is_image"], true);
    let attachment = event["file"]["attachment_id"].as_str().unwrap().to_owned();
    let pushed = agent_ws
        .expect("the attachment", |f| {
            f["type"] == "event" && f["event"]["type"] == "attachment"
        })
        .await;
    assert_eq!(
        pushed["event"]["file"]["attachment_id"],
        attachment.as_str()
    );

    // Confirming again stores nothing new.
    let (status, again) = confirm(&api, &chat.id, &chat.customer, &attachment).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["event"]["seq"], event["seq"]);

    // The agent downloads it, byte for byte, as an attachment; the preview link shows it inline.
    let path = format!("/api/chats/{}/attachments/{attachment}", chat.id);
    let (status, link) = api.get(&path, &chat.agent).await;
    assert_eq!(status, 200, "{link}");
    let file = fetch(&api, link["url"].as_str().unwrap()).await;
    assert_eq!(file.status, 200);
    assert!(
        file.bytes == image,
        "the download is the upload, byte for byte"
    );
    assert_eq!(header(&file, "content-type"), "image/png");
    assert!(header(&file, "content-disposition")
        .starts_with("attachment; filename=\"screen shot.png\""));
    assert_eq!(header(&file, "x-content-type-options"), "nosniff");
    let (status, preview) = api
        .get(&format!("{path}?inline=true"), &chat.customer)
        .await;
    assert_eq!(status, 200, "{preview}");
    let shown = fetch(&api, preview["url"].as_str().unwrap()).await;
    assert!(header(&shown, "content-disposition").starts_with("inline;"));
    assert!(shown.bytes == image);

    // Both sides read it in the chat's events.
    let (status, events) = api
        .get(&format!("/api/chats/{}/events", chat.id), &chat.customer)
        .await;
    assert_eq!(status, 200);
    assert!(events
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["type"] == "attachment" && e["file"]["attachment_id"] == attachment.as_str()));

    // The agent attaches too: only the chat's assigned agent may.
    let (status, from_agent) = attach(
        &api,
        &chat.id,
        &chat.agent,
        "steps.pdf",
        "application/pdf",
        b"%PDF-1.7\n%steps\n".to_vec(),
    )
    .await;
    assert_eq!(status, 201, "{from_agent}");
    assert_eq!(from_agent["event"]["author"]["kind"], "agent");
    let carol = api.login("carol").await; // a Support member, not this chat's agent
    let (status, refused) = start(&api, &chat.id, &carol, "x.pdf", "application/pdf", 10).await;
    assert_eq!(status, 403, "{refused}");
}

async fn files_are_checked_by_content_and_served_as_attachments(server: TestServer) {
    let api = Api::new(&server.base_url);
    let chat = active_chat(&api).await;
    let (id, token) = (chat.id.as_str(), chat.customer.as_str());
    let page = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>".to_vec();
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".to_vec();

    // Declared as what they are: refused before anything is stored.
    for (name, kind) in [
        ("page.html", "text/html"),
        ("logo.svg", "image/svg+xml"),
        ("run.exe", "application/octet-stream"),
    ] {
        let (status, body) = start(&api, id, token, name, kind, 100).await;
        assert_eq!(status, 400, "{name}: {body}");
        assert_eq!(body["error"], "invalid_input");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .starts_with("content_type:"),
            "{body}"
        );
    }
    // Declared as plain text, or as an image: the content decides, the file is deleted.
    for (name, kind, bytes) in [
        ("page.html", "text/plain", page.clone()),
        ("logo.svg", "text/plain", svg.clone()),
        ("logo.png", "image/png", svg.clone()),
    ] {
        let (status, started) = start(&api, id, token, name, kind, bytes.len()).await;
        assert_eq!(status, 201, "{started}");
        let (status, _) = upload(&api, &started, bytes).await;
        assert_eq!(status, 204);
        let attachment = started["attachment_id"].as_str().unwrap();
        let (status, refused) = confirm(&api, id, token, attachment).await;
        assert_eq!(status, 400, "{name}: {refused}");
        assert!(
            refused["message"]
                .as_str()
                .unwrap()
                .contains("never HTML, SVG or XML"),
            "{refused}"
        );
        let (status, gone) = confirm(&api, id, token, attachment).await;
        assert_eq!(status, 404, "the refused upload was deleted: {gone}");
    }
    // A PNG declared as a JPEG.
    let (status, mismatch) = attach(&api, id, token, "a.jpg", "image/jpeg", png(1_000)).await;
    assert_eq!(status, 400, "{mismatch}");
    assert!(
        mismatch["message"]
            .as_str()
            .unwrap()
            .contains("image/png by its content, but image/jpeg was declared"),
        "{mismatch}"
    );

    // Over 10 MB: refused when declared, and by the upload target whatever was declared.
    let (status, big) = start(
        &api,
        id,
        token,
        "big.png",
        "image/png",
        10 * 1024 * 1024 + 1,
    )
    .await;
    assert_eq!(status, 400, "{big}");
    assert!(
        big["message"].as_str().unwrap().contains("over the limit"),
        "{big}"
    );
    let (status, started) = start(&api, id, token, "small.png", "image/png", 1_000).await;
    assert_eq!(status, 201);
    let (status, body) = upload(&api, &started, png(10 * 1024 * 1024 + 10)).await;
    assert_eq!(status, 413, "{body}");
    let (status, body) = upload(&api, &started, png(2_000)).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("1000 were declared"),
        "{body}"
    );
    let (status, _) = confirm(&api, id, token, started["attachment_id"].as_str().unwrap()).await;
    assert_eq!(status, 404, "nothing was stored");

    // Plain text named .html is a text file: an attachment, never sniffed, never inline.
    let text = b"Order 1234: the printer shows E42.\n".to_vec();
    let (status, kept) = attach(&api, id, token, "notes.html", "text/plain", text.clone()).await;
    assert_eq!(status, 201, "{kept}");
    let attachment = kept["event"]["file"]["attachment_id"].as_str().unwrap();
    let path = format!("/api/chats/{id}/attachments/{attachment}");
    let (status, refused) = api.get(&format!("{path}?inline=true"), token).await;
    assert_eq!(status, 400, "{refused}");
    let (_, link) = api.get(&path, &chat.agent).await;
    let file = fetch(&api, link["url"].as_str().unwrap()).await;
    assert!(file.bytes == text);
    assert_eq!(header(&file, "content-type"), "text/plain; charset=utf-8");
    assert!(header(&file, "content-disposition").starts_with("attachment; filename=\"notes.html\""));
    assert_eq!(header(&file, "x-content-type-options"), "nosniff");
    assert!(header(&file, "content-security-policy").contains("sandbox"));
}

async fn another_chats_files_are_not_served(server: TestServer) {
    let api = Api::new(&server.base_url);
    let chat = active_chat(&api).await;
    let (status, confirmed) = attach(
        &api,
        &chat.id,
        &chat.customer,
        "a.png",
        "image/png",
        png(500),
    )
    .await;
    assert_eq!(status, 201, "{confirmed}");
    let attachment = confirmed["event"]["file"]["attachment_id"]
        .as_str()
        .unwrap();
    let path = format!("/api/chats/{}/attachments/{attachment}", chat.id);

    // Another chat's customer: 403 through this chat, 404 through their own.
    let (other_chat, other) = api.start_chat("support", "Bea", "Hello").await;
    let (status, body) = api.get(&path, &other).await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = api
        .get(
            &format!("/api/chats/{other_chat}/attachments/{attachment}"),
            &other,
        )
        .await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = confirm(&api, &chat.id, &other, attachment).await;
    assert_eq!(status, 403, "{body}");
    // An agent outside the chat's group.
    let bob = api.login("bob").await; // Sales only
    let (status, body) = api.get(&path, &bob).await;
    assert_eq!(status, 403, "{body}");
    // A link cannot be altered to name another file.
    let (_, link) = api.get(&path, &chat.agent).await;
    let url = link["url"].as_str().unwrap();
    let (payload, mac) = url.rsplit_once('.').unwrap();
    let forged = format!("{}{}.{mac}", &payload[..payload.len() - 2], "00");
    assert_eq!(fetch(&api, &forged).await.status, 403);

    // Once the chat ended, nothing more is attached.
    let (status, body) = api
        .post(
            &format!("/api/chats/{}/end", chat.id),
            &chat.customer,
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = start(&api, &chat.id, &chat.customer, "b.png", "image/png", 500).await;
    assert_eq!(status, 409, "{body}");
    // It is still there for those who may read the chat.
    let (status, _) = api.get(&path, &chat.agent).await;
    assert_eq!(status, 200);
}
