//! Every REST route: its method, path, operation and the Lambda function that serves it. The
//! template test checks that each function here has a binary and a resource, and the OpenAPI
//! test that each route is documented.

use http::Method;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Health,
    OpenApi,
    SignIn,
    AuthConfig,
    GetMe,
    UpdateMe,
    ListGroups,
    ListAgents,
    GetPreferences,
    PutPreferences,
    StartChat,
    ListChats,
    GetChat,
    ListEvents,
    SendMessage,
    CustomerEndChat,
    Pull,
    Take,
    Transfer,
    EndChats,
    Delete,
    Restore,
    Purge,
    FollowUp,
    ListArticles,
    CreateArticle,
    GetArticle,
    UpdateArticle,
    DeleteArticle,
    KnowledgeStats,
    Suggest,
    SuggestionFeedback,
    ChatSuggestions,
}

#[derive(Clone, Copy, Debug)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub operation: Operation,
    /// The name of the binary in `functions/` (and of its resource in `infra/template.yaml`).
    pub function: &'static str,
}

const fn route(
    method: &'static str,
    path: &'static str,
    operation: Operation,
    function: &'static str,
) -> Route {
    Route {
        method,
        path,
        operation,
        function,
    }
}

pub static ROUTES: &[Route] = &[
    route("GET", "/api/health", Operation::Health, "health"),
    route("GET", "/api/openapi.json", Operation::OpenApi, "health"),
    route("POST", "/api/auth/login", Operation::SignIn, "auth-login"),
    route(
        "GET",
        "/api/auth/config",
        Operation::AuthConfig,
        "auth-login",
    ),
    route("GET", "/api/me", Operation::GetMe, "agent-profile"),
    route("PATCH", "/api/me", Operation::UpdateMe, "agent-profile"),
    route("GET", "/api/groups", Operation::ListGroups, "directory"),
    route("GET", "/api/agents", Operation::ListAgents, "directory"),
    route(
        "GET",
        "/api/preferences",
        Operation::GetPreferences,
        "agent-preferences",
    ),
    route(
        "PUT",
        "/api/preferences",
        Operation::PutPreferences,
        "agent-preferences",
    ),
    route("POST", "/api/chats", Operation::StartChat, "chat-start"),
    route("GET", "/api/chats", Operation::ListChats, "chat-list"),
    route(
        "GET",
        "/api/chats/{chat_id}",
        Operation::GetChat,
        "chat-read",
    ),
    route(
        "GET",
        "/api/chats/{chat_id}/events",
        Operation::ListEvents,
        "chat-read",
    ),
    route(
        "POST",
        "/api/chats/{chat_id}/messages",
        Operation::SendMessage,
        "chat-message",
    ),
    route(
        "POST",
        "/api/chats/{chat_id}/end",
        Operation::CustomerEndChat,
        "chat-end",
    ),
    route("POST", "/api/actions/pull", Operation::Pull, "queue-pull"),
    route("POST", "/api/actions/take", Operation::Take, "queue-pull"),
    route(
        "POST",
        "/api/actions/transfer",
        Operation::Transfer,
        "chat-transfer",
    ),
    route("POST", "/api/actions/end", Operation::EndChats, "chat-end"),
    route(
        "POST",
        "/api/actions/delete",
        Operation::Delete,
        "chat-delete",
    ),
    route(
        "POST",
        "/api/actions/restore",
        Operation::Restore,
        "chat-delete",
    ),
    route(
        "POST",
        "/api/actions/purge",
        Operation::Purge,
        "chat-delete",
    ),
    route(
        "POST",
        "/api/actions/follow-up",
        Operation::FollowUp,
        "chat-follow-up",
    ),
    route("GET", "/api/kb/articles", Operation::ListArticles, "kb"),
    route("POST", "/api/kb/articles", Operation::CreateArticle, "kb"),
    route(
        "GET",
        "/api/kb/articles/{article_id}",
        Operation::GetArticle,
        "kb",
    ),
    route(
        "PUT",
        "/api/kb/articles/{article_id}",
        Operation::UpdateArticle,
        "kb",
    ),
    route(
        "DELETE",
        "/api/kb/articles/{article_id}",
        Operation::DeleteArticle,
        "kb",
    ),
    route("GET", "/api/kb/stats", Operation::KnowledgeStats, "kb"),
    route("GET", "/api/suggestions", Operation::Suggest, "suggestions"),
    route(
        "POST",
        "/api/suggestions/feedback",
        Operation::SuggestionFeedback,
        "suggestions",
    ),
    route(
        "GET",
        "/api/chats/{chat_id}/suggestions",
        Operation::ChatSuggestions,
        "suggestions",
    ),
];

/// Names of the REST Lambda functions, each once.
pub fn functions() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = ROUTES.iter().map(|r| r.function).collect();
    names.sort_unstable();
    names.dedup();
    names
}

pub type PathParams = Vec<(&'static str, String)>;

#[derive(Debug, PartialEq, Eq)]
pub enum RouteError {
    NotFound,
    MethodNotAllowed(Vec<&'static str>),
}

fn match_path(template: &'static str, path: &str) -> Option<PathParams> {
    let mut params = Vec::new();
    let mut t = template.split('/');
    let mut p = path.split('/');
    loop {
        match (t.next(), p.next()) {
            (None, None) => return Some(params),
            (Some(ts), Some(ps)) => {
                if let Some(name) = ts.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    if ps.is_empty() {
                        return None;
                    }
                    let decoded = percent_encoding::percent_decode_str(ps)
                        .decode_utf8()
                        .ok()?
                        .into_owned();
                    params.push((name, decoded));
                } else if ts != ps {
                    return None;
                }
            }
            _ => return None,
        }
    }
}

pub fn match_route(
    method: &Method,
    path: &str,
    function: Option<&str>,
) -> Result<(&'static Route, PathParams), RouteError> {
    let path = if path.len() > 1 {
        path.trim_end_matches('/')
    } else {
        path
    };
    let mut allowed = Vec::new();
    for route in ROUTES {
        if function.is_some_and(|f| f != route.function) {
            continue;
        }
        if let Some(params) = match_path(route.path, path) {
            if route.method == method.as_str() {
                return Ok((route, params));
            }
            allowed.push(route.method);
        }
    }
    if allowed.is_empty() {
        Err(RouteError::NotFound)
    } else {
        Err(RouteError::MethodNotAllowed(allowed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_params_and_methods() {
        let (r, p) = match_route(&Method::GET, "/api/chats/abc/events", None).unwrap();
        assert_eq!(r.operation, Operation::ListEvents);
        assert_eq!(p, vec![("chat_id", "abc".to_string())]);
        assert_eq!(
            match_route(&Method::DELETE, "/api/chats", None).unwrap_err(),
            RouteError::MethodNotAllowed(vec!["POST", "GET"])
        );
        assert_eq!(
            match_route(&Method::GET, "/api/nope", None).unwrap_err(),
            RouteError::NotFound
        );
    }

    #[test]
    fn a_function_only_serves_its_routes() {
        assert!(match_route(&Method::POST, "/api/chats", Some("chat-start")).is_ok());
        assert_eq!(
            match_route(&Method::POST, "/api/chats", Some("chat-list")).unwrap_err(),
            RouteError::MethodNotAllowed(vec!["GET"])
        );
        assert_eq!(
            match_route(&Method::GET, "/api/me", Some("chat-start")).unwrap_err(),
            RouteError::NotFound
        );
    }

    #[test]
    fn no_two_routes_overlap() {
        for (i, a) in ROUTES.iter().enumerate() {
            for b in &ROUTES[i + 1..] {
                let probe = a
                    .path
                    .replace("{chat_id}", "x")
                    .replace("{article_id}", "x");
                if a.method == b.method {
                    assert!(
                        match_path(b.path, &probe).is_none(),
                        "{} {} overlaps {}",
                        a.method,
                        a.path,
                        b.path
                    );
                }
            }
        }
    }
}
