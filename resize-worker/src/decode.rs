//! Decoding untrusted uploads: sniff the format, check limits from the header, then decode.

use crate::colour::cmyk_to_rgb;
use crate::error::ResizeError;
pub use crate::format::{sniff, Format};
use crate::jpeg_turbo;
use crate::pixels::{flatten_frame, Pixels};
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use shared::Limits;
use std::io::Cursor;

/// A decoded photo, still in its stored (not yet EXIF-oriented) orientation, possibly shrunk.
#[derive(Debug)]
pub struct Decoded {
    /// The pixels, grey or RGB; alpha is composited over white.
    pub pixels: Pixels,
    /// The colour profile the pixels are in (embedded, or made from the file's colour
    /// information); `None` means sRGB.
    pub icc_profile: Option<Vec<u8>>,
    /// The format the content turned out to be.
    pub format: Format,
    /// Width and height of the stored image (before any shrink-on-load).
    pub full_size: (u32, u32),
    /// Whether the decoder already turned the picture upright (HEIF's `irot`/`imir`), so
    /// metadata orientation must not be applied again.
    pub upright: bool,
}

/// The `image` crate's name for a format it decodes.
fn image_format(format: Format) -> Option<ImageFormat> {
    match format {
        Format::Png => Some(ImageFormat::Png),
        Format::WebP => Some(ImageFormat::WebP),
        Format::Gif => Some(ImageFormat::Gif),
        Format::Jpeg | Format::Heif | Format::Avif | Format::Tiff => None,
    }
}

/// Reads the image's dimensions from its header without decoding the pixels.
pub fn dimensions(bytes: &[u8], format: Format) -> Result<(u32, u32), ResizeError> {
    let Some(image_format) = image_format(format) else {
        return match format {
            Format::Heif => crate::heif::dimensions(bytes),
            Format::Avif => crate::avif::dimensions(bytes),
            Format::Tiff => crate::tiff::dimensions(bytes),
            _ => jpeg_turbo::read_header(bytes).map(|header| (header.width, header.height)),
        };
    };
    let reader = ImageReader::with_format(Cursor::new(bytes), image_format);
    reader.into_dimensions().map_err(|e| ResizeError::corrupt(format, e))
}

/// A JPEG is complete when an end-of-image marker follows its last start-of-scan marker.
///
/// Entropy-coded data never contains `FF D9` or `FF DA` (0xFF bytes are stuffed), so scanning
/// back from the end for whichever comes first tells a complete file from a cut-off one; it stops
/// at once for the usual file that ends with its EOI marker.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    for i in (0..bytes.len().saturating_sub(1)).rev() {
        if bytes[i] == 0xFF {
            match bytes[i + 1] {
                0xD9 => return true,
                0xDA => return false,
                _ => {}
            }
        }
    }
    false
}

/// Decodes a photo under `limits`: format and extension agree, pixel count is checked from the
/// header before any large allocation, truncated JPEGs are refused rather than padded with grey.
///
/// With `shrink_to`, a JPEG may be decoded at a smaller scale (in the DCT domain, as libjpeg
/// and libvips do) as long as its long edge stays at least `shrink_to`; TIFF, PNG (interlaced
/// too) and AVIF are read row by row and shrunk by a whole factor on the way in
/// ([`crate::box_shrink`]); WebP, GIF and HEIC (a grid of tiles written into one frame) decode
/// at full size.
pub fn decode(
    bytes: &[u8],
    extension: &str,
    limits: &Limits,
    shrink_to: Option<u32>,
) -> Result<Decoded, ResizeError> {
    let format = sniff(bytes, extension)?;
    let image_format = match format {
        Format::Jpeg => return decode_jpeg(bytes, limits, shrink_to),
        Format::Heif => return crate::heif::decode_heif(bytes, limits),
        Format::Avif => return crate::avif::decode_avif(bytes, limits, shrink_to),
        Format::Tiff => return crate::tiff::decode_tiff(bytes, limits, shrink_to),
        Format::Png => return crate::png::decode_png(bytes, limits, shrink_to),
        other => image_format(other).ok_or(ResizeError::UnsupportedFormat(other.name().to_string()))?,
    };
    let (width, height) = dimensions(bytes, format)?;
    check_pixels(width, height, limits)?;
    let mut decoder_limits = image::Limits::default();
    decoder_limits.max_image_width = Some(width);
    decoder_limits.max_image_height = Some(height);
    // Room for the decoded frame at up to 16-bit RGBA (16-bit PNG), and not more.
    decoder_limits.max_alloc = Some(limits.max_pixels.saturating_mul(8).max(64 << 20));
    let mut reader = ImageReader::with_format(Cursor::new(bytes), image_format);
    reader.limits(decoder_limits);
    let mut decoder = reader.into_decoder().map_err(|e| ResizeError::corrupt(format, e))?;
    let icc_profile = decoder.icc_profile().ok().flatten().filter(|p| !p.is_empty());
    let image = DynamicImage::from_decoder(decoder).map_err(|e| ResizeError::corrupt(format, e))?;
    Ok(Decoded {
        pixels: into_pixels(image),
        icc_profile,
        format,
        full_size: (width, height),
        upright: false,
    })
}

/// Refuses an image over the pixel limit (read from its header, before decoding).
pub(crate) fn check_pixels(width: u32, height: u32, limits: &Limits) -> Result<(), ResizeError> {
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(ResizeError::TooManyPixels { width, height, limit: limits.max_pixels });
    }
    Ok(())
}

/// Decodes a JPEG with libjpeg-turbo, scaled in the DCT domain by n/8 as far as `shrink_to`
/// allows. Damaged data it can decode past (a broken restart marker, bytes between segments)
/// gives the photo and a logged warning, as in browsers. CMYK and YCCK files are converted to
/// sRGB through their profile (`colour`).
fn decode_jpeg(bytes: &[u8], limits: &Limits, shrink_to: Option<u32>) -> Result<Decoded, ResizeError> {
    let header = jpeg_turbo::read_header(bytes)?;
    check_pixels(header.width, header.height, limits)?;
    // libjpeg-turbo would pad a cut-off file with grey and call it a warning.
    if !jpeg_is_complete(bytes) {
        return Err(ResizeError::Truncated { bytes: bytes.len() });
    }
    let scale = shrink_to.map_or((1, 1), |edge| jpeg_turbo::scale_for(header.width, header.height, edge));
    // A progressive file keeps all its coefficients (2 bytes per sample, up to 4 samples per
    // pixel) until the last scan; a file within the pixel limit needs no more than that.
    let max_memory_mb = u32::try_from((limits.max_pixels.saturating_mul(8) >> 20) + 16).unwrap_or(u32::MAX);
    let decoded = jpeg_turbo::decode(bytes, scale, max_memory_mb)?;
    if let Some(warning) = &decoded.warning {
        tracing::warn!(%warning, "damaged JPEG data; decoded past it as libjpeg-turbo and browsers do");
    }
    let (mut pixels, mut icc_profile) = (decoded.pixels, decoded.icc_profile);
    if pixels.channels == 4 {
        // Adobe files (APP14: Photoshop, libjpeg, scanners) store CMYK inverted; others store
        // plain ink amounts.
        let ink = if has_adobe_marker(bytes) { invert(pixels.data) } else { pixels.data };
        let converted = cmyk_to_rgb(ink, icc_profile.as_deref());
        icc_profile = converted.icc_profile;
        pixels = Pixels { width: pixels.width, height: pixels.height, channels: 3, data: converted.rgb };
    }
    Ok(Decoded {
        pixels,
        icc_profile,
        format: Format::Jpeg,
        full_size: (header.width, header.height),
        upright: false,
    })
}

fn invert(mut data: Vec<u8>) -> Vec<u8> {
    data.iter_mut().for_each(|v| *v = 255 - *v);
    data
}

/// Whether the JPEG has an Adobe APP14 segment before its first scan.
fn has_adobe_marker(bytes: &[u8]) -> bool {
    crate::format::jpeg_header_segments(bytes)
        .any(|(marker, at, _)| marker == 0xEE && bytes.get(at + 4..at + 9) == Some(b"Adobe"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completeness_check_finds_the_end_marker() {
        assert!(jpeg_is_complete(&[0xFF, 0xD8, 0xFF, 0xDA, 1, 2, 0xFF, 0x00, 0xFF, 0xD9]));
        assert!(jpeg_is_complete(&[0xFF, 0xDA, 1, 0xFF, 0xD9, 0, 0, 0]), "trailing bytes after EOI are fine");
        assert!(!jpeg_is_complete(&[0xFF, 0xD8, 0xFF, 0xDA, 1, 2, 0xFF, 0x00]));
        // An embedded thumbnail's EOI before the main scan does not count.
        assert!(!jpeg_is_complete(&[0xFF, 0xD9, 0xFF, 0xDA, 1, 2, 3]));
    }

    #[test]
    fn jpeg_dimensions_come_from_the_header_without_the_image_crate() {
        let mut jpeg = Vec::new();
        jpeg_encoder::Encoder::new(&mut jpeg, 80)
            .encode(&[0u8; 5 * 3 * 3], 5, 3, jpeg_encoder::ColorType::Rgb)
            .expect("encodes");
        assert_eq!(dimensions(&jpeg, Format::Jpeg).expect("reads"), (5, 3));
    }
}
