//! Which decoder a file needs: decided by its content (magic numbers, HEIF brands), checked
//! against the extension its name promises (the format table, [`PhotoFormat`]).

use crate::error::ResizeError;
use shoebox_core::PhotoFormat as Format;

/// What the first bytes say, before any check against the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Content {
    Known(Format),
    /// A HEIF whose pictures are coded with something else than HEVC or AV1.
    OtherHeif,
}

fn content(bytes: &[u8]) -> Option<Content> {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(b"\xFF\xD8\xFF") {
        return Some(Content::Known(Format::Jpeg));
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Some(Content::Known(Format::Png));
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Some(Content::Known(Format::Gif));
    }
    if starts(b"II*\0") || starts(b"MM\0*") {
        return Some(Content::Known(Format::Tiff));
    }
    if bytes.len() >= 12 && starts(b"RIFF") && &bytes[8..12] == b"WEBP" {
        return Some(Content::Known(Format::WebP));
    }
    heif_brand(bytes)
}

/// An ISO-BMFF `ftyp` box: the major brand, else the compatible brands, say what codes the
/// pictures. iPhones write `heic`; `mif1` files list the codec among the compatible brands.
fn heif_brand(bytes: &[u8]) -> Option<Content> {
    if bytes.get(4..8) != Some(b"ftyp") {
        return None;
    }
    let size = u32::from_be_bytes(bytes.get(0..4)?.try_into().ok()?) as usize;
    let ftyp = bytes.get(8..size.clamp(16, 256).min(bytes.len()))?;
    let brands: Vec<&[u8]> = std::iter::once(ftyp.get(0..4)?).chain(ftyp.get(8..)?.chunks_exact(4)).collect();
    let has = |names: &[&[u8]]| brands.iter().any(|b| names.contains(b));
    if has(&[b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"]) {
        Some(Content::Known(Format::Heif))
    } else if has(&[b"avif", b"avis"]) {
        Some(Content::Known(Format::Avif))
    } else if has(&[b"mif1", b"mif2", b"msf1"]) {
        Some(Content::OtherHeif)
    } else {
        None
    }
}

/// Identifies the format from the content and checks it against the file's extension.
pub fn sniff(bytes: &[u8], extension: &str) -> Result<Format, ResizeError> {
    if bytes.is_empty() {
        return Err(ResizeError::Empty);
    }
    let format = match content(bytes) {
        Some(Content::Known(format)) => format,
        Some(Content::OtherHeif) => {
            return Err(ResizeError::UnsupportedFormat(
                "HEIF whose pictures are not HEVC-coded (only HEIC is read)".into(),
            ))
        }
        None => {
            return Err(ResizeError::NotAnImage {
                starts_with: bytes
                    .iter()
                    .take(8)
                    .flat_map(|b| std::ascii::escape_default(*b))
                    .map(char::from)
                    .collect(),
            })
        }
    };
    if let Some(expected) = Format::from_extension(extension) {
        if expected != format {
            return Err(ResizeError::Mislabelled {
                extension: extension.to_owned(),
                actual: format.name(),
                suggested: format.suggested_extension(),
            });
        }
    }
    Ok(format)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_refuses_empty_text_and_mislabelled_files() {
        assert!(matches!(sniff(b"", "jpg"), Err(ResizeError::Empty)));
        let err = sniff(b"hello, I am text", "jpg").expect_err("text");
        assert_eq!(
            err.to_string(),
            "not an image: the content is not JPEG, PNG, WebP, GIF, TIFF, HEIC or AVIF (it starts with hello, I)"
        );
        let png_magic = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        let err = sniff(png_magic, "JPG").expect_err("mislabelled");
        assert_eq!(
            err.to_string(),
            "mislabelled file: the name says .JPG but the content is PNG; rename it to .png"
        );
        assert_eq!(sniff(png_magic, "png").expect("png"), Format::Png);
        assert_eq!(sniff(b"II*\0\x08\0\0\0", "tif").expect("tiff"), Format::Tiff);
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE1", "MPO").expect("mpo"), Format::Jpeg);
    }

    #[test]
    fn heif_brands_decide_between_heic_avif_and_others() {
        let ftyp = |major: &[u8], compatible: &[&[u8]]| {
            let mut b = Vec::new();
            b.extend_from_slice(&(16 + 4 * compatible.len() as u32).to_be_bytes());
            b.extend_from_slice(b"ftyp");
            b.extend_from_slice(major);
            b.extend_from_slice(&[0, 0, 0, 0]);
            for c in compatible {
                b.extend_from_slice(c);
            }
            b
        };
        assert_eq!(sniff(&ftyp(b"heic", &[b"mif1"]), "HEIC").expect("heic"), Format::Heif);
        assert_eq!(sniff(&ftyp(b"mif1", &[b"mif1", b"heic"]), "heif").expect("mif1"), Format::Heif);
        assert_eq!(sniff(&ftyp(b"avif", &[b"mif1"]), "avif").expect("avif"), Format::Avif);
        assert_eq!(sniff(&ftyp(b"mif1", &[b"avif"]), "AVIF").expect("mif1 avif"), Format::Avif);
        assert!(sniff(&ftyp(b"mif1", &[b"jpeg"]), "heif").is_err());
        assert!(matches!(
            sniff(&ftyp(b"heic", &[]), "jpg"),
            Err(ResizeError::Mislabelled { actual: "HEIC", suggested: "heic", .. })
        ));
        // An MP4 video is not an image.
        assert!(matches!(sniff(&ftyp(b"isom", &[b"mp41"]), "jpg"), Err(ResizeError::NotAnImage { .. })));
    }
}
