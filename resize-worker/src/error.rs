//! Why a photo could not be turned into derivatives.

use shoebox_core::PhotoFormat;

/// A problem with one photo's content. The worker adds the key when it reports it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResizeError {
    /// A zero-byte object.
    #[error("the file is empty (0 bytes)")]
    Empty,
    /// Content that is none of the formats Shoebox reads.
    #[error("not an image: the content is not {formats} (it starts with {starts_with})", formats = PhotoFormat::names_listed("or"))]
    NotAnImage {
        /// The first bytes, escaped, to help tell what it is.
        starts_with: String,
    },
    /// An image format Shoebox does not read (BMP, HEIF with other codecs, …).
    #[error("unsupported image format {0}; Shoebox reads {formats}", formats = PhotoFormat::names_listed("and"))]
    UnsupportedFormat(String),
    /// The extension promises one format and the content is another.
    #[error(
        "mislabelled file: the name says .{extension} but the content is {actual}; rename it to .{suggested}"
    )]
    Mislabelled {
        /// The extension in the key.
        extension: String,
        /// The format the content really has.
        actual: &'static str,
        /// The extension to rename it to.
        suggested: &'static str,
    },
    /// More pixels than the configured limit (checked from the header, before decoding).
    #[error("{width}×{height} is {} megapixels, over the limit of {} megapixels (MAX_PIXELS={limit})", mp(*width, *height), limit / 1_000_000)]
    TooManyPixels {
        /// Width from the header.
        width: u32,
        /// Height from the header.
        height: u32,
        /// The limit in pixels.
        limit: u64,
    },
    /// A JPEG whose data stops before its end marker.
    #[error(
        "truncated JPEG: the file ends before the image data does ({bytes} bytes; an interrupted copy?)"
    )]
    Truncated {
        /// Size of what arrived.
        bytes: usize,
    },
    /// The decoder refused the content.
    #[error("corrupt {format}: {message}")]
    Corrupt {
        /// The format being decoded.
        format: &'static str,
        /// The decoder's message.
        message: String,
    },
    /// Encoding a derivative failed.
    #[error("encoding the {width}px JPEG failed: {message}")]
    Encode {
        /// Width of the derivative.
        width: u32,
        /// The encoder's message.
        message: String,
    },
    /// Resizing failed (a bug rather than bad input; reported, never a panic).
    #[error("resizing failed: {0}")]
    Resize(String),
}

impl ResizeError {
    /// The decoder of `format` refused the content (the format named as everywhere else).
    pub fn corrupt(format: PhotoFormat, message: impl ToString) -> ResizeError {
        ResizeError::Corrupt { format: format.name(), message: message.to_string() }
    }
}

fn mp(w: u32, h: u32) -> String {
    format!("{:.1}", f64::from(w) * f64::from(h) / 1e6)
}
