//! The cloud's attachments against moto's S3 (and DynamoDB for the chat): the form of a started
//! upload names the pending key, type and metadata the confirmation reads back; a conforming
//! object is kept under `chats/` and joins the chat, the pending one is gone; a non-conforming
//! one (HTML uploaded as plain text, a PNG declared as a JPEG) is deleted and refused; the
//! download link is a presigned GET that makes S3 serve the file as an attachment of its type.
//! (moto accepts any upload without checking the POST policy: the policy document is asserted
//! by the unit tests of `chatdesk::files::s3::policy`.)

use std::collections::HashMap;
use std::sync::Arc;

use chatdesk::app::{App, StartChat};
use chatdesk::auth::Principal;
use chatdesk::domain::{ChatId, DeclaredFile, EventKind, GroupId};
use chatdesk::files::s3::S3Files;
use chatdesk::ports::UploadMethod;
use chatdesk_tests::contract::{app_over, seed_groups};
use chatdesk_tests::dynamo_endpoint::{fresh_stores, moto_endpoint};

struct World {
    app: App,
    s3: aws_sdk_s3::Client,
    bucket: String,
}

async fn world() -> World {
    let moto = moto_endpoint().await;
    let (stores, _) = fresh_stores().await;
    seed_groups(&stores, &["support"]).await;
    let aws = chatdesk::aws::sdk_config(&[&moto]).await;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&aws)
            .endpoint_url(&moto)
            .force_path_style(true)
            .build(),
    );
    let bucket = format!("files-{}", ulid::Ulid::new().to_string().to_lowercase());
    s3.create_bucket().bucket(&bucket).send().await.unwrap();
    let mut app = app_over(&stores);
    app.attachments = Some(Arc::new(S3Files::new(&aws, &bucket, Some(&moto)).unwrap()));
    World { app, s3, bucket }
}

async fn chat(app: &App) -> ChatId {
    app.start_chat(StartChat {
        group_id: GroupId::parse("support").unwrap(),
        name: "Ann".into(),
        email: None,
        question: "Look at this".into(),
        client_msg_id: None,
        identity: None,
    })
    .await
    .unwrap()
    .chat
    .id
}

/// Starts an upload as the chat's customer and puts `bytes` where its form says, with the
/// form's type and metadata (what S3 stores from a browser's POST); the attachment id.
async fn upload(
    w: &World,
    chat: &ChatId,
    name: &str,
    kind: &str,
    bytes: &[u8],
) -> chatdesk::domain::AttachmentId {
    let customer = Principal::Customer(chat.clone());
    let declared = DeclaredFile::parse(name, kind, bytes.len() as u64).unwrap();
    let started = w.app.start_upload(&customer, chat, declared).await.unwrap();
    let target = &started.target;
    assert_eq!(target.method, UploadMethod::Post);
    assert!(target.url.ends_with(&w.bucket), "{}", target.url);
    let fields: HashMap<&str, &str> = target
        .fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let key = fields["key"];
    assert_eq!(key, format!("pending/{chat}/{}", started.attachment_id));
    assert!(fields.contains_key("policy") && fields.contains_key("x-amz-signature"));
    let mut put =
        w.s3.put_object()
            .bucket(&w.bucket)
            .key(key)
            .content_type(fields["Content-Type"])
            .body(bytes.to_vec().into());
    for (name, value) in &fields {
        if let Some(meta) = name.strip_prefix("x-amz-meta-") {
            put = put.metadata(meta, *value);
        }
    }
    put.send().await.unwrap();
    started.attachment_id
}

async fn exists(w: &World, key: &str) -> bool {
    w.s3.head_object()
        .bucket(&w.bucket)
        .key(key)
        .send()
        .await
        .is_ok()
}

fn png(len: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0".to_vec();
    bytes.extend((0..len - bytes.len()).map(|i| (i * 13 % 251) as u8));
    bytes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conforming_upload_is_read_back_kept_and_served_as_an_attachment() {
    let w = world().await;
    let chat = chat(&w.app).await;
    let customer = Principal::Customer(chat.clone());
    let image = png(20_000);
    let id = upload(&w, &chat, "café.png", "image/png", &image).await;

    let (event, duplicate) = w.app.confirm_upload(&customer, &chat, &id).await.unwrap();
    assert!(!duplicate);
    let EventKind::Attachment { file, .. } = &event.kind else {
        panic!("not an attachment: {event:?}");
    };
    assert_eq!(
        file.file_name, "café.png",
        "the name survives S3's metadata"
    );
    assert_eq!(file.size, 20_000);
    assert!(!exists(&w, &format!("pending/{chat}/{id}")).await);
    assert!(exists(&w, &format!("chats/{chat}/{id}")).await);
    let (again, duplicate) = w.app.confirm_upload(&customer, &chat, &id).await.unwrap();
    assert!(duplicate);
    assert_eq!(again.seq, event.seq);

    let link = w
        .app
        .attachment_link(&customer, &chat, &id, false)
        .await
        .unwrap();
    assert!(
        link.url.contains("response-content-disposition=attachment"),
        "{}",
        link.url
    );
    assert!(link.url.contains("X-Amz-Signature="), "{}", link.url);
    // moto serves the object but ignores the response-* overrides S3 applies; the signed URL
    // asks for them (above).
    let resp = reqwest::get(&link.url).await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert!(resp.bytes().await.unwrap().to_vec() == image, "intact");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_conforming_object_is_deleted_and_refused() {
    let w = world().await;
    let chat = chat(&w.app).await;
    let customer = Principal::Customer(chat.clone());

    let page = b"<html><body><script>alert(1)</script></body></html>";
    let id = upload(&w, &chat, "notes.txt", "text/plain", page).await;
    let refused = w
        .app
        .confirm_upload(&customer, &chat, &id)
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("never HTML, SVG or XML"),
        "{refused}"
    );
    assert!(
        !exists(&w, &format!("pending/{chat}/{id}")).await,
        "deleted"
    );
    assert!(
        !exists(&w, &format!("chats/{chat}/{id}")).await,
        "never kept"
    );

    let id = upload(&w, &chat, "a.jpg", "image/jpeg", &png(500)).await;
    let refused = w
        .app
        .confirm_upload(&customer, &chat, &id)
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("image/png by its content"),
        "{refused}"
    );
    assert!(
        !exists(&w, &format!("pending/{chat}/{id}")).await,
        "deleted"
    );

    // Bytes other than those declared (S3 enforces the size by the policy; moto does not).
    let id = upload(&w, &chat, "b.png", "image/png", &png(500)).await;
    w.s3.put_object()
        .bucket(&w.bucket)
        .key(format!("pending/{chat}/{id}"))
        .content_type("image/png")
        .metadata("name", "b.png")
        .metadata("size", "500")
        .metadata("uploader", "customer")
        .body(png(800).into())
        .send()
        .await
        .unwrap();
    let refused = w
        .app
        .confirm_upload(&customer, &chat, &id)
        .await
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("800 bytes, but 500 were declared"),
        "{refused}"
    );
    assert!(
        !exists(&w, &format!("pending/{chat}/{id}")).await,
        "deleted"
    );

    // Nothing reached the chat.
    let events = w.app.events(&customer, &chat, 0, 100).await.unwrap();
    assert!(!events
        .iter()
        .any(|e| matches!(e.kind, EventKind::Attachment { .. })));
}
