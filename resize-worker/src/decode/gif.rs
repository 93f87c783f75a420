//! GIF's first frame, decoded whole by the `image` crate.

use super::frame::Decoded;
use super::whole_frame;
use crate::error::ResizeError;
use image::ImageFormat;
use shared::Limits;
use shoebox_core::PhotoFormat;

/// The logical screen's size from the header.
pub fn dimensions(bytes: &[u8]) -> Result<(u32, u32), ResizeError> {
    whole_frame::dimensions(bytes, ImageFormat::Gif, PhotoFormat::Gif)
}

/// Decodes the first frame as RGB (transparent pixels over white).
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<Decoded, ResizeError> {
    whole_frame::decode(bytes, ImageFormat::Gif, PhotoFormat::Gif, limits)
}
