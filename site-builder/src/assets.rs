//! The files pages load besides themselves: the stylesheet, our script and the browser modules
//! it imports (PhotoSwipe, ThumbHash; installed from npm by `build.rs`, pinned by
//! `web/package-lock.json`). Each is published under a content-hashed key, so it can be cached
//! for a year. `gallery.js` imports the modules by bare name; publishing rewrites those imports
//! to the modules' hashed paths (no import map: that would be an inline script, which the sites'
//! Content-Security-Policy does not allow, and older Safari cannot read).

use shared::store::md5_etag;
use shoebox_core::keys::asset_key;
use std::borrow::Cow;

/// Our stylesheet.
const SITE_CSS: &str = include_str!("../assets/site.css");
/// PhotoSwipe's stylesheet, put before ours so ours can adjust it.
const PHOTOSWIPE_CSS: &str =
    include_str!(concat!(env!("OUT_DIR"), "/web/node_modules/photoswipe/dist/photoswipe.css"));
/// Our browser code (lightbox set-up, placeholders, deep links).
const GALLERY_JS: &str = include_str!("../web/gallery.js");
/// The modules `gallery.js` imports, by the bare name it imports them with.
const MODULES: [(&str, &str); 3] = [
    (
        "photoswipe-lightbox",
        include_str!(concat!(
            env!("OUT_DIR"),
            "/web/node_modules/photoswipe/dist/photoswipe-lightbox.esm.min.js"
        )),
    ),
    (
        "photoswipe",
        include_str!(concat!(env!("OUT_DIR"), "/web/node_modules/photoswipe/dist/photoswipe.esm.min.js")),
    ),
    ("thumbhash", include_str!(concat!(env!("OUT_DIR"), "/web/node_modules/thumbhash/thumbhash.js"))),
];

const CSS_TYPE: &str = "text/css; charset=utf-8";
const JS_TYPE: &str = "text/javascript; charset=utf-8";

/// One content-hashed file the pages load ([`asset_key`]).
#[derive(Debug, Clone)]
pub struct Asset {
    /// Key in the web bucket, with a hash of the content in the name.
    pub key: String,
    /// The bytes.
    pub body: Cow<'static, str>,
    /// Its `Content-Type`.
    pub content_type: &'static str,
}

impl Asset {
    fn new(name: &str, extension: &str, body: Cow<'static, str>, content_type: &'static str) -> Self {
        let key = asset_key(name, &md5_etag(body.as_bytes())[..10], extension);
        Self { key, body, content_type }
    }

    /// The path pages use.
    pub fn href(&self) -> String {
        format!("/{}", self.key)
    }
}

/// Every asset of the site.
#[derive(Debug, Clone)]
pub struct Assets {
    /// The stylesheet (PhotoSwipe's, then the site's or a theme's).
    pub css: Asset,
    /// The page script, a module, its imports pointing at the modules' hashed paths.
    pub script: Asset,
    /// The modules the script imports, with the bare names its source imports them by.
    pub modules: Vec<(&'static str, Asset)>,
}

/// `source` with every `from 'NAME'` and `import('NAME')` of a bare module name replaced by the
/// path it is published at.
fn resolve_imports(source: &str, modules: &[(&'static str, Asset)]) -> String {
    let mut out = source.to_owned();
    for (name, asset) in modules {
        let href = asset.href();
        out = out
            .replace(&format!("from '{name}'"), &format!("from '{href}'"))
            .replace(&format!("import('{name}')"), &format!("import('{href}')"));
    }
    out
}

impl Assets {
    /// The embedded assets; `site_css` replaces the embedded stylesheet (from a theme).
    pub fn new(site_css: Option<&str>) -> Self {
        let css = format!("{PHOTOSWIPE_CSS}\n{}", site_css.unwrap_or(SITE_CSS));
        let modules: Vec<(&'static str, Asset)> = MODULES
            .iter()
            .map(|(name, body)| (*name, Asset::new(name, "js", Cow::Borrowed(body), JS_TYPE)))
            .collect();
        // The script's hash covers the modules' paths, so a new module version renames it too.
        let script = resolve_imports(GALLERY_JS, &modules);
        Self {
            css: Asset::new("site", "css", Cow::Owned(css), CSS_TYPE),
            script: Asset::new("gallery", "js", Cow::Owned(script), JS_TYPE),
            modules,
        }
    }

    /// All files to publish.
    pub fn all(&self) -> impl Iterator<Item = &Asset> {
        [&self.css, &self.script].into_iter().chain(self.modules.iter().map(|(_, a)| a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_content() {
        let a = Assets::new(None);
        let b = Assets::new(Some("body { color: red }"));
        assert_ne!(a.css.key, b.css.key, "a theme's stylesheet gets its own name");
        assert_eq!(a.script.key, b.script.key);
        assert!(a.css.body.contains(".pswp"), "PhotoSwipe's stylesheet is included");
        assert!(a.all().all(|x| x.key.starts_with("_assets/") && !x.body.is_empty()));
        // Every import in the published script names a published module; no bare name is left.
        let imports: Vec<&str> = a
            .script
            .body
            .split(['\'', '"'])
            .filter(|s| s.starts_with("/_assets/") || MODULES.iter().any(|(name, _)| s == name))
            .collect();
        assert_eq!(imports.len(), 3, "{imports:?}");
        for path in imports {
            assert!(a.all().any(|x| x.href() == path), "{path} is published");
        }
        for line in GALLERY_JS.lines().filter(|l| l.starts_with("import ")) {
            let name = line.rsplit('\'').nth(1).expect("quoted module name");
            assert!(MODULES.iter().any(|(m, _)| *m == name), "{name} is a known module");
        }
        assert!(
            !a.script.body.contains("from 'thumbhash'") && !a.script.body.contains("import('photoswipe')")
        );
    }
}
