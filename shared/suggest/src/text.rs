//! Plain text out of Markdown, and snippets with highlight ranges.
//!
//! Knowledge-base bodies are written in Markdown. We index and show *text*: markup characters
//! would pollute both the BM25 statistics (`**Profile`) and the snippet a UI displays. Snippets are
//! plain text plus byte ranges to emphasise, never HTML, so a UI can render them without any
//! risk of injecting markup that came from an article.
//!
//! The stripper is deliberately simple (line based, then inline rules) rather than a full
//! CommonMark parser: help-desk articles use headings, lists, emphasis, links, code and the odd
//! table, and every rule below is covered by a test.

/// Highlighted byte range in a snippet (`start..end`), always on `char` boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Highlight {
    pub start: usize,
    pub end: usize,
}

/// Converts Markdown to plain text: blocks end up on their own lines, markup is removed and
/// link/image text is kept (their URLs are dropped).
pub fn strip_markdown(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut paragraph = String::new();
    let mut in_fence: Option<&str> = None;

    let flush = |paragraph: &mut String, out: &mut String| {
        let p = paragraph.trim();
        if !p.is_empty() {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(p);
        }
        paragraph.clear();
    };

    for raw_line in markdown.lines() {
        let line = raw_line.trim_end();
        let trimmed = line.trim_start();

        // Fenced code: keep the code text (it may hold the error message a customer pastes),
        // drop the fences and the info string.
        if let Some(fence) = in_fence {
            if trimmed.starts_with(fence) {
                in_fence = None;
                flush(&mut paragraph, &mut out);
            } else {
                flush(&mut paragraph, &mut out);
                paragraph.push_str(trimmed);
                flush(&mut paragraph, &mut out);
            }
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            flush(&mut paragraph, &mut out);
            in_fence = Some(if trimmed.starts_with("```") {
                "```"
            } else {
                "~~~"
            });
            continue;
        }

        if trimmed.is_empty() {
            flush(&mut paragraph, &mut out);
            continue;
        }
        if is_rule(trimmed) || is_table_separator(trimmed) || is_reference_definition(trimmed) {
            // Also covers setext heading underlines (`---`, `===`): the heading text is the
            // previous line, which is already in `paragraph`.
            flush(&mut paragraph, &mut out);
            continue;
        }

        let (content, is_block_start) = strip_block_prefix(trimmed);
        if is_block_start {
            flush(&mut paragraph, &mut out);
        }
        let content = if content.contains('|') && looks_like_table_row(content) {
            table_row_text(content)
        } else {
            content.to_string()
        };
        let text = strip_inline(&content);
        if text.trim().is_empty() {
            continue;
        }
        if !paragraph.is_empty() {
            paragraph.push(' ');
        }
        paragraph.push_str(text.trim());
        if is_block_start && is_heading(trimmed) {
            // A heading is a block of its own.
            flush(&mut paragraph, &mut out);
        }
    }
    flush(&mut paragraph, &mut out);
    out
}

fn is_heading(line: &str) -> bool {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    (1..=6).contains(&hashes) && (line.len() == hashes || line.as_bytes()[hashes] == b' ')
}

/// `---`, `***`, `___`, `===` (with optional spaces): thematic breaks and setext underlines.
fn is_rule(line: &str) -> bool {
    let chars: Vec<char> = line.chars().filter(|c| !c.is_whitespace()).collect();
    chars.len() >= 3
        && ['-', '*', '_', '=']
            .iter()
            .any(|&m| chars.iter().all(|&c| c == m))
}

fn is_table_separator(line: &str) -> bool {
    line.contains('-')
        && line.contains('|')
        && line
            .chars()
            .all(|c| matches!(c, '|' | '-' | ':' | ' ' | '\t'))
}

/// `[label]: https://...` lines define reference links; they are not content.
fn is_reference_definition(line: &str) -> bool {
    if !line.starts_with('[') || line.starts_with("[^") {
        return false;
    }
    match line.find("]:") {
        Some(i) => !line[1..i].contains(']'),
        None => false,
    }
}

fn looks_like_table_row(line: &str) -> bool {
    line.starts_with('|') || line.matches('|').count() >= 2
}

fn table_row_text(line: &str) -> String {
    line.split('|')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Removes heading hashes, blockquote markers, list bullets/numbers and task boxes.
/// Returns the content and whether the line starts a new block (so it isn't glued to the
/// previous line's paragraph).
fn strip_block_prefix(line: &str) -> (&str, bool) {
    let mut s = line;
    let mut block = false;
    loop {
        let before = s;
        if let Some(rest) = s.strip_prefix('>') {
            s = rest.trim_start();
            block = true;
        }
        if is_heading(s) {
            s = s.trim_start_matches('#').trim();
            s = s.trim_end_matches('#').trim_end();
            return (s, true);
        }
        for bullet in ["- ", "* ", "+ "] {
            if let Some(rest) = s.strip_prefix(bullet) {
                s = rest.trim_start();
                block = true;
            }
        }
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && digits <= 9 {
            let rest = &s[digits..];
            if let Some(r) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
                s = r.trim_start();
                block = true;
            }
        }
        for task in ["[ ] ", "[x] ", "[X] "] {
            if let Some(rest) = s.strip_prefix(task) {
                s = rest;
            }
        }
        if s == before {
            return (s, block);
        }
    }
}

/// Inline markup: images, links, autolinks, HTML tags, code spans, emphasis, escapes, entities.
fn strip_inline(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if i + 1 < chars.len() && chars[i + 1].is_ascii_punctuation() => {
                out.push(chars[i + 1]);
                i += 2;
            }
            '!' if chars.get(i + 1) == Some(&'[') => {
                // Image: keep the alt text.
                if let Some((text, next)) = parse_link(&chars, i + 1) {
                    out.push_str(&strip_inline(&text));
                    i = next;
                } else {
                    out.push(c);
                    i += 1;
                }
            }
            '[' => {
                if let Some((text, next)) = parse_link(&chars, i) {
                    out.push_str(&strip_inline(&text));
                    i = next;
                } else {
                    out.push(c);
                    i += 1;
                }
            }
            '<' => {
                if let Some(end) = find_from(&chars, i + 1, '>') {
                    let inner: String = chars[i + 1..end].iter().collect();
                    if is_autolink(&inner) {
                        out.push_str(&inner);
                        i = end + 1;
                        continue;
                    }
                    if is_html_tag(&inner) {
                        // Inline tags (`<b>`, `<a href>`) sit inside words' flow; others
                        // (`<br>`, `<p>`, `<td>`) separate words.
                        if !is_inline_tag(&inner) {
                            out.push(' ');
                        }
                        i = end + 1;
                        continue;
                    }
                }
                out.push(c);
                i += 1;
            }
            '`' => {
                let run = count_run(&chars, i, '`');
                if let Some(end) = find_run(&chars, i + run, '`', run) {
                    let code: String = chars[i + run..end].iter().collect();
                    out.push_str(code.trim());
                    i = end + run;
                } else {
                    for _ in 0..run {
                        out.push('`');
                    }
                    i += run;
                }
            }
            '*' | '_' | '~' => {
                let run = count_run(&chars, i, c);
                let prev = if i == 0 { None } else { Some(chars[i - 1]) };
                let next = chars.get(i + run).copied();
                let word = |ch: Option<char>| ch.is_some_and(char::is_alphanumeric);
                let space = |ch: Option<char>| ch.is_none_or(char::is_whitespace);
                // Emphasis delimiters touch a word on exactly one side (`**bold**`, `_it_`);
                // `snake_case`, `5 * 3` and a lone `~` are left alone.
                let flanking = (word(next) && !word(prev)) || (word(prev) && !word(next));
                let punct_flank = (!space(next) && space(prev)) || (!space(prev) && space(next));
                let is_delim = if c == '~' {
                    run == 2 && (flanking || punct_flank)
                } else {
                    flanking || (punct_flank && !word(prev) && !word(next))
                };
                if !is_delim {
                    for _ in 0..run {
                        out.push(c);
                    }
                }
                i += run;
            }
            '&' => {
                if let Some((decoded, len)) = decode_entity(&chars[i..]) {
                    out.push(decoded);
                    i += len;
                } else {
                    out.push(c);
                    i += 1;
                }
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    collapse_spaces(&out)
}

/// Parses `[text](url)`, `[text][ref]` or `[text]` starting at `chars[start] == '['`.
/// Returns the link text and the index after the construct; `None` if it isn't a link.
fn parse_link(chars: &[char], start: usize) -> Option<(String, usize)> {
    let mut depth = 0usize;
    let mut close = None;
    for (j, &ch) in chars.iter().enumerate().skip(start) {
        match ch {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(j);
                    break;
                }
            }
            _ => {}
        }
    }
    let close = close?;
    let text: String = chars[start + 1..close].iter().collect();
    match chars.get(close + 1) {
        Some('(') => {
            let end = find_from(chars, close + 2, ')')?;
            Some((text, end + 1))
        }
        Some('[') => {
            let end = find_from(chars, close + 2, ']')?;
            Some((text, end + 1))
        }
        _ => {
            // A bare `[text]` is only a (shortcut reference) link if it isn't a task box.
            if text.trim().is_empty() || text == "x" || text == "X" {
                None
            } else {
                Some((text, close + 1))
            }
        }
    }
}

fn is_autolink(inner: &str) -> bool {
    (inner.starts_with("http://") || inner.starts_with("https://") || inner.starts_with("mailto:"))
        && !inner.contains(char::is_whitespace)
}

fn is_html_tag(inner: &str) -> bool {
    let name = inner.strip_prefix('/').unwrap_or(inner);
    let mut cs = name.chars();
    cs.next().is_some_and(|c| c.is_ascii_alphabetic())
        && name
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '/')
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
}

fn is_inline_tag(inner: &str) -> bool {
    const INLINE: [&str; 16] = [
        "a", "abbr", "b", "code", "em", "i", "kbd", "mark", "s", "small", "span", "strong", "sub",
        "sup", "u", "del",
    ];
    let name: String = inner
        .trim_start_matches('/')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    INLINE.contains(&name.as_str())
}

fn decode_entity(chars: &[char]) -> Option<(char, usize)> {
    const ENTITIES: [(&str, char); 7] = [
        ("&amp;", '&'),
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&quot;", '"'),
        ("&#39;", '\''),
        ("&apos;", '\''),
        ("&nbsp;", ' '),
    ];
    ENTITIES.iter().find_map(|(name, ch)| {
        let n = name.chars().count();
        (chars.len() >= n && chars[..n].iter().copied().eq(name.chars())).then_some((*ch, n))
    })
}

fn find_from(chars: &[char], from: usize, target: char) -> Option<usize> {
    chars
        .get(from..)?
        .iter()
        .position(|&c| c == target)
        .map(|p| p + from)
}

fn count_run(chars: &[char], from: usize, c: char) -> usize {
    chars[from..].iter().take_while(|&&x| x == c).count()
}

/// Finds a run of exactly `len` copies of `c` at or after `from`.
fn find_run(chars: &[char], from: usize, c: char, len: usize) -> Option<usize> {
    let mut j = from;
    while j < chars.len() {
        if chars[j] == c {
            let run = count_run(chars, j, c);
            if run == len {
                return Some(j);
            }
            j += run;
        } else {
            j += 1;
        }
    }
    None
}

fn collapse_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_space = false;
    for c in s.chars() {
        if c == ' ' || c == '\t' {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(c);
            last_space = false;
        }
    }
    out
}

/// A snippet: plain text and the byte ranges in it to emphasise.
#[derive(Debug, Clone, PartialEq)]
pub struct Snippet {
    pub text: String,
    pub highlights: Vec<Highlight>,
}

/// Picks the window of `text` (at most about `max_len` bytes) that contains the most distinct
/// matched terms, and returns it with highlight ranges relative to the snippet.
///
/// `matches` are byte ranges of matched tokens in `text`, sorted by start, each with a term
/// identifier (so three occurrences of one word count less than three different words). When
/// nothing matched (a purely semantic hit), the snippet is the start of the text.
pub fn make_snippet(text: &str, matches: &[(usize, usize, u32)], max_len: usize) -> Snippet {
    const ELLIPSIS: &str = "…";
    if text.len() <= max_len {
        return Snippet {
            text: text.to_string(),
            highlights: matches
                .iter()
                .map(|&(s, e, _)| Highlight { start: s, end: e })
                .collect(),
        };
    }

    // Best window start: the matched token from which the window covers the most distinct terms
    // (ties: more occurrences, then earlier).
    let mut best: Option<(usize, usize, usize)> = None; // (distinct, total, index)
    for (i, &(start, _, _)) in matches.iter().enumerate() {
        let limit = start + max_len;
        let mut seen: Vec<u32> = Vec::new();
        let mut total = 0;
        for &(_, e, term) in matches[i..].iter().take_while(|m| m.1 <= limit) {
            let _ = e;
            total += 1;
            if !seen.contains(&term) {
                seen.push(term);
            }
        }
        let candidate = (seen.len(), total, i);
        if best.is_none_or(|b| (candidate.0, candidate.1) > (b.0, b.1)) {
            best = Some(candidate);
        }
    }

    let (mut start, mut end) = match best {
        None => (0, floor_boundary(text, max_len)),
        Some((_, _, i)) => {
            let first = matches[i].0;
            // Show some context before the first match: back up to the start of its sentence,
            // or by a fifth of the window, whichever is closer.
            let lead = max_len / 5;
            let sentence_start = sentence_start_before(text, first);
            let start = if first - sentence_start <= lead {
                sentence_start
            } else {
                word_start_at_or_after(text, ceil_boundary(text, first - lead))
            };
            (
                start,
                floor_boundary(text, (start + max_len).min(text.len())),
            )
        }
    };
    // Don't cut words in half at the end.
    if end < text.len() {
        if let Some(space) = text[start..end].rfind(char::is_whitespace) {
            if space > 0 {
                end = start + space;
            }
        }
    }
    // Trim whitespace at both ends of the window.
    while start < end && text[start..].starts_with(char::is_whitespace) {
        start = ceil_boundary(text, start + 1);
    }
    let trimmed_end = text[start..end].trim_end().len();
    end = start + trimmed_end;

    let prefix = if start > 0 { ELLIPSIS } else { "" };
    let suffix = if end < text.len() { ELLIPSIS } else { "" };
    let mut snippet = String::with_capacity(end - start + 8);
    snippet.push_str(prefix);
    snippet.push_str(&text[start..end]);
    snippet.push_str(suffix);
    let shift = prefix.len();
    let highlights = matches
        .iter()
        .filter(|&&(s, e, _)| s >= start && e <= end)
        .map(|&(s, e, _)| Highlight {
            start: s - start + shift,
            end: e - start + shift,
        })
        .collect();
    Snippet {
        text: snippet,
        highlights,
    }
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Start of the sentence (or line) containing byte `pos`.
fn sentence_start_before(text: &str, pos: usize) -> usize {
    let head = &text[..pos];
    let mut cut = 0;
    for (i, c) in head.char_indices() {
        let sentence_end =
            matches!(c, '.' | '!' | '?') && head[i + 1..].starts_with(|n: char| n.is_whitespace());
        if c == '\n' || sentence_end {
            cut = i + 1;
        }
    }
    let rest = &text[cut..];
    cut + (rest.len() - rest.trim_start().len())
}

fn word_start_at_or_after(text: &str, pos: usize) -> usize {
    // If `pos` is inside a word, move to the start of the next one.
    if pos == 0 || text[..pos].ends_with(char::is_whitespace) {
        return pos;
    }
    match text[pos..].find(char::is_whitespace) {
        Some(ws) => {
            let after = pos + ws;
            let rest = &text[after..];
            after + (rest.len() - rest.trim_start().len())
        }
        None => pos,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_emphasis_headings_and_lists() {
        let md = "# Resetting your password\n\nOpen the **login page** and click *Forgot password*.\n\n- first item\n- second _item_\n1. numbered\n";
        assert_eq!(
            strip_markdown(md),
            "Resetting your password\nOpen the login page and click Forgot password.\nfirst item\nsecond item\nnumbered"
        );
    }

    #[test]
    fn keeps_link_and_image_text_drops_urls() {
        let md = "See [the billing page](https://example.com/billing) or ![a screenshot](img.png). \
                  Also [docs][ref] and <https://status.example.com>.\n\n[ref]: https://example.com/docs";
        assert_eq!(
            strip_markdown(md),
            "See the billing page or a screenshot. Also docs and https://status.example.com."
        );
    }

    #[test]
    fn inline_code_html_entities_and_escapes() {
        let md = "Use `mail.example.com` on port <b>993</b> &amp; 465. Type \\*literally\\* here.";
        assert_eq!(
            strip_markdown(md),
            "Use mail.example.com on port 993 & 465. Type *literally* here."
        );
    }

    #[test]
    fn keeps_intraword_underscores_and_arithmetic() {
        assert_eq!(
            strip_markdown("set upload_max_filesize to 5 * 3 MB"),
            "set upload_max_filesize to 5 * 3 MB"
        );
        assert_eq!(strip_markdown("~~old~~ new ~5 min"), "old new ~5 min");
    }

    #[test]
    fn code_fences_keep_code_lines() {
        let md = "Run this:\n\n```bash\nssh user@host -p 22\n```\nDone.";
        assert_eq!(strip_markdown(md), "Run this:\nssh user@host -p 22\nDone.");
    }

    #[test]
    fn tables_rules_quotes_and_setext() {
        let md = "Title\n=====\n\n> quoted **text**\n\n| Port | Use |\n|------|:---:|\n| 993 | IMAP |\n\n---\nafter";
        assert_eq!(
            strip_markdown(md),
            "Title\nquoted text\nPort, Use\n993, IMAP\nafter"
        );
    }

    #[test]
    fn paragraph_lines_are_joined() {
        assert_eq!(
            strip_markdown("one line\ncontinues here\n\nnext"),
            "one line continues here\nnext"
        );
    }

    #[test]
    fn task_lists_and_unicode() {
        assert_eq!(
            strip_markdown("- [ ] réinitialiser le **mot de passe** 🔑\n- [x] fait"),
            "réinitialiser le mot de passe 🔑\nfait"
        );
    }

    #[test]
    fn block_html_tags_separate_words() {
        assert_eq!(strip_markdown("one<br>two<br/>three"), "one two three");
        assert_eq!(strip_markdown("a <em>b</em>, <span>c</span>."), "a b, c.");
    }

    #[test]
    fn plain_text_is_unchanged() {
        let t = "Nothing to strip here, (really) - ok? 100% sure: a+b=c.";
        assert_eq!(strip_markdown(t), t);
    }

    fn check_boundaries(s: &Snippet) {
        for h in &s.highlights {
            assert!(h.start < h.end && h.end <= s.text.len());
            assert!(s.text.is_char_boundary(h.start) && s.text.is_char_boundary(h.end));
        }
    }

    #[test]
    fn short_text_is_returned_whole_with_ranges() {
        let text = "Reset your password here.";
        let s = make_snippet(text, &[(11, 19, 0)], 200);
        assert_eq!(s.text, text);
        assert_eq!(
            &s.text[s.highlights[0].start..s.highlights[0].end],
            "password"
        );
    }

    #[test]
    fn window_moves_to_the_densest_matches() {
        let filler = "Lorem ipsum dolor sit amet. ".repeat(20);
        let text = format!("{filler}To reset the password open settings. {filler}");
        let pw = text.find("password").unwrap();
        let reset = text.find("reset").unwrap();
        let matches = [(reset, reset + 5, 0), (pw, pw + 8, 1)];
        let s = make_snippet(&text, &matches, 120);
        check_boundaries(&s);
        assert!(s.text.starts_with('…') && s.text.ends_with('…'));
        assert!(s.text.len() <= 120 + 6);
        let hl: Vec<&str> = s
            .highlights
            .iter()
            .map(|h| &s.text[h.start..h.end])
            .collect();
        assert_eq!(hl, ["reset", "password"]);
        assert!(s.text.contains("To reset the password"));
    }

    #[test]
    fn multibyte_text_keeps_char_boundaries() {
        let text = "Ünïcödé ".repeat(40) + "naïve café crème brûlée " + &"ß€ ".repeat(60);
        let cafe = text.find("café").unwrap();
        let s = make_snippet(&text, &[(cafe, cafe + "café".len(), 0)], 50);
        check_boundaries(&s);
        assert_eq!(&s.text[s.highlights[0].start..s.highlights[0].end], "café");
    }

    #[test]
    fn no_match_gives_the_beginning() {
        let text = "word ".repeat(100);
        let s = make_snippet(&text, &[], 40);
        assert!(s.text.starts_with("word word"));
        assert!(s.text.ends_with('…'));
        assert!(s.highlights.is_empty());
    }
}
