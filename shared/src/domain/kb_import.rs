//! Reading articles for a bulk import: a folder of Markdown files with a small front matter, or a
//! JSON file with a list of articles. Every file is either an article or a reason it was skipped.
//!
//! ```text
//! ---
//! title: Reset your password
//! tags: account, password
//! groups: support
//! published: true
//! ---
//! The body, in Markdown.
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::ids::{ArticleId, GroupId};
use super::kb::ArticleInput;

/// Largest file read (an article's body limit plus room for front matter).
pub const MAX_FILE_BYTES: u64 = 256 * 1024;

#[derive(Debug, Clone)]
pub struct ImportItem {
    /// Where it came from (file, or file#index), for the summary.
    pub source: String,
    /// Taken from the file name (or the JSON `id`), so importing again updates instead of
    /// duplicating.
    pub id: ArticleId,
    pub input: ArticleInput,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct Skipped {
    pub source: String,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct ImportBatch {
    pub items: Vec<ImportItem>,
    pub skipped: Vec<Skipped>,
}

fn list(value: &str) -> Vec<String> {
    value
        .trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(',')
        .map(|s| s.trim().trim_matches('"').trim_matches('\'').to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// An id from a file name: lower-case letters, digits and dashes.
pub fn slug(name: &str) -> Option<ArticleId> {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-');
    ArticleId::parse(&out.chars().take(64).collect::<String>()).ok()
}

/// Parses one Markdown article with front matter.
pub fn parse_markdown(source: &str, file_stem: &str, text: &str) -> Result<ImportItem, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
        .ok_or("no front matter: the file must start with a line '---'")?;
    let end = rest
        .find("\n---")
        .ok_or("the front matter is not closed by a line '---'")?;
    let (front, body) = rest.split_at(end);
    let body = body
        .trim_start_matches("\n---")
        .trim_start_matches(['\r', '\n']);
    let mut title = None;
    let mut tags = Vec::new();
    let mut groups = Vec::new();
    let mut published = true;
    let mut id = None;
    for (n, line) in front.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line
            .split_once(':')
            .ok_or_else(|| format!("front matter line {}: expected 'key: value'", n + 1))?;
        let value = value.trim();
        match key.trim() {
            "title" => title = Some(value.trim_matches('"').to_owned()),
            "tags" => tags = list(value),
            "groups" => {
                groups = list(value)
                    .iter()
                    .map(|g| GroupId::parse(g).map_err(|e| format!("groups: {e}")))
                    .collect::<Result<_, _>>()?
            }
            "published" => {
                published = match value {
                    "true" | "yes" => true,
                    "false" | "no" => false,
                    other => {
                        return Err(format!("published: expected true or false, got {other:?}"))
                    }
                }
            }
            "id" => id = Some(ArticleId::parse(value).map_err(|e| e.to_string())?),
            other => return Err(format!("front matter: unknown key {other:?}")),
        }
    }
    let title = title.ok_or("front matter: no title")?;
    let input = ArticleInput {
        title,
        body: body.to_owned(),
        tags,
        groups,
        published,
    }
    .validated()
    .map_err(|e| e.to_string())?;
    let id = match id {
        Some(id) => id,
        None => slug(file_stem).ok_or("cannot make an id from the file name")?,
    };
    Ok(ImportItem {
        source: source.to_owned(),
        id,
        input,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonArticle {
    id: Option<String>,
    title: String,
    body: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    groups: Vec<String>,
    #[serde(default = "yes")]
    published: bool,
}

fn yes() -> bool {
    true
}

/// Parses a JSON file: a list of `{id?, title, body, tags?, groups?, published?}`.
pub fn parse_json(source: &str, text: &str) -> Result<ImportBatch, String> {
    let values: Vec<serde_json::Value> =
        serde_json::from_str(text).map_err(|e| format!("not a JSON list of articles: {e}"))?;
    let mut batch = ImportBatch::default();
    for (i, value) in values.into_iter().enumerate() {
        let here = format!("{source}#{i}");
        let parsed = serde_json::from_value::<JsonArticle>(value)
            .map_err(|e| e.to_string())
            .and_then(|a| {
                let id = match &a.id {
                    Some(id) => ArticleId::parse(id).map_err(|e| e.to_string())?,
                    None => slug(&a.title).ok_or("cannot make an id from the title")?,
                };
                let groups = a
                    .groups
                    .iter()
                    .map(|g| GroupId::parse(g).map_err(|e| format!("groups: {e}")))
                    .collect::<Result<Vec<_>, _>>()?;
                let input = ArticleInput {
                    title: a.title,
                    body: a.body,
                    tags: a.tags,
                    groups,
                    published: a.published,
                }
                .validated()
                .map_err(|e| e.to_string())?;
                Ok(ImportItem {
                    source: here.clone(),
                    id,
                    input,
                })
            });
        match parsed {
            Ok(item) => batch.items.push(item),
            Err(reason) => batch.skipped.push(Skipped {
                source: here,
                reason,
            }),
        }
    }
    Ok(batch)
}

/// Reads a folder of `.md` files (not recursive; other files are skipped with a reason) or one
/// `.json` file.
pub fn read_path(path: &Path) -> Result<ImportBatch, String> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        entries.sort();
        let mut batch = ImportBatch::default();
        for file in entries {
            let source = file.display().to_string();
            match read_markdown_file(&file) {
                Ok(item) => batch.items.push(item),
                Err(reason) => batch.skipped.push(Skipped { source, reason }),
            }
        }
        Ok(batch)
    } else {
        let text = read_limited(path)?;
        parse_json(&path.display().to_string(), &text)
    }
}

fn read_limited(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.len() > MAX_FILE_BYTES * 64 {
        return Err(format!("{} is too large to import", path.display()));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_owned())
}

fn read_markdown_file(file: &Path) -> Result<ImportItem, String> {
    if file.extension().and_then(|e| e.to_str()) != Some("md") {
        return Err("not a Markdown (.md) file".into());
    }
    let meta = std::fs::metadata(file).map_err(|e| e.to_string())?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!("larger than {} KB", MAX_FILE_BYTES / 1024));
    }
    let bytes = std::fs::read(file).map_err(|e| e.to_string())?;
    let text = String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_owned())?;
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    parse_markdown(&file.display().to_string(), stem, &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_front_matter() {
        let item = parse_markdown(
            "a.md",
            "Reset Password",
            "---\ntitle: Reset\ntags: [Account, password, account]\ngroups: support, billing\npublished: false\n---\nBody **here**\n",
        )
        .unwrap();
        assert_eq!(item.id.as_str(), "reset-password");
        assert_eq!(item.input.title, "Reset");
        assert_eq!(item.input.tags, vec!["account", "password"]);
        assert_eq!(item.input.groups.len(), 2);
        assert!(!item.input.published);
        assert_eq!(item.input.body, "Body **here**");
    }

    #[test]
    fn explains_what_is_wrong() {
        for (text, needle) in [
            ("no front matter", "front matter"),
            ("---\ntitle: x\nbody", "not closed"),
            ("---\ntags: a\n---\nbody", "no title"),
            ("---\ntitle: x\ncolour: red\n---\nbody", "unknown key"),
            ("---\ntitle: x\npublished: maybe\n---\nbody", "published"),
            ("---\ntitle: x\n---\n   ", "body"),
            ("---\ntitle: x\ngroups: a b!\n---\nbody", "groups"),
        ] {
            let err = parse_markdown("f.md", "f", text).unwrap_err();
            assert!(err.contains(needle), "{text:?} -> {err}");
        }
    }

    #[test]
    fn json_lists_report_each_bad_entry() {
        let batch = parse_json(
            "kb.json",
            r#"[{"title":"A","body":"a"},{"title":"B"},{"title":"C","body":"c","groups":["bad id!"]},{"id":"x1","title":"D","body":"d","published":false}]"#,
        )
        .unwrap();
        assert_eq!(batch.items.len(), 2);
        assert_eq!(batch.items[0].id.as_str(), "a");
        assert_eq!(batch.items[1].id.as_str(), "x1");
        assert_eq!(batch.skipped.len(), 2);
        assert!(batch.skipped[0].reason.contains("body"));
        assert!(parse_json("kb.json", "{}").is_err());
    }
}
