//! One declaration per route (`route!` beside its handler, listed in `chatdesk::handlers::ALL`),
//! and everything that must agree with it: each Lambda function's `main` names exactly the routes
//! declared for that function, every function folder serves at least one route or WebSocket
//! route (or is the WebSocket API's authorizer, the table stream's consumer, or a scheduled
//! function), and no two routes share a name. (The OpenAPI document is checked against the same
//! list in `shared/src/api/openapi.rs`, the template in `scripts/test-infra.sh`, the
//! authorization matrix in `tests/authorization_matrix.rs`.)

use std::collections::BTreeSet;
use std::path::Path;

fn functions_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../functions"))
}

/// The route constants a `main.rs` lists in its `ROUTES` (`module::NAME`), as handler names.
fn listed_routes(main: &str) -> BTreeSet<String> {
    let Some(start) = main.find("static ROUTES") else {
        return BTreeSet::new();
    };
    let rest = &main[start..];
    let Some(open) = rest.find("= &[") else {
        return BTreeSet::new();
    };
    let list = &rest[open + 4..rest.find("];").unwrap_or(rest.len())];
    list.split(',')
        .filter_map(|entry| entry.trim().trim_start_matches('&').rsplit("::").next())
        .map(|name| name.trim().to_ascii_lowercase())
        .filter(|n| !n.is_empty())
        .collect()
}

#[test]
fn every_function_names_exactly_its_declared_routes() {
    let mut folders = Vec::new();
    for entry in std::fs::read_dir(functions_dir()).expect("functions/") {
        let dir = entry.expect("entry").path();
        let main = std::fs::read_to_string(dir.join("src/main.rs")).expect("main.rs");
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let declared: BTreeSet<String> = chatdesk::api::ROUTES
            .iter()
            .filter(|r| r.function == name)
            .map(|r| r.operation_id.to_owned())
            .collect();
        let websocket = chatdesk::realtime::WS_ROUTES
            .iter()
            .any(|r| r.function == name);
        let authorizer = chatdesk::realtime::WS_AUTHORIZER.function == name;
        let stream_consumer = chatdesk::realtime::TABLE_STREAM_CONSUMER.function == name;
        let scheduled = chatdesk::app::HAND_OFF_SWEEP.function == name;
        let delivers_mail = chatdesk::app::MAIL_DELIVERY.function == name;
        assert!(
            !declared.is_empty()
                || websocket
                || authorizer
                || stream_consumer
                || scheduled
                || delivers_mail,
            "functions/{name} serves no declared route"
        );
        if authorizer {
            assert!(
                main.contains("lambda::websocket_authorizer"),
                "functions/{name}/src/main.rs must run the authorizer"
            );
        }
        if stream_consumer {
            assert!(
                main.contains("lambda::table_stream"),
                "functions/{name}/src/main.rs must consume the table's stream"
            );
        }
        if scheduled {
            assert!(
                main.contains("lambda::hand_off_timers"),
                "functions/{name}/src/main.rs must run the hand-off sweep"
            );
        }
        if delivers_mail {
            assert!(
                main.contains("lambda::deliver_mail") && main.contains("with_ses_sender"),
                "functions/{name}/src/main.rs must deliver the outbox through SES"
            );
        }
        assert_eq!(
            listed_routes(&main),
            declared,
            "functions/{name}/src/main.rs must list exactly the routes declared for it"
        );
        folders.push(name);
    }
    let authorizer = chatdesk::realtime::WS_AUTHORIZER.function;
    assert!(
        folders.iter().any(|f| f == authorizer),
        "the WebSocket authorizer has no functions/{authorizer} folder"
    );
    let consumer = chatdesk::realtime::TABLE_STREAM_CONSUMER.function;
    assert!(
        folders.iter().any(|f| f == consumer),
        "the table stream's consumer has no functions/{consumer} folder"
    );
    let sweep = chatdesk::app::HAND_OFF_SWEEP.function;
    assert!(
        folders.iter().any(|f| f == sweep),
        "the scheduled hand-off sweep has no functions/{sweep} folder"
    );
    let delivery = chatdesk::app::MAIL_DELIVERY.function;
    assert!(
        folders.iter().any(|f| f == delivery),
        "the scheduled outbox delivery has no functions/{delivery} folder"
    );
    for route in chatdesk::api::ROUTES {
        assert!(
            folders.iter().any(|f| f == route.function),
            "{route:?}: no functions/{} folder",
            route.function
        );
    }
}

#[test]
fn route_names_and_method_paths_are_unique() {
    let mut names = BTreeSet::new();
    let mut endpoints = BTreeSet::new();
    for r in chatdesk::api::ROUTES {
        assert!(
            names.insert(r.operation_id),
            "two routes named {}",
            r.operation_id
        );
        assert!(endpoints.insert((r.method, r.path)), "{r:?} declared twice");
    }
}
