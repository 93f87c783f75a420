//! A big album's grid in parts. The page holds the first [`INLINE_PHOTOS`] photos (the first
//! screen, and what works without JavaScript); the rest is cut into parts that the page's script
//! loads as the visitor scrolls (`ALBUM/_g/HASH.json`, [`shoebox_core::keys::grid_part_key`]).
//!
//! Parts are cut where a photo's id says so (content-defined, like rsync's rolling cuts), not
//! every N photos: a photo added or removed changes the part it falls in (and at most the one
//! after), never every part behind it, so an update rewrites a part and the page, not the album.
//! Each part is named by a hash of its bytes: written once, cached for good, and a page always
//! names exactly the parts it was rendered with.

use std::ops::Range;

/// Photos rendered into the page itself; the parts hold the rest.
pub const INLINE_PHOTOS: usize = 36;
/// No part is cut shorter than this (except the last).
pub const MIN_PART: usize = 16;
/// A part is cut here whatever the ids say, so a run of ids that never cut stays bounded.
pub const MAX_PART: usize = 192;
/// After [`MIN_PART`], one photo id in this many ends a part: parts average about 48 photos
/// (~30 KB of JSON), so one new photo rewrites about as much part as page.
const CUT_ONE_IN: u64 = 32;

/// Whether a part may end after the photo with this id (hex, as
/// [`shoebox_core::keys::photo_id`] makes them).
fn ends_part(id: &str) -> bool {
    id.get(..8).and_then(|h| u64::from_str_radix(h, 16).ok()).is_some_and(|v| v % CUT_ONE_IN == 0)
}

/// The parts of a grid given its photo ids in grid order, as index ranges covering every photo
/// exactly once, in order.
pub fn cut<S: AsRef<str>>(ids: &[S]) -> Vec<Range<usize>> {
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, id) in ids.iter().enumerate() {
        let len = i + 1 - start;
        if len >= MAX_PART || (len >= MIN_PART && ends_part(id.as_ref())) {
            parts.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < ids.len() {
        parts.push(start..ids.len());
    }
    parts
}

/// The attribute of the album page's grid that lists its parts: `HASH:COUNT` separated by spaces.
pub const PARTS_ATTRIBUTE: &str = "data-parts";

/// The names (hashes) of the parts a stored album page lists, so the parts it no longer needs
/// can be deleted once a new version replaces it. A page without parts (or a theme that leaves
/// the attribute out) lists none.
pub fn listed_parts(html: &[u8]) -> Vec<String> {
    let Ok(html) = std::str::from_utf8(html) else { return Vec::new() };
    let marker = format!(" {PARTS_ATTRIBUTE}=\"");
    let Some(start) = html.find(&marker).map(|i| i + marker.len()) else { return Vec::new() };
    let Some(len) = html[start..].find('"') else { return Vec::new() };
    html[start..start + len]
        .split_ascii_whitespace()
        .filter_map(|entry| entry.split_once(':').map(|(hash, _)| hash))
        .filter(|hash| !hash.is_empty() && hash.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use shoebox_core::keys::photo_id;

    fn ids(names: &[String]) -> Vec<String> {
        names.iter().map(|n| photo_id(&format!("A/{n}"))).collect()
    }

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("IMG_{i:05}.jpg")).collect()
    }

    /// The parts as the lists of ids they hold.
    fn contents(ids: &[String]) -> Vec<Vec<String>> {
        cut(ids).into_iter().map(|r| ids[r].to_vec()).collect()
    }

    #[test]
    fn parts_cover_every_photo_once_in_order_within_their_bounds() {
        for n in [0, 1, 15, 16, 200, 10_000] {
            let ids = ids(&names(n));
            let parts = cut(&ids);
            let mut next = 0;
            for (i, part) in parts.iter().enumerate() {
                assert_eq!(part.start, next, "n = {n}: contiguous");
                assert!(part.len() <= MAX_PART, "n = {n}: part {i} has {}", part.len());
                if i + 1 < parts.len() {
                    assert!(part.len() >= MIN_PART, "n = {n}: part {i} has {}", part.len());
                }
                next = part.end;
            }
            assert_eq!(next, n, "every photo");
        }
        let parts = cut(&ids(&names(10_000)));
        assert!((150..300).contains(&parts.len()), "about 48 photos a part: {} parts", parts.len());
    }

    #[test]
    fn a_photo_added_or_removed_changes_at_most_two_parts() {
        let all = names(5_000);
        let before = contents(&ids(&all));
        for at in [0, 1, 777, 2_500, 4_999] {
            let mut added = all.clone();
            added.insert(at, format!("IMG_{at:05}b.jpg"));
            let mut removed = all.clone();
            removed.remove(at);
            for (what, changed) in [("added", &added), ("removed", &removed)] {
                let after = contents(&ids(changed));
                let new = after.iter().filter(|p| !before.contains(p)).count();
                assert!((1..=2).contains(&new), "{what} at {at}: {new} parts differ");
            }
        }
    }

    #[test]
    fn stored_pages_name_their_parts() {
        let page =
            br#"<ul class="grid" data-total="300" data-parts="0a1b2c:96 ffee00:12 bad!:3 :4 nocount">"#;
        assert_eq!(listed_parts(page), ["0a1b2c", "ffee00"]);
        assert!(listed_parts(b"<ul class=\"grid\">").is_empty());
        assert!(listed_parts(b"<ul data-parts=\"0a:1").is_empty(), "unterminated");
        assert!(listed_parts(&[0xff, 0xfe]).is_empty(), "not UTF-8");
    }
}
