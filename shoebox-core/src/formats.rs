//! The photo formats Shoebox reads: one table of their names and file extensions, from which the
//! source-key rules ([`crate::keys::classify_source_key`]), the resize worker's content sniffing
//! and every message that lists formats or extensions are derived.

/// A photo format, as the content says (the resize worker sniffs it) and names promise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PhotoFormat {
    /// JPEG, also MPO (a JPEG followed by more JPEGs: the first is the photo).
    Jpeg,
    /// PNG (and APNG's first frame).
    Png,
    /// WebP.
    WebP,
    /// GIF's first frame.
    Gif,
    /// TIFF's first page.
    Tiff,
    /// HEIF with HEVC pictures: iPhone and many cameras' HEIC.
    Heif,
    /// HEIF with AV1 pictures.
    Avif,
}

impl PhotoFormat {
    /// Every format, in the order messages list them.
    pub const ALL: [PhotoFormat; 7] = [
        PhotoFormat::Jpeg,
        PhotoFormat::Png,
        PhotoFormat::WebP,
        PhotoFormat::Gif,
        PhotoFormat::Tiff,
        PhotoFormat::Heif,
        PhotoFormat::Avif,
    ];

    /// The table: each format's name in messages and its extensions (lower case), the one to
    /// suggest first. A `match`, so a new format cannot go without its row.
    fn row(self) -> (&'static str, &'static [&'static str]) {
        match self {
            PhotoFormat::Jpeg => ("JPEG", &["jpg", "jpeg", "mpo"]),
            PhotoFormat::Png => ("PNG", &["png"]),
            PhotoFormat::WebP => ("WebP", &["webp"]),
            PhotoFormat::Gif => ("GIF", &["gif"]),
            PhotoFormat::Tiff => ("TIFF", &["tif", "tiff"]),
            // Some cameras write JPEG-coded HEIF under .heif; the content still decides.
            PhotoFormat::Heif => ("HEIC", &["heic", "heif", "hif"]),
            PhotoFormat::Avif => ("AVIF", &["avif"]),
        }
    }

    /// The format's name, for messages (`JPEG`, `HEIC`, …).
    pub fn name(self) -> &'static str {
        self.row().0
    }

    /// The file extensions (lower case) that promise this format.
    pub fn own_extensions(self) -> &'static [&'static str] {
        self.row().1
    }

    /// The extension to suggest for a file of this format (`jpg`, `tif`, `heic`, …).
    pub fn suggested_extension(self) -> &'static str {
        self.own_extensions()[0]
    }

    /// The format a file name's extension promises (any case), if it is a photo extension.
    pub fn from_extension(extension: &str) -> Option<PhotoFormat> {
        let lower = extension.to_ascii_lowercase();
        Self::ALL.into_iter().find(|f| f.own_extensions().contains(&lower.as_str()))
    }

    /// Every photo extension (lower case), in the table's order.
    pub fn extensions() -> impl Iterator<Item = &'static str> {
        Self::ALL.into_iter().flat_map(|f| f.own_extensions().iter().copied())
    }

    /// The formats' names as a sentence lists them, the last joined by `conjunction`:
    /// `JPEG, PNG, …, HEIC or AVIF`.
    pub fn names_listed(conjunction: &str) -> String {
        let names: Vec<&str> = Self::ALL.iter().map(|f| f.name()).collect();
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} {conjunction} {last}", rest.join(", ")),
            _ => names.concat(),
        }
    }
}

/// The video file extensions (lower case) the video worker takes: phones' QuickTime and MP4,
/// and WebM/Matroska. The content decides what the file really is.
pub const VIDEO_EXTENSIONS: [&str; 6] = ["mov", "mp4", "m4v", "3gp", "webm", "mkv"];

/// Whether a file name's extension (any case) promises a video.
pub fn is_video_extension(extension: &str) -> bool {
    VIDEO_EXTENSIONS.iter().any(|v| v.eq_ignore_ascii_case(extension))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn video_extensions_are_no_photo_extensions() {
        for v in VIDEO_EXTENSIONS {
            assert_eq!(PhotoFormat::from_extension(v), None, "{v}");
            assert!(is_video_extension(&v.to_ascii_uppercase()), "{v}");
        }
        assert!(!is_video_extension("jpg") && !is_video_extension(""));
    }

    #[test]
    fn every_format_is_listed_once_and_extensions_name_one_format() {
        for f in PhotoFormat::ALL {
            assert_eq!(PhotoFormat::ALL.iter().filter(|g| **g == f).count(), 1, "{f:?}");
            assert_eq!(PhotoFormat::from_extension(f.suggested_extension()), Some(f));
        }
        let all: Vec<&str> = PhotoFormat::extensions().collect();
        let mut unique = all.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(all.len(), unique.len(), "no extension promises two formats");
        assert_eq!(PhotoFormat::from_extension("JPG"), Some(PhotoFormat::Jpeg));
        assert_eq!(PhotoFormat::from_extension("MPO"), Some(PhotoFormat::Jpeg));
        assert_eq!(PhotoFormat::from_extension("hif"), Some(PhotoFormat::Heif));
        assert_eq!(PhotoFormat::from_extension("mov"), None);
        assert_eq!(PhotoFormat::from_extension(""), None);
    }

    #[test]
    fn names_read_as_a_list() {
        assert_eq!(PhotoFormat::names_listed("or"), "JPEG, PNG, WebP, GIF, TIFF, HEIC or AVIF");
        assert_eq!(PhotoFormat::names_listed("and"), "JPEG, PNG, WebP, GIF, TIFF, HEIC and AVIF");
        assert_eq!(PhotoFormat::Heif.name(), "HEIC");
        assert_eq!(PhotoFormat::Tiff.suggested_extension(), "tif");
    }
}
