//! Every key scheme Shoebox uses, in one place.
//!
//! | bucket  | key (= URL path where served)                 |
//! |---------|-----------------------------------------------|
//! | source  | `ALBUM/…/PHOTO.jpg`, `ALBUM/album.yml`         |
//! | source  | served as `/ALBUM/…/_o/PHOTO.jpg` (originals)  |
//! | resized | `ALBUM/…/_p/STEM-HASH/WIDTH.jpg`               |
//! | resized | `_manifests/ALBUM/…/PHOTO.jpg.json`            |
//! | web     | `index.html`, `ALBUM/…/index.html`             |
//! | web     | `_data/ALBUM/…/album.json`, `_data/gallery.json` |
//! | web     | `_assets/NAME.HASH.EXT`, `_auth/login.html`    |
//!
//! One album, one policy: everything private about an album (its page, derivatives, originals,
//! sub-albums) lives under the album's own URL path, so the CloudFront policy resource
//! `https://HOST/ALBUM/*` ([`album_resource`]) grants exactly that album. Names starting with
//! `_` are never albums or photos, so `_p`, `_o` and the site's own `_…` folders cannot collide
//! with them.
//!
//! HASH is derived from the source object's ETag (and key), so a replaced photo gets new
//! derivative URLs and every derivative can be cached forever.

use sha2::{Digest, Sha256};

/// Name of the optional per-album metadata file.
pub const ALBUM_METADATA_FILE: &str = "album.yml";
/// The folder inside an album that holds its derivatives: `ALBUM/_p/STEM-HASH/WIDTH.jpg`.
pub const DERIVATIVES_FOLDER: &str = "_p";
/// The folder inside an album's URL path that serves its originals: `/ALBUM/_o/PHOTO.jpg`.
pub const ORIGINALS_FOLDER: &str = "_o";
/// Prefix of manifest keys in the resized bucket (never served).
pub const MANIFESTS_PREFIX: &str = "_manifests/";
/// Key of the gallery's front page in the web bucket.
pub const INDEX_PAGE: &str = "index.html";

/// File extensions (lower case) that Shoebox treats as photos.
pub const PHOTO_EXTENSIONS: &[&str] =
    &["jpg", "jpeg", "png", "webp", "gif", "heic", "heif", "hif", "avif", "tif", "tiff", "mpo"];

/// Why a file that is neither a photo nor `album.yml` is left alone (every [`PHOTO_EXTENSIONS`]
/// entry is named; a test keeps the two in step).
const NOT_A_PHOTO: &str =
    "not a photo (.jpg .jpeg .png .webp .gif .heic .heif .hif .avif .tif .tiff .mpo) or album.yml";

/// What a key in the source bucket is, as far as Shoebox cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceObject {
    /// A photo inside an album folder.
    Photo {
        /// The album path: folder names joined by `/`, e.g. `Trips/Rome 2024`.
        album: String,
        /// The file name without its extension.
        stem: String,
        /// The extension as written in the key (case kept).
        extension: String,
    },
    /// An album's `album.yml`.
    AlbumMetadata {
        /// The album path the file describes.
        album: String,
    },
    /// A key Shoebox deliberately leaves alone; the reason says why.
    Ignored(&'static str),
}

/// Why a key cannot be used by Shoebox at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SourceKeyError {
    /// A key that is not a manifest key was given where one was expected.
    #[error("{0:?} is not a manifest key (expected _manifests/…/NAME.json)")]
    NotAManifestKey(String),
}

/// Classifies a key of the source bucket.
///
/// Folders are albums and nested folders are sub-albums. Any path part starting with `.` or `_`
/// is ignored (hidden files, `..`, `_drafts/`), as are folder markers, empty path parts, photos
/// at the bucket's root (they belong to no album) and files that are not photos.
pub fn classify_source_key(key: &str) -> SourceObject {
    if key.is_empty() || key.ends_with('/') {
        return SourceObject::Ignored("folder marker");
    }
    let parts: Vec<&str> = key.split('/').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return SourceObject::Ignored("empty path segment");
    }
    if parts.iter().any(|p| p.starts_with('.') || p.starts_with('_')) {
        return SourceObject::Ignored("name starts with '.' or '_'");
    }
    let (file, folders) = parts.split_last().expect("split of a non-empty string has a part");
    if folders.is_empty() {
        return SourceObject::Ignored("at the bucket root, not inside an album folder");
    }
    let album = folders.join("/");
    if *file == ALBUM_METADATA_FILE {
        return SourceObject::AlbumMetadata { album };
    }
    match file.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty() && PHOTO_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()) =>
        {
            SourceObject::Photo { album, stem: stem.to_owned(), extension: ext.to_owned() }
        }
        _ => SourceObject::Ignored(NOT_A_PHOTO),
    }
}

/// The last part of a key or album path: a photo's file name, an album's folder name.
pub fn last_segment(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, last)| last)
}

/// The album a source key belongs to (its folder path), or `None` at the bucket root.
pub fn album_of(source_key: &str) -> Option<&str> {
    source_key.rsplit_once('/').map(|(album, _)| album)
}

/// The short content hash in derivative keys: 12 hex digits of SHA-256 over ETag and key.
///
/// The ETag makes a replaced photo get new URLs; the key keeps `a.jpg` and `a.png` with the same
/// bytes apart. Quotes around the ETag (as S3 returns it) do not change the hash.
pub fn photo_hash(etag: &str, source_key: &str) -> String {
    let mut h = Sha256::new();
    h.update(etag.trim_matches('"').as_bytes());
    h.update([0]);
    h.update(source_key.as_bytes());
    let digest = h.finalize();
    digest[..6].iter().map(|b| format!("{b:02x}")).collect()
}

/// The folder in the resized bucket holding one version of a photo's derivatives:
/// `ALBUM/…/_p/STEM-HASH/`.
pub fn derivative_dir(album: &str, stem: &str, etag: &str, source_key: &str) -> String {
    format!("{album}/{DERIVATIVES_FOLDER}/{stem}-{}/", photo_hash(etag, source_key))
}

/// The key of one derivative: `ALBUM/…/_p/STEM-HASH/WIDTH.jpg`.
pub fn derivative_key(dir: &str, width: u32) -> String {
    format!("{dir}{width}.jpg")
}

/// The manifest key of a source photo: `_manifests/SOURCE_KEY.json`.
pub fn manifest_key(source_key: &str) -> String {
    format!("{MANIFESTS_PREFIX}{source_key}.json")
}

/// The source key a manifest key describes (inverse of [`manifest_key`]).
pub fn source_key_of_manifest(manifest_key: &str) -> Result<&str, SourceKeyError> {
    manifest_key
        .strip_prefix(MANIFESTS_PREFIX)
        .and_then(|k| k.strip_suffix(".json"))
        .filter(|k| !k.is_empty())
        .ok_or_else(|| SourceKeyError::NotAManifestKey(manifest_key.to_owned()))
}

/// The web-bucket key of an album's page: `ALBUM/…/index.html` (the index for the root).
pub fn album_page_key(album: &str) -> String {
    if album.is_empty() {
        INDEX_PAGE.to_owned()
    } else {
        format!("{album}/{INDEX_PAGE}")
    }
}

/// Prefix of the site builder's data files in the web bucket (`_` keeps it clear of albums).
pub const DATA_PREFIX: &str = "_data/";

/// The web-bucket key of an album's data file: `_data/ALBUM/…/album.json`.
pub fn album_data_key(album: &str) -> String {
    format!("{DATA_PREFIX}{album}/album.json")
}

/// The album whose data file `key` is (the inverse of [`album_data_key`]).
pub fn album_of_data_key(key: &str) -> Option<&str> {
    key.strip_prefix(DATA_PREFIX)?.strip_suffix("/album.json").filter(|a| !a.is_empty())
}

/// A stable id for a photo within its album page (`#photo-ID` deep links): 10 hex digits of
/// SHA-256 of the source key, so it survives replacing the photo's content.
pub fn photo_id(source_key: &str) -> String {
    Sha256::digest(source_key.as_bytes())[..5].iter().map(|b| format!("{b:02x}")).collect()
}

/// The web path of a key: `/` and each segment percent-encoded.
///
/// This is the one canonical spelling of every URL Shoebox makes, and CloudFront compares cookie
/// policies with it byte for byte: every byte except the unreserved `A-Z a-z 0-9 - . _ ~` is
/// `%XX` with upper-case hex (space `%20`, `+` `%2B` (S3 would read a bare `+` as a space), `#`
/// `%23`, `?` `%3F`, `%` `%25`, `*` `%2A`, UTF-8 bytes of other characters). Browsers send a
/// link's escapes exactly as written, so the requests match. Names keep their Unicode
/// normalisation: a folder made on macOS (NFD) has NFD bytes in its URLs.
pub fn url_path(key: &str) -> String {
    const SEGMENT: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
    let mut out = String::with_capacity(key.len() + 1);
    for segment in key.split('/') {
        out.push('/');
        out.extend(percent_encoding::utf8_percent_encode(segment, SEGMENT));
    }
    out
}

/// The web path of a source photo's original: `/ALBUM/…/_o/PHOTO.ext`, percent-encoded. The
/// distribution's rewrite (and the local gate) turn it back into the source key.
pub fn original_url(source_key: &str) -> String {
    match source_key.rsplit_once('/') {
        Some((album, file)) => format!("{}{ORIGINALS_FOLDER}{}", album_url(album), url_path(file)),
        None => format!("/{ORIGINALS_FOLDER}{}", url_path(source_key)),
    }
}

/// The web path of an album's page: `/ALBUM/…/` (`/` for the top level).
pub fn album_url(album: &str) -> String {
    if album.is_empty() {
        "/".into()
    } else {
        format!("{}/", url_path(album))
    }
}

/// The CloudFront policy resource that grants one album and everything under it (pages,
/// derivatives, originals, sub-albums) on `host`, and nothing else: `https://HOST/ALBUM/*`.
/// The whole site for the top level (`""`). `*` and `?` in names are percent-encoded by
/// [`url_path`], so they never act as wildcards.
pub fn album_resource(host: &str, album: &str) -> String {
    format!("https://{host}{}*", album_url(album))
}

/// The web-bucket key of the gallery summary.
pub const GALLERY_DATA_KEY: &str = "_data/gallery.json";

/// The source key of an album's `album.yml`.
pub fn album_metadata_key(album: &str) -> String {
    format!("{album}/{ALBUM_METADATA_FILE}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo(album: &str, stem: &str, ext: &str) -> SourceObject {
        SourceObject::Photo { album: album.into(), stem: stem.into(), extension: ext.into() }
    }

    #[test]
    fn classifies_photos_in_nested_albums_with_awkward_names() {
        assert_eq!(classify_source_key("Trip/IMG_1.JPG"), photo("Trip", "IMG_1", "JPG"));
        assert_eq!(
            classify_source_key("Trips/Rome 2024/a+b ü.jpeg"),
            photo("Trips/Rome 2024", "a+b ü", "jpeg")
        );
        assert_eq!(classify_source_key("x/y.tar.png"), photo("x", "y.tar", "png"));
        assert_eq!(
            classify_source_key("Trip/album.yml"),
            SourceObject::AlbumMetadata { album: "Trip".into() }
        );
    }

    #[test]
    fn ignores_hidden_root_and_non_photo_keys() {
        for key in [
            "",
            "Trip/",
            "Trip//a.jpg",
            ".hidden/a.jpg",
            "Trip/.DS_Store",
            "Trip/_drafts/a.jpg",
            "Trip/../etc/a.jpg",
            "a.jpg",
            "album.yml",
            "Trip/notes.txt",
            "Trip/.jpg",
            "Trip/noext",
            // A Live Photo's video beside its HEIC still.
            "Trip/IMG_0001.MOV",
        ] {
            assert!(
                matches!(classify_source_key(key), SourceObject::Ignored(_)),
                "{key:?} should be ignored"
            );
        }
        // The reason names every extension that would have made it a photo.
        let SourceObject::Ignored(reason) = classify_source_key("Trip/notes.txt") else { unreachable!() };
        for ext in PHOTO_EXTENSIONS {
            assert!(
                reason
                    .split(' ')
                    .any(|w| w.trim_start_matches('(').trim_end_matches(')') == format!(".{ext}")),
                "{ext}"
            );
        }
        assert!(matches!(classify_source_key("Trip/IMG_0001.HEIC"), SourceObject::Photo { .. }));
    }

    #[test]
    fn manifest_keys_round_trip() {
        for key in ["Trip/a.jpg", "Trips/Rome 2024/a+b ü.jpeg", "x/y/z/w.png"] {
            let m = manifest_key(key);
            assert!(m.starts_with(MANIFESTS_PREFIX) && m.ends_with(".json"));
            assert_eq!(source_key_of_manifest(&m), Ok(key));
        }
        assert!(source_key_of_manifest("Trip/_p/a.json").is_err());
        assert!(source_key_of_manifest("_manifests/.json").is_err());
    }

    #[test]
    fn derivative_keys_change_with_the_etag_and_not_with_quotes() {
        let a = derivative_dir("Trip", "IMG 1", "\"abc\"", "Trip/IMG 1.jpg");
        assert_eq!(a, derivative_dir("Trip", "IMG 1", "abc", "Trip/IMG 1.jpg"));
        assert_ne!(a, derivative_dir("Trip", "IMG 1", "abd", "Trip/IMG 1.jpg"));
        assert_ne!(a, derivative_dir("Trip", "IMG 1", "abc", "Trip/IMG 1.png"));
        assert!(a.starts_with("Trip/_p/IMG 1-") && a.ends_with('/'));
        assert_eq!(a.len(), "Trip/_p/IMG 1-".len() + 12 + 1);
        assert_eq!(derivative_key(&a, 640), format!("{a}640.jpg"));
    }

    #[test]
    fn album_of_and_page_keys() {
        assert_eq!(album_of("A/B/c.jpg"), Some("A/B"));
        assert_eq!(album_of("c.jpg"), None);
        assert_eq!(last_segment("A/B/c d.jpg"), "c d.jpg");
        assert_eq!(last_segment("Trips"), "Trips");
        assert_eq!(album_page_key(""), "index.html");
        assert_eq!(album_page_key("A/B"), "A/B/index.html");
        assert_eq!(album_data_key("A/B c"), "_data/A/B c/album.json");
        assert_eq!(album_of_data_key(&album_data_key("A/B c")), Some("A/B c"));
        assert_eq!(album_of_data_key(GALLERY_DATA_KEY), None);
        assert_eq!(original_url("Trips/Rome 2024/a+b.jpg"), "/Trips/Rome%202024/_o/a%2Bb.jpg");
        assert_eq!(
            classify_source_key(&album_metadata_key("A/B")),
            SourceObject::AlbumMetadata { album: "A/B".into() }
        );
        assert!(
            matches!(classify_source_key(&album_data_key("A")), SourceObject::Ignored(_)),
            "data never looks like an album"
        );
    }

    #[test]
    fn urls_are_canonical_percent_encoding() {
        assert_eq!(url_path("Trips/Rome 2024/a+b#1?.jpg"), "/Trips/Rome%202024/a%2Bb%231%3F.jpg");
        assert_eq!(url_path("100%/x*y"), "/100%25/x%2Ay");
        // NFC é is one code point, NFD is e + a combining accent: both kept as they are.
        assert_eq!(url_path("Caf\u{e9}"), "/Caf%C3%A9");
        assert_eq!(url_path("Cafe\u{301}"), "/Cafe%CC%81");
        assert_eq!(url_path("A-Z_a.z~0"), "/A-Z_a.z~0");
    }

    #[test]
    fn one_album_pattern_covers_its_pages_derivatives_originals_and_sub_albums_only() {
        let key = "Family/Kids/IMG 1.jpg";
        let dir = derivative_dir("Family/Kids", "IMG 1", "e", key);
        let pattern = album_resource("h.example", "Family/Kids");
        assert_eq!(pattern, "https://h.example/Family/Kids/*");
        for inside in [
            album_url("Family/Kids"),
            format!("{}index.html", album_url("Family/Kids")),
            url_path(&derivative_key(&dir, 640)),
            original_url(key),
            album_url("Family/Kids/2024"),
        ] {
            assert!(inside.starts_with("/Family/Kids/"), "{inside}");
        }
        for outside in
            [album_url("Kids"), album_url("Family"), album_url("Family/Kids 2"), url_path("Family/Kidsx/a")]
        {
            assert!(!outside.starts_with("/Family/Kids/"), "{outside}");
        }
        assert_eq!(album_resource("h", ""), "https://h/*");
        assert_eq!(album_resource("h", "a*b?"), "https://h/a%2Ab%3F/*");
    }
}
