use super::*;

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
const JPEG: &[u8] = b"\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0";
const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n";

#[test]
fn kinds_are_decided_by_content() {
    assert_eq!(FileKind::sniff(PNG), Some(FileKind::Png));
    assert_eq!(FileKind::sniff(JPEG), Some(FileKind::Jpeg));
    assert_eq!(FileKind::sniff(b"GIF89a\x01\0\x01\0"), Some(FileKind::Gif));
    assert_eq!(
        FileKind::sniff(b"RIFF\x24\0\0\0WEBPVP8 \x18\0\0\0"),
        Some(FileKind::Webp)
    );
    assert_eq!(FileKind::sniff(PDF), Some(FileKind::Pdf));
    assert_eq!(
        FileKind::sniff("Order 1234, café\r\nthanks".as_bytes()),
        Some(FileKind::Text)
    );
}

#[test]
fn markup_and_binaries_are_refused_whatever_their_name() {
    for refused in [
        &b"<!DOCTYPE html><html><script>alert(1)</script>"[..],
        b"  <html><body>hi</body></html>",
        b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        b"<svg onload=alert(1)>",
        b"hello\n<script>alert(1)</script>",
        b"\xef\xbb\xbf<svg/>",
        b"text with a \0 NUL",
        b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff",
        b"PK\x03\x04\x14\0\0\0\x08\0",
        b"\xff\xfe\xfd not utf-8",
        b"",
    ] {
        assert_eq!(FileKind::sniff(refused), None, "{refused:?}");
    }
}

#[test]
fn a_character_cut_by_the_sniffed_head_is_still_text() {
    let text = "é".repeat(10);
    let cut = &text.as_bytes()[..text.len() - 1];
    assert_eq!(FileKind::sniff(cut), Some(FileKind::Text));
}

#[test]
fn a_declared_file_names_what_is_wrong() {
    let ok = DeclaredFile::parse("shot.png", "image/png", 25).unwrap();
    assert_eq!(ok.kind, FileKind::Png);
    let err = |r: Result<DeclaredFile, DomainError>| r.unwrap_err().to_string();
    assert!(err(DeclaredFile::parse("a.html", "text/html", 10)).starts_with("content_type:"));
    assert!(err(DeclaredFile::parse("a.svg", "image/svg+xml", 10)).starts_with("content_type:"));
    assert!(err(DeclaredFile::parse("a.png", "image/png", 0)).starts_with("size:"));
    assert!(err(DeclaredFile::parse(
        "a.png",
        "image/png",
        MAX_ATTACHMENT_BYTES + 1
    ))
    .contains("over the limit"));
    assert!(DeclaredFile::parse("a.png", "image/png", MAX_ATTACHMENT_BYTES).is_ok());
    assert!(err(DeclaredFile::parse("  ", "image/png", 3)).starts_with("file_name:"));
}

#[test]
fn an_upload_must_be_what_was_declared() {
    let png = DeclaredFile::parse("shot.png", "image/png", PNG.len() as u64).unwrap();
    assert!(png.check_upload(PNG.len() as u64, PNG).is_ok());
    assert!(png
        .check_upload(PNG.len() as u64 + 1, PNG)
        .unwrap_err()
        .to_string()
        .contains("declared"));
    assert!(png
        .check_upload(PNG.len() as u64, JPEG)
        .unwrap_err()
        .to_string()
        .contains("image/jpeg by its content"));
    let text = DeclaredFile::parse("page.txt", "text/plain", 20).unwrap();
    assert!(text
        .check_upload(20, b"<html><script></script>")
        .unwrap_err()
        .to_string()
        .contains("never HTML"));
}

#[test]
fn file_names_are_made_safe_for_headers_and_lists() {
    assert_eq!(
        safe_file_name("C:\\Users\\ann\\report.pdf").unwrap(),
        "report.pdf"
    );
    assert_eq!(safe_file_name("../../etc/passwd").unwrap(), "passwd");
    assert_eq!(safe_file_name("a\"b;c\r\nd.png").unwrap(), "a_b_c__d.png");
    assert_eq!(safe_file_name(".hidden").unwrap(), "hidden");
    assert!(safe_file_name(&"x".repeat(200)).is_err());
}
