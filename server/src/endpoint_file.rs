//! `<data_dir>/gateway-endpoint`: where the running server's internal gateway (`@connections`)
//! listens, so operator commands working on the same data directory can reach it. It is only
//! on loopback and the file is the owner's alone (0600), like the rest of the data directory.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;

use crate::ServerError;

pub const FILE_NAME: &str = "gateway-endpoint";

/// The gateway's URL as the file holds it, e.g. `http://127.0.0.1:41234`.
pub fn url_of(addr: SocketAddr) -> String {
    format!("http://{addr}")
}

/// Writes the file; a reader sees the old file or the whole new one, never half of it.
pub fn write(dir: &Path, addr: SocketAddr) -> Result<(), ServerError> {
    let path = dir.join(FILE_NAME);
    let partial = dir.join(format!("{FILE_NAME}.partial"));
    let io = |source| ServerError::DataDir {
        path: path.display().to_string(),
        source,
    };
    // A leftover from a crash may have another mode: start afresh so the new file is 0600.
    match std::fs::remove_file(&partial) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(e)),
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&partial).map_err(io)?;
    file.write_all(url_of(addr).as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)?;
    std::fs::rename(&partial, &path).map_err(io)
}

/// Removes the file on a clean stop, unless another server on the same directory has replaced
/// it since.
pub fn remove(dir: &Path, addr: SocketAddr) {
    let path = dir.join(FILE_NAME);
    if std::fs::read_to_string(&path).is_ok_and(|s| s.trim() == url_of(addr)) {
        if let Err(e) = std::fs::remove_file(&path) {
            tracing::warn!(path = %path.display(), error = %e, "cannot remove the gateway endpoint file");
        }
    }
}

/// The internal gateway URL of the server running on `data_dir` (e.g. `http://127.0.0.1:41234`),
/// or `None` when no server has written one (or the file holds anything but a loopback
/// `http://ip:port` URL). A server that crashed leaves the file behind: callers must still
/// expect the address to refuse connections.
pub fn read_gateway_endpoint(data_dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(data_dir.join(FILE_NAME)).ok()?;
    let url = text.trim();
    let addr: SocketAddr = url.strip_prefix("http://")?.parse().ok()?;
    let loopback = match addr.ip() {
        IpAddr::V4(ip) => ip.is_loopback(),
        IpAddr::V6(ip) => ip.is_loopback(),
    };
    (loopback && addr.port() != 0).then(|| url_of(addr))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_round_trips_and_only_loopback_urls_are_read() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        assert_eq!(read_gateway_endpoint(dir), None, "no server, no endpoint");
        let addr: SocketAddr = "127.0.0.1:41234".parse().unwrap();
        write(dir, addr).unwrap();
        assert_eq!(
            read_gateway_endpoint(dir).as_deref(),
            Some("http://127.0.0.1:41234")
        );
        let v6: SocketAddr = "[::1]:5000".parse().unwrap();
        write(dir, v6).unwrap();
        assert_eq!(
            read_gateway_endpoint(dir).as_deref(),
            Some("http://[::1]:5000")
        );
        for planted in [
            "http://10.0.0.8:41234",
            "https://127.0.0.1:41234",
            "http://127.0.0.1:41234/steal",
            "http://localhost:41234",
            "http://127.0.0.1:0",
            "",
        ] {
            std::fs::write(dir.join(FILE_NAME), planted).unwrap();
            assert_eq!(read_gateway_endpoint(dir), None, "{planted:?} is refused");
        }
        // Another server's endpoint is not removed by this one's stop.
        write(dir, v6).unwrap();
        remove(dir, addr);
        assert!(dir.join(FILE_NAME).exists());
        remove(dir, v6);
        assert!(!dir.join(FILE_NAME).exists());
    }
}
