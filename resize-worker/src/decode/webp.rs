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

/// Decodes the picture (its first frame) as grey or RGB.
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<Decoded, ResizeError> {
    whole_frame::decode(bytes, ImageFormat::WebP, PhotoFormat::WebP, limits)
}
