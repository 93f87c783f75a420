//! S3's `sequencer`: the per-key order of events, which tells a stale event from a current one.

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

/// S3's `sequencer`: a hex string that orders events on the same key.
///
/// Values of different lengths compare after right-padding the shorter with zeros, as the S3
/// documentation prescribes, and hex digits compare without regard to case. Equality and
/// hashing follow the same rule (`0A` equals `0a00`), so a sequencer stored in one spelling is
/// recognised in another.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Sequencer(pub String);

impl Sequencer {
    /// Upper case without trailing zeros: padding with zeros never changes the order, and `0` is
    /// the smallest hex digit, so these compare as plain strings.
    fn canonical(&self) -> String {
        self.0.to_ascii_uppercase().trim_end_matches('0').to_owned()
    }
}

impl Ord for Sequencer {
    fn cmp(&self, other: &Self) -> Ordering {
        self.canonical().cmp(&other.canonical())
    }
}

impl PartialOrd for Sequencer {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Sequencer {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Sequencer {}

impl Hash for Sequencer {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.canonical().hash(state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn s(v: &str) -> Sequencer {
        Sequencer(v.into())
    }

    #[test]
    fn sequencers_compare_after_right_padding() {
        assert!(s("0055AED6DCD90281E5") < s("0055AED6DCD90281E6"));
        assert!(s("0055AED6DCD9028") < s("0055AED6DCD90281E5"));
        assert!(s("0055AED6DCD90290") > s("0055AED6DCD90281E5"));
        assert!(s("0A") < s("0A01"), "a longer value with more than zeros is later");
        assert!(s("0a") < s("0B"));
    }

    #[test]
    fn equality_and_hashing_agree_with_the_order() {
        let (short, padded) = (s("0A"), s("0a00"));
        assert_eq!(short.cmp(&padded), Ordering::Equal);
        assert_eq!(short, padded);
        assert_ne!(s("0A"), s("0A01"));
        let set: HashSet<Sequencer> = [short, padded].into_iter().collect();
        assert_eq!(set.len(), 1, "equal values hash alike");
    }
}
