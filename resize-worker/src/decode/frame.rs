//! What every decoder returns, and the limit every decoder checks first: the leaf of the decode
//! tree, which the format modules use and nothing in it uses back.

use crate::error::ResizeError;
use crate::orientation::Stored;
use crate::pixels::Pixels;
use shared::Limits;
use shoebox_core::PhotoFormat;

/// A decoded photo, still in its stored (not yet upright) orientation, possibly shrunk.
#[derive(Debug)]
pub struct Decoded {
    /// The pixels, grey or RGB; alpha is composited over white.
    pub pixels: Pixels,
    /// The colour profile the pixels are in (embedded, or made from the file's colour
    /// information); `None` means sRGB.
    pub icc_profile: Option<Vec<u8>>,
    /// The format the content turned out to be.
    pub format: PhotoFormat,
    /// Width and height of the stored image (before any shrink-on-load; after a crop the
    /// container asks for), in the orientation of [`Decoded::pixels`].
    pub full_size: (u32, u32),
    /// Where the orientation still to apply comes from ([`crate::orientation::decide`]).
    pub orientation: Stored,
}

/// Refuses an image over the pixel limit (read from its header, before decoding).
pub(crate) fn check_pixels(width: u32, height: u32, limits: &Limits) -> Result<(), ResizeError> {
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(ResizeError::TooManyPixels { width, height, limit: limits.max_pixels });
    }
    Ok(())
}
