//! Decoding untrusted uploads: sniff the format from the content ([`sniff`]), check the pixel
//! limit from the header, then decode with the format's own module, one file per format:
//!
//! | format | module | how |
//! |---|---|---|
//! | JPEG, MPO | [`jpeg`] | libjpeg-turbo, scaled in the DCT domain; CMYK through its profile |
//! | PNG | [`png`] | row by row into a [`ShrinkingFrame`] (interlaced too) |
//! | TIFF | [`tiff`] | strip by strip (or tile by tile) into a [`ShrinkingFrame`] |
//! | HEIC | [`heif`] | heifer, whole, turned upright by the decoder |
//! | AVIF | [`avif`] | zenavif, strip by strip into a [`ShrinkingFrame`]; `irot`/`imir` reported |
//! | WebP, GIF | [`webp`], [`gif`] | the `image` crate, whole frames ([`whole_frame`]) |
//!
//! Every decoder returns a [`Decoded`] ([`frame`], the tree's leaf) in the stored orientation;
//! [`crate::orientation::decide`] says how to turn it upright.

mod avif;
mod box_shrink;
mod colour;
mod frame;
mod gif;
mod heif;
pub(crate) mod jpeg;
mod png;
mod sniff;
pub(crate) mod tiff;
pub(crate) mod webp;
mod whole_frame;

pub use box_shrink::ShrinkingFrame;
pub use frame::Decoded;
pub use sniff::sniff;

use crate::error::ResizeError;
use shared::Limits;
use shoebox_core::PhotoFormat;

/// Reads the image's dimensions from its header without decoding the pixels.
pub fn dimensions(bytes: &[u8], format: PhotoFormat) -> Result<(u32, u32), ResizeError> {
    match format {
        PhotoFormat::Jpeg => jpeg::dimensions(bytes),
        PhotoFormat::Png => png::dimensions(bytes),
        PhotoFormat::WebP => webp::dimensions(bytes),
        PhotoFormat::Gif => gif::dimensions(bytes),
        PhotoFormat::Tiff => tiff::dimensions(bytes),
        PhotoFormat::Heif => heif::dimensions(bytes),
        PhotoFormat::Avif => avif::dimensions(bytes),
    }
}

/// Decodes a photo under `limits`: format and extension agree, the pixel count is checked from
/// the header before any large allocation.
///
/// With `shrink_to`, a JPEG may be decoded at a smaller scale (in the DCT domain, as libjpeg
/// and libvips do) as long as its long edge stays at least `shrink_to`; TIFF, PNG (interlaced
/// too) and AVIF are read row by row and shrunk by a whole factor on the way in
/// ([`ShrinkingFrame`]); WebP, GIF and HEIC (a grid of tiles written into one frame) decode at
/// full size.
pub fn decode(
    bytes: &[u8],
    extension: &str,
    limits: &Limits,
    shrink_to: Option<u32>,
) -> Result<Decoded, ResizeError> {
    match sniff(bytes, extension)? {
        PhotoFormat::Jpeg => jpeg::decode(bytes, limits, shrink_to),
        PhotoFormat::Png => png::decode(bytes, limits, shrink_to),
        PhotoFormat::WebP => webp::decode(bytes, limits),
        PhotoFormat::Gif => gif::decode(bytes, limits),
        PhotoFormat::Tiff => tiff::decode(bytes, limits, shrink_to),
        PhotoFormat::Heif => heif::decode(bytes, limits),
        PhotoFormat::Avif => avif::decode(bytes, limits, shrink_to),
    }
}
