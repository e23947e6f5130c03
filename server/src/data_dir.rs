//! The data directory holds customers' conversations and the token signing key: it is made
//! readable by its owner only (0700, its files 0600), whatever the umask, and an existing
//! directory from an older version is tightened on start.

use std::path::Path;

use chatdesk::sqlite::{SqliteStore, DATABASE_FILE};

use crate::ServerError;

/// Files the server keeps in the data directory. SQLite creates its journals (`-wal`, `-shm`,
/// `-journal`) with the mode of the database file, so a 0600 database keeps them 0600 too; the
/// existing ones are tightened as well, in case an older version left them looser.
fn private_files() -> Vec<String> {
    let mut names: Vec<String> = ["", "-wal", "-shm", "-journal"]
        .iter()
        .map(|suffix| format!("{DATABASE_FILE}{suffix}"))
        .collect();
    names.push(crate::secrets::KEY_FILE.to_owned());
    names.push(crate::endpoint_file::FILE_NAME.to_owned());
    names
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> ServerError + '_ {
    move |source| ServerError::DataDir {
        path: path.display().to_string(),
        source,
    }
}

/// Creates the directory if needed and makes it and every file the server keeps in it private.
pub fn prepare(dir: &Path) -> Result<(), ServerError> {
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    restrict(dir, 0o700)?;
    for name in private_files() {
        let path = dir.join(name);
        if path.exists() {
            restrict(&path, 0o600)?;
        }
    }
    Ok(())
}

/// The SQLite store in `dir`, its database file created 0600 before SQLite opens it (SQLite
/// would create it with the umask's mode, usually 0644).
pub fn open_store(dir: &Path) -> Result<SqliteStore, ServerError> {
    prepare(dir)?;
    let path = dir.join(DATABASE_FILE);
    create_private_file(&path)?;
    Ok(SqliteStore::open_file(&path)?)
}

/// Creates `path` empty with mode 0600 if it does not exist; leaves an existing file as it is.
fn create_private_file(path: &Path) -> Result<(), ServerError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map(drop).map_err(io_error(path))
}

/// Removes every permission beyond `mode` (never adds any).
#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> Result<(), ServerError> {
    use std::os::unix::fs::PermissionsExt;
    let current = std::fs::metadata(path).map_err(io_error(path))?;
    let bits = current.permissions().mode() & 0o7777;
    if bits & !mode == 0 {
        return Ok(());
    }
    tracing::warn!(
        path = %path.display(),
        from = format!("{bits:o}"),
        to = format!("{:o}", bits & mode),
        "data directory open to other users; restricting it to its owner"
    );
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(bits & mode))
        .map_err(io_error(path))
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _mode: u32) -> Result<(), ServerError> {
    Ok(())
}
