//! Group texts: placeholders, defaults, and customer values that try to be markup.

use super::*;

fn hostile() -> MailPlaceholders {
    MailPlaceholders {
        customer_name: "<script>alert('x')</script> {group} \"Eve\"".into(),
        group: "Support & Sales".into(),
        agent_name: Some("Bob".into()),
        question: "Is 1 < 2 & \"yes\"?".into(),
        next_open: Some("Monday 7 December 2026, 09:00 (Europe/Berlin)".into()),
        reply: Some("Yes.\nIt is.".into()),
        transcript: Some("Eve: <b>hi</b>\nBob: hello".into()),
    }
}

#[test]
fn defaults_render_with_every_value_in_place() {
    let texts = GroupTexts::default();
    let mail = texts.render_mail(MailKind::OfflineReply, &hostile());
    assert_eq!(mail.subject, "Re: your message to Support & Sales");
    assert!(mail.text.contains("Yes.\nIt is."));
    assert!(mail.text.contains("Bob\nSupport & Sales"));
    let transcript = texts.render_mail(MailKind::Transcript, &hostile());
    assert_eq!(transcript.subject, "Your chat with Support & Sales");
    assert!(transcript.text.contains("Eve: <b>hi</b>\nBob: hello"));
}

#[test]
fn html_escapes_every_customer_value_and_the_template() {
    let texts = GroupTexts {
        transcript_body: Some("<p>Hi {customer_name}</p>{transcript}".into()),
        ..GroupTexts::default()
    }
    .validated()
    .unwrap();
    let html = texts.render_mail(MailKind::Transcript, &hostile()).html;
    assert!(!html.contains("<script>"), "{html}");
    assert!(!html.contains("<b>"), "{html}");
    assert!(!html.contains("<p>"), "the template is text too: {html}");
    assert!(html.contains("&lt;script&gt;"), "{html}");
    assert!(
        html.contains("&#x27;x&#x27;") || html.contains("&#39;x&#39;"),
        "{html}"
    );
    assert!(html.contains("&quot;Eve&quot;"), "{html}");
    assert!(html.contains("<br>"), "line breaks are kept: {html}");
}

#[test]
fn a_brace_in_a_customer_value_is_not_read_as_a_placeholder() {
    let texts = GroupTexts::default();
    let text = texts.render_text(TextKind::ReplyBody, &hostile());
    assert!(text.contains("\"Eve\""));
    // The customer's "{group}" stays as they typed it.
    assert!(text.contains("</script> {group} \"Eve\""), "{text}");
}

#[test]
fn a_subject_stays_on_one_line_whatever_the_name() {
    let texts = GroupTexts {
        reply_subject: Some("For {customer_name}".into()),
        ..GroupTexts::default()
    };
    let values = MailPlaceholders {
        customer_name: "Eve\r\nBcc: all@example.com".into(),
        ..hostile()
    };
    let subject = texts.render_mail(MailKind::OfflineReply, &values).subject;
    assert!(!subject.contains(['\r', '\n']), "{subject}");
}

#[test]
fn double_braces_are_literal_braces() {
    let texts = GroupTexts {
        offline_notice: Some("{{group}} is {group}; }} and {{".into()),
        ..GroupTexts::default()
    }
    .validated()
    .unwrap();
    assert_eq!(
        texts.render_text(TextKind::OfflineNotice, &hostile()),
        "{group} is Support & Sales; } and {"
    );
}

#[test]
fn unknown_placeholders_and_lone_braces_are_refused_naming_the_field() {
    let bad = |texts: GroupTexts| texts.validated().unwrap_err().to_string();
    let e = bad(GroupTexts {
        offline_notice: Some("Back {tomorrow}".into()),
        ..GroupTexts::default()
    });
    assert!(
        e.starts_with("texts.offline_notice:") && e.contains("{tomorrow}"),
        "{e}"
    );
    // {reply} belongs to the reply body only.
    let e = bad(GroupTexts {
        transcript_body: Some("{reply}".into()),
        ..GroupTexts::default()
    });
    assert!(e.starts_with("texts.transcript_body:"), "{e}");
    let e = bad(GroupTexts {
        reply_body: Some("Hi {customer_name".into()),
        ..GroupTexts::default()
    });
    assert!(e.starts_with("texts.reply_body:"), "{e}");
    let e = bad(GroupTexts {
        reply_subject: Some("a }".into()),
        ..GroupTexts::default()
    });
    assert!(e.starts_with("texts.reply_subject:"), "{e}");
    let e = bad(GroupTexts {
        transcript_subject: Some("x".repeat(MAX_SUBJECT_CHARS + 1)),
        ..GroupTexts::default()
    });
    assert!(e.starts_with("texts.transcript_subject:"), "{e}");
    let e = bad(GroupTexts {
        reply_subject: Some("two\nlines".into()),
        ..GroupTexts::default()
    });
    assert!(e.starts_with("texts.reply_subject:"), "{e}");
}

#[test]
fn a_blank_text_means_the_default() {
    let texts = GroupTexts {
        offline_notice: Some("  ".into()),
        ..GroupTexts::default()
    }
    .validated()
    .unwrap();
    assert_eq!(texts.offline_notice, None);
    assert_eq!(texts.get(TextKind::OfflineNotice), DEFAULT_OFFLINE_NOTICE);
}

#[test]
fn every_default_text_is_valid() {
    for kind in TextKind::ALL {
        assert!(parse(kind, kind.default_text()).is_ok(), "{kind:?}");
    }
}
