//! Matching a request to a route of a list (`crate::handlers::ALL`, or one function's own). The
//! template test checks that each function has a binary and a resource, and the OpenAPI test that
//! each route is documented.

use http::Method;

use super::route::Route;
use super::ROUTES;

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
    routes: &[&'static Route],
    method: &Method,
    path: &str,
) -> Result<(&'static Route, PathParams), RouteError> {
    let path = if path.len() > 1 {
        path.trim_end_matches('/')
    } else {
        path
    };
    let mut allowed = Vec::new();
    for route in routes.iter().copied() {
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
        let (r, p) = match_route(ROUTES, &Method::GET, "/api/chats/abc/events").unwrap();
        assert_eq!(r.operation_id, "list_events");
        assert_eq!(p, vec![("chat_id", "abc".to_string())]);
        assert_eq!(
            match_route(ROUTES, &Method::DELETE, "/api/chats").unwrap_err(),
            RouteError::MethodNotAllowed(vec!["POST", "GET"])
        );
        assert_eq!(
            match_route(ROUTES, &Method::GET, "/api/nope").unwrap_err(),
            RouteError::NotFound
        );
    }

    fn of(function: &str) -> Vec<&'static Route> {
        ROUTES
            .iter()
            .copied()
            .filter(|r| r.function == function)
            .collect()
    }

    #[test]
    fn a_function_only_serves_its_routes() {
        assert!(match_route(&of("chat-start"), &Method::POST, "/api/chats").is_ok());
        assert_eq!(
            match_route(&of("chat-list"), &Method::POST, "/api/chats").unwrap_err(),
            RouteError::MethodNotAllowed(vec!["GET"])
        );
        assert_eq!(
            match_route(&of("chat-start"), &Method::GET, "/api/me").unwrap_err(),
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
