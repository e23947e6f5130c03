//! A deterministic synthetic knowledge base and question set for the benchmark.
//!
//! Articles combine product areas, objects, actions, symptoms, platforms and sentence templates
//! with a seeded RNG, so 10,000 of them differ in title, vocabulary and length (roughly 60-200
//! words, some Markdown) the way a real help centre's do. Questions are generated from separate
//! templates (customer phrasing, some typos), so they are not copies of titles.

use chatdesk_suggest::{DocKind, SearchDoc};

/// SplitMix64: tiny, fast, and the same sequence on every platform.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const AREAS: &[&str] = &[
    "billing",
    "email",
    "domains",
    "security",
    "mobile app",
    "integrations",
    "reports",
    "shipping",
    "returns",
    "account",
    "notifications",
    "API",
    "storage",
    "checkout",
    "team",
    "calendar",
    "invoices",
    "subscriptions",
    "privacy",
    "performance",
];
const OBJECTS: &[&str] = &[
    "password",
    "invoice",
    "mailbox",
    "domain name",
    "credit card",
    "two-factor code",
    "webhook",
    "export file",
    "order",
    "parcel",
    "refund",
    "subscription",
    "user seat",
    "calendar sync",
    "SSL certificate",
    "backup",
    "DNS record",
    "API token",
    "gift card",
    "discount code",
    "shipping label",
    "profile photo",
    "team member",
    "report",
    "dashboard",
    "notification email",
    "mobile app",
    "browser extension",
    "custom field",
    "workspace",
    "timesheet",
    "contact list",
    "newsletter",
    "delivery address",
    "payment method",
    "receipt",
    "shared folder",
    "sign-in link",
    "chat widget",
    "knowledge base article",
];
const ACTIONS: &[&str] = &[
    "reset",
    "change",
    "cancel",
    "update",
    "delete",
    "restore",
    "export",
    "import",
    "connect",
    "disconnect",
    "transfer",
    "download",
    "share",
    "rename",
    "verify",
    "renew",
    "upgrade",
    "downgrade",
    "merge",
    "archive",
    "schedule",
    "enable",
    "disable",
    "configure",
    "recover",
];
const SYMPTOMS: &[&str] = &[
    "is not working",
    "keeps failing",
    "shows an error",
    "is missing",
    "was charged twice",
    "never arrived",
    "is very slow",
    "stopped syncing",
    "is out of date",
    "cannot be found",
    "was rejected",
    "looks wrong",
    "expired",
    "is locked",
    "disappeared after the update",
];
const PLATFORMS: &[&str] = &[
    "on iPhone",
    "on Android",
    "in the web app",
    "on Windows",
    "on a Mac",
    "in Outlook",
    "in Gmail",
    "in Chrome",
    "in Firefox",
    "in the admin console",
    "from the API",
    "in the desktop app",
];
const STEPS: &[&str] = &[
    "Open **Settings** and choose *{area}*.",
    "Select the {object} you want to {action}.",
    "Click the `{action}` button at the top right.",
    "Confirm with your password when asked.",
    "Wait a few minutes: changes to the {object} can take up to an hour to appear.",
    "If the option is greyed out, ask an administrator to give you the right permission.",
    "Check the [status page](https://status.example.com) for incidents affecting {area}.",
    "Sign out and back in {platform} to refresh your session.",
    "Clear the cache of your browser and try again.",
    "Make sure your plan includes {area}; some features are only on the Business plan.",
];
const CAUSES: &[&str] = &[
    "This usually happens when the {object} was changed on another device.",
    "A common cause is an expired session or an outdated version of the app.",
    "Most often the {object} is blocked by a filter or a firewall rule.",
    "It can also mean that the payment for your {area} plan failed.",
    "Sometimes a browser extension interferes with the {area} page.",
    "The {object} may still be processing if you created it in the last few minutes.",
];
const NOTES: &[&str] = &[
    "Only owners and administrators can {action} a {object}.",
    "You can undo this within 30 days from the trash.",
    "We email you a confirmation once the {object} has been updated.",
    "This works the same way {platform}.",
    "Changes apply to every member of the workspace.",
    "Our support team can help if none of this works: open a chat from the help menu.",
    "Keep a copy of the {object} before you {action} it.",
];
const TITLES: &[&str] = &[
    "How to {action} your {object} {platform}",
    "Why your {object} {symptom}",
    "{Action} a {object}",
    "Troubleshooting: {object} {symptom} {platform}",
    "What to do when your {object} {symptom}",
    "Can I {action} a {object} in {area}?",
    "{Area}: how to {action} the {object}",
];
const QUESTIONS: &[&str] = &[
    "how do i {action} my {object}",
    "my {object} {symptom}",
    "{object} {symptom} {platform}, what can I do?",
    "can't {action} {object}",
    "is it possible to {action} the {object} {platform}",
    "help! the {object} {symptom} since yesterday",
    "{action} {object}",
    "where can I {action} a {object} for {area}",
    "I tried to {action} my {object} but it {symptom}",
    "{area} {object} problem",
];

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

struct Slots<'a> {
    area: &'a str,
    object: &'a str,
    action: &'a str,
    symptom: &'a str,
    platform: &'a str,
}

fn fill(template: &str, s: &Slots) -> String {
    template
        .replace("{Area}", &capitalize(s.area))
        .replace("{Action}", &capitalize(s.action))
        .replace("{area}", s.area)
        .replace("{object}", s.object)
        .replace("{action}", s.action)
        .replace("{symptom}", s.symptom)
        .replace("{platform}", s.platform)
}

fn slots(rng: &mut Rng) -> Slots<'static> {
    Slots {
        area: rng.pick(AREAS),
        object: rng.pick(OBJECTS),
        action: rng.pick(ACTIONS),
        symptom: rng.pick(SYMPTOMS),
        platform: rng.pick(PLATFORMS),
    }
}

/// `n` articles (every fifth a past resolution), deterministic for a given seed.
pub fn articles(n: usize, seed: u64) -> Vec<SearchDoc> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|i| {
            let s = slots(&mut rng);
            let title = fill(rng.pick(TITLES), &s);
            let mut body = String::new();
            body.push_str(&fill(rng.pick(CAUSES), &s));
            body.push_str("\n\n## Steps\n\n");
            let steps = 2 + rng.below(5);
            for n in 0..steps {
                body.push_str(&format!("{}. {}\n", n + 1, fill(rng.pick(STEPS), &s)));
            }
            let notes = 1 + rng.below(4);
            body.push('\n');
            for _ in 0..notes {
                body.push_str(&fill(rng.pick(NOTES), &s));
                body.push(' ');
            }
            let tags = vec![s.area.to_string(), s.object.to_string()];
            let groups = match rng.below(4) {
                0 => vec!["billing-team".to_string()],
                1 => vec!["tech-team".to_string()],
                _ => Vec::new(),
            };
            SearchDoc {
                id: format!("kb-{i:05}"),
                kind: if i % 5 == 4 {
                    DocKind::Resolution
                } else {
                    DocKind::Article
                },
                title,
                body,
                tags,
                groups,
                embedding: None,
            }
        })
        .collect()
}

/// Introduces one typo (swap, drop or double a letter) into a random word of 5+ letters.
fn typo(rng: &mut Rng, text: &str) -> String {
    let words: Vec<&str> = text.split(' ').collect();
    let long: Vec<usize> = (0..words.len())
        .filter(|&i| words[i].len() >= 5 && words[i].is_ascii())
        .collect();
    if long.is_empty() {
        return text.to_string();
    }
    let w = long[rng.below(long.len())];
    let mut chars: Vec<char> = words[w].chars().collect();
    let p = 1 + rng.below(chars.len() - 2);
    match rng.below(3) {
        0 => chars.swap(p, p + 1),
        1 => {
            chars.remove(p);
        }
        _ => chars.insert(p, chars[p]),
    }
    let fixed: String = chars.into_iter().collect();
    words
        .iter()
        .enumerate()
        .map(|(i, x)| if i == w { fixed.as_str() } else { x })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `n` customer questions, a sixth of them with a typo.
pub fn questions(n: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed ^ 0x005e_ed0f_9e57);
    (0..n)
        .map(|_| {
            let s = slots(&mut rng);
            let q = fill(rng.pick(QUESTIONS), &s);
            if rng.below(6) == 0 {
                typo(&mut rng, &q)
            } else {
                q
            }
        })
        .collect()
}
