//! The adapters of `ports::AttachmentStorage`: files under the local server's data directory,
//! and (feature `s3`) a private S3 bucket. What every download carries is decided here once.

pub mod local;
#[cfg(feature = "s3")]
pub mod s3;

use crate::domain::FileKind;

/// The headers a downloaded file is served with: never sniffed (`nosniff`), never a page of
/// the origin (a sandboxing CSP), saved as a file unless it is an image shown inline.
pub fn download_headers(
    kind: FileKind,
    file_name: &str,
    inline: bool,
) -> Vec<(&'static str, String)> {
    let inline = inline && kind.is_image();
    vec![
        ("content-type", kind.mime().to_owned()),
        (
            "content-disposition",
            content_disposition(file_name, inline),
        ),
        ("x-content-type-options", "nosniff".to_owned()),
        (
            "content-security-policy",
            "default-src 'none'; sandbox".to_owned(),
        ),
        ("cache-control", "private, no-store".to_owned()),
    ]
}

/// `attachment` (or `inline`) with the name twice: an ASCII fallback, and the exact name as
/// RFC 6266 / RFC 5987 UTF-8 (`filename*`).
pub fn content_disposition(file_name: &str, inline: bool) -> String {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && !matches!(c, '"' | '\\' | '%') || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = percent_encoding::utf8_percent_encode(file_name, RFC5987).to_string();
    format!(
        "{}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}",
        if inline { "inline" } else { "attachment" }
    )
}

/// Everything but RFC 5987's attr-char is encoded.
const RFC5987: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_images_are_ever_inline_and_nothing_is_sniffed() {
        let html_named = download_headers(FileKind::Text, "page.html", true);
        assert!(html_named.contains(&("content-type", "text/plain; charset=utf-8".into())));
        assert!(html_named
            .iter()
            .any(|(k, v)| *k == "content-disposition" && v.starts_with("attachment;")));
        assert!(html_named.contains(&("x-content-type-options", "nosniff".into())));
        let png = download_headers(FileKind::Png, "a.png", true);
        assert!(png
            .iter()
            .any(|(k, v)| *k == "content-disposition" && v.starts_with("inline;")));
    }

    #[test]
    fn names_in_the_disposition_cannot_break_out_of_it() {
        assert_eq!(
            content_disposition("café \"x\".pdf", false),
            "attachment; filename=\"caf_ _x_.pdf\"; filename*=UTF-8''caf%C3%A9%20%22x%22.pdf"
        );
    }
}
