//! Adapters to AWS services other than the DynamoDB store.

#[cfg(feature = "cognito")]
pub mod cognito;
pub mod poster;
#[cfg(feature = "ses")]
pub mod ses;

pub use poster::ApiGatewayPoster;

/// The SDK configuration from the environment (region, credentials), for clients of the given
/// endpoint overrides. When one points at this machine (a local emulator or the local gateway)
/// and no access key is in the environment, static dummy credentials are used so that requests
/// can still be signed. A function loads it once for all its clients: one credential chain, one
/// HTTPS client.
pub async fn sdk_config(endpoints: &[&str]) -> aws_config::SdkConfig {
    let mut loader =
        aws_config::defaults(aws_config::BehaviorVersion::latest()).http_client(https_client());
    if std::env::var("AWS_REGION").is_err() && std::env::var("AWS_DEFAULT_REGION").is_err() {
        loader = loader.region(aws_config::Region::new("us-east-1"));
    }
    if endpoints.iter().any(|e| is_loopback_url(e)) && std::env::var("AWS_ACCESS_KEY_ID").is_err() {
        loader =
            loader.credentials_provider(aws_sdk_apigatewaymanagement::config::Credentials::new(
                "local",
                "local",
                None,
                None,
                "chatdesk-local",
            ));
    }
    loader.load().await
}

/// The one HTTP client of every SDK client and credential provider: hyper over rustls with the
/// ring provider (the SDK's default brings aws-lc-rs as a second crypto library), trusting the
/// system's certificate store.
fn https_client() -> aws_sdk_dynamodb::config::SharedHttpClient {
    use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

fn is_loopback_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .unwrap_or(url);
    let host = rest.split(['/', ':']).next().unwrap_or("");
    host == "localhost" || host == "127.0.0.1" || host == "[" || rest.starts_with("[::1]")
}
