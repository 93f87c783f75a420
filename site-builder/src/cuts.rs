//! Content-defined cuts of an ordered list, like rsync's rolling cuts: a piece ends where an
//! item's own hash says so, not every N items. An item added or removed changes the piece it
//! falls in (and at most the one after), never every piece behind it. The grid's parts
//! ([`crate::parts`]) and the album data's chunks ([`crate::album_file`]) are cut this way.

use std::ops::Range;

/// Where pieces may end: after at least `min` items, after an item whose hash is 0 modulo
/// `one_in`, and always at `max` (so a run of items that never cut stays bounded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cuts {
    /// No piece is shorter than this (except the last).
    pub min: usize,
    /// No piece is longer than this.
    pub max: usize,
    /// After `min`, one item in this many ends a piece: pieces average about `min + one_in`.
    pub one_in: u64,
}

impl Cuts {
    /// Whether a piece may end after the item with this hash (hex; its first 8 digits count).
    fn ends_after(self, hash: &str) -> bool {
        hash.get(..8).and_then(|h| u64::from_str_radix(h, 16).ok()).is_some_and(|v| v % self.one_in == 0)
    }

    /// The pieces of a list given its items' hashes in order, as index ranges covering every item
    /// exactly once, in order.
    pub fn cut<S: AsRef<str>>(self, hashes: &[S]) -> Vec<Range<usize>> {
        let mut pieces = Vec::new();
        let mut start = 0;
        for (i, hash) in hashes.iter().enumerate() {
            let len = i + 1 - start;
            if len >= self.max || (len >= self.min && self.ends_after(hash.as_ref())) {
                pieces.push(start..i + 1);
                start = i + 1;
            }
        }
        if start < hashes.len() {
            pieces.push(start..hashes.len());
        }
        pieces
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use shoebox_core::keys::photo_id;

    pub(crate) fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("IMG_{i:05}.jpg")).collect()
    }

    fn hashes(names: &[String]) -> Vec<String> {
        names.iter().map(|n| photo_id(&format!("A/{n}"))).collect()
    }

    /// The pieces as the lists of hashes they hold.
    fn contents(cuts: Cuts, hashes: &[String]) -> Vec<Vec<String>> {
        cuts.cut(hashes).into_iter().map(|r| hashes[r].to_vec()).collect()
    }

    /// Checks that `cuts` covers every item once, in order and within bounds, and returns how
    /// many pieces 10,000 items make.
    pub(crate) fn check_cover(cuts: Cuts) -> usize {
        for n in [0, 1, cuts.min - 1, cuts.min, 200, 10_000] {
            let pieces = cuts.cut(&hashes(&names(n)));
            let mut next = 0;
            for (i, piece) in pieces.iter().enumerate() {
                assert_eq!(piece.start, next, "n = {n}: contiguous");
                assert!(piece.len() <= cuts.max, "n = {n}: piece {i} has {}", piece.len());
                if i + 1 < pieces.len() {
                    assert!(piece.len() >= cuts.min, "n = {n}: piece {i} has {}", piece.len());
                }
                next = piece.end;
            }
            assert_eq!(next, n, "every item");
        }
        cuts.cut(&hashes(&names(10_000))).len()
    }

    /// Checks that one item added or removed anywhere changes one or two pieces.
    pub(crate) fn check_local(cuts: Cuts) {
        let all = names(5_000);
        let before = contents(cuts, &hashes(&all));
        for at in [0, 1, 777, 2_500, 4_999] {
            let mut added = all.clone();
            added.insert(at, format!("IMG_{at:05}b.jpg"));
            let mut removed = all.clone();
            removed.remove(at);
            for (what, changed) in [("added", &added), ("removed", &removed)] {
                let after = contents(cuts, &hashes(changed));
                let new = after.iter().filter(|p| !before.contains(p)).count();
                assert!((1..=2).contains(&new), "{what} at {at}: {new} pieces differ");
            }
        }
    }

    #[test]
    fn pieces_by_position_would_not_be_local() {
        // What the check above guards against: cutting every 48 items moves every later cut.
        let every_48 = Cuts { min: 48, max: 48, one_in: 1 << 40 };
        assert!(std::panic::catch_unwind(|| check_local(every_48)).is_err());
    }
}
