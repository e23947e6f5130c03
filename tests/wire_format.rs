//! The JSON clients read, pinned byte for byte. The wire types (`api::wire`) are converted from
//! domain types; a change to a domain type that would alter what the console, the chat page or
//! an outside client receives fails here rather than in a browser.

use chatdesk::api::wire;
use chatdesk::domain::kb::{Article, DeflectionCounts};
use chatdesk::domain::prefs::ColumnPreference;
use chatdesk::domain::{
    Agent, AgentId, ArticleId, Author, ChatEvent, ChatId, ChatRow, ChatState, ClientMessageId,
    Column, EventKind, FollowUp, GroupId, ListPreferences, NotificationPreferences, Party, Role,
    Severity, SortDirection, SortSpec, StatusIcons, Timestamp,
};

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("wire types serialize")
}

fn chat_id() -> ChatId {
    ChatId::parse("c1").expect("valid id")
}

fn ann() -> Party {
    Party::Agent {
        id: AgentId::parse("ann").expect("valid id"),
        name: "Ann".into(),
    }
}

fn row() -> ChatRow {
    ChatRow {
        id: chat_id(),
        state: ChatState::Active,
        deleted: false,
        follow_up: Some(FollowUp {
            due_at: Timestamp(1_700_000_060_000),
            note: "Call back".into(),
            set_by: AgentId::parse("ann").expect("valid id"),
        }),
        icons: StatusIcons {
            state: Severity::Green,
            idle: Severity::Yellow,
            follow_up: Some(Severity::Red),
        },
        user: "Bob".into(),
        verified_user_id: None,
        group_id: GroupId::parse("support").expect("valid id"),
        group_name: "Support".into(),
        started_at: Timestamp(1_700_000_000_000),
        queue_ms: 1500,
        idle_ms: 42_000,
        messages: 3,
        agent_id: Some(AgentId::parse("ann").expect("valid id")),
        agent_name: Some("Ann".into()),
        question: "Printer says E42".into(),
        last_seq: 7,
        hand_offs: 1,
        escalated: false,
        rating: None,
        customer_waiting: true,
        tags: vec!["refund".into()],
        as_of: Timestamp(1_700_000_100_000),
    }
}

#[test]
fn a_chat_row() {
    assert_eq!(
        json(&wire::ChatRow::from(&row())),
        r#"{"id":"c1","state":"active","deleted":false,"follow_up":{"due_at":1700000060000,"note":"Call back","set_by":"ann"},"icons":{"state":"green","idle":"yellow","follow_up":"red"},"user":"Bob","verified_user_id":null,"group_id":"support","group_name":"Support","started_at":1700000000000,"queue_ms":1500,"idle_ms":42000,"messages":3,"agent_id":"ann","agent_name":"Ann","question":"Printer says E42","last_seq":7,"hand_offs":1,"escalated":false,"rating":null,"customer_waiting":true,"tags":["refund"],"as_of":1700000100000}"#
    );
    let mut bare = row();
    bare.follow_up = None;
    bare.icons.follow_up = None;
    bare.state = ChatState::Queued;
    bare.agent_id = None;
    bare.agent_name = None;
    bare.verified_user_id = Some("u-9".into());
    let text = json(&wire::ChatRow::from(&bare));
    assert!(
        text.contains(r#""state":"queued","deleted":false,"follow_up":null,"icons":{"state":"green","idle":"yellow","follow_up":null}"#),
        "{text}"
    );
    assert!(
        text.contains(r#""verified_user_id":"u-9""#)
            && text.contains(r#""agent_id":null,"agent_name":null"#),
        "{text}"
    );
}

fn event(kind: EventKind) -> String {
    json(&wire::ChatEvent::from(&ChatEvent {
        chat_id: chat_id(),
        seq: 4,
        at: Timestamp(1_700_000_000_123),
        kind,
    }))
}

#[test]
fn each_event_kind() {
    let group = || GroupId::parse("support").expect("valid id");
    let head = r#"{"chat_id":"c1","seq":4,"at":1700000000123,"#;
    let cases: Vec<(EventKind, &str)> = vec![
        (
            EventKind::Started { group_id: group() },
            r#""type":"started","group_id":"support"}"#,
        ),
        (
            EventKind::Message {
                client_msg_id: ClientMessageId::parse("m-1").expect("valid id"),
                author: Author::Customer { name: "Bob".into() },
                body: "Hello \"there\"\n".into(),
            },
            r#""type":"message","client_msg_id":"m-1","author":{"kind":"customer","name":"Bob"},"body":"Hello \"there\"\n"}"#,
        ),
        (
            EventKind::Message {
                client_msg_id: ClientMessageId::parse("m-2").expect("valid id"),
                author: Author::Agent {
                    id: AgentId::parse("ann").expect("valid id"),
                    name: "Ann".into(),
                },
                body: "Hi".into(),
            },
            r#""type":"message","client_msg_id":"m-2","author":{"kind":"agent","id":"ann","name":"Ann"},"body":"Hi"}"#,
        ),
        (
            EventKind::Assigned {
                agent_id: AgentId::parse("ann").expect("valid id"),
                agent_name: "Ann".into(),
                by: Party::Automatic,
            },
            r#""type":"assigned","agent_id":"ann","agent_name":"Ann","by":{"kind":"automatic"}}"#,
        ),
        (
            EventKind::Requeued {
                group_id: group(),
                by: ann(),
            },
            r#""type":"requeued","group_id":"support","by":{"kind":"agent","id":"ann","name":"Ann"}}"#,
        ),
        (
            EventKind::Ended {
                by: Party::Customer,
                resolution: None,
            },
            r#""type":"ended","by":{"kind":"customer"},"resolution":null}"#,
        ),
        (
            EventKind::Ended {
                by: ann(),
                resolution: Some("Reseated the toner".into()),
            },
            r#""type":"ended","by":{"kind":"agent","id":"ann","name":"Ann"},"resolution":"Reseated the toner"}"#,
        ),
        (
            EventKind::Deleted { by: ann() },
            r#""type":"deleted","by":{"kind":"agent","id":"ann","name":"Ann"}}"#,
        ),
        (
            EventKind::Restored {
                by: ann(),
                state: ChatState::Inactive,
            },
            r#""type":"restored","by":{"kind":"agent","id":"ann","name":"Ann"},"state":"inactive"}"#,
        ),
        (
            EventKind::FollowUpSet {
                due_at: Timestamp(1_700_000_060_000),
                note: "Call back".into(),
                by: ann(),
            },
            r#""type":"follow_up_set","due_at":1700000060000,"note":"Call back","by":{"kind":"agent","id":"ann","name":"Ann"}}"#,
        ),
        (
            EventKind::FollowUpCleared { by: ann() },
            r#""type":"follow_up_cleared","by":{"kind":"agent","id":"ann","name":"Ann"}}"#,
        ),
        (
            EventKind::Tagged {
                tags: vec!["refund".into(), "vip".into()],
                by: ann(),
            },
            r#""type":"tagged","tags":["refund","vip"],"by":{"kind":"agent","id":"ann","name":"Ann"}}"#,
        ),
    ];
    for (kind, tail) in cases {
        assert_eq!(event(kind), format!("{head}{tail}"));
    }
}

#[test]
fn an_agent() {
    let agent = Agent {
        id: AgentId::parse("ann").expect("valid id"),
        username: "ann".into(),
        display_name: "Ann A.".into(),
        role: Role::Manager,
        groups: vec![
            GroupId::parse("sales").expect("valid id"),
            GroupId::parse("support").expect("valid id"),
        ],
        available: true,
        max_concurrent_chats: 5,
        session_epoch: 18_446_744_073_709_551_615,
        deactivated_at: None,
    };
    assert_eq!(
        json(&wire::Agent::from(&agent)),
        r#"{"id":"ann","username":"ann","display_name":"Ann A.","role":"manager","groups":["sales","support"],"available":true,"max_concurrent_chats":5,"session_epoch":18446744073709551615}"#
    );
}

#[test]
fn an_article() {
    let mut article = Article {
        id: ArticleId::parse("a1").expect("valid id"),
        title: "Toner".into(),
        body: "**Reseat** it".into(),
        tags: vec!["printer".into()],
        groups: vec![],
        published: true,
        updated_at: Timestamp(1_700_000_000_000),
        embedding: None,
    };
    assert_eq!(
        json(&wire::Article::from(&article)),
        r#"{"id":"a1","title":"Toner","body":"**Reseat** it","tags":["printer"],"groups":[],"published":true,"updated_at":1700000000000}"#
    );
    // An article's embedding stays inside: the body is the same with one.
    let without = json(&wire::Article::from(&article));
    article.embedding = Some(vec![0.5, -1.0]);
    assert_eq!(json(&wire::Article::from(&article)), without);
    assert_eq!(
        json(&wire::DeflectionCounts::from(&DeflectionCounts {
            shown: 3,
            clicked: 2,
            solved: 1
        })),
        r#"{"shown":3,"clicked":2,"solved":1}"#
    );
}

#[test]
fn preferences_both_ways() {
    let expected = r#"{"columns":[{"column":"status","visible":true,"width":90},{"column":"user","visible":true,"width":180},{"column":"group","visible":true,"width":130},{"column":"started","visible":true,"width":150},{"column":"queue_time","visible":true,"width":100},{"column":"idle","visible":true,"width":90},{"column":"messages","visible":true,"width":90},{"column":"agent","visible":true,"width":150},{"column":"rating","visible":false,"width":80},{"column":"tags","visible":false,"width":150}],"sort":{"column":"started","direction":"desc"},"notifications":{"desktop":true,"sound":true,"new_chats":true,"assigned":true,"messages":true}}"#;
    assert_eq!(
        json(&wire::ListPreferences::from(&ListPreferences::default())),
        expected
    );
    let read: wire::ListPreferences = serde_json::from_str(
        r#"{"columns":[{"column":"queue_time","visible":false,"width":120}],"sort":{"column":"idle","direction":"asc"}}"#,
    )
    .expect("a layout");
    assert_eq!(
        read.into_domain(),
        (
            ListPreferences {
                columns: vec![ColumnPreference {
                    column: Column::QueueTime,
                    visible: false,
                    width: 120,
                }],
                sort: SortSpec {
                    column: Column::Idle,
                    direction: SortDirection::Asc,
                },
                notifications: NotificationPreferences::default(),
            },
            None
        )
    );
    // Sent, the notification settings are taken as they are.
    let read: wire::ListPreferences = serde_json::from_str(
        r#"{"columns":[],"sort":{"column":"idle","direction":"asc"},"notifications":{"desktop":false,"sound":true,"new_chats":false,"assigned":true,"messages":true}}"#,
    )
    .expect("preferences with notifications");
    let quiet = NotificationPreferences {
        desktop: false,
        new_chats: false,
        ..NotificationPreferences::default()
    };
    assert_eq!(read.into_domain().1, Some(quiet));
}

#[test]
fn request_ids_are_checked_when_read() {
    let bad = serde_json::from_str::<wire::ChatId>(r#""a b""#);
    assert!(bad.is_err());
    let err = serde_json::from_str::<wire::TransferTarget>(r#"{"kind":"group","group_id":""}"#)
        .expect_err("an empty id is refused");
    assert!(err.to_string().contains("group_id"), "{err}");
}
