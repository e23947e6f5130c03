use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Logs to stderr; `CHATDESK_LOG` (or `RUST_LOG`) sets the filter, default `info`. Colours only
/// on a terminal, so a log redirected to a file has no escape codes in it.
pub fn init() {
    let filter = std::env::var("CHATDESK_LOG")
        .ok()
        .and_then(|f| EnvFilter::try_new(f).ok())
        .or_else(|| EnvFilter::try_from_default_env().ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}
