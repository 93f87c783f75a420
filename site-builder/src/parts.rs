//! A big album's grid in parts. The page holds the first [`INLINE_PHOTOS`] photos (the first
//! screen, and what works without JavaScript); the rest is cut into parts that the page's script
//! loads as the visitor scrolls (`ALBUM/_g/HASH.json`, [`shoebox_core::keys::grid_part_key`]).
//!
//! Parts are cut where a photo's id says so ([`crate::cuts`]), so a photo added or removed
//! changes the part it falls in (and at most the one after), never every part behind it: an
//! update rewrites a part and the page, not the album. Each part is named by a hash of its bytes:
//! written once, cached for good, and a page always names exactly the parts it was rendered with.

use crate::cuts::Cuts;

/// Photos rendered into the page itself; the parts hold the rest.
pub const INLINE_PHOTOS: usize = 36;
/// How the rest is cut, by photo id ([`shoebox_core::keys::photo_id`]): parts of 16 to 192
/// photos, about 48 (~30 KB of JSON), so one new photo rewrites about as much part as page.
pub const GRID_CUTS: Cuts = Cuts { min: 16, max: 192, one_in: 32 };

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
    use crate::cuts::tests::{check_cover, check_local};

    #[test]
    fn parts_cover_every_photo_once_and_one_change_touches_at_most_two() {
        let parts = check_cover(GRID_CUTS);
        assert!((150..300).contains(&parts), "about 48 photos a part: {parts} parts");
        check_local(GRID_CUTS);
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
