//! JPEG, whole: the header's segments, the pixel limit, refusing cut-off files, decoding through
//! libjpeg-turbo scaled in the DCT domain, and CMYK/YCCK through the file's profile. (MPO is a
//! JPEG followed by more JPEGs: the first is the photo.) The FFI binding itself is
//! [`crate::jpeg_turbo`], the resizer's one module with `unsafe`.

use super::colour::cmyk_to_rgb;
use super::frame::{check_pixels, Decoded};
use crate::error::ResizeError;
use crate::jpeg_turbo;
use crate::orientation::Stored;
use crate::pixels::Pixels;
use shared::Limits;
use shoebox_core::PhotoFormat;

/// The marker segments of a JPEG's header, from after SOI up to and including the first
/// start-of-scan: `(marker, offset of its FF byte, total length with the marker)`. Stops early at
/// anything that is not a well-formed segment.
pub fn header_segments(bytes: &[u8]) -> impl Iterator<Item = (u8, usize, usize)> + '_ {
    let mut at = if bytes.starts_with(&[0xFF, 0xD8]) { 2 } else { bytes.len() };
    std::iter::from_fn(move || {
        // Fill bytes (extra 0xFF) may precede a marker.
        while bytes.get(at..at + 2) == Some(&[0xFF, 0xFF]) {
            at += 1;
        }
        let &[0xFF, marker, hi, lo] = bytes.get(at..at + 4)? else { return None };
        if marker == 0xD9 || marker == 0x00 {
            return None;
        }
        let segment = (marker, at, 2 + usize::from(u16::from_be_bytes([hi, lo])));
        at = if marker == 0xDA { bytes.len() } else { at + segment.2 };
        Some(segment)
    })
}

/// The picture's size from its header.
pub fn dimensions(bytes: &[u8]) -> Result<(u32, u32), ResizeError> {
    jpeg_turbo::read_header(bytes).map(|header| (header.width, header.height))
}

/// A JPEG is complete when an end-of-image marker follows its last start-of-scan marker.
///
/// Entropy-coded data never contains `FF D9` or `FF DA` (0xFF bytes are stuffed), so scanning
/// back from the end for whichever comes first tells a complete file from a cut-off one; it stops
/// at once for the usual file that ends with its EOI marker.
fn is_complete(bytes: &[u8]) -> bool {
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

/// Decodes a JPEG with libjpeg-turbo, scaled in the DCT domain by n/8 as far as `shrink_to`
/// allows. Damaged data it can decode past (a broken restart marker, bytes between segments)
/// gives the photo and a logged warning, as in browsers; a cut-off file is refused (libjpeg-turbo
/// would pad it with grey and call it a warning). CMYK and YCCK files are converted to sRGB
/// through their profile ([`super::colour`]).
pub fn decode(bytes: &[u8], limits: &Limits, shrink_to: Option<u32>) -> Result<Decoded, ResizeError> {
    let header = jpeg_turbo::read_header(bytes)?;
    check_pixels(header.width, header.height, limits)?;
    if !is_complete(bytes) {
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
        format: PhotoFormat::Jpeg,
        full_size: (header.width, header.height),
        orientation: Stored::AsCoded,
    })
}

fn invert(mut data: Vec<u8>) -> Vec<u8> {
    data.iter_mut().for_each(|v| *v = 255 - *v);
    data
}

/// Whether the JPEG has an Adobe APP14 segment before its first scan.
fn has_adobe_marker(bytes: &[u8]) -> bool {
    header_segments(bytes)
        .any(|(marker, at, _)| marker == 0xEE && bytes.get(at + 4..at + 9) == Some(b"Adobe"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_segments_stop_at_the_first_scan() {
        // SOI, APP1 (2 data bytes), a fill byte, SOS (1 data byte), scan data, EOI.
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE1, 0, 4, 1, 2, 0xFF, 0xFF, 0xDA, 0, 3, 9, 0xFF, 0xDA, 0xFF, 0xD9];
        let segments: Vec<_> = header_segments(&jpeg).collect();
        assert_eq!(segments, vec![(0xE1, 2, 6), (0xDA, 9, 5)]);
        assert_eq!(header_segments(b"not a jpeg").count(), 0);
        assert_eq!(header_segments(&[0xFF, 0xD8, 0xFF, 0xE1, 0]).count(), 0, "cut-off segment");
    }

    #[test]
    fn completeness_check_finds_the_end_marker() {
        assert!(is_complete(&[0xFF, 0xD8, 0xFF, 0xDA, 1, 2, 0xFF, 0x00, 0xFF, 0xD9]));
        assert!(is_complete(&[0xFF, 0xDA, 1, 0xFF, 0xD9, 0, 0, 0]), "trailing bytes after EOI are fine");
        assert!(!is_complete(&[0xFF, 0xD8, 0xFF, 0xDA, 1, 2, 0xFF, 0x00]));
        // An embedded thumbnail's EOI before the main scan does not count.
        assert!(!is_complete(&[0xFF, 0xD9, 0xFF, 0xDA, 1, 2, 3]));
    }

    #[test]
    fn dimensions_come_from_the_header() {
        let pixels = Pixels { width: 5, height: 3, channels: 3, data: vec![0; 5 * 3 * 3] };
        let jpeg = jpeg_turbo::encode(&pixels, 80, false, None).expect("encodes");
        assert_eq!(dimensions(&jpeg).expect("reads"), (5, 3));
    }
}
