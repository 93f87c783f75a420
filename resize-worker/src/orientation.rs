//! The one place that decides which way up a photo is, for every format.
//!
//! Order of authority: HEIF's own transforms (the decoder applies them, and its EXIF tag only
//! repeats them), then the EXIF orientation tag (JPEG, TIFF, PNG `eXIf`, WebP `EXIF`), then XMP's
//! `tiff:Orientation` for files whose only orientation is in XMP (some editors write it there).

use crate::decode::Decoded;

/// The orientation (1–8, EXIF's numbering) still to apply to the decoded pixels.
pub fn orientation(decoded: &Decoded, bytes: &[u8], exif_orientation: Option<u32>) -> u32 {
    if decoded.upright {
        return 1;
    }
    exif_orientation.or_else(|| xmp_orientation(bytes)).filter(|o| (1..=8).contains(o)).unwrap_or(1)
}

/// How far into each end of a file to look for an XMP packet: JPEG and PNG put it near the
/// start, WebP after the image data, at the end.
const XMP_WINDOW: usize = 256 * 1024;

/// `tiff:Orientation` from an XMP packet, as an attribute (`tiff:Orientation="6"`) or an element
/// (`<tiff:Orientation>6</tiff:Orientation>`).
pub fn xmp_orientation(bytes: &[u8]) -> Option<u32> {
    let head = &bytes[..bytes.len().min(XMP_WINDOW)];
    let tail = &bytes[bytes.len().saturating_sub(XMP_WINDOW)..];
    [head, tail].into_iter().find_map(|part| {
        const NAME: &[u8] = b"tiff:Orientation";
        let at = part.windows(NAME.len()).position(|w| w == NAME)? + NAME.len();
        let rest = part.get(at..part.len().min(at + 8))?;
        let value = match rest {
            [b'=', b'"' | b'\'', v, ..] | [b'>', v, ..] => *v,
            [b' ', b'=', b' ', b'"' | b'\'', v, ..] => *v,
            _ => return None,
        };
        value.is_ascii_digit().then(|| u32::from(value - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xmp_orientation_in_both_forms() {
        assert_eq!(xmp_orientation(b"<rdf:Description tiff:Orientation=\"6\"/>"), Some(6));
        assert_eq!(xmp_orientation(b"<rdf:Description tiff:Orientation='8' x='1'/>"), Some(8));
        assert_eq!(xmp_orientation(b"<tiff:Orientation>3</tiff:Orientation>"), Some(3));
        assert_eq!(xmp_orientation(b"no xmp here"), None);
        assert_eq!(xmp_orientation(b"tiff:Orientation"), None, "cut off after the name");
        assert_eq!(xmp_orientation(b"tiff:Orientation=\"x\"......"), None);
    }
}
