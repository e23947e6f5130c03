//! Agents signing in through an OpenID Connect issuer (Cognito in the cloud): ID tokens are
//! verified against the issuer's published keys, issuer, audience and expiry.

use axum::routing::get;
use base64::Engine;
use chatdesk_tests::client::{Api, Ws};
use chatdesk_tests::server::spawn_server_with;
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use serde_json::json;
use sha2::{Digest, Sha256};

struct Issuer {
    url: String,
    key: RsaPrivateKey,
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn keypair() -> RsaPrivateKey {
    let mut rng = rand::thread_rng();
    RsaPrivateKey::new(&mut rng, 2048).expect("key")
}

async fn start_issuer(private: &RsaPrivateKey) -> Issuer {
    let public = private.to_public_key();
    let jwks = json!({"keys": [{
        "kty": "RSA", "alg": "RS256", "use": "sig", "kid": "key-1",
        "n": b64(&public.n().to_bytes_be()),
        "e": b64(&public.e().to_bytes_be()),
    }]});
    let app = axum::Router::new().route(
        "/.well-known/jwks.json",
        get(move || {
            let jwks = jwks.clone();
            async move { axum::Json(jwks) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Issuer {
        url,
        key: private.clone(),
    }
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// An RS256 ID token as the issuer signs it, made here from its parts so that what verifies it
/// is only chatdesk's own code.
fn id_token(key: &RsaPrivateKey, claims: serde_json::Value) -> String {
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": "key-1"});
    let signed = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let signature = key
        .sign(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(signed.as_bytes()),
        )
        .unwrap();
    format!("{signed}.{}", b64(&signature))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_sign_in_with_the_issuers_id_tokens_and_nothing_else() {
    let private = keypair();
    let issuer = start_issuer(&private).await;
    let server = spawn_server_with(
        chatdesk_server::Stores::all_in(chatdesk::sqlite::SqliteStore::open_in_memory().unwrap()),
        |c| {
            c.oidc = Some(chatdesk::auth::oidc::OidcConfig {
                issuer: issuer.url.clone(),
                audience: "console-client".into(),
                jwks_url: format!("{}/.well-known/jwks.json", issuer.url),
                username_claim: "cognito:username".into(),
                browser: Some(chatdesk::auth::oidc::BrowserSignIn {
                    provider_name: "Company sign-in".into(),
                    client_id: "console-client".into(),
                    authorization_endpoint: format!("{}/oauth2/authorize", issuer.url),
                    token_endpoint: format!("{}/oauth2/token", issuer.url),
                    end_session_endpoint: None,
                    scope: "openid email profile".into(),
                }),
            })
        },
    )
    .await;
    let api = Api::new(&server.base_url);
    // The console learns where to send agents to sign in; nothing secret is in it.
    let (status, config) = api.call("GET", "/api/auth/config", None, None).await;
    assert_eq!(status, 200, "{config}");
    assert_eq!(config["password_sign_in"], true);
    assert_eq!(config["oidc"]["client_id"], "console-client");
    assert_eq!(config["oidc"]["provider_name"], "Company sign-in");
    assert_eq!(
        config["oidc"]["authorization_endpoint"],
        format!("{}/oauth2/authorize", issuer.url)
    );
    let claims = |user: &str, aud: &str, iss: &str, exp: i64, token_use: &str| json!({"iss": iss, "aud": aud, "exp": exp, "iat": now_secs(), "token_use": token_use, "cognito:username": user});
    let good = id_token(
        &issuer.key,
        claims(
            "alice",
            "console-client",
            &issuer.url,
            now_secs() + 600,
            "id",
        ),
    );
    let (status, me) = api.get("/api/me", &good).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["agent"]["id"], "alice");
    // The same token opens the WebSocket.
    assert!(Ws::connect(&server.ws_url(&good)).await.is_ok());

    let refused = [
        (
            "another audience",
            id_token(
                &issuer.key,
                claims("alice", "other-app", &issuer.url, now_secs() + 600, "id"),
            ),
        ),
        (
            "another issuer",
            id_token(
                &issuer.key,
                claims(
                    "alice",
                    "console-client",
                    "https://evil.example",
                    now_secs() + 600,
                    "id",
                ),
            ),
        ),
        (
            "expired",
            id_token(
                &issuer.key,
                claims(
                    "alice",
                    "console-client",
                    &issuer.url,
                    now_secs() - 600,
                    "id",
                ),
            ),
        ),
        (
            "an access token",
            id_token(
                &issuer.key,
                claims(
                    "alice",
                    "console-client",
                    &issuer.url,
                    now_secs() + 600,
                    "access",
                ),
            ),
        ),
        ("signed by another key", {
            let other = keypair();
            id_token(
                &other,
                claims(
                    "alice",
                    "console-client",
                    &issuer.url,
                    now_secs() + 600,
                    "id",
                ),
            )
        }),
        (
            "an unknown agent",
            id_token(
                &issuer.key,
                claims(
                    "mallory",
                    "console-client",
                    &issuer.url,
                    now_secs() + 600,
                    "id",
                ),
            ),
        ),
    ];
    for (what, token) in refused {
        let (status, body) = api.get("/api/me", &token).await;
        assert_eq!(status, 401, "{what}: {body}");
        assert!(
            Ws::connect(&server.ws_url(&token)).await.is_err(),
            "{what} must not open a WebSocket"
        );
    }
    // Group membership still comes from the store: alice (Support) cannot open Sales.
    let (status, _) = api.get("/api/chats?view=group&group_id=sales", &good).await;
    assert_eq!(status, 403);
}
