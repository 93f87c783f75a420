//! AVIF photos (newer Android phones, exports from Lightroom and web tools) through zenavif: a
//! pure-Rust decoder (rav1d-safe, the safe-Rust port of dav1d, and the zenavif-parse container
//! reader). 8, 10 and 12 bits (shown at 8), grids of tiles, ICC or `nclx` colour, `clap` crop,
//! `irot`/`imir` applied here, alpha flattened, auxiliary images ignored.

use crate::colour::nclx_profile;
use crate::decode::{check_pixels, Decoded};
use crate::error::ResizeError;
use crate::format::Format;
use crate::pixels::{flatten_alpha_in_place, Pixels};
use shared::Limits;
use zenavif::{DecoderConfig, ImageInfo, ManagedAvifDecoder, Unstoppable};
use zenpixels::PixelFormat;

fn corrupt(message: impl ToString) -> ResizeError {
    ResizeError::Corrupt { format: "AVIF", message: message.to_string() }
}

/// A decoder for the primary image; one over the pixel limit (a grid's output size or the
/// AV1 header's) is refused before any decoding.
fn open(bytes: &[u8], limits: &Limits) -> Result<ManagedAvifDecoder, ResizeError> {
    let config = DecoderConfig::new()
        .frame_size_limit(u32::try_from(limits.max_pixels).unwrap_or(u32::MAX))
        .prefer_8bit(true);
    ManagedAvifDecoder::new(bytes, &config).map_err(|e| match *e.error() {
        zenavif::Error::ImageTooLarge { width, height } => {
            ResizeError::TooManyPixels { width, height, limit: limits.max_pixels }
        }
        _ => corrupt(e),
    })
}

/// The primary image's size as coded (before `clap` and rotation).
pub fn dimensions(bytes: &[u8]) -> Result<(u32, u32), ResizeError> {
    let info = open(bytes, &Limits::default())?.probe_info().map_err(corrupt)?;
    Ok((info.width, info.height))
}

/// Decodes the primary image, cropped and turned upright as its properties say, as grey or RGB.
pub fn decode_avif(bytes: &[u8], limits: &Limits) -> Result<Decoded, ResizeError> {
    let mut decoder = open(bytes, limits)?;
    let probed = decoder.probe_info().map_err(corrupt)?;
    if probed.width == 0 || probed.height == 0 {
        return Err(corrupt(format!("the image is {}×{} pixels", probed.width, probed.height)));
    }
    check_pixels(probed.width, probed.height, limits)?;
    let (buffer, info) = decoder.decode_full(&Unstoppable).map_err(corrupt)?;
    let (width, height, stride) = (buffer.width(), buffer.height(), buffer.stride());
    let (samples, channels) = match buffer.descriptor().format {
        PixelFormat::Gray8 => (1, 1),
        PixelFormat::GrayA8 => (2, 1),
        PixelFormat::Rgb8 => (3, 3),
        PixelFormat::Rgba8 => (4, 3),
        other => return Err(ResizeError::UnsupportedFormat(format!("AVIF decoded as {other:?}"))),
    };
    let row = width as usize * samples;
    let mut data = buffer.into_vec();
    if stride != row {
        // Close the gaps between padded rows, front to back, in place.
        for y in 0..height as usize {
            data.copy_within(y * stride..y * stride + row, y * row);
        }
    }
    data.truncate(row * height as usize);
    if data.len() != row * height as usize {
        return Err(corrupt("the decoder returned fewer pixels than the image has"));
    }
    if samples != channels {
        flatten_alpha_in_place(&mut data, samples);
    }
    let pixels = Pixels { width, height, channels: channels as u8, data };
    let pixels = upright(cropped(pixels, &info), &info);
    let icc_profile = match &info.icc_profile {
        Some(icc) if !icc.is_empty() => Some(icc.clone()),
        _ => nclx_profile(u16::from(info.color_primaries.0), u16::from(info.transfer_characteristics.0)),
    };
    Ok(Decoded {
        full_size: (pixels.width, pixels.height),
        pixels,
        icc_profile,
        format: Format::Avif,
        upright: true,
    })
}

/// The `clap` clean aperture: a rectangle of the given size centred (plus an offset) on the
/// image's centre. A malformed one is ignored rather than costing the photo.
fn cropped(pixels: Pixels, info: &ImageInfo) -> Pixels {
    let Some(clap) = info.clean_aperture else { return pixels };
    let ratio = |n: i64, d: u32| (d != 0).then(|| n as f64 / f64::from(d));
    let (Some(w), Some(h), Some(dx), Some(dy)) = (
        ratio(i64::from(clap.width_n), clap.width_d),
        ratio(i64::from(clap.height_n), clap.height_d),
        ratio(i64::from(clap.horiz_off_n), clap.horiz_off_d),
        ratio(i64::from(clap.vert_off_n), clap.vert_off_d),
    ) else {
        return pixels;
    };
    let left = (f64::from(pixels.width) - w) / 2.0 + dx;
    let top = (f64::from(pixels.height) - h) / 2.0 + dy;
    let (left, top, w, h) = (left.round(), top.round(), w.round(), h.round());
    if left < 0.0
        || top < 0.0
        || w < 1.0
        || h < 1.0
        || left + w > f64::from(pixels.width)
        || top + h > f64::from(pixels.height)
    {
        tracing::warn!(?clap, "AVIF clean aperture outside the image; showing the whole image");
        return pixels;
    }
    let (left, top, w, h) = (left as usize, top as usize, w as usize, h as usize);
    let c = usize::from(pixels.channels);
    let stride = pixels.width as usize * c;
    let mut data = Vec::with_capacity(w * h * c);
    for y in top..top + h {
        data.extend_from_slice(&pixels.data[y * stride + left * c..y * stride + (left + w) * c]);
    }
    Pixels { width: w as u32, height: h as u32, channels: pixels.channels, data }
}

/// `irot` (anticlockwise quarter turns) then `imir`, as the EXIF orientations that do the same.
/// `imir` axis 0 flips top to bottom and 1 left to right, as libavif writes them (a fixture made
/// by libavif from EXIF orientation 5, a quarter turn and axis 0, checks it).
fn upright(pixels: Pixels, info: &ImageInfo) -> Pixels {
    let turned = match info.rotation.map_or(0, |r| r.angle % 360) {
        90 => pixels.oriented(8),
        180 => pixels.oriented(3),
        270 => pixels.oriented(6),
        _ => pixels,
    };
    match info.mirror.map(|m| m.axis) {
        Some(0) => turned.oriented(4),
        Some(1) => turned.oriented(2),
        _ => turned,
    }
}
