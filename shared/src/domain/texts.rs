//! A group's editable texts: the offline notice the chat page shows and the subjects and bodies
//! of the e-mails sent to customers. Administrators write them with placeholders (`{group}`);
//! `None` is the built-in English default. Values come from customers, so rendering never lets
//! them be read as markup: the plain renderer returns text (the page puts it in `textContent`),
//! the HTML renderer escapes the template and every value. Braces are written `{{` and `}}`.

use super::error::DomainError;

/// The longest a subject may be, in characters.
pub const MAX_SUBJECT_CHARS: usize = 200;
/// The longest the offline notice may be.
pub const MAX_NOTICE_CHARS: usize = 1_000;
/// The longest a mail body may be.
pub const MAX_BODY_CHARS: usize = 10_000;

const DEFAULT_OFFLINE_NOTICE: &str = "Sorry, nobody can chat with you right now. Leave us a message and we will answer by e-mail as soon as we can.";
const DEFAULT_REPLY_SUBJECT: &str = "Re: your message to {group}";
const DEFAULT_REPLY_BODY: &str = "Hello {customer_name},\n\n{reply}\n\nBest regards,\n{agent_name}\n{group}\n\n---\nYour message:\n{question}";
const DEFAULT_TRANSCRIPT_SUBJECT: &str = "Your chat with {group}";
const DEFAULT_TRANSCRIPT_BODY: &str = "Hello {customer_name},\n\nhere is the transcript of your chat with {group}.\n\n{transcript}\n\nThank you for getting in touch.";

/// A value a text may show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placeholder {
    CustomerName,
    Group,
    AgentName,
    Question,
    /// When the group opens next, in its own time zone.
    NextOpen,
    /// The agent's answer (the reply body only).
    Reply,
    /// The chat's messages (the transcript body only).
    Transcript,
}

const COMMON: [Placeholder; 5] = [
    Placeholder::CustomerName,
    Placeholder::Group,
    Placeholder::AgentName,
    Placeholder::Question,
    Placeholder::NextOpen,
];

impl Placeholder {
    pub fn name(self) -> &'static str {
        match self {
            Placeholder::CustomerName => "customer_name",
            Placeholder::Group => "group",
            Placeholder::AgentName => "agent_name",
            Placeholder::Question => "question",
            Placeholder::NextOpen => "next_open",
            Placeholder::Reply => "reply",
            Placeholder::Transcript => "transcript",
        }
    }
}

/// One of a group's texts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextKind {
    OfflineNotice,
    ReplySubject,
    ReplyBody,
    TranscriptSubject,
    TranscriptBody,
}

impl TextKind {
    pub const ALL: [TextKind; 5] = [
        TextKind::OfflineNotice,
        TextKind::ReplySubject,
        TextKind::ReplyBody,
        TextKind::TranscriptSubject,
        TextKind::TranscriptBody,
    ];

    /// The field that holds it, as the API names it.
    pub fn field(self) -> &'static str {
        match self {
            TextKind::OfflineNotice => "texts.offline_notice",
            TextKind::ReplySubject => "texts.reply_subject",
            TextKind::ReplyBody => "texts.reply_body",
            TextKind::TranscriptSubject => "texts.transcript_subject",
            TextKind::TranscriptBody => "texts.transcript_body",
        }
    }

    fn max_chars(self) -> usize {
        match self {
            TextKind::ReplySubject | TextKind::TranscriptSubject => MAX_SUBJECT_CHARS,
            TextKind::OfflineNotice => MAX_NOTICE_CHARS,
            TextKind::ReplyBody | TextKind::TranscriptBody => MAX_BODY_CHARS,
        }
    }

    /// The placeholders this text may use.
    pub fn placeholders(self) -> Vec<Placeholder> {
        let mut all = COMMON.to_vec();
        match self {
            TextKind::ReplyBody => all.push(Placeholder::Reply),
            TextKind::TranscriptBody => all.push(Placeholder::Transcript),
            _ => {}
        }
        all
    }

    pub fn default_text(self) -> &'static str {
        match self {
            TextKind::OfflineNotice => DEFAULT_OFFLINE_NOTICE,
            TextKind::ReplySubject => DEFAULT_REPLY_SUBJECT,
            TextKind::ReplyBody => DEFAULT_REPLY_BODY,
            TextKind::TranscriptSubject => DEFAULT_TRANSCRIPT_SUBJECT,
            TextKind::TranscriptBody => DEFAULT_TRANSCRIPT_BODY,
        }
    }
}

/// A group's texts; `None` is the default (`TextKind::default_text`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupTexts {
    pub offline_notice: Option<String>,
    pub reply_subject: Option<String>,
    pub reply_body: Option<String>,
    pub transcript_subject: Option<String>,
    pub transcript_body: Option<String>,
}

/// The values a text is rendered with. Missing values render as nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MailPlaceholders {
    pub customer_name: String,
    pub group: String,
    pub agent_name: Option<String>,
    pub question: String,
    /// Already written in the group's zone (`BusinessHours::format_local`).
    pub next_open: Option<String>,
    /// The agent's reply, for `{reply}` in the reply body.
    pub reply: Option<String>,
    /// The chat as text, for `{transcript}` in the transcript body.
    pub transcript: Option<String>,
}

impl MailPlaceholders {
    fn value(&self, p: Placeholder) -> &str {
        match p {
            Placeholder::CustomerName => &self.customer_name,
            Placeholder::Group => &self.group,
            Placeholder::AgentName => self.agent_name.as_deref().unwrap_or(""),
            Placeholder::Question => &self.question,
            Placeholder::NextOpen => self.next_open.as_deref().unwrap_or(""),
            Placeholder::Reply => self.reply.as_deref().unwrap_or(""),
            Placeholder::Transcript => self.transcript.as_deref().unwrap_or(""),
        }
    }
}

/// Which e-mail to render.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailKind {
    /// An agent's answer to a message left while nobody could chat: the reply text goes where
    /// the body has `{reply}`.
    OfflineReply,
    /// A chat's transcript: the messages go where the body has `{transcript}`.
    Transcript,
}

/// An e-mail ready to send: a one-line subject, a plain-text body and an HTML body (a fragment
/// for the mail's `<body>`, every value escaped).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedMail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

enum Segment {
    Literal(String),
    Value(Placeholder),
}

/// Splits a template into literal text and placeholders of `kind`, refusing unknown ones and
/// unpaired braces.
fn parse(kind: TextKind, template: &str) -> Result<Vec<Segment>, DomainError> {
    let allowed = kind.placeholders();
    let mut out = Vec::new();
    let mut literal = String::new();
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        literal.push_str(&rest[..i]);
        let brace = &rest[i..i + 1];
        let after = &rest[i + 1..];
        if let Some(stripped) = after.strip_prefix(brace) {
            literal.push_str(brace);
            rest = stripped;
            continue;
        }
        if brace == "}" {
            return Err(DomainError::invalid(
                kind.field(),
                "a lone } (write }} for a brace)",
            ));
        }
        let Some(end) = after.find('}') else {
            return Err(DomainError::invalid(
                kind.field(),
                "a { without its } (write {{ for a brace)",
            ));
        };
        let name = &after[..end];
        let Some(p) = allowed.iter().copied().find(|p| p.name() == name) else {
            let known: Vec<String> = allowed
                .iter()
                .map(|p| format!("{{{}}}", p.name()))
                .collect();
            return Err(DomainError::invalid(
                kind.field(),
                format!(
                    "unknown placeholder {{{name}}}; this text may use {}",
                    known.join(", ")
                ),
            ));
        };
        if !literal.is_empty() {
            out.push(Segment::Literal(std::mem::take(&mut literal)));
        }
        out.push(Segment::Value(p));
        rest = &after[end + 1..];
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        out.push(Segment::Literal(literal));
    }
    Ok(out)
}

fn render(kind: TextKind, template: &str, values: &MailPlaceholders, html: bool) -> String {
    // Templates are checked when saved; one that no longer parses (stored before a placeholder
    // was withdrawn) falls back to the default rather than failing a mail.
    let segments = parse(kind, template)
        .or_else(|_| parse(kind, kind.default_text()))
        .unwrap_or_default();
    let mut out = String::new();
    for s in segments {
        let text = match &s {
            Segment::Literal(t) => t.as_str(),
            Segment::Value(p) => values.value(*p),
        };
        if html {
            out.push_str(&html_text(text));
        } else {
            out.push_str(text);
        }
    }
    out
}

/// Text as HTML: escaped (`html_escape::encode_safe`: `& < > " ' /`), line breaks kept.
fn html_text(text: &str) -> String {
    html_escape::encode_safe(text).replace('\n', "<br>\n")
}

impl GroupTexts {
    /// The text of `kind`, its default when not set.
    pub fn get(&self, kind: TextKind) -> &str {
        let own = match kind {
            TextKind::OfflineNotice => &self.offline_notice,
            TextKind::ReplySubject => &self.reply_subject,
            TextKind::ReplyBody => &self.reply_body,
            TextKind::TranscriptSubject => &self.transcript_subject,
            TextKind::TranscriptBody => &self.transcript_body,
        };
        own.as_deref().unwrap_or(kind.default_text())
    }

    /// Checks every set text: its length and its placeholders. Empty or blank texts are read as
    /// "use the default".
    pub fn validated(self) -> Result<Self, DomainError> {
        let keep = |kind: TextKind, t: Option<String>| -> Result<Option<String>, DomainError> {
            let Some(t) = t.filter(|t| !t.trim().is_empty()) else {
                return Ok(None);
            };
            if t.chars().count() > kind.max_chars() {
                return Err(DomainError::invalid(
                    kind.field(),
                    format!("must be at most {} characters", kind.max_chars()),
                ));
            }
            let subject = matches!(kind, TextKind::ReplySubject | TextKind::TranscriptSubject);
            if subject && t.contains(['\r', '\n']) {
                return Err(DomainError::invalid(kind.field(), "a subject is one line"));
            }
            parse(kind, &t)?;
            Ok(Some(t))
        };
        Ok(GroupTexts {
            offline_notice: keep(TextKind::OfflineNotice, self.offline_notice)?,
            reply_subject: keep(TextKind::ReplySubject, self.reply_subject)?,
            reply_body: keep(TextKind::ReplyBody, self.reply_body)?,
            transcript_subject: keep(TextKind::TranscriptSubject, self.transcript_subject)?,
            transcript_body: keep(TextKind::TranscriptBody, self.transcript_body)?,
        })
    }

    /// A text as plain text (never markup: show it as text).
    pub fn render_text(&self, kind: TextKind, values: &MailPlaceholders) -> String {
        render(kind, self.get(kind), values, false)
    }

    /// A text as HTML, the template and every value escaped.
    pub fn render_html(&self, kind: TextKind, values: &MailPlaceholders) -> String {
        render(kind, self.get(kind), values, true)
    }

    /// An e-mail of `kind` with these values. The subject is one line: line breaks a value
    /// brings in become spaces (a header cannot be split by a customer's name).
    pub fn render_mail(&self, kind: MailKind, values: &MailPlaceholders) -> RenderedMail {
        let (subject, body) = match kind {
            MailKind::OfflineReply => (TextKind::ReplySubject, TextKind::ReplyBody),
            MailKind::Transcript => (TextKind::TranscriptSubject, TextKind::TranscriptBody),
        };
        let subject = self.render_text(subject, values).replace(['\r', '\n'], " ");
        RenderedMail {
            subject,
            text: self.render_text(body, values),
            html: self.render_html(body, values),
        }
    }
}

#[cfg(test)]
mod tests;
