//! Decoding untrusted uploads: sniff the format, check limits from the header, then decode.

use crate::error::ResizeError;
use crate::pixels::{fit_long_edge, flatten_alpha_in_place, Pixels};
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use shared::Limits;
use std::io::Cursor;

/// A decoded photo, still in its stored (not yet EXIF-oriented) orientation, possibly shrunk.
#[derive(Debug)]
pub struct Decoded {
    /// The pixels, grey or RGB; alpha is composited over white.
    pub pixels: Pixels,
    /// The embedded ICC colour profile, if any.
    pub icc_profile: Option<Vec<u8>>,
    /// The format the content turned out to be.
    pub format: ImageFormat,
    /// Width and height of the stored image (before any shrink-on-load).
    pub full_size: (u32, u32),
}

/// The format's name for messages and the extension a file of it should have.
fn describe(format: ImageFormat) -> (&'static str, &'static str) {
    match format {
        ImageFormat::Jpeg => ("JPEG", "jpg"),
        ImageFormat::Png => ("PNG", "png"),
        ImageFormat::WebP => ("WebP", "webp"),
        ImageFormat::Gif => ("GIF", "gif"),
        _ => ("another format", "?"),
    }
}

fn extension_format(extension: &str) -> Option<ImageFormat> {
    match extension.to_ascii_lowercase().as_str() {
        "jpg" | "jpeg" => Some(ImageFormat::Jpeg),
        "png" => Some(ImageFormat::Png),
        "webp" => Some(ImageFormat::WebP),
        "gif" => Some(ImageFormat::Gif),
        _ => None,
    }
}

/// Identifies the format from the content and checks it against the file's extension.
pub fn sniff(bytes: &[u8], extension: &str) -> Result<ImageFormat, ResizeError> {
    if bytes.is_empty() {
        return Err(ResizeError::Empty);
    }
    let format = image::guess_format(bytes).map_err(|_| ResizeError::NotAnImage {
        starts_with: bytes
            .iter()
            .take(8)
            .flat_map(|b| std::ascii::escape_default(*b))
            .map(char::from)
            .collect(),
    })?;
    if !matches!(format, ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif) {
        return Err(ResizeError::UnsupportedFormat(format!("{format:?}")));
    }
    if let Some(expected) = extension_format(extension) {
        if expected != format {
            let (actual, suggested) = describe(format);
            return Err(ResizeError::Mislabelled { extension: extension.to_owned(), actual, suggested });
        }
    }
    Ok(format)
}

/// Reads the image's dimensions from its header without decoding the pixels.
pub fn dimensions(bytes: &[u8], format: ImageFormat) -> Result<(u32, u32), ResizeError> {
    if format == ImageFormat::Jpeg {
        let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
        decoder.read_info().map_err(jpeg_error)?;
        let info = decoder.info().ok_or_else(no_frame)?;
        return Ok((u32::from(info.width), u32::from(info.height)));
    }
    let reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.into_dimensions().map_err(|e| corrupt(format, e))
}

fn no_frame() -> ResizeError {
    ResizeError::Corrupt { format: "JPEG", message: "no frame header".into() }
}

fn corrupt(format: ImageFormat, e: image::ImageError) -> ResizeError {
    ResizeError::Corrupt { format: describe(format).0, message: e.to_string() }
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
/// With `shrink_to`, a JPEG may be decoded at 1/2, 1/4 or 1/8 scale (in the DCT domain, as
/// libjpeg and libvips do) as long as its long edge stays at least `shrink_to`; other formats
/// always decode at full size.
pub fn decode(
    bytes: &[u8],
    extension: &str,
    limits: &Limits,
    shrink_to: Option<u32>,
) -> Result<Decoded, ResizeError> {
    let format = sniff(bytes, extension)?;
    if format == ImageFormat::Jpeg {
        return decode_jpeg(bytes, limits, shrink_to);
    }
    let (width, height) = dimensions(bytes, format)?;
    check_pixels(width, height, limits)?;
    let mut decoder_limits = image::Limits::default();
    decoder_limits.max_image_width = Some(width);
    decoder_limits.max_image_height = Some(height);
    // Room for the decoded frame at up to 16-bit RGBA, and not more.
    decoder_limits.max_alloc = Some(limits.max_pixels.saturating_mul(8).max(64 << 20));
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(decoder_limits);
    let mut decoder = reader.into_decoder().map_err(|e| corrupt(format, e))?;
    let icc_profile = decoder.icc_profile().ok().flatten().filter(|p| !p.is_empty());
    let image = DynamicImage::from_decoder(decoder).map_err(|e| corrupt(format, e))?;
    Ok(Decoded { pixels: into_pixels(image), icc_profile, format, full_size: (width, height) })
}

fn check_pixels(width: u32, height: u32, limits: &Limits) -> Result<(), ResizeError> {
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(ResizeError::TooManyPixels { width, height, limit: limits.max_pixels });
    }
    Ok(())
}

fn jpeg_error(e: jpeg_decoder::Error) -> ResizeError {
    ResizeError::Corrupt { format: "JPEG", message: e.to_string() }
}

fn decode_jpeg(bytes: &[u8], limits: &Limits, shrink_to: Option<u32>) -> Result<Decoded, ResizeError> {
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    decoder.read_info().map_err(jpeg_error)?;
    let info = decoder.info().ok_or_else(no_frame)?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    check_pixels(width, height, limits)?;
    if !jpeg_is_complete(bytes) {
        return Err(ResizeError::Truncated { bytes: bytes.len() });
    }
    decoder.set_max_decoding_buffer_size(
        usize::try_from(limits.max_pixels.saturating_mul(4)).unwrap_or(usize::MAX),
    );
    if let Some(long_edge) = shrink_to.filter(|&e| e < width.max(height)) {
        let (w, h) = fit_long_edge(width, height, long_edge);
        // Both fit in u16: JPEG dimensions are 16-bit and the request is smaller.
        decoder.scale(w as u16, h as u16).map_err(jpeg_error)?;
    }
    let icc_profile = decoder.icc_profile().filter(|p| !p.is_empty());
    let data = decoder.decode().map_err(jpeg_error)?;
    let out = decoder.info().ok_or_else(no_frame)?;
    let (w, h) = (u32::from(out.width), u32::from(out.height));
    let (channels, data) = match out.pixel_format {
        jpeg_decoder::PixelFormat::L8 => (1, data),
        jpeg_decoder::PixelFormat::RGB24 => (3, data),
        jpeg_decoder::PixelFormat::CMYK32 => (3, cmyk_to_rgb_in_place(data)),
        jpeg_decoder::PixelFormat::L16 => {
            return Err(ResizeError::UnsupportedFormat("16-bit lossless JPEG".into()))
        }
    };
    if data.len() < w as usize * h as usize * channels as usize {
        return Err(ResizeError::Corrupt {
            format: "JPEG",
            message: "decoder returned fewer pixels than the frame has".into(),
        });
    }
    Ok(Decoded {
        pixels: Pixels { width: w, height: h, channels, data },
        icc_profile,
        format: ImageFormat::Jpeg,
        full_size: (width, height),
    })
}

/// Adobe-style (inverted) CMYK to RGB, in place.
fn cmyk_to_rgb_in_place(mut data: Vec<u8>) -> Vec<u8> {
    let pixels = data.len() / 4;
    for i in 0..pixels {
        let k = u32::from(data[i * 4 + 3]);
        for c in 0..3 {
            data[i * 3 + c] = (u32::from(data[i * 4 + c]) * k / 255) as u8;
        }
    }
    data.truncate(pixels * 3);
    data
}

/// Converts any decoded image to grey or RGB 8-bit, reusing the decoder's buffer where it can.
fn into_pixels(image: DynamicImage) -> Pixels {
    let (width, height) = (image.width(), image.height());
    let (channels, data) = match image {
        DynamicImage::ImageLuma8(b) => (1, b.into_raw()),
        DynamicImage::ImageRgb8(b) => (3, b.into_raw()),
        DynamicImage::ImageLumaA8(b) => {
            let mut d = b.into_raw();
            flatten_alpha_in_place(&mut d, 2);
            (1, d)
        }
        other if other.color().has_alpha() => {
            let mut d = other.into_rgba8().into_raw();
            flatten_alpha_in_place(&mut d, 4);
            (3, d)
        }
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
        assert_eq!(dimensions(&jpeg, ImageFormat::Jpeg).expect("reads"), (5, 3));
    }

    #[test]
    fn sniffing_refuses_empty_text_and_mislabelled_files() {
        assert!(matches!(sniff(b"", "jpg"), Err(ResizeError::Empty)));
        let err = sniff(b"hello, I am text", "jpg").expect_err("text");
        assert_eq!(
            err.to_string(),
            "not an image: the content is not JPEG, PNG, WebP or GIF (it starts with hello, I)"
        );
        let png_magic = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        let err = sniff(png_magic, "JPG").expect_err("mislabelled");
        assert_eq!(
            err.to_string(),
            "mislabelled file: the name says .JPG but the content is PNG; rename it to .png"
        );
        assert_eq!(sniff(png_magic, "png").expect("png"), ImageFormat::Png);
        assert!(matches!(sniff(b"II*\0\x08\0\0\0", "jpg"), Err(ResizeError::UnsupportedFormat(_))));
    }
}
