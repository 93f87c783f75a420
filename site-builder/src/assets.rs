//! The files pages load besides themselves: the stylesheet, our script and the browser modules
//! it imports (PhotoSwipe, ThumbHash; installed from npm by `build.rs`, pinned by
//! `web/package-lock.json`). Each is published under a content-hashed key, so it can be cached
//! for a year; pages find the scripts through an import map.

use shared::store::md5_etag;
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

/// One file under `_assets/`.
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
        let key = format!("_assets/{name}.{}.{extension}", &md5_etag(body.as_bytes())[..10]);
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
    /// The page script, a module.
    pub script: Asset,
    /// The modules the script imports, with the names it imports them by.
    pub modules: Vec<(&'static str, Asset)>,
}

impl Assets {
    /// The embedded assets; `site_css` replaces the embedded stylesheet (from a theme).
    pub fn new(site_css: Option<&str>) -> Self {
        let css = format!("{PHOTOSWIPE_CSS}\n{}", site_css.unwrap_or(SITE_CSS));
        Self {
            css: Asset::new("site", "css", Cow::Owned(css), CSS_TYPE),
            script: Asset::new("gallery", "js", Cow::Borrowed(GALLERY_JS), JS_TYPE),
            modules: MODULES
                .iter()
                .map(|(name, body)| (*name, Asset::new(name, "js", Cow::Borrowed(body), JS_TYPE)))
                .collect(),
        }
    }

    /// All files to publish.
    pub fn all(&self) -> impl Iterator<Item = &Asset> {
        [&self.css, &self.script].into_iter().chain(self.modules.iter().map(|(_, a)| a))
    }

    /// The page's import map: bare module names to their hashed paths.
    pub fn import_map(&self) -> String {
        let imports: serde_json::Map<String, serde_json::Value> =
            self.modules.iter().map(|(name, a)| ((*name).to_owned(), a.href().into())).collect();
        serde_json::json!({ "imports": imports }).to_string()
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
        let map: serde_json::Value = serde_json::from_str(&a.import_map()).expect("json");
        for name in ["photoswipe", "photoswipe-lightbox", "thumbhash"] {
            let path = map["imports"][name].as_str().expect("mapped");
            assert!(a.all().any(|x| x.href() == path), "{name} → {path} is published");
        }
        // Every bare import in our script is in the map.
        for line in GALLERY_JS.lines().filter(|l| l.starts_with("import ")) {
            let name = line.rsplit('\'').nth(1).expect("quoted module name");
            assert!(map["imports"][name].is_string(), "{name} is mapped");
        }
    }
}
