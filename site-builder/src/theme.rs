//! Themes: a folder (`shoebox build --theme DIR`) or a prefix of the source bucket
//! ([`THEME_PREFIX`], read by the Lambda at start) whose `NAME.hbs` files replace the embedded templates of the same
//! name (`layout`, `index`, `album`, `tile`, `404`; other names become extra partials) and whose
//! `site.css` replaces the embedded stylesheet.

use shared::{ObjectStore, StoreError};
pub use shoebox_core::keys::THEME_PREFIX;
/// Largest theme file read; templates and stylesheets are small.
const MAX_THEME_FILE: u64 = 1024 * 1024;

/// Templates and a stylesheet that override the embedded ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Theme {
    /// `(name, source)` of each template, the name without `.hbs`.
    pub templates: Vec<(String, String)>,
    /// A replacement for the embedded stylesheet.
    pub css: Option<String>,
}

/// Why a theme could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ThemeError {
    /// Reading from the store failed.
    #[error("theme: {0}")]
    Store(#[from] StoreError),
    /// A theme file is not UTF-8 text.
    #[error("theme file {key}: not UTF-8 text")]
    NotText {
        /// The file's key.
        key: String,
    },
}

impl Theme {
    /// Whether the theme overrides nothing.
    pub fn is_empty(&self) -> bool {
        self.templates.is_empty() && self.css.is_none()
    }

    /// Reads the theme files directly under `prefix` (`""` for a whole folder store). Other
    /// files are skipped with a log line.
    pub async fn load(store: &dyn ObjectStore, prefix: &str) -> Result<Self, ThemeError> {
        let mut theme = Theme::default();
        for info in store.list(prefix).await? {
            let name = &info.key[prefix.len()..];
            let template = name.strip_suffix(".hbs").filter(|n| !n.is_empty() && !n.contains('/'));
            if template.is_none() && name != "site.css" {
                tracing::warn!(key = %info.key, "theme: ignoring a file that is neither NAME.hbs nor site.css");
                continue;
            }
            let Some(object) = store.get(&info.key, MAX_THEME_FILE).await? else { continue };
            let text = String::from_utf8(object.body.to_vec())
                .map_err(|_| ThemeError::NotText { key: info.key.clone() })?;
            match template {
                Some(t) => theme.templates.push((t.to_owned(), text)),
                None => theme.css = Some(text),
            }
        }
        Ok(theme)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use shared::{MemoryStore, PutOptions};

    #[tokio::test]
    async fn templates_and_stylesheet_are_read_other_files_skipped() {
        let store = MemoryStore::new();
        for (key, body) in [
            ("_theme/album.hbs", "album"),
            ("_theme/site.css", "body{}"),
            ("_theme/logo.png", "png"),
            ("_theme/partials/x.hbs", "nested"),
            ("Trips/a.jpg", "photo"),
        ] {
            store.put(key, Bytes::from(body), &PutOptions::default()).await.expect("put");
        }
        let theme = Theme::load(&store, THEME_PREFIX).await.expect("loads");
        assert_eq!(theme.templates, [("album".to_owned(), "album".to_owned())]);
        assert_eq!(theme.css.as_deref(), Some("body{}"));

        store
            .put("_theme/bad.hbs", Bytes::from_static(&[0xff, 0xfe]), &PutOptions::default())
            .await
            .expect("put");
        let err = Theme::load(&store, THEME_PREFIX).await.expect_err("binary template");
        assert_eq!(err.to_string(), "theme file _theme/bad.hbs: not UTF-8 text");
    }
}
