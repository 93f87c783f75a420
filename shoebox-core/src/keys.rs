//! Every key and URL scheme Shoebox uses, in one place: the only file that spells the reserved
//! folders (`_p/`, `_o/`, `_g/`, `_c/`, `_auth/`, `_assets/`, `_data/`, `_manifests/`, `_theme/`).
//!
//! | bucket  | key (= URL path where served)                    |
//! |---------|--------------------------------------------------|
//! | source  | `ALBUM/…/PHOTO.jpg`, `ALBUM/album.yml`, `_theme/` |
//! | source  | served as `/ALBUM/…/_o/PHOTO.jpg` (originals)     |
//! | resized | `ALBUM/…/_p/STEM-HASH/WIDTH.jpg`                  |
//! | resized | `_manifests/ALBUM/…/PHOTO.jpg.json`               |
//! | web     | `index.html`, `ALBUM/…/index.html`                |
//! | web     | `ALBUM/…/_g/HASH.json` (a big album's grid, in parts) |
//! | web     | `_data/ALBUM/…/album.json`, `_data/gallery.json`  |
//! | web     | `_data/ALBUM/…/_c/HASH.json.gz` (an album's data, in chunks) |
//! | web     | `_assets/NAME.HASH.EXT`, `_auth/login.html`, …    |
//!
//! One album, one policy: everything private about an album (its page, derivatives, originals,
//! sub-albums) lives under the album's own URL path, so the CloudFront policy resource
//! `https://HOST/ALBUM/*` ([`album_resource`]) grants exactly that album. Names starting with
//! `_` are never albums or photos, so the reserved folders cannot collide with them.
//!
//! HASH is derived from the source object's ETag (and key), so a replaced photo gets new
//! derivative URLs and every derivative can be cached forever.

use crate::formats::{is_video_extension, PhotoFormat, VIDEO_EXTENSIONS};
use sha2::{Digest, Sha256};
use std::borrow::Cow;

/// Name of the optional per-album metadata file.
pub const ALBUM_METADATA_FILE: &str = "album.yml";
/// The folder inside an album that holds its derivatives: `ALBUM/_p/STEM-HASH/WIDTH.jpg`.
pub const DERIVATIVES_FOLDER: &str = "_p";
/// The folder inside an album's URL path that serves its originals: `/ALBUM/_o/PHOTO.jpg`.
pub const ORIGINALS_FOLDER: &str = "_o";
/// Prefix of manifest keys in the resized bucket (never served).
pub const MANIFESTS_PREFIX: &str = "_manifests/";
/// Prefix of the failure records in the resized bucket: one per photo that cannot be shown.
pub const FAILURES_PREFIX: &str = "_failures/";
/// Prefix of the site builder's data files in the web bucket.
pub const DATA_PREFIX: &str = "_data/";
/// The web-bucket key of the gallery summary.
pub const GALLERY_DATA_KEY: &str = "_data/gallery.json";
/// Prefix of the content-hashed stylesheet and scripts in the web bucket.
pub const ASSETS_PREFIX: &str = "_assets/";
/// The prefix of the source bucket (or the folder of albums) a theme is read from.
pub const THEME_PREFIX: &str = "_theme/";
/// Key of the gallery's front page in the web bucket.
pub const INDEX_PAGE: &str = "index.html";

/// The sign-in folder's URL prefix: nothing under it is private, and a login never returns
/// into it.
pub const AUTH_URL_PREFIX: &str = "/_auth/";
/// Where the sign-in form is shown (GET) and sent (POST), answered by the edge function.
pub const LOGIN_PATH: &str = "/_auth/login";
/// Where visitors sign out, answered by the edge function.
pub const LOGOUT_PATH: &str = "/_auth/logout";
/// Where share links are opened (`/_auth/share?t=TOKEN`), answered by the edge function.
pub const SHARE_PATH: &str = "/_auth/share";
/// Web-bucket key of the static sign-in page CloudFront shows instead of a forbidden page.
pub const LOGIN_PAGE_KEY: &str = "_auth/login.html";
/// Web-bucket key of the static sign-in page's script (no inline scripts: the CSP allows none).
pub const LOGIN_SCRIPT_KEY: &str = "_auth/login.js";
/// Web-bucket key of the not-found page (unsigned, like the sign-in page).
pub const NOT_FOUND_PAGE_KEY: &str = "_auth/404.html";

/// CloudFront path pattern of the unsigned sign-in folder (pages, their script, the 404 page).
pub const AUTH_PATTERN: &str = "/_auth/*";
/// CloudFront path pattern of the unsigned content-hashed assets.
pub const ASSETS_PATTERN: &str = "/_assets/*";
/// CloudFront path pattern of every album's derivatives (resized bucket, signed).
pub const DERIVATIVES_PATTERN: &str = "*/_p/*";
/// CloudFront path pattern of every album's originals (source bucket, signed).
pub const ORIGINALS_PATTERN: &str = "*/_o/*";

/// Why a key of the source bucket is left alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ignored {
    /// A folder marker (`Trip/`) or an empty key.
    FolderMarker,
    /// `Trip//a.jpg`: a path part is empty.
    EmptySegment,
    /// A path part starts with `.` or `_` (hidden files, `..`, `_drafts/`, the reserved folders).
    Hidden,
    /// A file at the bucket's root belongs to no album.
    AtRoot,
    /// Neither a photo, a video nor `album.yml`.
    NotAPhoto,
}

impl std::fmt::Display for Ignored {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ignored::FolderMarker => f.write_str("folder marker"),
            Ignored::EmptySegment => f.write_str("empty path segment"),
            Ignored::Hidden => f.write_str("name starts with '.' or '_'"),
            Ignored::AtRoot => f.write_str("at the bucket root, not inside an album folder"),
            Ignored::NotAPhoto => {
                f.write_str("not a photo (")?;
                for (i, ext) in PhotoFormat::extensions().enumerate() {
                    write!(f, "{}.{ext}", if i == 0 { "" } else { " " })?;
                }
                f.write_str("), a video (")?;
                for (i, ext) in VIDEO_EXTENSIONS.iter().enumerate() {
                    write!(f, "{}.{ext}", if i == 0 { "" } else { " " })?;
                }
                write!(f, ") or {ALBUM_METADATA_FILE}")
            }
        }
    }
}

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
    /// A video inside an album folder (the video worker's; shown like a photo, by its poster).
    Video {
        /// The album path.
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
    /// A key Shoebox deliberately leaves alone, and why.
    Ignored(Ignored),
}

/// Why a key cannot be used by Shoebox at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SourceKeyError {
    /// A key that is not a manifest key was given where one was expected.
    #[error("{0:?} is not a manifest key (expected _manifests/…/NAME.json)")]
    NotAManifestKey(String),
}

/// Why a path of folder names is not an album (or a key inside one), if it is not.
fn folder_path_problem(path: &str) -> Option<Ignored> {
    let parts = path.split('/');
    if parts.clone().any(str::is_empty) {
        return Some(Ignored::EmptySegment);
    }
    parts.clone().any(|p| p.starts_with('.') || p.starts_with('_')).then_some(Ignored::Hidden)
}

/// Whether `album` names an album (or a folder of albums): folder names joined by `/`, none
/// empty, none starting with `.` or `_`.
pub fn is_album_path(album: &str) -> bool {
    folder_path_problem(album).is_none()
}

/// Classifies a key of the source bucket.
///
/// Folders are albums and nested folders are sub-albums. Any path part starting with `.` or `_`
/// is ignored (hidden files, `..`, `_drafts/`), as are folder markers, empty path parts, photos
/// at the bucket's root (they belong to no album) and files that are not photos.
pub fn classify_source_key(key: &str) -> SourceObject {
    if key.is_empty() || key.ends_with('/') {
        return SourceObject::Ignored(Ignored::FolderMarker);
    }
    if let Some(why) = folder_path_problem(key) {
        return SourceObject::Ignored(why);
    }
    let Some((album, file)) = key.rsplit_once('/') else {
        return SourceObject::Ignored(Ignored::AtRoot);
    };
    if file == ALBUM_METADATA_FILE {
        return SourceObject::AlbumMetadata { album: album.to_owned() };
    }
    match file.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && PhotoFormat::from_extension(ext).is_some() => {
            SourceObject::Photo { album: album.to_owned(), stem: stem.to_owned(), extension: ext.to_owned() }
        }
        Some((stem, ext)) if !stem.is_empty() && is_video_extension(ext) => {
            SourceObject::Video { album: album.to_owned(), stem: stem.to_owned(), extension: ext.to_owned() }
        }
        _ => SourceObject::Ignored(Ignored::NotAPhoto),
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
    hex(&h.finalize()[..6])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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

/// The key of a video's web copy, beside its poster's derivatives: `ALBUM/…/_p/STEM-HASH/video.mp4`.
pub fn web_video_key(dir: &str) -> String {
    format!("{dir}video.mp4")
}

/// The manifest key of a source photo: `_manifests/SOURCE_KEY.json`.
pub fn manifest_key(source_key: &str) -> String {
    format!("{MANIFESTS_PREFIX}{source_key}.json")
}

/// The prefix of the manifests of an album's photos (and of its sub-albums' photos).
pub fn album_manifests_prefix(album: &str) -> String {
    format!("{MANIFESTS_PREFIX}{album}/")
}

/// The source key a manifest key describes (inverse of [`manifest_key`]).
pub fn source_key_of_manifest(manifest_key: &str) -> Result<&str, SourceKeyError> {
    manifest_key
        .strip_prefix(MANIFESTS_PREFIX)
        .and_then(|k| k.strip_suffix(".json"))
        .filter(|k| !k.is_empty())
        .ok_or_else(|| SourceKeyError::NotAManifestKey(manifest_key.to_owned()))
}

/// The resized-bucket key of the failure record of a photo that cannot be shown.
pub fn failure_key(source_key: &str) -> String {
    format!("{FAILURES_PREFIX}{source_key}.json")
}

/// The source key a failure record's key names (inverse of [`failure_key`]).
pub fn source_key_of_failure(failure_key: &str) -> Option<&str> {
    failure_key.strip_prefix(FAILURES_PREFIX).and_then(|k| k.strip_suffix(".json")).filter(|k| !k.is_empty())
}

/// The web-bucket key of an album's page: `ALBUM/…/index.html` (the index for the root).
pub fn album_page_key(album: &str) -> String {
    if album.is_empty() {
        INDEX_PAGE.to_owned()
    } else {
        format!("{album}/{INDEX_PAGE}")
    }
}

/// The folder inside an album that holds the parts of its grid the page loads as the visitor
/// scrolls: `ALBUM/_g/HASH.json`.
pub const GRID_FOLDER: &str = "_g";

/// The web-bucket key of one part of an album's grid, named by a hash of its content (so it is
/// never changed, only replaced): `ALBUM/…/_g/HASH.json`.
pub fn grid_part_key(album: &str, hash: &str) -> String {
    format!("{album}/{GRID_FOLDER}/{hash}.json")
}

/// The URL of the folder holding an album's grid parts, `/ALBUM/…/_g/`: a part's URL is this,
/// its hash and `.json`.
pub fn grid_parts_url(album: &str) -> String {
    format!("{}/", url_path(&format!("{album}/{GRID_FOLDER}")))
}

/// Whether a web-bucket key is a grid part ([`grid_part_key`]): content-named, so cached for good.
pub fn is_grid_part(key: &str) -> bool {
    let mut segments = key.rsplit('/');
    segments.next().is_some_and(|file| file.ends_with(".json")) && segments.next() == Some(GRID_FOLDER)
}

/// The web-bucket key of an album's data file: `_data/ALBUM/…/album.json`.
pub fn album_data_key(album: &str) -> String {
    format!("{DATA_PREFIX}{album}/album.json")
}

/// The album whose data file `key` is (the inverse of [`album_data_key`]).
pub fn album_of_data_key(key: &str) -> Option<&str> {
    key.strip_prefix(DATA_PREFIX)?.strip_suffix("/album.json").filter(|a| !a.is_empty())
}

/// The folder beside an album's data file that holds its chunks: `_data/ALBUM/…/_c/`.
pub const DATA_CHUNK_FOLDER: &str = "_c";

/// The web-bucket key of one chunk of an album's data, named by a hash of its content:
/// `_data/ALBUM/…/_c/HASH.json.gz`.
pub fn album_data_chunk_key(album: &str, hash: &str) -> String {
    format!("{DATA_PREFIX}{album}/{DATA_CHUNK_FOLDER}/{hash}.json.gz")
}

/// The album and hash of a data chunk's key (the inverse of [`album_data_chunk_key`]).
pub fn data_chunk_of_key(key: &str) -> Option<(&str, &str)> {
    let rest = key.strip_prefix(DATA_PREFIX)?.strip_suffix(".json.gz")?;
    let (album, hash) = rest.rsplit_once('/')?;
    let album = album.strip_suffix(DATA_CHUNK_FOLDER)?.strip_suffix('/')?;
    (!album.is_empty() && !hash.is_empty()).then_some((album, hash))
}

/// The source key of an album's `album.yml`.
pub fn album_metadata_key(album: &str) -> String {
    format!("{album}/{ALBUM_METADATA_FILE}")
}

/// The web-bucket key of a content-hashed asset: `_assets/NAME.HASH.EXTENSION`.
pub fn asset_key(name: &str, hash: &str, extension: &str) -> String {
    format!("{ASSETS_PREFIX}{name}.{hash}.{extension}")
}

/// A stable id for a photo within its album page (`#photo-ID` deep links): 10 hex digits of
/// SHA-256 of the source key, so it survives replacing the photo's content.
pub fn photo_id(source_key: &str) -> String {
    hex(&Sha256::digest(source_key.as_bytes())[..5])
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
/// distribution's rewrite ([`origin_path`]) turns it back into the source key's path.
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

/// The path the origin is asked for: what the distribution's viewer-request CloudFront
/// Function (`PathRewriteFunction` in `template.yaml`, held to the same table,
/// `deploy/tests/path-rewrites.json`) makes of a request path. An original's `/ALBUM/_o/FILE`
/// becomes `/ALBUM/FILE` (its source key), a folder `/ALBUM/` is served by `/ALBUM/index.html`.
pub fn origin_path(uri: &str) -> Cow<'_, str> {
    let originals = format!("/{ORIGINALS_FOLDER}/");
    match uri.find(&originals) {
        Some(i) if i > 0 => Cow::Owned(format!("{}{}", &uri[..i], &uri[i + originals.len() - 1..])),
        _ if uri.ends_with('/') => Cow::Owned(format!("{uri}{INDEX_PAGE}")),
        _ => Cow::Borrowed(uri),
    }
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
        for (key, why) in [
            ("", Ignored::FolderMarker),
            ("Trip/", Ignored::FolderMarker),
            ("Trip//a.jpg", Ignored::EmptySegment),
            (".hidden/a.jpg", Ignored::Hidden),
            ("Trip/.DS_Store", Ignored::Hidden),
            ("Trip/_drafts/a.jpg", Ignored::Hidden),
            ("Trip/../etc/a.jpg", Ignored::Hidden),
            ("a.jpg", Ignored::AtRoot),
            ("album.yml", Ignored::AtRoot),
            ("Trip/notes.txt", Ignored::NotAPhoto),
            ("Trip/.jpg", Ignored::Hidden),
            ("Trip/noext", Ignored::NotAPhoto),
            ("Trip/.MOV", Ignored::Hidden),
            ("Trip/song.m4a", Ignored::NotAPhoto),
        ] {
            assert_eq!(classify_source_key(key), SourceObject::Ignored(why), "{key:?}");
        }
        assert!(matches!(classify_source_key("Trip/IMG_0001.HEIC"), SourceObject::Photo { .. }));
    }

    #[test]
    fn videos_are_their_own_kind_of_source_object() {
        // A Live Photo's video beside its HEIC still, and other phones' clips.
        assert_eq!(
            classify_source_key("Trip/IMG_0001.MOV"),
            SourceObject::Video { album: "Trip".into(), stem: "IMG_0001".into(), extension: "MOV".into() }
        );
        for key in ["A/b.mp4", "A/B/c d.webm", "A/x.M4V", "A/y.mkv", "A/z.3gp"] {
            assert!(matches!(classify_source_key(key), SourceObject::Video { .. }), "{key}");
        }
        assert_eq!(classify_source_key("x.mov"), SourceObject::Ignored(Ignored::AtRoot));
        let dir = derivative_dir("Trip", "IMG_0001", "e", "Trip/IMG_0001.MOV");
        assert_eq!(web_video_key(&dir), format!("{dir}video.mp4"));
        assert!(url_path(&web_video_key(&dir)).starts_with(&album_url("Trip")), "inside the album's policy");
    }

    #[test]
    fn the_not_a_photo_reason_names_every_photo_extension_from_the_format_table() {
        let reason = Ignored::NotAPhoto.to_string();
        assert_eq!(
            reason,
            "not a photo (.jpg .jpeg .mpo .png .webp .gif .tif .tiff .heic .heif .hif .avif), \
             a video (.mov .mp4 .m4v .3gp .webm .mkv) or album.yml"
        );
        for ext in PhotoFormat::extensions() {
            assert!(
                matches!(classify_source_key(&format!("A/x.{ext}")), SourceObject::Photo { .. }),
                "{ext}"
            );
        }
    }

    #[test]
    fn album_paths_are_folder_names_that_are_not_hidden() {
        for ok in ["Trip", "Trips/Rome 2024", "Caf\u{e9}", "a*b?"] {
            assert!(is_album_path(ok), "{ok:?}");
        }
        for bad in ["", "/", "Trip/", "/Trip", "a//b", "_auth", "Trip/_p", ".git", "a/../b"] {
            assert!(!is_album_path(bad), "{bad:?}");
        }
    }

    #[test]
    fn manifest_keys_round_trip() {
        for key in ["Trip/a.jpg", "Trips/Rome 2024/a+b ü.jpeg", "x/y/z/w.png"] {
            let m = manifest_key(key);
            assert!(m.starts_with(MANIFESTS_PREFIX) && m.ends_with(".json"));
            assert_eq!(source_key_of_manifest(&m), Ok(key));
        }
        assert!(source_key_of_manifest("Trip/_p/a.json").is_err());
        assert_eq!(source_key_of_failure(&failure_key("Trip/IMG 1.jpg")), Some("Trip/IMG 1.jpg"));
        assert_eq!(source_key_of_failure("_failures/.json"), None);
        assert_eq!(source_key_of_failure("_manifests/Trip/a.jpg.json"), None);
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
        assert_eq!(grid_part_key("A/B", "0123456789"), "A/B/_g/0123456789.json");
        assert!(is_grid_part(&grid_part_key("A/B c", "0123456789")));
        assert!(
            !is_grid_part("A/_g.json")
                && !is_grid_part("_data/A/album.json")
                && !is_grid_part("A/index.html")
        );
        let part = url_path(&grid_part_key("A/B c", "0123456789"));
        assert_eq!(part, format!("{}0123456789.json", grid_parts_url("A/B c")), "the folder the page names");
        assert!(part.starts_with(&album_url("A/B c")), "a grid part is inside its album's policy: {part}");
        assert_eq!(album_data_key("A/B c"), "_data/A/B c/album.json");
        assert_eq!(album_of_data_key(&album_data_key("A/B c")), Some("A/B c"));
        assert_eq!(album_of_data_key(GALLERY_DATA_KEY), None);
        let chunk = album_data_chunk_key("A/B c", "0123abcd");
        assert_eq!(chunk, "_data/A/B c/_c/0123abcd.json.gz");
        assert_eq!(data_chunk_of_key(&chunk), Some(("A/B c", "0123abcd")));
        assert_eq!(album_of_data_key(&chunk), None);
        assert_eq!(data_chunk_of_key(&album_data_key("A")), None);
        assert_eq!(data_chunk_of_key("_data/_c/x.json.gz"), None);
        assert!(GALLERY_DATA_KEY.starts_with(DATA_PREFIX));
        assert_eq!(asset_key("site", "0123456789", "css"), "_assets/site.0123456789.css");
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
    fn the_sign_in_paths_and_patterns_spell_the_same_folders() {
        for path in [LOGIN_PATH, LOGOUT_PATH, SHARE_PATH] {
            assert!(path.starts_with(AUTH_URL_PREFIX), "{path}");
        }
        for key in [LOGIN_PAGE_KEY, LOGIN_SCRIPT_KEY, NOT_FOUND_PAGE_KEY] {
            assert!(format!("/{key}").starts_with(AUTH_URL_PREFIX), "{key}");
        }
        assert_eq!(AUTH_PATTERN, format!("{AUTH_URL_PREFIX}*"));
        assert_eq!(ASSETS_PATTERN, format!("/{ASSETS_PREFIX}*"));
        assert_eq!(DERIVATIVES_PATTERN, format!("*/{DERIVATIVES_FOLDER}/*"));
        assert_eq!(ORIGINALS_PATTERN, format!("*/{ORIGINALS_FOLDER}/*"));
        for reserved in
            [AUTH_URL_PREFIX, ASSETS_PREFIX, DATA_PREFIX, MANIFESTS_PREFIX, FAILURES_PREFIX, THEME_PREFIX]
        {
            let folder = reserved.trim_matches('/');
            assert!(!is_album_path(folder), "{folder} can never be an album");
        }
    }

    #[test]
    fn origin_paths_rewrite_originals_and_folders_like_the_cloudfront_function() {
        assert_eq!(origin_path("/"), "/index.html");
        assert_eq!(origin_path("/A/B/"), "/A/B/index.html");
        assert_eq!(origin_path("/A/_o/x.jpg"), "/A/x.jpg");
        assert_eq!(
            origin_path(&original_url("Trips/Rome 2024/a+b.jpg")),
            url_path("Trips/Rome 2024/a+b.jpg")
        );
        assert_eq!(origin_path("/A/_p/x/640.jpg"), "/A/_p/x/640.jpg");
        assert_eq!(origin_path("/_o/x.jpg"), "/_o/x.jpg");
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
