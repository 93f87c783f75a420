//! Rendering pages from album data: Handlebars templates embedded in the binary, view models
//! built here, and writes that skip pages whose bytes did not change.

use crate::album::AlbumData;
use crate::gallery::{ordered_photos, AlbumSummary, Cover, GallerySummary};
use base64::Engine as _;
use bytes::Bytes;
use serde::Serialize;
use shared::keys::{album_url, last_segment, photo_id, url_path};
use shared::store::md5_etag;
use shared::{Derivative, ObjectStore, PhotoManifest, PutOptions, StoreError};

/// The stylesheet, embedded.
const SITE_CSS: &str = include_str!("../assets/site.css");
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
        name: &'static str,
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
    css_key: String,
}

#[derive(Serialize)]
struct Assets {
    css: String,
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
}

#[derive(Serialize)]
struct Page {
    page_title: String,
    heading: String,
    breadcrumb: Vec<Crumb>,
    assets: Assets,
    albums: Vec<Tile>,
    subalbums: Vec<Tile>,
    photos: Vec<PhotoView>,
    description: Option<String>,
    dates: Option<String>,
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
        .unwrap_or_else(|| "#888888".into())
}

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
    Img { src, srcset, width: c.width, height: c.height, placeholder: placeholder(&c.thumbhash) }
}

/// The first cover found in `path` or below, for folders that only hold sub-albums.
fn nested_cover<'a>(gallery: &'a GallerySummary, path: &str) -> Option<&'a AlbumSummary> {
    let prefix = format!("{path}/");
    gallery.albums.iter().find(|(k, _)| k.starts_with(&prefix)).map(|(_, s)| s)
}

fn photo_view(p: &PhotoManifest, caption: Option<&String>) -> PhotoView {
    let aspect = f64::from(p.width) / f64::from(p.height.max(1));
    let basis = (ROW_HEIGHT * aspect).round().max(1.0) as u32;
    let (src, srcset) = sources(&p.derivatives, basis);
    let full =
        p.derivatives.first().map_or(Full { src: String::new(), width: p.width, height: p.height }, |d| {
            Full { src: url_path(&d.key), width: d.width, height: d.height }
        });
    let file = last_segment(&p.source_key);
    PhotoView {
        id: photo_id(&p.source_key),
        alt: caption
            .cloned()
            .unwrap_or_else(|| file.rsplit_once('.').map_or(file, |(stem, _)| stem).to_owned()),
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
    }
}

impl Renderer {
    /// Registers the embedded templates.
    pub fn new(title: impl Into<String>) -> Result<Self, RenderError> {
        let mut handlebars = handlebars::Handlebars::new();
        handlebars.set_strict_mode(true);
        for (name, text) in [
            ("layout", include_str!("../templates/layout.hbs")),
            ("tile", include_str!("../templates/tile.hbs")),
            ("index", include_str!("../templates/index.hbs")),
            ("album", include_str!("../templates/album.hbs")),
            ("404", include_str!("../templates/404.hbs")),
        ] {
            handlebars
                .register_template_string(name, text)
                .map_err(|e| RenderError::Template { name: "embedded", message: e.to_string() })?;
        }
        let css_key = format!("_assets/site.{}.css", &md5_etag(SITE_CSS.as_bytes())[..10]);
        Ok(Self { handlebars, title: title.into(), css_key })
    }

    /// The assets every page references: (key, body, content type).
    pub fn assets(&self) -> Vec<(String, &'static [u8], &'static str)> {
        vec![(self.css_key.clone(), SITE_CSS.as_bytes(), "text/css; charset=utf-8")]
    }

    fn page(&self, heading: String, breadcrumb: Vec<Crumb>) -> Page {
        let page_title =
            if breadcrumb.is_empty() { heading.clone() } else { format!("{heading} · {}", self.title) };
        Page {
            page_title,
            heading,
            breadcrumb,
            assets: Assets { css: format!("/{}", self.css_key) },
            albums: Vec::new(),
            subalbums: Vec::new(),
            photos: Vec::new(),
            description: None,
            dates: None,
        }
    }

    fn render(&self, name: &'static str, page: &Page) -> Result<String, RenderError> {
        self.handlebars.render(name, page).map_err(|e| RenderError::Template { name, message: e.to_string() })
    }

    fn tiles(&self, gallery: &GallerySummary, parent: &str) -> Vec<Tile> {
        let mut tiles: Vec<Tile> = gallery
            .children(parent)
            .iter()
            .map(|path| {
                let own = gallery.albums.get(path);
                // A folder of sub-albums borrows a cover from inside.
                let cover = own.or_else(|| nested_cover(gallery, path)).and_then(|s| s.cover.as_ref());
                let mut t = tile(path, own, cover, gallery.children(path).len());
                let below = format!("{path}/");
                t.newest = gallery
                    .albums
                    .iter()
                    .filter(|(k, _)| *k == path || k.starts_with(&below))
                    .filter_map(|(_, s)| s.last_taken.clone())
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
        self.render("index", &page)
    }

    /// An album's page (also for folders that only hold sub-albums: pass an empty `data`).
    pub fn album(&self, data: &AlbumData, gallery: &GallerySummary) -> Result<String, RenderError> {
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
        page.photos = ordered_photos(data)
            .into_iter()
            .map(|p| photo_view(p, captions.get(last_segment(&p.source_key))))
            .collect();
        let summary = gallery.albums.get(path);
        page.dates =
            data.metadata.date.clone().or_else(|| {
                summary.and_then(|s| date_range(s.first_taken.as_deref(), s.last_taken.as_deref()))
            });
        self.render("album", &page)
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
        assert_eq!(placeholder("not base64!"), "#888888");
        assert!(placeholder("1QcSHQRnh493V4dIh4eXh1h4kJUI").starts_with('#'));
    }
}
