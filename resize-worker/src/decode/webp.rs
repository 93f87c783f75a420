//! WebP, lossy or lossless (an animation's first frame), decoded whole by the `image` crate.

use super::frame::Decoded;
use super::whole_frame;
use crate::error::ResizeError;
use image::ImageFormat;
use shared::Limits;
use shoebox_core::PhotoFormat;

/// The picture's size from its header.
pub fn dimensions(bytes: &[u8]) -> Result<(u32, u32), ResizeError> {
    whole_frame::dimensions(bytes, ImageFormat::WebP, PhotoFormat::WebP)
}

/// The TIFF structure of the file's `EXIF` chunk, without the `Exif\0\0` header some writers put
/// before it (as in a JPEG's APP1); `None` for other content or a file without the chunk.
pub fn exif(bytes: &[u8]) -> Option<&[u8]> {
    if bytes.len() < 12 || &bytes[..4] != b"RIFF" || &bytes[8..12] != b"WEBP" {
        return None;
    }
    let mut at = 12;
    while let Some(header) = bytes.get(at..at + 8) {
        let size = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
        let body = bytes.get(at + 8..)?.get(..size)?;
        if &header[..4] == b"EXIF" {
            return Some(body.strip_prefix(b"Exif\0\0").unwrap_or(body));
        }
        // Chunks are padded to an even length.
        at = at + 8 + size + (size & 1);
    }
    None
}

/// Decodes the picture (its first frame) as grey or RGB.
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<Decoded, ResizeError> {
    whole_frame::decode(bytes, ImageFormat::WebP, PhotoFormat::WebP, limits)
}
