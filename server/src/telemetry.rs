use tracing_subscriber::EnvFilter;

/// Logs to stderr; `CHATDESK_LOG` (or `RUST_LOG`) sets the filter, default `info`.
pub fn init() {
    let filter = std::env::var("CHATDESK_LOG")
        .ok()
        .and_then(|f| EnvFilter::try_new(f).ok())
        .or_else(|| EnvFilter::try_from_default_env().ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
