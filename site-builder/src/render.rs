//! Rendering pages from album data: Handlebars templates embedded in the binary, view models
//! built here, and writes that skip pages whose bytes did not change.

use crate::album::AlbumData;
use crate::assets::{Asset, Assets};
use crate::gallery::{ordered_with, AlbumSummary, Cover, GallerySummary};
use crate::parts::{GRID_CUTS, INLINE_PHOTOS};
use crate::theme::Theme;
use base64::Engine as _;
use bytes::Bytes;
use serde::Serialize;
use shared::store::md5_etag;
use shared::{ObjectStore, PutOptions, StoreError};
use shoebox_core::keys::{
    album_url, grid_part_key, grid_parts_url, last_segment, original_url, photo_id, url_path,
};
use shoebox_core::{Derivative, ExifSummary, PhotoManifest};
use std::sync::atomic::{AtomicBool, Ordering};

/// The embedded templates, by name; a theme may replace any of them.
const TEMPLATES: [(&str, &str); 5] = [
    ("layout", include_str!("../templates/layout.hbs")),
    ("tile", include_str!("../templates/tile.hbs")),
    ("index", include_str!("../templates/index.hbs")),
    ("album", include_str!("../templates/album.hbs")),
    ("404", include_str!("../templates/404.hbs")),
];
/// Target row height of the justified grid, in CSS pixels.
const ROW_HEIGHT: f64 = 240.0;

/// Why a page could not be rendered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// A template failed (a bug in a template, or a theme override).
    #[error("template {name}: {message}")]
    Template {
        /// Template name.
        name: String,
        /// The engine's message.
        message: String,
    },
    /// Writing to the web bucket failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The templates and the content-hashed names of the assets.
pub struct Renderer {
    handlebars: handlebars::Handlebars<'static>,
    /// The gallery's title (index heading, page titles).
    pub title: String,
    assets: Assets,
    originals: bool,
    upload_hint: Option<String>,
    /// Set once this renderer has made sure its assets are in the web bucket (they are
    /// content-hashed, so a warm Lambda need not check again on every batch).
    assets_published: AtomicBool,
}

#[derive(Serialize)]
struct PageAssets {
    css: String,
    script: String,
}

#[derive(Serialize)]
struct Crumb {
    title: String,
    href: String,
}

#[derive(Serialize)]
struct Img {
    src: String,
    srcset: String,
    width: u32,
    height: u32,
    placeholder: String,
    thumbhash: String,
}

#[derive(Serialize)]
struct Tile {
    /// Newest capture time in the album or anywhere below it (for ordering, not shown).
    #[serde(skip)]
    newest: Option<String>,
    href: String,
    title: String,
    count_label: String,
    dates: Option<String>,
    cover: Option<Img>,
}

#[derive(Serialize)]
struct Full {
    src: String,
    width: u32,
    height: u32,
}

#[derive(Serialize)]
struct PhotoView {
    id: String,
    /// 1-based place in the album (for screen readers, which see only the photos in the page).
    position: usize,
    alt: String,
    caption: Option<String>,
    width: u32,
    height: u32,
    src: String,
    srcset: String,
    placeholder: String,
    grow: String,
    basis: u32,
    ratio: String,
    full: Full,
    thumbhash: String,
    /// File name without extension (download name, default alt text).
    name: String,
    /// Camera, lens, exposure and date on one line, for the lightbox.
    exif: Option<String>,
    original: Option<String>,
    /// `eager` for the photos of the first screen (the largest paint must not wait for lazy
    /// loading), `lazy` for the rest.
    loading: &'static str,
    /// The very first photo, fetched with high priority.
    first: bool,
    /// A video's web copy, or a Live Photo's motion.
    video: Option<VideoView>,
}

/// What the page needs to play a video or a Live Photo's motion.
#[derive(Serialize)]
struct VideoView {
    /// The web MP4's URL.
    src: String,
    width: u32,
    height: u32,
    /// `m:ss` (or `h:mm:ss`).
    duration: String,
    /// A Live Photo's motion (played muted over the still), not a video of its own.
    live: bool,
}

/// A duration as a player shows it: `0:03`, `12:05`, `1:02:03`.
fn clock(ms: u64) -> String {
    let s = (ms + 500) / 1000;
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

fn video_view(clip: &PhotoManifest, live: bool) -> Option<VideoView> {
    let v = clip.video.as_ref()?;
    Some(VideoView {
        src: url_path(&v.web.key),
        width: v.web.width,
        height: v.web.height,
        duration: clock(v.duration_ms),
        live,
    })
}

#[derive(Serialize)]
struct Page {
    page_title: String,
    heading: String,
    breadcrumb: Vec<Crumb>,
    assets: PageAssets,
    albums: Vec<Tile>,
    subalbums: Vec<Tile>,
    photos: Vec<PhotoView>,
    description: Option<String>,
    dates: Option<String>,
    /// On the index of an empty gallery: how to add photos.
    upload_hint: Option<String>,
    /// Photos in the album (the page holds the first of them).
    photo_count: usize,
    /// The grid's parts after the photos in the page (none for a small album).
    parts: Vec<PartRef>,
    /// URL of the album's parts folder (`/ALBUM/_g/`).
    parts_at: String,
    /// Photos in the parts.
    more: usize,
}

/// A part as the page lists it.
#[derive(Serialize)]
struct PartRef {
    hash: String,
    count: usize,
}

/// One photo in a part: what the script needs to build the same grid item as the template and
/// to show the photo in the lightbox (short names: a part of 96 photos is read by every visitor
/// who scrolls that far).
#[derive(Serialize)]
struct PartPhoto<'a> {
    id: &'a str,
    /// File name without extension.
    n: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    c: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    x: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    o: Option<&'a str>,
    w: u32,
    h: u32,
    /// Laid-out width at the target row height, CSS pixels.
    b: u32,
    s: &'a str,
    ss: &'a str,
    /// The largest derivative: URL, width, height.
    f: (&'a str, u32, u32),
    t: &'a str,
    bg: &'a str,
    /// A video or Live Photo motion: URL, width, height, duration, whether it is Live.
    #[serde(skip_serializing_if = "Option::is_none")]
    v: Option<(&'a str, u32, u32, &'a str, bool)>,
    /// The alt text, when it is not the caption or name (a video's says what it is).
    #[serde(skip_serializing_if = "Option::is_none")]
    a: Option<&'a str>,
}

impl<'a> From<&'a PhotoView> for PartPhoto<'a> {
    fn from(v: &'a PhotoView) -> Self {
        Self {
            id: &v.id,
            n: &v.name,
            c: v.caption.as_deref(),
            x: v.exif.as_deref(),
            o: v.original.as_deref(),
            w: v.width,
            h: v.height,
            b: v.basis,
            s: &v.src,
            ss: &v.srcset,
            f: (&v.full.src, v.full.width, v.full.height),
            t: &v.thumbhash,
            bg: &v.placeholder,
            v: v.video.as_ref().map(|m| (m.src.as_str(), m.width, m.height, m.duration.as_str(), m.live)),
            a: v.video.as_ref().map(|_| v.alt.as_str()),
        }
    }
}

/// The content of a part file.
#[derive(Serialize)]
struct PartFile<'a> {
    photos: Vec<PartPhoto<'a>>,
}

/// A part of an album's grid, ready to store under [`GridPart::key`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridPart {
    /// Key in the web bucket ([`grid_part_key`]).
    pub key: String,
    /// Name: a hash of the body.
    pub hash: String,
    /// Photos in it.
    pub count: usize,
    /// JSON.
    pub body: String,
}

/// An album's page and the parts of its grid the page lists.
#[derive(Debug, Clone)]
pub struct AlbumPage {
    /// The page.
    pub html: String,
    /// The parts, in grid order (none for an album of up to [`INLINE_PHOTOS`] photos).
    pub parts: Vec<GridPart>,
}

/// `srcset` over the derivatives and the one to use as `src` (the smallest at least `min` wide).
fn sources(derivatives: &[Derivative], min: u32) -> (String, String) {
    let srcset = derivatives
        .iter()
        .rev()
        .map(|d| format!("{} {}w", url_path(&d.key), d.width))
        .collect::<Vec<_>>()
        .join(", ");
    let src = derivatives
        .iter()
        .rev()
        .find(|d| d.width >= min)
        .or_else(|| derivatives.first())
        .map(|d| url_path(&d.key))
        .unwrap_or_default();
    (src, srcset)
}

/// The ThumbHash's average colour as CSS, painted behind the image until it loads.
fn placeholder(thumbhash: &str) -> String {
    base64::engine::general_purpose::STANDARD
        .decode(thumbhash)
        .ok()
        .and_then(|h| thumbhash::thumb_hash_to_average_rgba(&h).ok())
        .map(|(r, g, b, _)| {
            let c = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
            format!("#{:02x}{:02x}{:02x}", c(r), c(g), c(b))
        })
        .unwrap_or_else(|| PLACEHOLDER_FALLBACK.into())
}

/// The placeholder colour of a photo whose ThumbHash does not decode.
const PLACEHOLDER_FALLBACK: &str = "#888888";

/// `2024-05-01` or `2024-05-01 – 2024-05-03`.
fn date_range(first: Option<&str>, last: Option<&str>) -> Option<String> {
    let day = |s: &str| s.get(..10).unwrap_or(s).to_owned();
    match (first.map(day), last.map(day)) {
        (Some(a), Some(b)) if a != b => Some(format!("{a} – {b}")),
        (Some(a), _) | (None, Some(a)) => Some(a),
        (None, None) => None,
    }
}

/// Markdown to HTML with no raw HTML, no images (they would load from elsewhere), and only
/// http(s), mailto and relative links.
pub fn markdown(text: &str) -> String {
    use pulldown_cmark::{CowStr, Event, Parser, Tag, TagEnd};
    let mut in_image = 0usize;
    let events = Parser::new(text).filter_map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        Event::Start(Tag::Image { .. }) => {
            in_image += 1;
            None
        }
        Event::End(TagEnd::Image) => {
            in_image = in_image.saturating_sub(1);
            None
        }
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
            let lower = dest_url.to_ascii_lowercase();
            let allowed = lower.starts_with("http://")
                || lower.starts_with("https://")
                || lower.starts_with("mailto:")
                || !lower.contains(':');
            let dest_url = if allowed { dest_url } else { CowStr::Borrowed("#") };
            Some(Event::Start(Tag::Link { link_type, dest_url, title, id }))
        }
        other => Some(other),
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

/// A tile for `path`: its own summary (None for a folder of sub-albums), a cover (possibly
/// borrowed from inside), and how many sub-albums it has.
fn tile(path: &str, own: Option<&AlbumSummary>, cover: Option<&Cover>, sub_count: usize) -> Tile {
    let name = last_segment(path).to_owned();
    let count = own.map_or(0, |s| s.photo_count);
    let mut parts = Vec::new();
    if count > 0 {
        parts.push(format!("{count} photo{}", if count == 1 { "" } else { "s" }));
    }
    if sub_count > 0 {
        parts.push(format!("{sub_count} album{}", if sub_count == 1 { "" } else { "s" }));
    }
    Tile {
        newest: None,
        href: album_url(path),
        title: own.map_or(name, |s| s.title.clone()),
        count_label: parts.join(", "),
        dates: own.and_then(|s| date_range(s.first_taken.as_deref(), s.last_taken.as_deref())),
        cover: cover.map(cover_img),
    }
}

fn cover_img(c: &Cover) -> Img {
    let (src, srcset) = sources(&c.derivatives, 640);
    Img {
        src,
        srcset,
        width: c.width,
        height: c.height,
        placeholder: placeholder(&c.thumbhash),
        thumbhash: c.thumbhash.clone(),
    }
}

/// `FUJIFILM X-T4 · XF35mmF1.4 R · 1/250 s f/2.8 ISO 400 35 mm · 2024-05-01 10:00`, from what
/// the camera recorded.
fn exif_line(e: &ExifSummary) -> Option<String> {
    let exposure: Vec<String> = [
        e.exposure.clone(),
        e.aperture.clone(),
        e.iso.map(|iso| format!("ISO {iso}")),
        e.focal_length.clone(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let when = e.captured_at.as_deref().map(|t| t.get(..16).unwrap_or(t).replacen('T', " ", 1));
    let parts: Vec<String> = [e.camera.clone(), e.lens.clone(), Some(exposure.join(" ")), when]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

fn photo_view(
    p: &PhotoManifest,
    motion: Option<&PhotoManifest>,
    caption: Option<&String>,
    originals: bool,
) -> PhotoView {
    let aspect = f64::from(p.width) / f64::from(p.height.max(1));
    let basis = (ROW_HEIGHT * aspect).round().max(1.0) as u32;
    let (src, srcset) = sources(&p.derivatives, basis);
    let full =
        p.derivatives.first().map_or(Full { src: String::new(), width: p.width, height: p.height }, |d| {
            Full { src: url_path(&d.key), width: d.width, height: d.height }
        });
    let file = last_segment(&p.source_key);
    let name = file.rsplit_once('.').map_or(file, |(stem, _)| stem).to_owned();
    let video = match motion {
        Some(clip) => video_view(clip, true),
        // A Motion Photo's own clip is its motion, like a Live Photo's.
        None => video_view(p, p.video.as_ref().is_some_and(|v| v.motion)),
    };
    let alt = caption.cloned().unwrap_or_else(|| name.clone());
    // The tile's marks are pictures; screen readers hear what the tile is from its text.
    let alt = match &video {
        Some(v) if v.live => format!("{alt} (Live Photo)"),
        Some(v) => format!("{alt} (video, {})", v.duration),
        None => alt,
    };
    PhotoView {
        id: photo_id(&p.source_key),
        position: 0,
        alt,
        caption: caption.cloned(),
        width: p.width,
        height: p.height,
        src,
        srcset,
        placeholder: placeholder(&p.thumbhash),
        grow: format!("{:.3}", aspect * 100.0),
        basis,
        ratio: format!("{:.4}", 100.0 / aspect),
        full,
        thumbhash: p.thumbhash.clone(),
        name,
        exif: exif_line(&p.exif),
        original: originals.then(|| original_url(&p.source_key)),
        loading: "lazy",
        first: false,
        video,
    }
}

/// The photos after the page's own, cut into parts ([`crate::parts`]) and serialised.
fn grid_parts(album: &str, rest: &[PhotoView]) -> Result<Vec<GridPart>, RenderError> {
    let ids: Vec<&str> = rest.iter().map(|v| v.id.as_str()).collect();
    GRID_CUTS
        .cut(&ids)
        .into_iter()
        .map(|range| {
            let file = PartFile { photos: rest[range.clone()].iter().map(PartPhoto::from).collect() };
            let body = serde_json::to_string(&file)
                .map_err(|e| RenderError::Template { name: "part".into(), message: e.to_string() })?;
            let hash = md5_etag(body.as_bytes())[..12].to_owned();
            Ok(GridPart { key: grid_part_key(album, &hash), hash, count: range.len(), body })
        })
        .collect()
}

/// How many photos at the top of an album load without waiting to be scrolled to: the first
/// screen of a phone (three rows of three) or of a desktop (about two rows).
const EAGER_PHOTOS: usize = 9;

impl Renderer {
    /// The embedded templates and stylesheet.
    pub fn new(title: impl Into<String>) -> Result<Self, RenderError> {
        Self::with_theme(title, &Theme::default())
    }

    /// The embedded templates and stylesheet with a theme's replacements.
    pub fn with_theme(title: impl Into<String>, theme: &Theme) -> Result<Self, RenderError> {
        let mut handlebars = handlebars::Handlebars::new();
        handlebars.set_strict_mode(true);
        let embedded = TEMPLATES.iter().map(|(name, text)| (*name, *text));
        let themed = theme.templates.iter().map(|(name, text)| (name.as_str(), text.as_str()));
        for (name, text) in embedded.chain(themed) {
            handlebars
                .register_template_string(name, text)
                .map_err(|e| RenderError::Template { name: name.to_owned(), message: e.to_string() })?;
        }
        Ok(Self {
            handlebars,
            title: title.into(),
            assets: Assets::new(theme.css.as_deref()),
            originals: false,
            upload_hint: None,
            assets_published: AtomicBool::new(false),
        })
    }

    /// Links each photo's original ([`original_url`]: served beside its album's pages) in the
    /// lightbox.
    pub fn with_originals(mut self, enabled: bool) -> Self {
        self.originals = enabled;
        self
    }

    /// What the index of a gallery without photos tells the owner to do (a command to copy, or
    /// a sentence), instead of a bare "no photos yet".
    pub fn with_upload_hint(mut self, hint: impl Into<String>) -> Self {
        self.upload_hint = Some(hint.into());
        self
    }

    /// The files every page references.
    pub fn assets(&self) -> impl Iterator<Item = &Asset> {
        self.assets.all()
    }

    /// Whether the assets still have to be checked in the web bucket by this renderer.
    pub(crate) fn assets_unpublished(&self) -> bool {
        !self.assets_published.load(Ordering::Relaxed)
    }

    /// Records that the assets are in the web bucket.
    pub(crate) fn assets_are_published(&self) {
        self.assets_published.store(true, Ordering::Relaxed);
    }

    fn page(&self, heading: String, breadcrumb: Vec<Crumb>) -> Page {
        let page_title =
            if breadcrumb.is_empty() { heading.clone() } else { format!("{heading} · {}", self.title) };
        Page {
            page_title,
            heading,
            breadcrumb,
            assets: PageAssets { css: self.assets.css.href(), script: self.assets.script.href() },
            albums: Vec::new(),
            subalbums: Vec::new(),
            photos: Vec::new(),
            description: None,
            dates: None,
            upload_hint: None,
            photo_count: 0,
            parts: Vec::new(),
            parts_at: String::new(),
            more: 0,
        }
    }

    fn render(&self, name: &str, page: &Page) -> Result<String, RenderError> {
        self.handlebars
            .render(name, page)
            .map_err(|e| RenderError::Template { name: name.to_owned(), message: e.to_string() })
    }

    fn tiles(&self, gallery: &GallerySummary, parent: &str) -> Vec<Tile> {
        let mut tiles: Vec<Tile> = gallery
            .children(parent)
            .iter()
            .map(|path| {
                let own = gallery.albums.get(path);
                // A folder of sub-albums borrows a cover from inside.
                let cover = own
                    .or_else(|| gallery.inside(path).next().map(|(_, s)| s))
                    .and_then(|s| s.cover.as_ref());
                let mut t = tile(path, own, cover, gallery.children(path).len());
                t.newest = own
                    .into_iter()
                    .chain(gallery.inside(path).map(|(_, s)| s))
                    .filter_map(|s| s.last_taken.clone())
                    .max();
                t
            })
            .collect();
        // Newest first, by the latest capture date inside; undated albums after, by title.
        tiles.sort_by(|a, b| match (&a.newest, &b.newest) {
            (Some(x), Some(y)) => y.cmp(x).then_with(|| a.title.cmp(&b.title)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.title.cmp(&b.title),
        });
        tiles
    }

    /// The gallery's front page.
    pub fn index(&self, gallery: &GallerySummary) -> Result<String, RenderError> {
        let mut page = self.page(self.title.clone(), Vec::new());
        page.albums = self.tiles(gallery, "");
        if page.albums.is_empty() {
            page.upload_hint = self.upload_hint.clone();
        }
        self.render("index", &page)
    }

    /// An album's page and its grid's parts (also for folders that only hold sub-albums: pass an
    /// empty `data`).
    pub fn album(&self, data: &AlbumData, gallery: &GallerySummary) -> Result<AlbumPage, RenderError> {
        let path = data.album.as_str();
        let mut breadcrumb = vec![Crumb { title: self.title.clone(), href: "/".into() }];
        let parts: Vec<&str> = path.split('/').collect();
        for i in 1..parts.len() {
            let ancestor = parts[..i].join("/");
            let title =
                gallery.albums.get(&ancestor).map_or_else(|| parts[i - 1].to_owned(), |s| s.title.clone());
            breadcrumb.push(Crumb { title, href: album_url(&ancestor) });
        }
        let heading =
            data.metadata.title.clone().unwrap_or_else(|| parts.last().copied().unwrap_or(path).to_owned());
        let mut page = self.page(heading, breadcrumb);
        page.description = data.metadata.description.as_deref().map(markdown);
        page.subalbums = self.tiles(gallery, path);
        let captions = &data.metadata.captions;
        let motions = crate::live::motions(data);
        let mut photos: Vec<PhotoView> = ordered_with(data, &motions)
            .into_iter()
            .map(|p| {
                let motion = motions.get(p.source_key.as_str()).copied();
                photo_view(p, motion, captions.get(last_segment(&p.source_key)), self.originals)
            })
            .enumerate()
            .map(|(i, mut view)| {
                if i < EAGER_PHOTOS {
                    view.loading = "eager";
                }
                view.first = i == 0;
                view.position = i + 1;
                view
            })
            .collect();
        page.photo_count = photos.len();
        let rest = photos.split_off(photos.len().min(INLINE_PHOTOS));
        page.photos = photos;
        let parts = grid_parts(path, &rest)?;
        page.more = rest.len();
        page.parts = parts.iter().map(|p| PartRef { hash: p.hash.clone(), count: p.count }).collect();
        if !parts.is_empty() {
            page.parts_at = grid_parts_url(path);
        }
        let summary = gallery.albums.get(path);
        page.dates =
            data.metadata.date.clone().or_else(|| {
                summary.and_then(|s| date_range(s.first_taken.as_deref(), s.last_taken.as_deref()))
            });
        Ok(AlbumPage { html: self.render("album", &page)?, parts })
    }

    /// The page for paths that do not exist.
    pub fn not_found(&self) -> Result<String, RenderError> {
        let page = self.page("Not found".into(), vec![Crumb { title: self.title.clone(), href: "/".into() }]);
        self.render("404", &page)
    }
}

/// Writes `body` unless the stored object already has exactly these bytes. Returns whether it wrote.
pub async fn write_if_changed(
    web: &dyn ObjectStore,
    key: &str,
    body: &[u8],
    options: &PutOptions,
) -> Result<bool, StoreError> {
    if web.head(key).await?.is_some_and(|info| info.etag == md5_etag(body)) {
        return Ok(false);
    }
    web.put(key, Bytes::copy_from_slice(body), options).await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_rendered_without_raw_html_images_or_script_links() {
        let html = markdown("Hello *world* <script>alert(1)</script> [ok](https://example.org) [bad](javascript:alert(1)) ![x](https://tracker.example/p.png)");
        assert!(html.contains("<em>world</em>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains(r#"href="https://example.org""#), "{html}");
    }

    #[test]
    fn date_ranges_and_placeholders() {
        assert_eq!(
            date_range(Some("2024-05-01T10:00:00"), Some("2024-05-03T09:00:00")).as_deref(),
            Some("2024-05-01 – 2024-05-03")
        );
        assert_eq!(
            date_range(Some("2024-05-01T10:00:00"), Some("2024-05-01T19:00:00")).as_deref(),
            Some("2024-05-01")
        );
        assert_eq!(date_range(None, None), None);
    }

    #[test]
    fn placeholders_are_the_thumbhash_average_colour() {
        let (r, g, b) = (200u8, 40u8, 40u8);
        let rgba: Vec<u8> = [r, g, b, 255].repeat(16 * 16);
        let hash =
            base64::engine::general_purpose::STANDARD.encode(thumbhash::rgba_to_thumb_hash(16, 16, &rgba));
        let colour = placeholder(&hash);
        let channel = |i: usize| u8::from_str_radix(&colour[1 + 2 * i..3 + 2 * i], 16).expect("hex");
        assert_eq!(colour.len(), 7, "{colour}");
        for (i, expected) in [r, g, b].into_iter().enumerate() {
            assert!(channel(i).abs_diff(expected) <= 8, "{colour} is not near rgb({r}, {g}, {b})");
        }
        assert_eq!(placeholder("not base64!"), PLACEHOLDER_FALLBACK);
        assert_eq!(placeholder(""), PLACEHOLDER_FALLBACK, "an empty hash is not a colour");
    }

    #[test]
    fn exif_line_shows_what_the_camera_recorded() {
        let full = ExifSummary {
            captured_at: Some("2024-05-01T10:02:03+02:00".into()),
            camera: Some("FUJIFILM X-T4".into()),
            lens: Some("XF35mmF1.4 R".into()),
            exposure: Some("1/250 s".into()),
            aperture: Some("f/2.8".into()),
            iso: Some(400),
            focal_length: Some("35 mm".into()),
            content_identifier: Some("FFCBAC24-E547-4BBC-AF47-38B1A3D845E3".into()),
        };
        assert_eq!(
            exif_line(&full).as_deref(),
            Some("FUJIFILM X-T4 · XF35mmF1.4 R · 1/250 s f/2.8 ISO 400 35 mm · 2024-05-01 10:02")
        );
        let some = ExifSummary { iso: Some(100), ..Default::default() };
        assert_eq!(exif_line(&some).as_deref(), Some("ISO 100"));
        assert_eq!(exif_line(&ExifSummary::default()), None);
    }
}
