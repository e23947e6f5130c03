use super::*;

fn agent(id: &str, role: Role, groups: &[&str]) -> Agent {
    Agent {
        id: AgentId::parse(id).unwrap(),
        username: id.into(),
        display_name: id.to_uppercase(),
        role,
        groups: groups.iter().map(|g| GroupId::parse(g).unwrap()).collect(),
        available: true,
        max_concurrent_chats: 3,
        session_epoch: 1,
        deactivated_at: None,
    }
}

fn group(g: &str) -> ReplyScope {
    ReplyScope::Group(GroupId::parse(g).unwrap())
}

fn personal(a: &str) -> ReplyScope {
    ReplyScope::Personal(AgentId::parse(a).unwrap())
}

fn draft(body: &str) -> ReplyDraft {
    ReplyDraft::parse("Refund-Policy", "Refunds", body).unwrap()
}

const T0: Timestamp = Timestamp(1_772_442_000_000);

#[test]
fn who_manages_which_scope() {
    let ann = agent("ann", Role::Agent, &["support"]);
    let mia = agent("mia", Role::Manager, &["support"]);
    let root = agent("root", Role::Administrator, &[]);
    assert!(personal("ann").manageable_by(&ann));
    assert!(!personal("mia").manageable_by(&ann));
    assert!(!group("support").manageable_by(&ann));
    assert!(!ReplyScope::Global.manageable_by(&ann));
    assert!(group("support").manageable_by(&mia));
    assert!(
        !group("sales").manageable_by(&mia),
        "not a group she belongs to"
    );
    assert!(ReplyScope::Global.manageable_by(&mia));
    assert!(!personal("ann").manageable_by(&mia));
    for scope in [personal("ann"), group("sales"), ReplyScope::Global] {
        assert!(scope.manageable_by(&root));
    }
}

#[test]
fn who_sees_which_scope() {
    let ann = agent("ann", Role::Agent, &["support"]);
    assert!(personal("ann").visible_to(&ann));
    assert!(!personal("bob").visible_to(&ann));
    assert!(group("support").visible_to(&ann));
    assert!(!group("sales").visible_to(&ann));
    assert!(ReplyScope::Global.visible_to(&ann));
}

#[test]
fn an_agent_creates_only_personal_replies() {
    let ann = agent("ann", Role::Agent, &["support"]);
    let id = CannedReplyId::generate();
    assert!(CannedReply::create(id.clone(), personal("ann"), draft("Hi"), &ann, T0).is_ok());
    for scope in [personal("bob"), group("support"), ReplyScope::Global] {
        assert!(matches!(
            CannedReply::create(id.clone(), scope, draft("Hi"), &ann, T0),
            Err(DomainError::Forbidden(_))
        ));
    }
}

#[test]
fn shortcuts_are_slugs_kept_in_lowercase() {
    assert_eq!(
        Shortcut::parse("/Refund-Policy").unwrap().as_str(),
        "refund-policy"
    );
    assert_eq!(Shortcut::parse("a_1").unwrap().as_str(), "a_1");
    for bad in ["", "/", "-x", "has space", "é", &"a".repeat(41), "a/b"] {
        assert!(
            matches!(
                Shortcut::parse(bad),
                Err(DomainError::InvalidInput {
                    field: "shortcut",
                    ..
                })
            ),
            "{bad}"
        );
    }
    assert_eq!(Shortcut::parse_prefix("/Re").unwrap(), "re");
    assert_eq!(Shortcut::parse_prefix("").unwrap(), "");
    assert!(Shortcut::parse_prefix("a b").is_err());
}

#[test]
fn an_unknown_placeholder_is_refused_by_name() {
    match ReplyDraft::parse("x", "X", "Hello {customer}, {group}") {
        Err(DomainError::InvalidInput {
            field: "body",
            reason,
        }) => {
            assert!(reason.contains("{customer}"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    // Braces that are no placeholder name are text.
    assert!(ReplyDraft::parse("x", "X", "Use { } or {1} or {Name").is_ok());
    assert!(ReplyDraft::parse("x", "", "body").is_err());
    assert!(ReplyDraft::parse("x", "X", "  ").is_err());
}

#[test]
fn placeholders_are_filled_and_other_braces_kept() {
    let ann = agent("ann", Role::Agent, &[]);
    // `{x}` is refused on save; a reply stored before that rule still fills the rest.
    assert!(ReplyDraft::parse("x", "X", "Hi {x}").is_err());
    let mut reply = CannedReply::create(
        CannedReplyId::generate(),
        personal("ann"),
        draft("Hi {customer_name}, {agent_name} of {group} here. {1} {customer_name"),
        &ann,
        T0,
    )
    .unwrap();
    let values = PlaceholderValues {
        customer_name: "Ann {group}".into(),
        agent_name: "Bob".into(),
        group: "Support".into(),
    };
    assert_eq!(
        reply.fill(&values),
        "Hi Ann {group}, Bob of Support here. {1} {customer_name",
        "a value is inserted as it is, never filled again"
    );
    reply.body = "{unknown} stays".into();
    assert_eq!(reply.fill(&values), "{unknown} stays");
}

#[test]
fn a_reply_is_stale_from_its_review_date_and_a_review_or_edit_moves_it() {
    let ann = agent("ann", Role::Agent, &[]);
    let mut reply = CannedReply::create(
        CannedReplyId::generate(),
        personal("ann"),
        draft("Hi"),
        &ann,
        T0,
    )
    .unwrap();
    assert_eq!(reply.review_at, T0.plus_millis(REVIEW_AFTER_MS));
    assert!(!reply.is_stale(T0.plus_millis(REVIEW_AFTER_MS - 1)));
    let later = T0.plus_millis(REVIEW_AFTER_MS);
    assert!(reply.is_stale(later));
    reply.mark_reviewed(&ann, later).unwrap();
    assert!(!reply.is_stale(later));
    assert_eq!(reply.revision, 2);
    let much_later = later.plus_millis(REVIEW_AFTER_MS);
    assert!(reply.is_stale(much_later));
    reply
        .edit(personal("ann"), draft("Hello"), &ann, much_later)
        .unwrap();
    assert!(!reply.is_stale(much_later));
    assert_eq!(reply.revision, 3);
}

#[test]
fn moving_a_reply_needs_both_scopes() {
    let mia = agent("mia", Role::Manager, &["support"]);
    let mut reply = CannedReply::create(
        CannedReplyId::generate(),
        group("support"),
        draft("Hi"),
        &mia,
        T0,
    )
    .unwrap();
    assert!(reply.edit(group("sales"), draft("Hi"), &mia, T0).is_err());
    assert!(reply
        .edit(ReplyScope::Global, draft("Hi"), &mia, T0)
        .is_ok());
    assert_eq!(reply.scope, ReplyScope::Global);
}

#[test]
fn scope_keys_read_back() {
    for scope in [personal("ann"), group("support"), ReplyScope::Global] {
        assert_eq!(ReplyScope::parse_key(&scope.key()).unwrap(), scope);
    }
    assert!(ReplyScope::parse_key("team:x").is_err());
    assert!(ReplyScope::parse_key("agent:a b").is_err());
}
