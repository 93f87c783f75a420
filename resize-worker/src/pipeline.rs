//! One photo in, derivatives out: decode → resize (cascade) → orient → encode, plus a ThumbHash.
//!
//! Pure computation over bytes; the worker and the CLI supply the bytes and store the results.

use crate::decode::decode;
use crate::error::ResizeError;
use crate::jpeg_turbo;
use crate::metadata::read_metadata;
use crate::orientation::decide;
use crate::pixels::{fit_long_edge, Pixels};
use base64::Engine as _;
use fast_image_resize::Resizer;
use shared::Limits;
use shoebox_core::ExifSummary;

/// Long edges of the derivatives, largest first. Each is resized from the one before it.
pub const DERIVATIVE_LONG_EDGES: [u32; 4] = [2048, 1280, 640, 320];
/// JPEG quality of every derivative.
pub const JPEG_QUALITY: u8 = 82;
/// Whether derivatives are progressive JPEGs. libjpeg-turbo's optimised baseline is one
/// interleaved scan; progressive files measured 2.7 % larger and 2.3× slower to write
/// (docs/performance.md).
pub const PROGRESSIVE: bool = false;
/// ThumbHash input must fit in this box (the thumbhash crate panics above 100 px).
const THUMBHASH_BOX: u32 = 100;

/// A photo's derivatives and what was learned about it.
#[derive(Debug, Clone)]
pub struct ResizedPhoto {
    /// Width after orientation.
    pub width: u32,
    /// Height after orientation.
    pub height: u32,
    /// The JPEGs, largest first.
    pub derivatives: Vec<EncodedJpeg>,
    /// ThumbHash, standard base64.
    pub thumbhash: String,
    /// Whether an ICC profile was copied into the derivatives.
    pub icc_profile: bool,
    /// Camera details for the gallery.
    pub exif: ExifSummary,
}

/// One encoded derivative.
#[derive(Debug, Clone)]
pub struct EncodedJpeg {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The JPEG file.
    pub jpeg: Vec<u8>,
}

/// The derivative sizes for a photo of `width` × `height` (as displayed), largest first.
///
/// Never upscales: sizes at or above the photo's long edge are dropped, and a photo smaller than
/// the largest size also gets one derivative at its own size.
pub fn plan(width: u32, height: u32) -> Vec<(u32, u32)> {
    let long = width.max(height);
    let mut sizes: Vec<(u32, u32)> = DERIVATIVE_LONG_EDGES
        .iter()
        .filter(|&&e| e < long)
        .map(|&e| fit_long_edge(width, height, e))
        .collect();
    if long <= DERIVATIVE_LONG_EDGES[0] {
        sizes.insert(0, (width, height));
    }
    sizes
}

/// Makes every derivative of one photo. `extension` is the file's (to catch mislabelled files).
pub fn resize_photo(bytes: &[u8], extension: &str, limits: &Limits) -> Result<ResizedPhoto, ResizeError> {
    // Decode first: content that is not an image fails here, before its "EXIF" is looked at.
    let decoded = decode(bytes, extension, limits, Some(DERIVATIVE_LONG_EDGES[0]))?;
    let meta = read_metadata(bytes);
    let orientation = decide(decoded.orientation, bytes, meta.orientation);
    let icc = decoded.icc_profile;
    let full = decoded.pixels;
    let swap = orientation.swaps_axes();
    let (fw, fh) = decoded.full_size;
    let (width, height) = if swap { (fh, fw) } else { (fw, fh) };
    let sizes = plan(width, height);

    let mut resizer = Resizer::new();
    let mut steps = sizes.iter();
    let &(w, h) = steps.next().ok_or_else(|| ResizeError::Resize("no derivative sizes planned".into()))?;
    // The largest derivative comes from the full image in its stored orientation and is then
    // turned upright: rotating the small result is far cheaper than rotating the original.
    let (sw, sh) = if swap { (h, w) } else { (w, h) };
    let stored = shrink(full, sw, sh, &mut resizer)?;
    let mut current = stored.oriented(orientation);
    let mut derivatives =
        vec![EncodedJpeg { width: w, height: h, jpeg: encode_jpeg(&current, icc.as_deref())? }];
    for &(w, h) in steps {
        current = current.resize(w, h, &mut resizer)?;
        derivatives.push(EncodedJpeg { width: w, height: h, jpeg: encode_jpeg(&current, icc.as_deref())? });
    }
    let smallest = current;
    Ok(ResizedPhoto {
        width,
        height,
        derivatives,
        thumbhash: thumbhash_of(&smallest, &mut resizer)?,
        icc_profile: icc.is_some(),
        exif: meta.summary,
    })
}

/// Resizes the full image, taking it by value so its large buffer is freed as soon as possible.
fn shrink(full: Pixels, width: u32, height: u32, resizer: &mut Resizer) -> Result<Pixels, ResizeError> {
    if (width, height) == (full.width, full.height) {
        return Ok(full);
    }
    full.resize(width, height, resizer)
}

/// Encodes a derivative with libjpeg-turbo: 4:2:0, optimised Huffman tables, one interleaved
/// scan or progressive ([`PROGRESSIVE`]), the source's ICC profile, no EXIF.
pub fn encode_jpeg(pixels: &Pixels, icc: Option<&[u8]>) -> Result<Vec<u8>, ResizeError> {
    jpeg_turbo::encode(pixels, JPEG_QUALITY, PROGRESSIVE, icc)
}

fn thumbhash_of(pixels: &Pixels, resizer: &mut Resizer) -> Result<String, ResizeError> {
    let (w, h) =
        fit_long_edge(pixels.width, pixels.height, THUMBHASH_BOX.min(pixels.width.max(pixels.height)));
    let small = if (w, h) == (pixels.width, pixels.height) {
        pixels.clone()
    } else {
        pixels.resize(w, h, resizer)?
    };
    let hash = thumbhash::rgba_to_thumb_hash(w as usize, h as usize, &small.to_rgba());
    Ok(base64::engine::general_purpose::STANDARD.encode(hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_never_upscale() {
        assert_eq!(plan(6000, 4000), vec![(2048, 1365), (1280, 853), (640, 427), (320, 213)]);
        assert_eq!(plan(2048, 1000), vec![(2048, 1000), (1280, 625), (640, 313), (320, 156)]);
        assert_eq!(plan(1000, 1500), vec![(1000, 1500), (853, 1280), (427, 640), (213, 320)]);
        assert_eq!(plan(200, 100), vec![(200, 100)]);
        assert_eq!(plan(1, 1), vec![(1, 1)]);
    }
}
