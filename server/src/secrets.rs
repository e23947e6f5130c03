use std::io::Write;
use std::path::Path;

use crate::ServerError;

pub const KEY_FILE: &str = "token-signing.key";

/// The local server's token signing key: 32 random bytes kept (hex) in the data directory,
/// readable by the owner only, so tokens survive restarts and no secret lives in the repo.
pub fn load_or_create_signing_key(dir: &Path) -> Result<Vec<u8>, ServerError> {
    let path = dir.join(KEY_FILE);
    let io = |source| ServerError::DataDir {
        path: path.display().to_string(),
        source,
    };
    if path.exists() {
        let hex = std::fs::read_to_string(&path).map_err(io)?;
        return decode_hex(hex.trim()).ok_or_else(|| {
            ServerError::Config(format!(
                "{} is not a hex key; delete it to make a new one",
                path.display()
            ))
        });
    }
    let key: [u8; 32] = rand::random();
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&path).map_err(io)?;
    file.write_all(hex.as_bytes()).map_err(io)?;
    Ok(key.to_vec())
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || s.len() < 64 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}
