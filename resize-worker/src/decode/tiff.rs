//! TIFF (scanners, photo archives, print workflows) read strip by strip, or tile by tile, into an
//! 8-bit frame shrunk on the way in ([`ShrinkingFrame`]): a 16-bit or CMYK scan never exists in
//! memory at full depth or full size, only one strip and the shrunk frame. Uncompressed strips
//! are read straight from the uploaded bytes, so even a file stored as one huge strip needs no
//! copy of it.
//!
//! Grey (1–16 bits), RGB and CMYK (8 or 16 bits, or 32-bit float), with or without alpha;
//! JPEG-in-TIFF in RGB or YCbCr; chunky or planar; the first page of a multipage file. CMYK goes
//! through the file's profile ([`CmykToRgb`]); alpha is composited over white.

use super::box_shrink::ShrinkingFrame;
use super::colour::CmykToRgb;
use super::frame::{check_pixels, Decoded};
use crate::error::ResizeError;
use crate::orientation;
use crate::pixels::over_white;
use ::tiff::decoder::{ChunkType, Decoder, DecodingResult, Limits as TiffLimits};
use ::tiff::tags::{ByteOrder, CompressionMethod, PlanarConfiguration, Predictor, SampleFormat, Tag};
use ::tiff::{ColorType, TiffError};
use shared::Limits;
use shoebox_core::PhotoFormat;
use std::io::Cursor;

fn corrupt(message: impl ToString) -> ResizeError {
    ResizeError::corrupt(PhotoFormat::Tiff, message)
}

fn unsupported(what: impl std::fmt::Display) -> ResizeError {
    ResizeError::UnsupportedFormat(format!("TIFF with {what}"))
}

fn decoder_error(e: TiffError) -> ResizeError {
    match e {
        TiffError::UnsupportedError(what) => unsupported(what),
        TiffError::LimitsExceeded => {
            corrupt("a strip or tag is larger than an image within the pixel limit needs")
        }
        other => corrupt(other),
    }
}

/// What the samples of a pixel mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Colour {
    Grey,
    Rgb,
    /// JPEG-coded YCbCr (what libtiff writes for JPEG compression), full range as in JFIF.
    YCbCr,
    Cmyk,
}

impl Colour {
    /// Colour samples per pixel, before any alpha or extra samples.
    fn samples(self) -> usize {
        match self {
            Colour::Grey => 1,
            Colour::Rgb | Colour::YCbCr => 3,
            Colour::Cmyk => 4,
        }
    }
}

/// How one image's samples are stored and what they mean.
#[derive(Clone, Copy, Debug)]
struct Layout {
    colour: Colour,
    /// Samples per pixel in the decoded chunks (colour, then alpha or extra samples).
    samples: usize,
    /// Sample index of the alpha channel, if there is one.
    alpha: Option<usize>,
    /// Premultiplied (associated) rather than straight alpha.
    premultiplied: bool,
    bits: u8,
    float: bool,
    planar: bool,
}

impl Layout {
    fn of(decoder: &mut Decoder<Cursor<&[u8]>>) -> Result<Layout, ResizeError> {
        let colortype = decoder.colortype().map_err(decoder_error)?;
        let extra = decoder
            .find_tag_unsigned_vec::<u16>(Tag::ExtraSamples)
            .map_err(decoder_error)?
            .unwrap_or_default();
        let alpha_kind = extra.first().copied().filter(|&e| e == 1 || e == 2);
        let (colour, samples, bits) = match colortype {
            ColorType::Gray(b) => (Colour::Grey, 1, b),
            ColorType::RGB(b) => (Colour::Rgb, 3, b),
            ColorType::RGBA(b) => (Colour::Rgb, 4, b),
            ColorType::CMYK(b) => (Colour::Cmyk, 4, b),
            ColorType::CMYKA(b) => (Colour::Cmyk, 5, b),
            ColorType::YCbCr(b) => (Colour::YCbCr, 3, b),
            // Grey with alpha or extra samples comes as "multiband" from the tiff crate.
            ColorType::Multiband { bit_depth, num_samples } if is_grey(decoder)? => {
                (Colour::Grey, usize::from(num_samples), bit_depth)
            }
            ColorType::Palette(_) => return Err(unsupported("a colour palette (save it as RGB)")),
            ColorType::Lab(_) => return Err(unsupported("CIE L*a*b* colour (save it as RGB)")),
            other => return Err(unsupported(format!("{other:?} samples"))),
        };
        let colour_samples = colour.samples();
        let alpha = (samples > colour_samples && alpha_kind.is_some()).then_some(colour_samples);
        let format = decoder
            .find_tag_unsigned_vec::<u16>(Tag::SampleFormat)
            .map_err(decoder_error)?
            .and_then(|f| f.first().copied())
            .map_or(SampleFormat::Uint, SampleFormat::from_u16_exhaustive);
        let float = match (format, bits) {
            (SampleFormat::Uint, 1 | 2 | 4) if colour == Colour::Grey && samples == 1 => false,
            (SampleFormat::Uint, 8 | 16) => false,
            (SampleFormat::IEEEFP, 32) => true,
            (format, bits) => return Err(unsupported(format!("{bits}-bit {format:?} samples"))),
        };
        if colour == Colour::YCbCr && bits != 8 {
            return Err(unsupported(format!("{bits}-bit YCbCr samples")));
        }
        let planar = decoder
            .find_tag_unsigned::<u16>(Tag::PlanarConfiguration)
            .map_err(decoder_error)?
            .is_some_and(|p| p == PlanarConfiguration::Planar.to_u16());
        Ok(Layout { colour, samples, alpha, premultiplied: alpha_kind == Some(1), bits, float, planar })
    }

    /// Bytes one row of `width` pixels of one plane takes in a decoded chunk.
    fn row_bytes(&self, width: usize) -> usize {
        let per_pixel = if self.planar { 1 } else { self.samples };
        (width * per_pixel * usize::from(self.bits)).div_ceil(8)
    }

    /// Channels of the 8-bit frame: grey stays grey, everything else becomes RGB.
    fn frame_channels(&self) -> usize {
        if self.colour == Colour::Grey {
            1
        } else {
            3
        }
    }
}

fn is_grey(decoder: &mut Decoder<Cursor<&[u8]>>) -> Result<bool, ResizeError> {
    let photometric =
        decoder.find_tag_unsigned::<u16>(Tag::PhotometricInterpretation).map_err(decoder_error)?;
    Ok(matches!(photometric, Some(0 | 1)))
}

fn open<'a>(bytes: &'a [u8], limits: &Limits) -> Result<Decoder<Cursor<&'a [u8]>>, ResizeError> {
    let decoder = Decoder::new(Cursor::new(bytes)).map_err(decoder_error)?;
    // One chunk of a picture within the pixel limit (16-bit samples, up to five per pixel) at
    // most; tags (a profile, XMP) a few MB.
    let chunk = usize::try_from(limits.max_pixels.saturating_mul(10)).unwrap_or(usize::MAX);
    let mut tiff_limits = TiffLimits::default();
    tiff_limits.decoding_buffer_size = chunk;
    tiff_limits.intermediate_buffer_size = chunk;
    tiff_limits.ifd_value_size = 16 << 20;
    Ok(decoder.with_limits(tiff_limits))
}

/// The first page's size from its header.
pub fn dimensions(bytes: &[u8]) -> Result<(u32, u32), ResizeError> {
    open(bytes, &Limits::default())?.dimensions().map_err(decoder_error)
}

/// A copy of a TIFF for the EXIF reader with the first page's strips or tiles left as zeros, or
/// `None` for other content. The copy's zero pages are never written, so it costs the memory of
/// the tags, not of the file: a 200 MB scan's pixels are not duplicated to read its camera.
pub fn without_pixel_data(bytes: &[u8]) -> Option<Vec<u8>> {
    if !(bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*")) {
        return None;
    }
    let mut decoder = Decoder::new(Cursor::new(bytes)).ok()?;
    let (offsets, counts) = match decoder.get_chunk_type() {
        ChunkType::Strip => (Tag::StripOffsets, Tag::StripByteCounts),
        ChunkType::Tile => (Tag::TileOffsets, Tag::TileByteCounts),
    };
    let offsets = decoder.get_tag_u64_vec(offsets).ok()?;
    let counts = decoder.get_tag_u64_vec(counts).ok()?;
    let len = bytes.len();
    let clamp = |v: u64| usize::try_from(v).map_or(len, |v| v.min(len));
    let mut holes: Vec<(usize, usize)> =
        offsets.iter().zip(&counts).map(|(&at, &n)| (clamp(at), clamp(at.saturating_add(n)))).collect();
    holes.sort_unstable();
    let mut copy = vec![0; len];
    let mut at = 0;
    for (start, end) in holes {
        if start > at {
            copy[at..start].copy_from_slice(&bytes[at..start]);
        }
        at = at.max(end);
    }
    copy[at..].copy_from_slice(&bytes[at..]);
    Some(copy)
}

/// Decodes the first page into an 8-bit grey or RGB frame, in its stored orientation (the
/// orientation tag is applied with the other formats' metadata), shrunk by a whole factor as far
/// as `shrink_to` allows.
pub fn decode(bytes: &[u8], limits: &Limits, shrink_to: Option<u32>) -> Result<Decoded, ResizeError> {
    let mut decoder = open(bytes, limits)?;
    let (width, height) = decoder.dimensions().map_err(decoder_error)?;
    if width == 0 || height == 0 {
        return Err(corrupt(format!("the image is {width}×{height} pixels")));
    }
    check_pixels(width, height, limits)?;
    let layout = Layout::of(&mut decoder)?;
    let profile = decoder.get_tag_u8_vec(Tag::IccProfile).ok().filter(|p| !p.is_empty());
    let cmyk = (layout.colour == Colour::Cmyk).then(|| CmykToRgb::new(profile.as_deref()));
    let icc_profile = match &cmyk {
        Some(converter) => converter.icc_profile(),
        None => profile,
    };
    let factor = ShrinkingFrame::factor_for(width, height, shrink_to);
    let mut frame = ShrinkingFrame::new(width, height, layout.frame_channels(), factor);
    let mut rows = RowWriter { layout, cmyk, samples: Vec::new(), pixel: Vec::new(), row: Vec::new() };
    match raw_strips(&mut decoder, bytes, &layout, width as usize, height as usize)? {
        Some(strips) => {
            let order = decoder.byte_order();
            let row_bytes = layout.row_bytes(width as usize);
            for (y0, strip) in strips {
                for (r, row) in strip.chunks_exact(row_bytes).enumerate() {
                    let pixels = rows.write(&[Stored::Raw(row, order)], width as usize);
                    frame.add(y0 + r, 0, pixels).map_err(corrupt)?;
                }
            }
        }
        None => {
            decode_chunks(&mut decoder, &layout, (width as usize, height as usize), &mut frame, &mut rows)?
        }
    }
    Ok(Decoded {
        pixels: frame.finish(),
        icc_profile,
        format: PhotoFormat::Tiff,
        full_size: (width, height),
        orientation: orientation::Stored::AsCoded,
    })
}

/// An uncompressed strip's first row and its bytes in the uploaded file.
type RawStrip<'a> = (usize, &'a [u8]);

/// Uncompressed chunky strips, as slices of the uploaded file with their first row, when the
/// file is stored that way; `None` when the strips must go through the tiff crate.
fn raw_strips<'a>(
    decoder: &mut Decoder<Cursor<&[u8]>>,
    bytes: &'a [u8],
    layout: &Layout,
    width: usize,
    height: usize,
) -> Result<Option<Vec<RawStrip<'a>>>, ResizeError> {
    let compression = decoder.find_tag_unsigned::<u16>(Tag::Compression).map_err(decoder_error)?;
    let predictor = decoder.find_tag_unsigned::<u16>(Tag::Predictor).map_err(decoder_error)?;
    let plain = compression.is_none_or(|c| c == CompressionMethod::None.to_u16())
        && predictor.is_none_or(|p| p == Predictor::None.to_u16());
    // Extra samples the tiff crate would drop, white-is-zero and floats take its path.
    let samples = decoder.find_tag_unsigned::<u16>(Tag::SamplesPerPixel).map_err(decoder_error)?.unwrap_or(1);
    let photometric =
        decoder.find_tag_unsigned::<u16>(Tag::PhotometricInterpretation).map_err(decoder_error)?;
    if !plain
        || layout.planar
        || layout.float
        || usize::from(samples) != layout.samples
        || photometric == Some(0)
        || decoder.get_chunk_type() != ChunkType::Strip
    {
        return Ok(None);
    }
    let offsets = decoder.get_tag_u64_vec(Tag::StripOffsets).map_err(decoder_error)?;
    let counts = decoder.get_tag_u64_vec(Tag::StripByteCounts).map_err(decoder_error)?;
    let rows_per_strip = decoder.chunk_dimensions().1 as usize;
    let row_bytes = layout.row_bytes(width);
    let mut strips = Vec::with_capacity(offsets.len());
    for (i, &offset) in offsets.iter().enumerate() {
        let y0 = i * rows_per_strip;
        if y0 >= height {
            break;
        }
        let rows = rows_per_strip.min(height - y0);
        let need = rows * row_bytes;
        if counts.get(i).is_some_and(|&c| c < need as u64) {
            return Err(corrupt(format!("strip {i} holds fewer bytes than its {rows} rows need")));
        }
        let strip = usize::try_from(offset)
            .ok()
            .and_then(|start| bytes.get(start..start.checked_add(need)?))
            .ok_or_else(|| {
                corrupt(format!("strip {i} points past the end of the file ({} bytes)", bytes.len()))
            })?;
        strips.push((y0, strip));
    }
    if strips.len() * rows_per_strip < height {
        return Err(corrupt(format!(
            "{} strips of {rows_per_strip} rows cannot hold {height} rows",
            strips.len()
        )));
    }
    Ok(Some(strips))
}

/// Every strip or tile through the tiff crate (decompression, predictors, bit depths), one at a
/// time; for planar files, one chunk of each plane at a time.
fn decode_chunks(
    decoder: &mut Decoder<Cursor<&[u8]>>,
    layout: &Layout,
    (image_width, image_height): (usize, usize),
    frame: &mut ShrinkingFrame,
    rows: &mut RowWriter,
) -> Result<(), ResizeError> {
    let chunk_type = decoder.get_chunk_type();
    let count = match chunk_type {
        ChunkType::Strip => decoder.strip_count(),
        ChunkType::Tile => decoder.tile_count(),
    }
    .map_err(decoder_error)? as usize;
    let planes = if layout.planar { layout.samples } else { 1 };
    let per_plane = count / planes;
    let (chunk_width, chunk_height) = decoder.chunk_dimensions();
    let (chunk_width, chunk_height) = (chunk_width as usize, chunk_height as usize);
    if per_plane == 0 || chunk_width == 0 || chunk_height == 0 {
        return Err(corrupt("the image has no strips or tiles"));
    }
    let across = image_width.div_ceil(chunk_width);
    let expected = match chunk_type {
        ChunkType::Strip => image_height.div_ceil(chunk_height),
        ChunkType::Tile => across * image_height.div_ceil(chunk_height),
    };
    if per_plane < expected {
        return Err(corrupt(format!(
            "{per_plane} strips or tiles cannot cover the image ({expected} needed)"
        )));
    }
    for unit in 0..expected {
        let (x0, y0) = match chunk_type {
            ChunkType::Strip => (0, unit * chunk_height),
            ChunkType::Tile => ((unit % across) * chunk_width, (unit / across) * chunk_height),
        };
        let width = chunk_width.min(image_width - x0);
        let height = chunk_height.min(image_height - y0);
        let chunks = (0..planes)
            .map(|plane| decoder.read_chunk((unit + plane * per_plane) as u32).map_err(decoder_error))
            .collect::<Result<Vec<_>, _>>()?;
        let row_bytes = layout.row_bytes(width);
        for r in 0..height {
            let stored = chunks
                .iter()
                .map(|chunk| Stored::row_of(chunk, r, row_bytes))
                .collect::<Result<Vec<_>, _>>()?;
            frame.add(y0 + r, x0, rows.write(&stored, width)).map_err(corrupt)?;
        }
    }
    Ok(())
}

/// One row of one plane as decoded or stored.
enum Stored<'a> {
    U8(&'a [u8]),
    U16(&'a [u16]),
    F32(&'a [f32]),
    /// Uncompressed 16-bit samples in the file's byte order, or 8-bit ones.
    Raw(&'a [u8], ByteOrder),
}

impl<'a> Stored<'a> {
    /// Row `r` of a decoded chunk whose rows take `row_bytes` bytes.
    fn row_of(chunk: &'a DecodingResult, r: usize, row_bytes: usize) -> Result<Stored<'a>, ResizeError> {
        let short = || corrupt("a strip or tile decoded to fewer rows than it covers");
        Ok(match chunk {
            DecodingResult::U8(v) => Stored::U8(v.get(r * row_bytes..(r + 1) * row_bytes).ok_or_else(short)?),
            DecodingResult::U16(v) => {
                let n = row_bytes / 2;
                Stored::U16(v.get(r * n..(r + 1) * n).ok_or_else(short)?)
            }
            DecodingResult::F32(v) => {
                let n = row_bytes / 4;
                Stored::F32(v.get(r * n..(r + 1) * n).ok_or_else(short)?)
            }
            _ => return Err(unsupported("sample types other than 8/16-bit integers and 32-bit floats")),
        })
    }
}

/// Turns stored rows into frame rows, with its scratch buffers kept between rows.
struct RowWriter {
    layout: Layout,
    cmyk: Option<CmykToRgb>,
    /// One row of all samples at 8 bits, interleaved.
    samples: Vec<u8>,
    /// One row of CMYK ink.
    pixel: Vec<u8>,
    /// The row written, grey or RGB.
    row: Vec<u8>,
}

impl RowWriter {
    /// Converts one row of `pixels` pixels: `stored` holds one entry per plane (one for chunky
    /// files).
    fn write(&mut self, stored: &[Stored<'_>], pixels: usize) -> &[u8] {
        let layout = self.layout;
        let channels = layout.frame_channels();
        self.row.resize(pixels * channels, 0);
        let out = &mut self.row[..];
        let n = layout.samples;
        self.samples.resize(pixels * n, 0);
        if let [only] = stored {
            to_8bit(only, layout.bits, &mut self.samples);
        } else {
            let mut plane = vec![0; pixels];
            for (p, stored) in stored.iter().enumerate() {
                to_8bit(stored, layout.bits, &mut plane);
                for (x, v) in plane.iter().enumerate() {
                    self.samples[x * n + p] = *v;
                }
            }
        }
        let alpha = |px: &[u8]| layout.alpha.map_or(255, |a| px[a]);
        match layout.colour {
            Colour::Grey | Colour::Rgb => {
                for (px, o) in self.samples.chunks_exact(n).zip(out.chunks_exact_mut(channels)) {
                    let a = alpha(px);
                    for c in 0..channels {
                        o[c] = composited(px[c], a, layout.premultiplied);
                    }
                }
            }
            Colour::YCbCr => {
                for (px, o) in self.samples.chunks_exact(n).zip(out.chunks_exact_mut(3)) {
                    o.copy_from_slice(&ycbcr_to_rgb(px[0], px[1], px[2]));
                }
            }
            Colour::Cmyk => {
                self.pixel.resize(pixels * 4, 0);
                for (px, o) in self.samples.chunks_exact(n).zip(self.pixel.chunks_exact_mut(4)) {
                    // Over white paper: transparent means no ink.
                    let a = u32::from(alpha(px));
                    for c in 0..4 {
                        o[c] = ((u32::from(px[c]) * a + 127) / 255) as u8;
                    }
                }
                if let Some(converter) = &self.cmyk {
                    converter.convert(&self.pixel, out);
                }
            }
        }
        &self.row
    }
}

/// A colour sample composited over white, its alpha straight or premultiplied.
fn composited(v: u8, a: u8, premultiplied: bool) -> u8 {
    if premultiplied {
        v.saturating_add(255 - a)
    } else {
        over_white(v, a)
    }
}

/// JFIF's full-range BT.601 conversion, which JPEG-in-TIFF uses.
fn ycbcr_to_rgb(y: u8, cb: u8, cr: u8) -> [u8; 3] {
    let (y, cb, cr) = (f32::from(y), f32::from(cb) - 128.0, f32::from(cr) - 128.0);
    let clamp = |v: f32| v.round().clamp(0.0, 255.0) as u8;
    [clamp(y + 1.402 * cr), clamp(y - 0.344_136 * cb - 0.714_136 * cr), clamp(y + 1.772 * cb)]
}

/// Converts a row of samples to 8 bits, filling `out` (as many samples as it holds).
fn to_8bit(stored: &Stored<'_>, bits: u8, out: &mut [u8]) {
    let from_16 = |v: u16| ((u32::from(v) * 255 + 32_767) / 65_535) as u8;
    match *stored {
        Stored::U8(row) | Stored::Raw(row, _) if bits < 8 => {
            let max = (1u32 << bits) - 1;
            let per_byte = usize::from(8 / bits);
            for (i, o) in out.iter_mut().enumerate() {
                let byte = row.get(i / per_byte).copied().unwrap_or(0);
                let shift = 8 - usize::from(bits) * (i % per_byte + 1);
                *o = ((u32::from(byte >> shift) & max) * 255 / max) as u8;
            }
        }
        Stored::U8(row) => copy_prefix(row, out),
        Stored::Raw(row, _) if bits == 8 => copy_prefix(row, out),
        Stored::Raw(row, order) => {
            for (pair, o) in row.chunks_exact(2).zip(out.iter_mut()) {
                let v = match order {
                    ByteOrder::LittleEndian => u16::from_le_bytes([pair[0], pair[1]]),
                    ByteOrder::BigEndian => u16::from_be_bytes([pair[0], pair[1]]),
                };
                *o = from_16(v);
            }
        }
        Stored::U16(row) => row.iter().zip(out.iter_mut()).for_each(|(&v, o)| *o = from_16(v)),
        Stored::F32(row) => {
            for (&v, o) in row.iter().zip(out.iter_mut()) {
                *o = (v.clamp(0.0, 1.0) * 255.0).round() as u8;
            }
        }
    }
}

fn copy_prefix(row: &[u8], out: &mut [u8]) {
    let n = row.len().min(out.len());
    out[..n].copy_from_slice(&row[..n]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_of_every_depth_become_8_bits() {
        let mut out = [0u8; 4];
        to_8bit(&Stored::U8(&[0b1001_0000]), 1, &mut out);
        assert_eq!(out, [255, 0, 0, 255]);
        to_8bit(&Stored::U8(&[0b1101_0010]), 2, &mut out);
        assert_eq!(out, [255, 85, 0, 170]);
        let mut out = [0u8; 2];
        to_8bit(&Stored::U8(&[0xF3]), 4, &mut out);
        assert_eq!(out, [255, 51]);
        to_8bit(&Stored::U16(&[65_535, 32_896]), 16, &mut out);
        assert_eq!(out, [255, 128]);
        to_8bit(&Stored::Raw(&[0x00, 0xFF, 0x80, 0x80], ByteOrder::LittleEndian), 16, &mut out);
        assert_eq!(out, [254, 128]);
        to_8bit(&Stored::Raw(&[0x00, 0xFF, 0x80, 0x80], ByteOrder::BigEndian), 16, &mut out);
        assert_eq!(out, [1, 128]);
        to_8bit(&Stored::F32(&[1.5, 0.5]), 32, &mut out);
        assert_eq!(out, [255, 128]);
    }

    #[test]
    fn alpha_composites_over_white_straight_or_premultiplied() {
        assert_eq!(composited(0, 0, false), 255);
        assert_eq!(composited(0, 255, false), 0);
        assert_eq!(composited(100, 128, false), 177);
        assert_eq!(composited(50, 128, true), 177);
    }

    #[test]
    fn ycbcr_greys_stay_grey_and_red_comes_back() {
        assert_eq!(ycbcr_to_rgb(128, 128, 128), [128, 128, 128]);
        // JFIF's YCbCr of (255, 0, 0).
        assert_eq!(ycbcr_to_rgb(76, 85, 255), [254, 0, 0]);
    }
}
