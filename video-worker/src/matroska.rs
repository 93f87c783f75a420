//! What a WebM/Matroska video is, from its EBML elements (the Matroska specification, RFC 9559):
//! the segment's `Info` (timestamp scale, duration, date) and `Tracks` (codec, pixel size,
//! bits per channel, transfer). Elements are read from the start up to the first `Cluster`
//! (where the media begins), at most [`MAX_HEADER`] bytes, every size checked against its parent.

use crate::probe::{ProbeError, VideoCodec, VideoInfo, VideoTrack};
use std::io::Read;

/// The first four bytes of every EBML file.
pub const EBML_MAGIC: [u8; 4] = [0x1A, 0x45, 0xDF, 0xA3];
/// Most bytes read before the first cluster.
const MAX_HEADER: u64 = 16 << 20;

const SEGMENT: u64 = 0x1853_8067;
const INFO: u64 = 0x1549_A966;
const TIMESTAMP_SCALE: u64 = 0x2A_D7B1;
const DURATION: u64 = 0x4489;
const DATE_UTC: u64 = 0x4461;
const TRACKS: u64 = 0x1654_AE6B;
const TRACK_ENTRY: u64 = 0xAE;
const TRACK_TYPE: u64 = 0x83;
const CODEC_ID: u64 = 0x86;
const VIDEO: u64 = 0xE0;
const PIXEL_WIDTH: u64 = 0xB0;
const PIXEL_HEIGHT: u64 = 0xBA;
const COLOUR: u64 = 0x55B0;
const BITS_PER_CHANNEL: u64 = 0x55B2;
const CHROMA_SUBSAMPLING_HORZ: u64 = 0x55B3;
const CHROMA_SUBSAMPLING_VERT: u64 = 0x55B4;
const TRANSFER: u64 = 0x55BA;
const CLUSTER: u64 = 0x1F43_B675;
/// Seconds from 1970-01-01 to 2001-01-01, Matroska's epoch for `DateUTC`.
const MATROSKA_EPOCH: i64 = 978_307_200;

fn damaged(what: &str) -> ProbeError {
    ProbeError::Damaged(what.to_owned())
}

/// One element: its ID, where its data starts, and its length (to the end of the buffer when
/// the file says "unknown").
struct Element {
    id: u64,
    data: usize,
    len: usize,
}

/// A variable-length integer at `at`: its value (with the length marker kept for IDs, removed
/// for sizes) and its length; `None` when the size is "unknown" (all ones).
fn vint(buf: &[u8], at: usize, keep_marker: bool) -> Result<(Option<u64>, usize), ProbeError> {
    let first = *buf.get(at).ok_or_else(|| damaged("an element is cut short"))?;
    let len = first.leading_zeros() as usize + 1;
    if len > 8 {
        return Err(damaged("an element's length is invalid"));
    }
    let bytes = buf.get(at..at + len).ok_or_else(|| damaged("an element is cut short"))?;
    // The bits after the length marker (none of the first byte's for an 8-byte integer).
    let mask = (0xFFu16 >> len) as u8;
    let mut value = u64::from(if keep_marker { first } else { first & mask });
    let mut all_ones = first & mask == mask;
    for &b in &bytes[1..] {
        value = (value << 8) | u64::from(b);
        all_ones &= b == 0xFF;
    }
    Ok(((keep_marker || !all_ones).then_some(value), len))
}

/// The elements in `buf[start..end]`.
fn elements(buf: &[u8], start: usize, end: usize) -> Result<Vec<Element>, ProbeError> {
    let mut out = Vec::new();
    let mut at = start;
    while at < end {
        let (id, id_len) = vint(buf, at, true)?;
        let (size, size_len) = vint(buf, at + id_len, false)?;
        let data = at + id_len + size_len;
        let id = id.unwrap_or_default();
        let len = match size {
            Some(size) => usize::try_from(size).map_err(|_| damaged("an element's size"))?,
            None => end.saturating_sub(data),
        };
        if data.checked_add(len).is_none_or(|e| e > end) {
            // The media may run past what was read; anything else is damage.
            if id == CLUSTER || id == SEGMENT {
                out.push(Element { id, data, len: end.saturating_sub(data) });
                break;
            }
            return Err(damaged(&format!("element {id:#x} of {len} bytes overruns its parent")));
        }
        out.push(Element { id, data, len });
        if id == CLUSTER {
            break;
        }
        at = data + len;
    }
    Ok(out)
}

fn uint(buf: &[u8], e: &Element) -> u64 {
    buf[e.data..e.data + e.len.min(8)].iter().fold(0, |v, &b| (v << 8) | u64::from(b))
}

fn float(buf: &[u8], e: &Element) -> Option<f64> {
    let bytes = &buf[e.data..e.data + e.len];
    match e.len {
        4 => Some(f64::from(f32::from_be_bytes(bytes.try_into().ok()?))),
        8 => Some(f64::from_be_bytes(bytes.try_into().ok()?)),
        _ => None,
    }
}

fn text(buf: &[u8], e: &Element) -> String {
    String::from_utf8_lossy(&buf[e.data..e.data + e.len]).trim_end_matches('\0').to_owned()
}

/// Probes a WebM/Matroska file from its start.
pub fn probe_matroska<R: Read>(file: R) -> Result<VideoInfo, ProbeError> {
    let mut buf = Vec::new();
    file.take(MAX_HEADER).read_to_end(&mut buf)?;
    let top = elements(&buf, 0, buf.len())?;
    let doc = top.first().filter(|e| e.id == u64::from(u32::from_be_bytes(EBML_MAGIC)));
    if doc.is_none() {
        return Err(ProbeError::NotMp4("not an EBML file".into()));
    }
    let segment = top.iter().find(|e| e.id == SEGMENT).ok_or_else(|| damaged("no Matroska segment"))?;
    let inside = elements(&buf, segment.data, segment.data + segment.len)?;
    let mut info = VideoInfo {
        brand: "webm".into(),
        duration_ms: 0,
        video: None,
        audio: None,
        created_at: None,
        content_identifier: None,
        faststart: true,
    };
    let mut scale_ns = 1_000_000u64;
    let mut duration = None;
    for e in &inside {
        match e.id {
            INFO => {
                for field in elements(&buf, e.data, e.data + e.len)? {
                    match field.id {
                        TIMESTAMP_SCALE => scale_ns = uint(&buf, &field).max(1),
                        DURATION => duration = float(&buf, &field),
                        DATE_UTC if field.len == 8 => {
                            let ns = uint(&buf, &field) as i64;
                            let seconds = MATROSKA_EPOCH + ns.div_euclid(1_000_000_000);
                            info.created_at = u64::try_from(seconds).ok().map(crate::probe::utc_timestamp);
                        }
                        _ => {}
                    }
                }
            }
            TRACKS => {
                for entry in elements(&buf, e.data, e.data + e.len)?.iter().filter(|t| t.id == TRACK_ENTRY) {
                    track(&buf, entry, &mut info)?;
                }
            }
            _ => {}
        }
    }
    let ms = duration.filter(|d| d.is_finite() && *d >= 0.0).map(|d| d * scale_ns as f64 / 1e6);
    info.duration_ms = ms.map_or(0, |ms| ms.min(u64::MAX as f64) as u64);
    Ok(info)
}

fn track(buf: &[u8], entry: &Element, info: &mut VideoInfo) -> Result<(), ProbeError> {
    let fields = elements(buf, entry.data, entry.data + entry.len)?;
    let kind = fields.iter().find(|f| f.id == TRACK_TYPE).map(|f| uint(buf, f));
    let codec = fields.iter().find(|f| f.id == CODEC_ID).map(|f| text(buf, f)).unwrap_or_default();
    match kind {
        Some(1) if info.video.is_none() => {
            let video = fields
                .iter()
                .find(|f| f.id == VIDEO)
                .ok_or_else(|| damaged("a video track has no Video element"))?;
            let v = elements(buf, video.data, video.data + video.len)?;
            let get = |id| v.iter().find(|f| f.id == id).map(|f| uint(buf, f));
            let mut track = VideoTrack {
                codec: match codec.as_str() {
                    "V_VP9" => VideoCodec::Vp9,
                    "V_AV1" => VideoCodec::Av1,
                    "V_MPEG4/ISO/AVC" => VideoCodec::H264,
                    "V_MPEGH/ISO/HEVC" => VideoCodec::Hevc,
                    other => VideoCodec::Other(other.to_owned()),
                },
                width: u32::try_from(get(PIXEL_WIDTH).unwrap_or(0)).unwrap_or(u32::MAX),
                height: u32::try_from(get(PIXEL_HEIGHT).unwrap_or(0)).unwrap_or(u32::MAX),
                rotation: 0,
                mirrored: false,
                bit_depth: None,
                chroma: None,
                hdr: false,
                h264_profile: None,
            };
            if let Some(colour) = v.iter().find(|f| f.id == COLOUR) {
                let c = elements(buf, colour.data, colour.data + colour.len)?;
                let get = |id| c.iter().find(|f| f.id == id).map(|f| uint(buf, f));
                track.bit_depth = get(BITS_PER_CHANNEL).and_then(|b| u8::try_from(b).ok()).filter(|&b| b > 0);
                track.hdr = matches!(get(TRANSFER), Some(16 | 18));
                track.chroma = match (get(CHROMA_SUBSAMPLING_HORZ), get(CHROMA_SUBSAMPLING_VERT)) {
                    (Some(1), Some(1)) => Some("4:2:0".into()),
                    (Some(1), Some(0)) => Some("4:2:2".into()),
                    (Some(0), Some(0)) => Some("4:4:4".into()),
                    _ => None,
                };
            }
            info.video = Some(track);
        }
        Some(2) if info.audio.is_none() => info.audio = Some(codec),
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_length_integers_read_as_the_spec_says() {
        assert_eq!(vint(&[0x81], 0, false).ok(), Some((Some(1), 1)));
        assert_eq!(vint(&[0x40, 0x02], 0, false).ok(), Some((Some(2), 2)));
        assert_eq!(vint(&[0xFF], 0, false).ok(), Some((None, 1)), "unknown size");
        assert_eq!(vint(&[0x1A, 0x45, 0xDF, 0xA3], 0, true).ok(), Some((Some(0x1A45_DFA3), 4)));
        assert!(vint(&[0x00], 0, false).is_err(), "no marker in the first byte");
        assert!(vint(&[0x40], 0, false).is_err(), "cut short");
        assert_eq!(vint(&[0x01, 0, 0, 0, 0, 0, 0, 9], 0, false).ok(), Some((Some(9), 8)));
        assert_eq!(vint(&[0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], 0, false).ok(), Some((None, 8)));
    }

    #[test]
    fn damaged_headers_are_named() {
        let probe = |b: &[u8]| probe_matroska(b).map(|_| ()).expect_err("refused").to_string();
        assert!(probe(&[0x1A, 0x45, 0xDF, 0xA3, 0x88, 0x42]).contains("overruns"));
        assert!(probe(&[0x1A, 0x45, 0xDF, 0xA3, 0x80]).contains("no Matroska segment"));
        assert!(probe(&[0x42, 0x86, 0x81, 0x01]).contains("not an EBML file"));
    }
}
