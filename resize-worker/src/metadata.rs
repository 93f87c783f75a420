//! Reading the EXIF fields Shoebox uses: the orientation and the summary shown beside a photo.
//!
//! Nothing here is ever copied into outputs: derivatives carry no EXIF at all (so no GPS), and
//! the manifest's [`ExifSummary`] has no location field.

use crate::decode::{jpeg, tiff, webp};
use crate::orientation::Orientation;
use exif::{In, Reader, Tag, Value};
use shoebox_core::ExifSummary;
use std::borrow::Cow;
use std::io::Cursor;

/// What the worker takes from a photo's EXIF.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PhotoMetadata {
    /// The EXIF orientation, when the file has the tag (see [`crate::orientation`]).
    pub orientation: Option<Orientation>,
    /// The fields the gallery shows.
    pub summary: ExifSummary,
}

/// Reads EXIF from a JPEG, TIFF, PNG, WebP or HEIF. A photo without EXIF, or with EXIF that does
/// not parse, gets no orientation and an empty summary: broken metadata never costs a photo.
pub fn read_metadata(bytes: &[u8]) -> PhotoMetadata {
    let read = if let Some(tiff) = tiff::without_pixel_data(bytes) {
        Reader::new().read_raw(tiff)
    } else if let Some(exif) = webp::exif(bytes) {
        // kamadak-exif's own WebP reader refuses a chunk that starts with `Exif\0\0`.
        Reader::new().read_raw(exif.to_vec())
    } else {
        Reader::new().read_from_container(&mut Cursor::new(metadata_part(bytes).as_ref()))
    };
    let exif = match read {
        Ok(exif) => exif,
        Err(exif::Error::NotFound(_)) => return PhotoMetadata::default(),
        Err(e) => {
            tracing::warn!(error = %e, "EXIF does not parse; no orientation and no camera details");
            return PhotoMetadata::default();
        }
    };
    let field = |tag| exif.get_field(tag, In::PRIMARY).map(|f| &f.value);
    let text = |tag| field(tag).and_then(ascii);
    let rational = |tag| match field(tag) {
        Some(Value::Rational(v)) => v.first().filter(|r| r.denom != 0).map(|r| r.to_f64()),
        _ => None,
    };
    let orientation = field(Tag::Orientation).and_then(|v| v.get_uint(0)).and_then(Orientation::from_exif);
    let summary = ExifSummary {
        captured_at: text(Tag::DateTimeOriginal)
            .or_else(|| text(Tag::DateTime))
            .and_then(|d| iso_datetime(&d, text(Tag::OffsetTimeOriginal).as_deref())),
        camera: camera(text(Tag::Make), text(Tag::Model)),
        lens: text(Tag::LensModel),
        exposure: rational(Tag::ExposureTime).filter(|t| *t > 0.0).map(exposure),
        aperture: rational(Tag::FNumber).filter(|f| *f > 0.0).map(|f| format!("f/{}", trim(f, 1))),
        iso: field(Tag::PhotographicSensitivity).and_then(|v| v.get_uint(0)).filter(|i| *i > 0),
        focal_length: rational(Tag::FocalLength).filter(|f| *f > 0.0).map(|f| format!("{} mm", trim(f, 1))),
        content_identifier: match exif.get_field(Tag::MakerNote, In::PRIMARY).map(|f| &f.value) {
            Some(Value::Undefined(note, _)) => apple_content_identifier(note),
            _ => None,
        },
    };
    PhotoMetadata { orientation, summary }
}

/// The part of the file EXIF can be in. A JPEG's is its header (before the first scan), closed
/// with an end marker: kamadak-exif would otherwise copy the whole compressed image while looking
/// for more segments after it (7 ms of a 24 MP photo's ~150 ms). Other containers as they are.
fn metadata_part(bytes: &[u8]) -> Cow<'_, [u8]> {
    match jpeg::header_segments(bytes).last() {
        Some((0xDA, at, _)) => {
            let mut head = Vec::with_capacity(at + 2);
            head.extend_from_slice(&bytes[..at]);
            head.extend_from_slice(&[0xFF, 0xD9]);
            Cow::Owned(head)
        }
        _ => Cow::Borrowed(bytes),
    }
}

/// The Live Photo content identifier in an Apple MakerNote: `Apple iOS\0`, a version (2 bytes),
/// `MM`, then a big-endian IFD whose offsets count from the MakerNote's start; tag 0x0011 is an
/// ASCII UUID. Anything else (another maker, a damaged note) is `None`.
fn apple_content_identifier(note: &[u8]) -> Option<String> {
    const IFD: usize = 14;
    if !note.starts_with(b"Apple iOS\0") || note.get(12..14)? != b"MM" {
        return None;
    }
    let u16_at = |at: usize| note.get(at..at + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    let u32_at = |at: usize| note.get(at..at + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    let entries = usize::from(u16_at(IFD)?);
    (0..entries.min(512)).find_map(|i| {
        let entry = IFD + 2 + 12 * i;
        // Tag 0x0011, type 2 (ASCII).
        if u16_at(entry)? != 0x0011 || u16_at(entry + 2)? != 2 {
            return None;
        }
        let count = usize::try_from(u32_at(entry + 4)?).ok()?;
        let at = if count <= 4 { entry + 8 } else { usize::try_from(u32_at(entry + 8)?).ok()? };
        let text = note.get(at..at.checked_add(count)?)?;
        let id = std::str::from_utf8(text).ok()?.trim_end_matches('\0').trim();
        let plausible =
            (8..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        plausible.then(|| id.to_owned())
    })
}

fn ascii(value: &Value) -> Option<String> {
    let Value::Ascii(parts) = value else { return None };
    let s = String::from_utf8_lossy(parts.first()?)
        .trim_matches(|c: char| c == '\0' || c.is_whitespace())
        .to_owned();
    (!s.is_empty()).then_some(s)
}

/// `Canon` + `Canon EOS R5` → `Canon EOS R5`; `FUJIFILM` + `X-T4` → `FUJIFILM X-T4`.
fn camera(make: Option<String>, model: Option<String>) -> Option<String> {
    match (make, model) {
        (Some(make), Some(model)) if model.to_lowercase().starts_with(&make.to_lowercase()) => Some(model),
        (Some(make), Some(model)) => Some(format!("{make} {model}")),
        (make, model) => make.or(model),
    }
}

/// EXIF `2024:05:01 14:03:22` (+ offset `+02:00`) → `2024-05-01T14:03:22+02:00`.
fn iso_datetime(exif: &str, offset: Option<&str>) -> Option<String> {
    let b = exif.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let shape = b.len() >= 19
        && digits(0..4)
        && digits(5..7)
        && digits(8..10)
        && digits(11..13)
        && digits(14..16)
        && digits(17..19);
    if !shape || exif.starts_with("0000") {
        return None;
    }
    let mut s = format!("{}-{}-{}T{}", &exif[0..4], &exif[5..7], &exif[8..10], &exif[11..19]);
    if let Some(o) = offset.filter(|o| o.len() == 6 && (o.starts_with('+') || o.starts_with('-'))) {
        s.push_str(o);
    }
    Some(s)
}

fn exposure(t: f64) -> String {
    if t < 1.0 {
        format!("1/{} s", (1.0 / t).round())
    } else {
        format!("{} s", trim(t, 1))
    }
}

/// A number with at most `decimals` decimals and no trailing zeros.
fn trim(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_fields_like_a_photographer_reads_them() {
        assert_eq!(exposure(0.004), "1/250 s");
        assert_eq!(exposure(2.5), "2.5 s");
        assert_eq!(trim(2.8, 1), "2.8");
        assert_eq!(trim(35.0, 1), "35");
        assert_eq!(
            camera(Some("Canon".into()), Some("Canon EOS R5".into())).as_deref(),
            Some("Canon EOS R5")
        );
        assert_eq!(camera(Some("FUJIFILM".into()), Some("X-T4".into())).as_deref(), Some("FUJIFILM X-T4"));
        assert_eq!(
            iso_datetime("2024:05:01 14:03:22", Some("+02:00")).as_deref(),
            Some("2024-05-01T14:03:22+02:00")
        );
        assert_eq!(iso_datetime("0000:00:00 00:00:00", None), None);
        assert_eq!(iso_datetime("garbage", None), None);
    }

    use samples::apple_maker_note as apple_note;

    #[test]
    fn a_live_photo_s_still_names_its_motion() {
        let id = b"FFCBAC24-E547-4BBC-AF47-38B1A3D845E3\0";
        assert_eq!(
            apple_content_identifier(&apple_note(id)).as_deref(),
            Some("FFCBAC24-E547-4BBC-AF47-38B1A3D845E3")
        );
        // Through a JPEG's EXIF, as read_metadata reads a photo.
        let exif = samples::SampleExif { maker_note: apple_note(id), ..Default::default() };
        let jpeg = samples::sample_jpeg(40, 30, 1, Some(&exif)).expect("encodes");
        let read = read_metadata(&jpeg);
        assert_eq!(read.summary.content_identifier.as_deref(), Some("FFCBAC24-E547-4BBC-AF47-38B1A3D845E3"));
        // Another maker's note, a cut note, an offset past the end, or junk text: none.
        assert_eq!(apple_content_identifier(b"Nikon\0\x02\x10\0\0MM\0\0\0\x08"), None);
        let full = apple_note(id);
        assert_eq!(apple_content_identifier(&full[..full.len() - 10]), None);
        let mut far = apple_note(id);
        far[14 + 2 + 24 + 8..14 + 2 + 24 + 12].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(apple_content_identifier(&far), None);
        assert_eq!(apple_content_identifier(&apple_note(b"<script>alert(1)</script>\0")), None);
    }

    #[test]
    fn no_exif_means_upright_and_empty() {
        let m = read_metadata(b"\xFF\xD8\xFF\xD9");
        assert_eq!(m, PhotoMetadata { orientation: None, summary: ExifSummary::default() });
    }
}
