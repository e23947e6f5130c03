//! Shared fixtures for the integration tests.
#![allow(dead_code)]

use std::sync::{Arc, OnceLock};

use chatdesk_suggest::{DocKind, Embedder, SearchDoc};

/// The model, loaded once per test binary. Tests that need it fail (never skip) without it.
pub fn embedder() -> Arc<Embedder> {
    static EMBEDDER: OnceLock<Arc<Embedder>> = OnceLock::new();
    Arc::clone(EMBEDDER.get_or_init(|| {
        let dir = Embedder::locate().unwrap_or_else(|| {
            panic!(
                "the all-MiniLM-L6-v2 model was not found: run scripts/fetch-model.sh \
                 (or set CHATDESK_MODEL_DIR to a directory holding model.safetensors)"
            )
        });
        Arc::new(Embedder::load(&dir).unwrap_or_else(|e| {
            panic!(
                "cannot load the model from {}: {e} (run scripts/fetch-model.sh)",
                dir.display()
            )
        }))
    }))
}

pub fn doc(id: &str, title: &str, body: &str) -> SearchDoc {
    SearchDoc {
        id: id.into(),
        kind: DocKind::Article,
        title: title.into(),
        body: body.into(),
        tags: Vec::new(),
        groups: Vec::new(),
        embedding: None,
    }
}

pub fn in_groups(mut d: SearchDoc, groups: &[&str]) -> SearchDoc {
    d.groups = groups.iter().map(|g| g.to_string()).collect();
    d
}

/// A small help centre.
pub fn kb() -> Vec<SearchDoc> {
    vec![
        doc(
            "password",
            "How do I reset my password?",
            "Open the **sign-in page** and click *Forgot password*. We email you a link to choose \
             a new password; it is valid for one hour.",
        ),
        doc(
            "card",
            "How do I update my credit card?",
            "Go to **Billing > Payment methods**, add the new card and make it the default. \
             Pending invoices are charged to it at the next retry.",
        ),
        doc(
            "phone-mail",
            "How do I add my email account to my iPhone or Android phone?",
            "On an iPhone open Settings > Mail > Accounts > Add Account. On Android use the Gmail \
             app: Settings > Add account > Other. Use IMAP on port 993.",
        ),
        doc(
            "cancel",
            "How do I cancel my subscription?",
            "In **Billing > Subscription** click *Cancel*. You keep access until the end of the \
             period you paid for. Yearly plans are refunded pro rata within 30 days.",
        ),
        doc(
            "ssl",
            "How do I get an SSL certificate for my site?",
            "Every site gets a free Let's Encrypt certificate once the domain points to our \
             servers. It renews itself every 90 days.",
        ),
        doc(
            "export",
            "How do I export my data?",
            "Project data can be exported to CSV or Excel from the project menu. Admins can \
             export the whole workspace as JSON.",
        ),
        doc(
            "dark",
            "Is there a dark mode?",
            "Yes: in Profile > Appearance choose Light, Dark or Use system setting.",
        ),
    ]
}
