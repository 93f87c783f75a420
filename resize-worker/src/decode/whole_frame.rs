//! Formats decoded whole by the `image` crate (WebP, GIF): the frame's size from the header and
//! checked against the limit first, the decoder's own allocations capped, alpha composited over
//! white in place.

use super::frame::{check_pixels, Decoded};
use crate::error::ResizeError;
use crate::orientation::Stored;
use crate::pixels::{flatten_frame, Pixels};
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use shared::Limits;
use shoebox_core::PhotoFormat;
use std::io::Cursor;

/// The image's dimensions from its header, without decoding the pixels.
pub(super) fn dimensions(
    bytes: &[u8],
    format: ImageFormat,
    ours: PhotoFormat,
) -> Result<(u32, u32), ResizeError> {
    let reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.into_dimensions().map_err(|e| ResizeError::corrupt(ours, e))
}

/// Decodes the first frame whole, as grey or RGB.
pub(super) fn decode(
    bytes: &[u8],
    format: ImageFormat,
    ours: PhotoFormat,
    limits: &Limits,
) -> Result<Decoded, ResizeError> {
    let (width, height) = dimensions(bytes, format, ours)?;
    check_pixels(width, height, limits)?;
    let mut decoder_limits = image::Limits::default();
    decoder_limits.max_image_width = Some(width);
    decoder_limits.max_image_height = Some(height);
    // Room for the decoded frame at up to 16-bit RGBA, and not more.
    decoder_limits.max_alloc = Some(limits.max_pixels.saturating_mul(8).max(64 << 20));
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(decoder_limits);
    let mut decoder = reader.into_decoder().map_err(|e| ResizeError::corrupt(ours, e))?;
    let icc_profile = decoder.icc_profile().ok().flatten().filter(|p| !p.is_empty());
    let image = DynamicImage::from_decoder(decoder).map_err(|e| ResizeError::corrupt(ours, e))?;
    Ok(Decoded {
        pixels: into_pixels(image),
        icc_profile,
        format: ours,
        full_size: (width, height),
        orientation: Stored::AsCoded,
    })
}

/// Converts any decoded image to grey or RGB 8-bit, reusing the decoder's buffer where it can.
fn into_pixels(image: DynamicImage) -> Pixels {
    let (width, height) = (image.width(), image.height());
    let (channels, data) = match image {
        DynamicImage::ImageLuma8(b) => (1, b.into_raw()),
        DynamicImage::ImageRgb8(b) => (3, b.into_raw()),
        DynamicImage::ImageLumaA8(b) => (1, flatten_frame(b.into_raw(), 2)),
        other if other.color().has_alpha() => (3, flatten_frame(other.into_rgba8().into_raw(), 4)),
        other if other.color().has_color() => (3, other.into_rgb8().into_raw()),
        other => (1, other.into_luma8().into_raw()),
    };
    Pixels { width, height, channels, data }
}
