//! What a waiting customer is told about their place. Near the front every step counts, so the
//! number of people ahead is exact; further back only the band changes what the customer should
//! expect. Telling each customer only when what they are shown changes is what bounds the work
//! of a queue change: a chat leaving the front of a queue of any length tells at most
//! `MOST_TOLD_PER_CHANGE` customers (the first `EXACT_AHEAD + 1`, and one at each band edge).

/// Up to this many people ahead, the customer is told the exact number.
pub const EXACT_AHEAD: u32 = 10;
/// Further back: "more than N", for the largest N below the number ahead.
pub const BANDS: [u32; 5] = [10, 20, 50, 100, 200];
/// The most customers one queue change tells their place.
pub const MOST_TOLD_PER_CHANGE: usize = EXACT_AHEAD as usize + 1 + BANDS.len();
/// The most queued chats a queue change reads: enough to see the last band edge move.
pub const QUEUE_READ_LIMIT: usize = BANDS[BANDS.len() - 1] as usize + 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShownAhead {
    Exactly(u32),
    MoreThan(u32),
}

/// What a customer with `ahead` people ahead of them is shown (the chat page applies the same
/// rule to the number it is sent).
pub fn shown_ahead(ahead: u32) -> ShownAhead {
    if ahead <= EXACT_AHEAD {
        return ShownAhead::Exactly(ahead);
    }
    let band = BANDS
        .iter()
        .rev()
        .find(|&&b| ahead > b)
        .copied()
        .unwrap_or(EXACT_AHEAD);
    ShownAhead::MoreThan(band)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_near_the_front_then_bands() {
        assert_eq!(shown_ahead(0), ShownAhead::Exactly(0));
        assert_eq!(shown_ahead(10), ShownAhead::Exactly(10));
        assert_eq!(shown_ahead(11), ShownAhead::MoreThan(10));
        assert_eq!(shown_ahead(20), ShownAhead::MoreThan(10));
        assert_eq!(shown_ahead(21), ShownAhead::MoreThan(20));
        assert_eq!(shown_ahead(51), ShownAhead::MoreThan(50));
        assert_eq!(shown_ahead(200), ShownAhead::MoreThan(100));
        assert_eq!(shown_ahead(201), ShownAhead::MoreThan(200));
        assert_eq!(shown_ahead(100_000), ShownAhead::MoreThan(200));
    }

    #[test]
    fn one_step_back_or_forward_changes_what_at_most_the_bounded_few_see() {
        for queue in [5u32, 30, 150, 1_000, 10_000] {
            let changed = (0..queue)
                .filter(|&now| shown_ahead(now) != shown_ahead(now + 1))
                .count();
            assert!(changed <= MOST_TOLD_PER_CHANGE, "{queue}: {changed}");
        }
    }
}
