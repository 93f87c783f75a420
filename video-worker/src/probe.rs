//! What a video is, read from its MP4/QuickTime boxes in Rust (ISO/IEC 14496-12; Apple's
//! QuickTime File Format for `keys`/`ilst` metadata): duration, dimensions and rotation, codecs,
//! bit depth, chroma and transfer (HDR), creation time, the Live Photo content identifier, and
//! whether the `moov` box comes before the media (`+faststart`).
//!
//! Only the top-level box headers and the `moov` box are read, so a 2 GB clip costs a few seeks
//! and the `moov` bytes (bounded by [`MAX_MOOV`]). Every length is checked against its parent:
//! a truncated or hostile file is a [`ProbeError`] naming what is wrong, never a panic.

use serde::{Deserialize, Serialize};
use std::io::{Read, Seek, SeekFrom};

/// Largest `moov` box read (an hour of 60 fps video has a few MB of sample tables).
pub const MAX_MOOV: u64 = 64 << 20;

/// The QuickTime metadata key of a Live Photo's motion, shared with its still's Apple MakerNote.
pub const CONTENT_IDENTIFIER_KEY: &str = "com.apple.quicktime.content.identifier";
/// The QuickTime metadata key of the local capture time (ISO 8601 with the offset).
const CREATION_DATE_KEY: &str = "com.apple.quicktime.creationdate";

/// Why a file could not be probed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProbeError {
    /// Reading failed.
    #[error("cannot read the video: {0}")]
    Io(#[from] std::io::Error),
    /// Not an MP4, QuickTime or WebM file (no `ftyp`, `moov` or `mdat` where they belong, no
    /// EBML header).
    #[error("not an MP4, QuickTime or WebM video: {0}")]
    NotMp4(String),
    /// A box is cut short or its sizes do not add up.
    #[error("damaged video: {0}")]
    Damaged(String),
    /// Within limits of what is read (a `moov` over [`MAX_MOOV`]).
    #[error("video too large to read: {0}")]
    TooLarge(String),
}

/// A video codec, by its sample entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VideoCodec {
    /// H.264 (`avc1`, `avc3`).
    H264,
    /// H.265 (`hvc1`, `hev1`).
    Hevc,
    /// VP9 (`vp09`).
    Vp9,
    /// AV1 (`av01`).
    Av1,
    /// Another sample entry (its four characters).
    Other(String),
}

/// How the video's samples are stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoTrack {
    /// The codec.
    pub codec: VideoCodec,
    /// Coded width and height in pixels (before rotation).
    pub width: u32,
    /// Coded height.
    pub height: u32,
    /// Clockwise degrees (0, 90, 180 or 270) to turn the coded picture to show it upright, from
    /// the track header's display matrix.
    pub rotation: u16,
    /// Whether the display matrix also mirrors the picture.
    pub mirrored: bool,
    /// Bits per sample (8, 10, …) when the codec configuration says.
    pub bit_depth: Option<u8>,
    /// Chroma subsampling (`4:2:0`, `4:2:2`, `4:4:4`, `4:0:0`) when the configuration says.
    pub chroma: Option<String>,
    /// Whether the transfer is HDR (PQ or HLG, from `colr` `nclx`/`nclc`, or WebM's `Colour`).
    pub hdr: bool,
    /// H.264's profile (`avcC`): 66 baseline, 77 main, 100 high, 110 high 10, …
    pub h264_profile: Option<u8>,
}

impl VideoTrack {
    /// Width and height as shown, after rotation.
    pub fn display_size(&self) -> (u32, u32) {
        if self.rotation % 180 == 90 {
            (self.height, self.width)
        } else {
            (self.width, self.height)
        }
    }
}

/// What a video file holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoInfo {
    /// The `ftyp` major brand (`qt  ` for QuickTime, `isom`, `mp42`, …).
    pub brand: String,
    /// Duration in milliseconds (the movie header's).
    pub duration_ms: u64,
    /// The first video track, if any.
    pub video: Option<VideoTrack>,
    /// The first audio track's codec (`mp4a` is AAC), if any.
    pub audio: Option<String>,
    /// Capture time: Apple's local `creationdate` (`2024-05-01T12:00:00+0200`) when present, else
    /// the movie header's (UTC, `2024-05-01T10:00:00Z`); `None` when unset (1904).
    pub created_at: Option<String>,
    /// A Live Photo's content identifier ([`CONTENT_IDENTIFIER_KEY`]).
    pub content_identifier: Option<String>,
    /// Whether `moov` comes before `mdat` (plays before it is fully downloaded).
    pub faststart: bool,
}

/// A box: its type, where its content starts and how long it is.
#[derive(Debug, Clone, Copy)]
struct BoxHeader {
    kind: [u8; 4],
    content: usize,
    len: usize,
}

/// The boxes in `data[start..end]`, each checked to fit.
fn children(data: &[u8], start: usize, end: usize) -> Result<Vec<BoxHeader>, ProbeError> {
    let mut out = Vec::new();
    let mut at = start;
    while at + 8 <= end {
        let size = u64::from(be_u32(data, at)?);
        let kind: [u8; 4] = data[at + 4..at + 8].try_into().map_err(|_| damaged("box type"))?;
        let (header, size) = match size {
            0 => (8, (end - at) as u64),
            1 => (16, be_u64(data, at + 8)?),
            n => (8, n),
        };
        let size = usize::try_from(size).map_err(|_| damaged("box size"))?;
        if size < header || at.checked_add(size).is_none_or(|e| e > end) {
            return Err(damaged(&format!("box {} of {size} bytes overruns its parent", fourcc(&kind))));
        }
        out.push(BoxHeader { kind, content: at + header, len: size - header });
        at += size;
    }
    Ok(out)
}

fn damaged(what: &str) -> ProbeError {
    ProbeError::Damaged(what.to_owned())
}

fn fourcc(kind: &[u8; 4]) -> String {
    kind.iter().map(|&b| if b.is_ascii_graphic() || b == b' ' { b as char } else { '?' }).collect()
}

fn slice(data: &[u8], at: usize, len: usize) -> Result<&[u8], ProbeError> {
    data.get(at..at.checked_add(len).ok_or_else(|| damaged("offset"))?)
        .ok_or_else(|| damaged("a box is cut short"))
}

fn be_u16(data: &[u8], at: usize) -> Result<u16, ProbeError> {
    Ok(u16::from_be_bytes(slice(data, at, 2)?.try_into().map_err(|_| damaged("u16"))?))
}

fn be_u32(data: &[u8], at: usize) -> Result<u32, ProbeError> {
    Ok(u32::from_be_bytes(slice(data, at, 4)?.try_into().map_err(|_| damaged("u32"))?))
}

fn be_u64(data: &[u8], at: usize) -> Result<u64, ProbeError> {
    Ok(u64::from_be_bytes(slice(data, at, 8)?.try_into().map_err(|_| damaged("u64"))?))
}

fn find(boxes: &[BoxHeader], kind: &[u8; 4]) -> Option<BoxHeader> {
    boxes.iter().copied().find(|b| &b.kind == kind)
}

/// Probes a video from a seekable source: an MP4/QuickTime file's top-level boxes' headers,
/// then `moov`; a WebM/Matroska file's header elements ([`crate::matroska`]).
pub fn probe<R: Read + Seek>(mut file: R) -> Result<VideoInfo, ProbeError> {
    let mut magic = [0u8; 4];
    let n = read_up_to(&mut file, &mut magic)?;
    file.seek(SeekFrom::Start(0))?;
    if n == 4 && magic == crate::matroska::EBML_MAGIC {
        return crate::matroska::probe_matroska(file);
    }
    let end = file.seek(SeekFrom::End(0))?;
    let mut at = 0u64;
    let (mut brand, mut moov, mut mdat_at) = (None, None, None);
    let mut index = 0;
    while at + 8 <= end {
        file.seek(SeekFrom::Start(at))?;
        let mut header = [0u8; 16];
        let n = read_up_to(&mut file, &mut header)?;
        let size = u64::from(u32::from_be_bytes([header[0], header[1], header[2], header[3]]));
        let kind: [u8; 4] = [header[4], header[5], header[6], header[7]];
        if index == 0 && &kind != b"ftyp" && !matches!(&kind, b"moov" | b"mdat" | b"wide" | b"free") {
            return Err(ProbeError::NotMp4(format!("it starts with {:?}, not an ftyp box", fourcc(&kind))));
        }
        let (head, size) = match size {
            0 => (8, end - at),
            1 if n == 16 => (16, u64::from_be_bytes(header[8..16].try_into().map_err(|_| damaged("size"))?)),
            1 => return Err(damaged("a 64-bit box size is cut short")),
            s => (8, s),
        };
        if size < head || at.checked_add(size).is_none_or(|e| e > end) {
            return Err(damaged(&format!(
                "top-level box {} of {size} bytes runs past the end of the file ({end} bytes)",
                fourcc(&kind)
            )));
        }
        match &kind {
            b"ftyp" if size >= 12 => {
                let mut major = [0u8; 4];
                file.seek(SeekFrom::Start(at + head))?;
                file.read_exact(&mut major)?;
                brand = Some(fourcc(&major));
            }
            b"moov" => {
                let len = size - head;
                if len > MAX_MOOV {
                    return Err(ProbeError::TooLarge(format!("its moov box is {len} bytes")));
                }
                let mut body = vec![0u8; len as usize];
                file.seek(SeekFrom::Start(at + head))?;
                file.read_exact(&mut body)?;
                moov = Some((at, body));
            }
            b"mdat" => mdat_at = mdat_at.or(Some(at)),
            _ => {}
        }
        at += size;
        index += 1;
    }
    let Some((moov_at, moov)) = moov else {
        return Err(if end == 0 {
            ProbeError::NotMp4("the file is empty".into())
        } else if index == 0 {
            ProbeError::NotMp4(format!("its {end} bytes are too few for a box"))
        } else {
            ProbeError::Damaged("no moov box (an interrupted recording or a truncated upload)".into())
        });
    };
    let mut info = read_moov(&moov)?;
    info.brand = brand.unwrap_or_else(|| "qt  ".into());
    info.faststart = mdat_at.is_none_or(|m| moov_at < m);
    Ok(info)
}

fn read_up_to<R: Read>(file: &mut R, buf: &mut [u8]) -> Result<usize, std::io::Error> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Seconds from 1904-01-01 (QuickTime's epoch) to 1970-01-01.
const QUICKTIME_EPOCH_TO_UNIX: u64 = 2_082_844_800;

fn read_moov(moov: &[u8]) -> Result<VideoInfo, ProbeError> {
    let boxes = children(moov, 0, moov.len())?;
    let mvhd = find(&boxes, b"mvhd").ok_or_else(|| damaged("no movie header (mvhd)"))?;
    let (created, timescale, duration) = match slice(moov, mvhd.content, 1)?[0] {
        1 => (
            be_u64(moov, mvhd.content + 4)?,
            be_u32(moov, mvhd.content + 20)?,
            be_u64(moov, mvhd.content + 24)?,
        ),
        _ => (
            u64::from(be_u32(moov, mvhd.content + 4)?),
            be_u32(moov, mvhd.content + 12)?,
            u64::from(be_u32(moov, mvhd.content + 16)?),
        ),
    };
    if timescale == 0 {
        return Err(damaged("the movie header's timescale is 0"));
    }
    let duration_ms = u64::try_from(u128::from(duration) * 1000 / u128::from(timescale)).unwrap_or(u64::MAX);
    let mut info = VideoInfo {
        brand: String::new(),
        duration_ms,
        video: None,
        audio: None,
        created_at: created.checked_sub(QUICKTIME_EPOCH_TO_UNIX).filter(|&s| s > 0).map(utc_timestamp),
        content_identifier: None,
        faststart: false,
    };
    for trak in boxes.iter().filter(|b| &b.kind == b"trak") {
        read_trak(moov, *trak, &mut info)?;
    }
    // Apple writes `meta` straight into `moov`; ffmpeg into `moov/udta`.
    let mut metas: Vec<BoxHeader> = boxes.iter().copied().filter(|b| &b.kind == b"meta").collect();
    if let Some(udta) = find(&boxes, b"udta") {
        metas.extend(
            children(moov, udta.content, udta.content + udta.len)?.into_iter().filter(|b| &b.kind == b"meta"),
        );
    }
    for meta in metas {
        for (key, value) in quicktime_metadata(moov, meta)? {
            match key.as_str() {
                CONTENT_IDENTIFIER_KEY => info.content_identifier = Some(value),
                CREATION_DATE_KEY => info.created_at = Some(value),
                _ => {}
            }
        }
    }
    Ok(info)
}

/// One track: the first video track's header and sample entry, the first audio track's codec.
/// Only the fixed path `trak/mdia/minf/stbl/stsd` is followed, so nesting cannot run away.
fn read_trak(moov: &[u8], trak: BoxHeader, info: &mut VideoInfo) -> Result<(), ProbeError> {
    let boxes = children(moov, trak.content, trak.content + trak.len)?;
    let Some(mdia) = find(&boxes, b"mdia") else { return Ok(()) };
    let mdia_boxes = children(moov, mdia.content, mdia.content + mdia.len)?;
    let handler = match find(&mdia_boxes, b"hdlr") {
        Some(h) => slice(moov, h.content + 8, 4)?.to_vec(),
        None => return Ok(()),
    };
    let Some(minf) = find(&mdia_boxes, b"minf") else { return Ok(()) };
    let minf_boxes = children(moov, minf.content, minf.content + minf.len)?;
    let Some(stbl) = find(&minf_boxes, b"stbl") else { return Ok(()) };
    let stbl_boxes = children(moov, stbl.content, stbl.content + stbl.len)?;
    let Some(stsd) = find(&stbl_boxes, b"stsd") else { return Ok(()) };
    // stsd: version and flags, an entry count, then the sample entries.
    let entries = children(moov, stsd.content + 8, stsd.content + stsd.len)?;
    let Some(entry) = entries.first().copied() else { return Ok(()) };
    match &handler[..] {
        b"vide" if info.video.is_none() => {
            let tkhd = find(&boxes, b"tkhd").ok_or_else(|| damaged("a video track has no header (tkhd)"))?;
            info.video = Some(video_track(moov, tkhd, entry)?);
        }
        b"soun" if info.audio.is_none() => info.audio = Some(fourcc(&entry.kind)),
        _ => {}
    }
    Ok(())
}

fn video_track(moov: &[u8], tkhd: BoxHeader, entry: BoxHeader) -> Result<VideoTrack, ProbeError> {
    // The display matrix follows the times, 2 reserved words, layer, group, volume and padding.
    let matrix_at = tkhd.content + if slice(moov, tkhd.content, 1)?[0] == 1 { 52 } else { 40 };
    let m = |i: usize| -> Result<i64, ProbeError> { Ok(i64::from(be_u32(moov, matrix_at + 4 * i)? as i32)) };
    let (a, b, c, d) = (m(0)?, m(1)?, m(3)?, m(4)?);
    let (rotation, mirrored) = rotation_of(a, b, c, d);
    let codec = match &entry.kind {
        b"avc1" | b"avc3" => VideoCodec::H264,
        b"hvc1" | b"hev1" => VideoCodec::Hevc,
        b"vp09" => VideoCodec::Vp9,
        b"av01" => VideoCodec::Av1,
        other => VideoCodec::Other(fourcc(other)),
    };
    // A visual sample entry: 6 reserved, data reference (2), 16 pre-defined, width, height, …
    // 78 bytes in all before its own boxes.
    let width = u32::from(be_u16(moov, entry.content + 24)?);
    let height = u32::from(be_u16(moov, entry.content + 26)?);
    let mut track = VideoTrack {
        codec,
        width,
        height,
        rotation,
        mirrored,
        bit_depth: None,
        chroma: None,
        hdr: false,
        h264_profile: None,
    };
    if entry.len < 78 {
        return Err(damaged("a video sample entry is cut short"));
    }
    for config in children(moov, entry.content + 78, entry.content + entry.len)? {
        let body = slice(moov, config.content, config.len)?;
        match &config.kind {
            b"avcC" if body.len() >= 4 => {
                track.h264_profile = Some(body[1]);
                // Baseline, main, extended and high are 8-bit 4:2:0; high 10/4:2:2/4:4:4 say more
                // in their extension, which is enough to leave as "not 8-bit 4:2:0" here.
                if matches!(body[1], 66 | 77 | 88 | 100) {
                    track.bit_depth = Some(8);
                    track.chroma = Some("4:2:0".into());
                } else if body.len() >= 7 {
                    track.bit_depth = avcc_extension(body).map(|(depth, _)| depth);
                    track.chroma = avcc_extension(body).map(|(_, chroma)| chroma);
                }
            }
            b"hvcC" if body.len() >= 19 => {
                track.chroma = Some(chroma_name(body[16] & 0b11).into());
                track.bit_depth = Some(8 + (body[17] & 0b111));
            }
            b"vpcC" if body.len() >= 7 => {
                // A full box: version and flags, profile, level, then depth (4 bits) and chroma (3).
                track.bit_depth = Some(body[6] >> 4);
                track.chroma = Some(
                    match (body[6] >> 1) & 0b111 {
                        0 | 1 => "4:2:0",
                        2 => "4:2:2",
                        _ => "4:4:4",
                    }
                    .into(),
                );
            }
            b"av1C" if body.len() >= 3 => {
                let high = body[2] & 0x40 != 0;
                let twelve = body[2] & 0x20 != 0;
                track.bit_depth = Some(if high && twelve {
                    12
                } else if high {
                    10
                } else {
                    8
                });
                let (x, y) = (body[2] & 0x08 != 0, body[2] & 0x04 != 0);
                track.chroma = Some(
                    if body[2] & 0x10 != 0 {
                        "4:0:0"
                    } else if x && y {
                        "4:2:0"
                    } else if x {
                        "4:2:2"
                    } else {
                        "4:4:4"
                    }
                    .into(),
                );
            }
            // ISO's `nclx` and QuickTime's `nclc` both start with primaries, transfer, matrix.
            b"colr" if body.len() >= 10 && matches!(&body[..4], b"nclx" | b"nclc") => {
                let transfer = u16::from_be_bytes([body[6], body[7]]);
                track.hdr = matches!(transfer, 16 | 18);
            }
            _ => {}
        }
    }
    Ok(track)
}

/// The bit depth and chroma of an `avcC` of a high profile (the extension after the parameter
/// sets), when present.
fn avcc_extension(body: &[u8]) -> Option<(u8, String)> {
    let mut at = 5;
    let sps = usize::from(*body.get(at)? & 0x1f);
    at += 1;
    for _ in 0..sps {
        let len = usize::from(u16::from_be_bytes([*body.get(at)?, *body.get(at + 1)?]));
        at += 2 + len;
    }
    let pps = usize::from(*body.get(at)?);
    at += 1;
    for _ in 0..pps {
        let len = usize::from(u16::from_be_bytes([*body.get(at)?, *body.get(at + 1)?]));
        at += 2 + len;
    }
    let chroma = chroma_name(*body.get(at)? & 0b11);
    let depth = 8 + (*body.get(at + 1)? & 0b111);
    Some((depth, chroma.into()))
}

fn chroma_name(idc: u8) -> &'static str {
    match idc {
        0 => "4:0:0",
        1 => "4:2:0",
        2 => "4:2:2",
        _ => "4:4:4",
    }
}

/// The clockwise rotation (and mirroring) a display matrix applies, to the nearest quarter turn.
/// The matrix maps (x, y) to (a·x + c·y, b·x + d·y); its entries are 16.16 fixed point.
fn rotation_of(a: i64, b: i64, c: i64, d: i64) -> (u16, bool) {
    let mirrored = a * d - b * c < 0;
    // With a mirror (a reflection across the vertical axis first), undo it to read the rotation.
    let (a, b) = if mirrored { (-a, -b) } else { (a, b) };
    let degrees = (b as f64).atan2(a as f64).to_degrees();
    let quarter = ((degrees / 90.0).round() as i64).rem_euclid(4);
    (u16::try_from(quarter * 90).unwrap_or(0), mirrored)
}

/// The QuickTime `keys`/`ilst` string items of a `meta` box, as (key, value).
fn quicktime_metadata(moov: &[u8], meta: BoxHeader) -> Result<Vec<(String, String)>, ProbeError> {
    // QuickTime's `meta` is a plain box; ISO's is a full box (4 bytes of version and flags).
    let start = if slice(moov, meta.content + 4, 4).is_ok_and(|k| k == b"hdlr") {
        meta.content
    } else {
        meta.content + 4
    };
    let boxes = children(moov, start, meta.content + meta.len)?;
    let (Some(keys), Some(ilst)) = (find(&boxes, b"keys"), find(&boxes, b"ilst")) else {
        return Ok(Vec::new());
    };
    let count = be_u32(moov, keys.content + 4)? as usize;
    let mut names = Vec::new();
    let mut at = keys.content + 8;
    for _ in 0..count.min(1024) {
        let size = be_u32(moov, at)? as usize;
        if size < 8 || at + size > keys.content + keys.len {
            return Err(damaged("a metadata key overruns its box"));
        }
        names.push(String::from_utf8_lossy(slice(moov, at + 8, size - 8)?).into_owned());
        at += size;
    }
    let mut out = Vec::new();
    for item in children(moov, ilst.content, ilst.content + ilst.len)? {
        let index = u32::from_be_bytes(item.kind) as usize;
        let Some(name) = index.checked_sub(1).and_then(|i| names.get(i)) else { continue };
        for data in children(moov, item.content, item.content + item.len)? {
            // `data`: a type (1 is UTF-8), a locale, then the value.
            if &data.kind == b"data" && data.len >= 8 && be_u32(moov, data.content)? & 0x00ff_ffff == 1 {
                let value =
                    String::from_utf8_lossy(slice(moov, data.content + 8, data.len - 8)?).into_owned();
                out.push((name.clone(), value));
            }
        }
    }
    Ok(out)
}

/// Seconds since 1970 as `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn utc_timestamp(seconds: u64) -> String {
    let t = shoebox_core::UtcTime::from_epoch(seconds);
    format!("{}T{:02}:{:02}:{:02}Z", t.date(), t.hour, t.minute, t.second)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: i64 = 1 << 16;

    #[test]
    fn display_matrices_turn_into_quarter_turns() {
        assert_eq!(rotation_of(ONE, 0, 0, ONE), (0, false));
        assert_eq!(rotation_of(0, ONE, -ONE, 0), (90, false));
        assert_eq!(rotation_of(-ONE, 0, 0, -ONE), (180, false));
        assert_eq!(rotation_of(0, -ONE, ONE, 0), (270, false));
        assert_eq!(rotation_of(-ONE, 0, 0, ONE), (0, true));
    }

    #[test]
    fn quicktime_times_are_utc() {
        assert_eq!(utc_timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_timestamp(1_714_564_800), "2024-05-01T12:00:00Z");
        assert_eq!(utc_timestamp(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn what_is_not_a_video_says_so() {
        let probe_bytes =
            |b: &[u8]| probe(std::io::Cursor::new(b.to_vec())).map(|_| ()).expect_err("refused").to_string();
        assert_eq!(probe_bytes(b""), "not an MP4, QuickTime or WebM video: the file is empty");
        assert_eq!(
            probe_bytes(b"hello\n"),
            "not an MP4, QuickTime or WebM video: its 6 bytes are too few for a box"
        );
        assert!(probe_bytes(b"hello, this is text and not a video").contains("not an ftyp box"));
        let mut cut = 24u32.to_be_bytes().to_vec();
        cut.extend(b"ftypisom");
        assert!(probe_bytes(&cut).contains("runs past the end"), "{}", probe_bytes(&cut));
        let mut no_moov = 16u32.to_be_bytes().to_vec();
        no_moov.extend(b"ftypisom\0\0\0\0");
        no_moov.extend(8u32.to_be_bytes());
        no_moov.extend(b"mdat");
        assert!(probe_bytes(&no_moov).contains("no moov box"));
        let mut huge = 1u32.to_be_bytes().to_vec();
        huge.extend(b"ftyp");
        huge.extend(u64::MAX.to_be_bytes());
        assert!(probe_bytes(&huge).contains("runs past the end"), "{}", probe_bytes(&huge));
        let moov = [
            &[0, 0, 0, 32][..],
            b"moov",
            &[0, 0, 0, 8],
            b"free",
            &[0, 0, 0, 1],
            b"mvhd",
            &u64::MAX.to_be_bytes(),
        ]
        .concat();
        assert!(probe_bytes(&moov).contains("overruns its parent"), "{}", probe_bytes(&moov));
    }
}
