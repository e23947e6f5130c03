//! One realistic set of stored data, written the same way to every store: what the fixtures in
//! `tests/fixtures/storage/` hold, and what `tests/stored_format.rs` expects to read back from
//! them. Every id, instant and number is fixed, so reads compare exactly. The fixtures were
//! written from this set as it is: change nothing here, and add nothing either (the fixtures
//! could not hold it). Data of a later format goes into a set and fixtures of its own.

use chatdesk::domain::kb::{Article, DeflectionAction, DeflectionEvent, Resolution};
use chatdesk::domain::numbering;
use chatdesk::domain::pace::SendPace;
use chatdesk::domain::rules::LoadChange;
use chatdesk::domain::*;
use chatdesk::ports::*;
use chatdesk_server::Stores;

/// 2026-01-05T09:30:00Z, the start of a fifteen-minute throttle window.
pub const T0: Timestamp = Timestamp(1_767_605_400_000);

/// `T0` plus `secs` seconds.
pub fn t(secs: i64) -> Timestamp {
    T0.plus_millis(secs * 1000)
}

/// The sign-in throttle's window as the product uses it: 15 minutes.
pub const THROTTLE: ThrottleLimit = ThrottleLimit {
    max: 10,
    window_ms: 15 * 60 * 1000,
};

pub const CONNECTIONS_PER_PRINCIPAL: u32 = 10;

/// Ann's epoch after her sessions were revoked (a 53-bit value, as the product draws them).
pub const ANN_REVOKED_EPOCH: u64 = 6_004_571_399_238_145;

pub fn gid(s: &str) -> GroupId {
    GroupId::parse(s).unwrap()
}

pub fn aid(s: &str) -> AgentId {
    AgentId::parse(s).unwrap()
}

pub fn cid(s: &str) -> ChatId {
    ChatId::parse(s).unwrap()
}

pub fn conn(s: &str) -> ConnectionId {
    ConnectionId::parse(s).unwrap()
}

/// A chat as it was created, then each change committed to it, in order.
pub struct StoredChat {
    pub created: Chat,
    pub opening: Vec<ChatEvent>,
    pub commits: Vec<ChatCommit>,
}

impl StoredChat {
    pub fn current(&self) -> &Chat {
        self.commits
            .last()
            .map(|c| &c.chat)
            .unwrap_or(&self.created)
    }

    /// Every event of the chat, in order.
    pub fn events(&self) -> Vec<ChatEvent> {
        let mut events = self.opening.clone();
        events.extend(self.commits.iter().map(|c| c.event.clone()));
        events
    }

    /// Commits one change at `at`: `change` edits the chat as it is, the event takes the next
    /// sequence number.
    fn then(
        &mut self,
        at: Timestamp,
        kind: EventKind,
        load: LoadChange,
        change: impl FnOnce(&mut Chat),
    ) {
        let before = self.current().clone();
        let mut after = before.clone();
        change(&mut after);
        let (chat, event) = numbering::next_event(&before, after, kind, at);
        self.commits.push(ChatCommit {
            before: before.clone(),
            chat,
            event,
            load,
        });
    }

    fn customer_writes(&mut self, at: Timestamp, cmid: &str, body: &str) {
        let name = self.current().customer.name.clone();
        self.then(
            at,
            EventKind::Message {
                client_msg_id: ClientMessageId::parse(cmid).unwrap(),
                author: Author::Customer { name },
                body: body.into(),
            },
            LoadChange::default(),
            |c| {
                c.message_count += 1;
                c.customer_waiting = true;
                c.send_pace.accept(pace::Side::Customer, at).unwrap();
            },
        );
    }

    fn agent_writes(&mut self, at: Timestamp, agent: &Agent, cmid: &str, body: &str) {
        self.then(
            at,
            EventKind::Message {
                client_msg_id: ClientMessageId::parse(cmid).unwrap(),
                author: Author::Agent {
                    id: agent.id.clone(),
                    name: agent.display_name.clone(),
                },
                body: body.into(),
            },
            LoadChange::default(),
            |c| {
                c.message_count += 1;
                c.customer_waiting = false;
                c.last_agent_message_at = Some(at);
                c.send_pace.accept(pace::Side::Agent, at).unwrap();
            },
        );
    }

    fn assigned(&mut self, at: Timestamp, to: &Agent, by: Party) {
        let acquire = Some((to.id.clone(), to.max_concurrent_chats));
        self.then(
            at,
            EventKind::Assigned {
                agent_id: to.id.clone(),
                agent_name: to.display_name.clone(),
                by,
            },
            LoadChange {
                acquire,
                release: None,
            },
            |c| {
                if let Some(since) = c.queued_since.take() {
                    c.queue_ms += at.since(since);
                }
                c.state = ChatState::Active;
                c.agent_id = Some(to.id.clone());
                c.agent_name = Some(to.display_name.clone());
                c.first_assigned_at.get_or_insert(at);
            },
        );
    }

    fn ended(&mut self, at: Timestamp, by: Party, resolution: Option<&str>) {
        let release = self.current().agent_id.clone();
        let note = resolution.map(str::to_owned);
        self.then(
            at,
            EventKind::Ended {
                by: by.clone(),
                resolution: note.clone(),
            },
            LoadChange {
                acquire: None,
                release,
            },
            |c| {
                if let Some(since) = c.queued_since.take() {
                    c.queue_ms += at.since(since);
                }
                c.state = ChatState::Inactive;
                c.ended_at = Some(at);
                c.ended_by = Some(by);
                c.resolution = note;
            },
        );
    }
}

fn party(agent: &Agent) -> Party {
    Party::Agent {
        id: agent.id.clone(),
        name: agent.display_name.clone(),
    }
}

/// A chat a customer started at `at`: queued, its question the first message.
fn opened(id: &str, group: &str, customer: Customer, question: &str, at: Timestamp) -> StoredChat {
    let chat = Chat {
        id: cid(id),
        group_id: gid(group),
        customer: customer.clone(),
        question: question.into(),
        state: ChatState::Queued,
        deleted_at: None,
        agent_id: None,
        agent_name: None,
        started_at: at,
        queued_since: Some(at),
        queue_ms: 0,
        first_assigned_at: None,
        ended_at: None,
        ended_by: None,
        last_agent_message_at: None,
        customer_waiting: true,
        message_count: 1,
        last_seq: 2,
        follow_up: None,
        resolution: None,
        send_pace: SendPace::default(),
        assigned_at: None,
        customer_waiting_since: None,
        agent_active_at: None,
        hand_offs: 0,
        queue_rank_at: None,
        escalated: false,
        rating: None,
        tags: Vec::new(),
    };
    let opening = numbering::opening_events(
        &cid(id),
        vec![
            EventKind::Started {
                group_id: gid(group),
            },
            EventKind::Message {
                client_msg_id: ClientMessageId::parse(&format!("{id}-q")).unwrap(),
                author: Author::Customer {
                    name: customer.name,
                },
                body: question.into(),
            },
        ],
        at,
    );
    StoredChat {
        created: chat,
        opening,
        commits: Vec::new(),
    }
}

fn customer(name: &str, email: Option<&str>, verified: Option<&str>) -> Customer {
    Customer {
        name: name.into(),
        email: email.map(str::to_owned),
        verified_user_id: verified.map(str::to_owned),
    }
}

/// A sentence embedding's worth of numbers (384), different for each `seed`.
pub fn embedding(seed: u32) -> Vec<f32> {
    (0..384u32)
        .map(|i| ((i * 37 + seed * 11) % 101) as f32 / 64.0 - 0.78125)
        .collect()
}

pub struct World {
    pub groups: Vec<Group>,
    /// As first written (`put_agent`).
    pub agents: Vec<Agent>,
    /// Sessions revoked after the agent was written.
    pub revoked: Vec<(AgentId, u64)>,
    pub passwords: Vec<(AgentId, String)>,
    pub chats: Vec<StoredChat>,
    pub preferences: Vec<(AgentId, ListPreferences)>,
    pub connections: Vec<Connection>,
    pub watches: Vec<(ChatId, ConnectionId)>,
    pub frames: Vec<(ConnectionId, Timestamp)>,
    pub articles: Vec<Article>,
    pub deleted_articles: Vec<ArticleId>,
    pub resolutions: Vec<Resolution>,
    /// Embeddings stored after their item (`store_embedding`).
    pub embeddings: Vec<(String, Vec<f32>)>,
    pub deflections: Vec<(DeflectionEvent, DeflectionRecorded)>,
    /// Sign-in attempts counted (`admit`), then taken back (`release`).
    pub attempts: Vec<(ThrottleKey, Timestamp)>,
    pub released: Vec<(ThrottleKey, Timestamp)>,
}

impl World {
    pub fn agent(&self, id: &str) -> Agent {
        let mut agent = self
            .agents
            .iter()
            .find(|a| a.id.as_str() == id)
            .cloned()
            .unwrap();
        if let Some((_, epoch)) = self.revoked.iter().find(|(a, _)| a == &agent.id) {
            agent.session_epoch = *epoch;
        }
        agent
    }

    pub fn chat(&self, id: &str) -> &StoredChat {
        self.chats
            .iter()
            .find(|c| c.created.id.as_str() == id)
            .unwrap()
    }
}

pub fn world() -> World {
    let groups = vec![
        Group::pull(gid("support"), "Customer Support"),
        Group {
            id: gid("billing"),
            name: "Billing".into(),
            distribution: Distribution::Automatic,
            hand_off: Default::default(),
            business_hours: None,
            offline: Default::default(),
            texts: Default::default(),
        },
        Group::pull(gid("sales"), "Sales"),
    ];
    let agent = |id: &str, name: &str, role, groups: &[&str], available, max, epoch| Agent {
        id: aid(id),
        username: id.into(),
        display_name: name.into(),
        role,
        groups: groups.iter().map(|g| gid(g)).collect(),
        available,
        max_concurrent_chats: max,
        session_epoch: epoch,
        deactivated_at: None,
    };
    let ann = agent("ann", "Ann A.", Role::Agent, &["support"], true, 3, 0);
    let bob = agent("bob", "Bob B.", Role::Agent, &["billing"], true, 2, 0);
    let carol = agent(
        "carol",
        "Carol C.",
        Role::Manager,
        &["support", "billing"],
        true,
        5,
        3_141_592_653_589_793,
    );
    let dave = agent(
        "dave",
        "Dave D.",
        Role::Administrator,
        &["support", "billing", "sales"],
        false,
        1,
        0,
    );

    let mut queued = opened(
        "chat-queued",
        "support",
        customer(
            "Ann Customer",
            Some("ann@example.com"),
            Some("site-user-42"),
        ),
        "How do I reset my password?",
        t(0),
    );
    queued.customer_writes(t(20), "chat-queued-m1", "I never got the reset email.");

    let mut active = opened(
        "chat-active",
        "support",
        customer("Bo", None, None),
        "My order page shows an error",
        t(60),
    );
    active.assigned(t(120), &ann, party(&ann));
    active.agent_writes(
        t(150),
        &ann,
        "chat-active-m1",
        "Hi Bo, which error do you see?",
    );
    active.customer_writes(t(170), "chat-active-m2", "E42, in red.");

    let mut auto = opened(
        "chat-auto",
        "billing",
        customer("Cy", Some("cy@example.org"), None),
        "Can I pay by invoice?",
        t(200),
    );
    auto.assigned(t(201), &bob, Party::Automatic);

    let mut resolved = opened(
        "chat-resolved",
        "billing",
        customer("Dee", Some("dee@example.net"), None),
        "I was charged twice this month",
        t(300),
    );
    resolved.assigned(t(301), &bob, Party::Automatic);
    resolved.agent_writes(
        t(360),
        &bob,
        "chat-resolved-m1",
        "I see both charges; refunding one now.",
    );
    resolved.ended(
        t(420),
        party(&bob),
        Some("Refunded the double charge. It shows in 3-5 days."),
    );

    let mut left = opened(
        "chat-left",
        "support",
        customer("Eve", None, None),
        "Is anybody there?",
        t(500),
    );
    left.ended(t(560), Party::Customer, None);
    let follow_up = FollowUp {
        due_at: t(86_400),
        note: "Call Eve back about her question".into(),
        set_by: carol.id.clone(),
    };
    left.then(
        t(600),
        EventKind::FollowUpSet {
            due_at: follow_up.due_at,
            note: follow_up.note.clone(),
            by: party(&carol),
        },
        LoadChange::default(),
        |c| c.follow_up = Some(follow_up.clone()),
    );

    let mut requeued = opened(
        "chat-requeued",
        "support",
        customer("Finn", Some("finn@example.com"), Some("site-user-7")),
        "I need a copy of my invoice",
        t(700),
    );
    requeued.assigned(t(760), &ann, party(&ann));
    requeued.then(
        t(800),
        EventKind::Requeued {
            group_id: gid("billing"),
            by: party(&carol),
        },
        LoadChange {
            acquire: None,
            release: Some(ann.id.clone()),
        },
        |c| {
            c.state = ChatState::Queued;
            c.group_id = gid("billing");
            c.agent_id = None;
            c.agent_name = None;
            c.queued_since = Some(t(800));
        },
    );
    let reminder = FollowUp {
        due_at: t(3_600),
        note: "Check billing picked it up".into(),
        set_by: carol.id.clone(),
    };
    requeued.then(
        t(810),
        EventKind::FollowUpSet {
            due_at: reminder.due_at,
            note: reminder.note.clone(),
            by: party(&carol),
        },
        LoadChange::default(),
        |c| c.follow_up = Some(reminder.clone()),
    );
    requeued.then(
        t(820),
        EventKind::FollowUpCleared { by: party(&carol) },
        LoadChange::default(),
        |c| c.follow_up = None,
    );

    let mut deleted = opened(
        "chat-deleted",
        "sales",
        customer("Spam Bot", Some("bot@example.invalid"), None),
        "Buy cheap followers now",
        t(900),
    );
    deleted.ended(t(930), Party::Customer, None);
    deleted.then(
        t(1000),
        EventKind::Deleted { by: party(&dave) },
        LoadChange::default(),
        |c| c.deleted_at = Some(t(1000)),
    );

    let mut restored = opened(
        "chat-restored",
        "support",
        customer("Gus", None, None),
        "Where is the password reset link?",
        t(1100),
    );
    restored.assigned(t(1110), &ann, party(&ann));
    restored.agent_writes(
        t(1150),
        &ann,
        "chat-restored-m1",
        "It is under Account, Security.",
    );
    restored.ended(
        t(1200),
        party(&ann),
        Some("Explained where the reset link is."),
    );
    restored.then(
        t(1300),
        EventKind::Deleted { by: party(&ann) },
        LoadChange::default(),
        |c| c.deleted_at = Some(t(1300)),
    );
    restored.then(
        t(1400),
        EventKind::Restored {
            by: party(&carol),
            state: ChatState::Inactive,
        },
        LoadChange::default(),
        |c| c.deleted_at = None,
    );

    let second = opened(
        "chat-second",
        "support",
        customer("Hal", None, None),
        "Do you ship to Norway?",
        t(1500),
    );

    let mut ann_prefs = layout_before_ratings();
    ann_prefs.columns.swap(0, 3);
    ann_prefs.columns[1].visible = false;
    ann_prefs.columns[2].width = 321;
    ann_prefs.sort = SortSpec {
        column: Column::QueueTime,
        direction: SortDirection::Asc,
    };

    let connected = |id: &str, owner, at: Timestamp| Connection {
        id: conn(id),
        owner,
        connected_at: at,
        expires_at: at.plus_millis(2 * 60 * 60 * 1000),
    };
    let connections = vec![
        connected(
            "annConsole1=",
            ConnectionOwner::Agent {
                agent_id: ann.id.clone(),
                groups: vec![gid("support")],
                session: Some(ANN_REVOKED_EPOCH),
            },
            t(1600),
        ),
        connected(
            "bobTab-2",
            ConnectionOwner::Agent {
                agent_id: bob.id.clone(),
                groups: vec![gid("billing")],
                session: None,
            },
            t(1610),
        ),
        connected(
            "cust+Bo/1",
            ConnectionOwner::Customer {
                chat_id: cid("chat-active"),
            },
            t(1620),
        ),
    ];

    let articles = vec![
        Article {
            id: ArticleId::parse("reset-password").unwrap(),
            title: "Resetting your password".into(),
            body: "1. Open **Account**\n2. Choose *Security*\n3. Press `Reset`".into(),
            tags: vec!["password".into(), "account".into()],
            groups: vec![gid("support")],
            published: true,
            updated_at: t(-86_400),
            embedding: Some(embedding(1)),
        },
        Article {
            id: ArticleId::parse("refund-policy").unwrap(),
            title: "Refunds".into(),
            body: "Double charges are refunded within 5 days.".into(),
            tags: vec!["refund".into()],
            groups: vec![gid("billing")],
            published: true,
            updated_at: t(-3_600),
            embedding: None,
        },
        Article {
            id: ArticleId::parse("shipping-draft").unwrap(),
            title: "Shipping abroad (draft)".into(),
            body: "TODO: countries".into(),
            tags: Vec::new(),
            groups: Vec::new(),
            published: false,
            updated_at: t(-60),
            embedding: None,
        },
        Article {
            id: ArticleId::parse("old-article").unwrap(),
            title: "Retired".into(),
            body: "Gone".into(),
            tags: Vec::new(),
            groups: Vec::new(),
            published: true,
            updated_at: t(-172_800),
            embedding: None,
        },
    ];
    let resolutions = vec![
        Resolution {
            chat_id: cid("chat-resolved"),
            group_id: gid("billing"),
            resolution: "Refunded the double charge. It shows in 3-5 days.".into(),
            agent_name: bob.display_name.clone(),
            resolved_at: t(420),
            embedding: None,
        },
        Resolution {
            chat_id: cid("chat-restored"),
            group_id: gid("support"),
            resolution: "Explained where the reset link is.".into(),
            agent_name: ann.display_name.clone(),
            resolved_at: t(1200),
            embedding: Some(embedding(2)),
        },
    ];

    let deflection = |q: &str, item: &str, group: Option<&str>, action, secs| DeflectionEvent {
        question_id: q.into(),
        item_id: item.into(),
        group_id: group.map(gid),
        action,
        at: t(secs),
    };
    use DeflectionAction::*;
    use DeflectionRecorded::*;
    let deflections = vec![
        (
            deflection("q-1", "reset-password", Some("support"), Shown, 10),
            Counted,
        ),
        (
            deflection("q-1", "reset-password", Some("support"), Clicked, 12),
            Counted,
        ),
        (
            deflection("q-1", "reset-password", Some("support"), Solved, 30),
            Counted,
        ),
        (
            deflection("q-1", "refund-policy", Some("support"), Shown, 10),
            Counted,
        ),
        (
            deflection("q-2", "refund-policy", Some("billing"), Shown, 40),
            Counted,
        ),
        (
            deflection("q-2", "refund-policy", Some("billing"), Shown, 41),
            Repeat,
        ),
        (
            deflection("q-3", "shipping-draft", None, Clicked, 50),
            NotShown,
        ),
        (
            deflection("q-4", "reset-password", None, Shown, 60),
            Counted,
        ),
    ];

    let user = ThrottleKey::sign_in_username(&ann.id);
    let v4 = ThrottleKey::sign_in_address("203.0.113.7".parse().unwrap());
    let v6 = ThrottleKey::sign_in_address("2001:db8:1:2::5".parse().unwrap());

    World {
        groups,
        agents: vec![ann.clone(), bob.clone(), carol.clone(), dave.clone()],
        revoked: vec![(ann.id.clone(), ANN_REVOKED_EPOCH)],
        passwords: vec![
            (
                ann.id.clone(),
                "$argon2id$v=19$m=19456,t=2,p=1$YW5uc2FsdA$YW5uaGFzaGFubmhhc2g".into(),
            ),
            (
                carol.id.clone(),
                "$argon2id$v=19$m=19456,t=2,p=1$Y2Fyb2xzYWx0$Y2Fyb2xoYXNoY2Fyb2w".into(),
            ),
            (
                dave.id.clone(),
                "$argon2id$v=19$m=19456,t=2,p=1$ZGF2ZXNhbHQ$ZGF2ZWhhc2hkYXZlaA".into(),
            ),
        ],
        chats: vec![
            queued, active, auto, resolved, left, requeued, deleted, restored, second,
        ],
        preferences: vec![
            (ann.id.clone(), ann_prefs),
            (carol.id.clone(), layout_before_ratings()),
        ],
        connections,
        watches: vec![
            (cid("chat-active"), conn("annConsole1=")),
            (cid("chat-requeued"), conn("annConsole1=")),
        ],
        frames: vec![
            (conn("annConsole1="), t(1700)),
            (conn("annConsole1="), t(1701)),
            (conn("annConsole1="), t(1702)),
            (conn("cust+Bo/1"), t(1703)),
        ],
        articles,
        deleted_articles: vec![ArticleId::parse("old-article").unwrap()],
        resolutions,
        embeddings: vec![
            ("refund-policy".into(), embedding(3)),
            ("resolution:chat-resolved".into(), embedding(4)),
        ],
        deflections,
        attempts: vec![
            (user.clone(), t(1800)),
            (user.clone(), t(1801)),
            (user, t(1802)),
            (v4, t(1803)),
            (v6.clone(), t(1804)),
            (v6.clone(), t(1805)),
        ],
        released: vec![(v6, t(1805))],
    }
}

/// Writes the world through the store ports, checking each write did what it should.
pub async fn write(stores: &Stores, world: &World) {
    for g in &world.groups {
        stores.directory.put_group(g).await.unwrap();
    }
    for a in &world.agents {
        stores.directory.put_agent(a).await.unwrap();
    }
    for (id, epoch) in &world.revoked {
        stores
            .directory
            .set_session_epoch(id, *epoch)
            .await
            .unwrap();
    }
    for (id, hash) in &world.passwords {
        stores.directory.set_password_hash(id, hash).await.unwrap();
    }
    for chat in &world.chats {
        stores
            .chats
            .create_chat(&chat.created, &chat.opening)
            .await
            .unwrap();
        for commit in &chat.commits {
            let outcome = stores.chats.commit(commit).await.unwrap();
            assert_eq!(outcome, CommitOutcome::Committed, "{}", commit.event.seq);
        }
    }
    for (agent, prefs) in &world.preferences {
        stores
            .preferences
            .put_preferences(agent, prefs)
            .await
            .unwrap();
    }
    for c in &world.connections {
        stores
            .connections
            .put_connection(c, CONNECTIONS_PER_PRINCIPAL)
            .await
            .unwrap();
    }
    for (chat, c) in &world.watches {
        stores.connections.watch_chat(chat, c).await.unwrap();
    }
    for (c, at) in &world.frames {
        let admitted = stores
            .connections
            .admit_frame(c, *at, RateLimit::default())
            .await
            .unwrap();
        assert!(matches!(admitted, Admission::Admitted(_)), "{c}");
    }
    for a in &world.articles {
        stores.knowledge.put_article(a).await.unwrap();
    }
    for id in &world.deleted_articles {
        assert!(stores.knowledge.delete_article(id).await.unwrap());
    }
    for r in &world.resolutions {
        stores.knowledge.put_resolution(r).await.unwrap();
    }
    for (item, e) in &world.embeddings {
        stores.knowledge.store_embedding(item, e).await.unwrap();
    }
    for (event, expected) in &world.deflections {
        let recorded = stores.knowledge.record_deflection(event).await.unwrap();
        assert_eq!(&recorded, expected, "{event:?}");
    }
    for (key, at) in &world.attempts {
        let allowed = stores.throttle.admit(key, *at, THROTTLE).await.unwrap();
        assert_eq!(allowed, Allowance::Admitted, "{key}");
    }
    for (key, at) in &world.released {
        stores.throttle.release(key, *at, THROTTLE).await.unwrap();
    }
}

/// The default layout as it was when this world was stored: before the rating and tags columns.
fn layout_before_ratings() -> ListPreferences {
    let mut prefs = ListPreferences::default();
    prefs
        .columns
        .retain(|c| !matches!(c.column, Column::Rating | Column::Tags));
    prefs
}
