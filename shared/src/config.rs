//! Configuration read from the environment, with errors that name the variable.

/// Default refusal threshold for decoded pixels (100 megapixels).
pub const DEFAULT_MAX_PIXELS: u64 = 100_000_000;
/// Default refusal threshold for source object size (200 MiB).
pub const DEFAULT_MAX_SOURCE_BYTES: u64 = 200 * 1024 * 1024;

/// Default refusal threshold for a video's size (4 GiB: it is copied to the Lambda's disk, and
/// its web copy must fit one S3 PUT).
pub const DEFAULT_MAX_VIDEO_BYTES: u64 = 4 << 30;

/// A configuration problem, naming the variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required variable is not set (or empty).
    #[error("environment variable {0} is not set")]
    Missing(&'static str),
    /// A variable's value cannot be used.
    #[error("environment variable {name}={value:?} is invalid: {reason}")]
    Invalid {
        /// The variable.
        name: &'static str,
        /// Its value.
        value: String,
        /// What is wrong.
        reason: String,
    },
}

/// What the resize worker needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerConfig {
    /// `SOURCE_BUCKET`: the bucket whose events this worker serves.
    pub source_bucket: String,
    /// `RESIZED_BUCKET`: where derivatives and manifests go.
    pub resized_bucket: String,
    /// `SITE_QUEUE_URL`: where site changes are sent.
    pub site_queue_url: String,
    /// `VIDEO_QUEUE_URL`: where the resize worker sends the changes of videos (the video
    /// worker's queue); without it, videos are left alone.
    pub video_queue_url: Option<String>,
    /// Resize limits (`MAX_PIXELS`, `MAX_SOURCE_BYTES`, `MAX_VIDEO_BYTES`).
    pub limits: Limits,
}

/// A required variable through `lookup`: set and not blank, or an error naming it.
fn required(lookup: &impl Fn(&str) -> Option<String>, name: &'static str) -> Result<String, ConfigError> {
    lookup(name).filter(|v| !v.trim().is_empty()).ok_or(ConfigError::Missing(name))
}

/// What the site builder needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteConfig {
    /// `SOURCE_BUCKET`: where `album.yml` files are read.
    pub source_bucket: String,
    /// `RESIZED_BUCKET`: where manifests are read for a full rebuild.
    pub resized_bucket: String,
    /// `WEB_BUCKET`: where data files and pages go.
    pub web_bucket: String,
    /// `GALLERY_TITLE`: the gallery's name (default `Shoebox`).
    pub title: String,
    /// `ORIGINALS`: `true` when the lightbox links each original (served beside its album's pages,
    /// `shoebox_core::keys::original_url`).
    pub originals: bool,
    /// `SITE_QUEUE_URL`: its own queue, where a full render that runs short of time sends the
    /// note to go on (without it, such a render returns where it stopped).
    pub site_queue_url: Option<String>,
}

impl SiteConfig {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Ok(Self {
            source_bucket: required(&lookup, "SOURCE_BUCKET")?,
            resized_bucket: required(&lookup, "RESIZED_BUCKET")?,
            web_bucket: required(&lookup, "WEB_BUCKET")?,
            title: lookup("GALLERY_TITLE")
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| "Shoebox".into()),
            originals: match lookup("ORIGINALS").as_deref().map(str::trim) {
                None | Some("" | "false") => false,
                Some("true") => true,
                Some(other) => {
                    return Err(ConfigError::Invalid {
                        name: "ORIGINALS",
                        value: other.to_owned(),
                        reason: "must be true or false".into(),
                    })
                }
            },
            site_queue_url: lookup("SITE_QUEUE_URL").filter(|u| !u.trim().is_empty()),
        })
    }
}

/// Limits on what the worker accepts, checked before large allocations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted width × height.
    pub max_pixels: u64,
    /// Largest accepted source object in bytes.
    pub max_source_bytes: u64,
    /// Largest accepted video in bytes (copied to disk, never held in memory).
    pub max_video_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_pixels: DEFAULT_MAX_PIXELS,
            max_source_bytes: DEFAULT_MAX_SOURCE_BYTES,
            max_video_bytes: DEFAULT_MAX_VIDEO_BYTES,
        }
    }
}

impl WorkerConfig {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let number = |name: &'static str, default: u64| match lookup(name).filter(|v| !v.trim().is_empty()) {
            None => Ok(default),
            Some(v) => match v.trim().replace('_', "").parse::<u64>() {
                Ok(n) if n > 0 => Ok(n),
                Ok(_) => {
                    Err(ConfigError::Invalid { name, value: v, reason: "must be greater than zero".into() })
                }
                Err(e) => Err(ConfigError::Invalid { name, value: v, reason: e.to_string() }),
            },
        };
        Ok(Self {
            source_bucket: required(&lookup, "SOURCE_BUCKET")?,
            resized_bucket: required(&lookup, "RESIZED_BUCKET")?,
            site_queue_url: required(&lookup, "SITE_QUEUE_URL")?,
            video_queue_url: lookup("VIDEO_QUEUE_URL").filter(|u| !u.trim().is_empty()),
            limits: Limits {
                max_pixels: number("MAX_PIXELS", DEFAULT_MAX_PIXELS)?,
                max_source_bytes: number("MAX_SOURCE_BYTES", DEFAULT_MAX_SOURCE_BYTES)?,
                max_video_bytes: number("MAX_VIDEO_BYTES", DEFAULT_MAX_VIDEO_BYTES)?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn names_the_missing_variable() {
        let err = WorkerConfig::from_lookup(lookup(&[("SOURCE_BUCKET", "s"), ("RESIZED_BUCKET", "r")]))
            .expect_err("missing");
        assert_eq!(err, ConfigError::Missing("SITE_QUEUE_URL"));
        assert_eq!(err.to_string(), "environment variable SITE_QUEUE_URL is not set");
    }

    #[test]
    fn site_config_names_the_missing_variable_and_defaults_the_title() {
        let err = SiteConfig::from_lookup(lookup(&[("SOURCE_BUCKET", "s"), ("RESIZED_BUCKET", "r")]))
            .expect_err("missing");
        assert_eq!(err, ConfigError::Missing("WEB_BUCKET"));
        let c = SiteConfig::from_lookup(lookup(&[
            ("SOURCE_BUCKET", "s"),
            ("RESIZED_BUCKET", "r"),
            ("WEB_BUCKET", "w"),
        ]))
        .expect("ok");
        assert_eq!(c.title, "Shoebox");
        assert!(!c.originals);
        let with = |v: &str| {
            SiteConfig::from_lookup(lookup(&[
                ("SOURCE_BUCKET", "s"),
                ("RESIZED_BUCKET", "r"),
                ("WEB_BUCKET", "w"),
                ("ORIGINALS", v),
            ]))
        };
        assert!(with("true").expect("ok").originals);
        assert_eq!(
            with("yes").expect_err("invalid").to_string(),
            r#"environment variable ORIGINALS="yes" is invalid: must be true or false"#
        );
    }

    #[test]
    fn reads_defaults_and_overrides() {
        let c = WorkerConfig::from_lookup(lookup(&[
            ("SOURCE_BUCKET", "s"),
            ("RESIZED_BUCKET", "r"),
            ("SITE_QUEUE_URL", "q"),
        ]))
        .expect("ok");
        assert_eq!(c.limits, Limits::default());
        let c = WorkerConfig::from_lookup(lookup(&[
            ("SOURCE_BUCKET", "s"),
            ("RESIZED_BUCKET", "r"),
            ("SITE_QUEUE_URL", "q"),
            ("MAX_PIXELS", "50_000_000"),
        ]))
        .expect("ok");
        assert_eq!(c.limits.max_pixels, 50_000_000);
        let err = WorkerConfig::from_lookup(lookup(&[
            ("SOURCE_BUCKET", "s"),
            ("RESIZED_BUCKET", "r"),
            ("SITE_QUEUE_URL", "q"),
            ("MAX_PIXELS", "lots"),
        ]))
        .expect_err("invalid");
        assert!(matches!(err, ConfigError::Invalid { name: "MAX_PIXELS", .. }), "{err}");
    }
}
