//! AVIF photos (newer Android phones, exports from Lightroom and web tools) through zenavif: a
//! pure-Rust decoder (rav1d-safe, the safe-Rust port of dav1d, and the zenavif-parse container
//! reader). 8, 10 and 12 bits (shown at 8), grids of tiles, ICC or `nclx` colour, the `clap`
//! crop applied here, `irot`/`imir` reported as the orientation to apply
//! ([`Orientation::from_rotation_and_mirror`]), alpha flattened, auxiliary images ignored; shrunk
//! on load like TIFF and PNG.

use super::box_shrink::ShrinkingFrame;
use super::colour::icc_or_nclx;
use super::frame::{check_pixels, Decoded};
use crate::error::ResizeError;
use crate::orientation::{Orientation, Stored};
use crate::pixels::Pixels;
use shared::Limits;
use shoebox_core::PhotoFormat;
use zenavif::{DecoderConfig, ImageInfo, ManagedAvifDecoder, Unstoppable};
use zencodec::decode::{DecodeRowSink, SinkError};
use zenpixels::{PixelDescriptor, PixelFormat, PixelSliceMut};

fn corrupt(message: impl ToString) -> ResizeError {
    ResizeError::corrupt(PhotoFormat::Avif, message)
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

/// Decodes the primary image, cropped as its `clap` says, as grey or RGB, shrunk by a whole factor
/// as far as `shrink_to` allows: zenavif converts the decoded YUV picture strip by strip into a
/// [`ShrinkingFrame`], so the full RGB frame never exists. Its `irot`/`imir` come back as the
/// orientation to apply, which the pipeline does after resizing, as for every format.
pub fn decode(bytes: &[u8], limits: &Limits, shrink_to: Option<u32>) -> Result<Decoded, ResizeError> {
    let mut decoder = open(bytes, limits)?;
    let probed = decoder.probe_info().map_err(corrupt)?;
    let (width, height) = (probed.width, probed.height);
    if width == 0 || height == 0 {
        return Err(corrupt(format!("the image is {width}×{height} pixels")));
    }
    check_pixels(width, height, limits)?;
    let mut sink =
        Strips { factor: ShrinkingFrame::factor_for(width, height, shrink_to), ..Strips::default() };
    let info = decoder.decode_to_sink(&Unstoppable, &mut sink).map_err(corrupt)?;
    let (Some(frame), Some((width, height))) = (sink.frame, sink.size) else {
        return Err(corrupt("the decoder returned no pixels"));
    };
    let crop = crop_rect(width, height, &info);
    let pixels = cropped(frame.finish(), crop, sink.factor);
    let icc_profile = icc_or_nclx(info.icc_profile.as_deref(), || {
        Some((u16::from(info.color_primaries.0), u16::from(info.transfer_characteristics.0)))
    });
    let orientation = Orientation::from_rotation_and_mirror(
        info.rotation.map_or(0, |r| u32::from(r.angle)),
        info.mirror.map(|m| m.axis),
    );
    Ok(Decoded {
        full_size: crop.map_or((width, height), |(_, _, w, h)| (w, h)),
        pixels,
        icc_profile,
        format: PhotoFormat::Avif,
        orientation: Stored::Container(orientation),
    })
}

/// Receives zenavif's converted strips and adds them to a [`ShrinkingFrame`].
#[derive(Default)]
struct Strips {
    factor: u32,
    frame: Option<ShrinkingFrame>,
    /// The decoded image's size.
    size: Option<(u32, u32)>,
    /// Samples per pixel delivered (alpha included) and channels kept.
    layout: (usize, usize),
    /// The strip being written: its first row, rows and width.
    pending: Option<(u32, u32, u32)>,
    buffer: Vec<u8>,
    row: Vec<u8>,
}

impl Strips {
    /// Adds the strip zenavif has finished writing.
    fn flush(&mut self) -> Result<(), SinkError> {
        let (Some((y, rows, width)), Some(frame)) = (self.pending.take(), self.frame.as_mut()) else {
            return Ok(());
        };
        let samples = self.layout.0;
        let stride = width as usize * samples;
        for (r, row) in self.buffer.chunks_exact(stride).take(rows as usize).enumerate() {
            frame.add_flattening((y as usize + r, 0, 1), row, samples, &mut self.row)?;
        }
        Ok(())
    }
}

impl DecodeRowSink for Strips {
    fn begin(&mut self, width: u32, height: u32, descriptor: PixelDescriptor) -> Result<(), SinkError> {
        self.layout = match descriptor.format {
            PixelFormat::Gray8 => (1, 1),
            PixelFormat::GrayA8 => (2, 1),
            PixelFormat::Rgb8 => (3, 3),
            PixelFormat::Rgba8 => (4, 3),
            other => return Err(format!("pixels decoded as {other:?}").into()),
        };
        self.frame = Some(ShrinkingFrame::new(width, height, self.layout.1, self.factor));
        self.size = Some((width, height));
        Ok(())
    }

    fn provide_next_buffer(
        &mut self,
        y: u32,
        height: u32,
        width: u32,
        descriptor: PixelDescriptor,
    ) -> Result<PixelSliceMut<'_>, SinkError> {
        self.flush()?;
        let stride = width as usize * self.layout.0;
        self.buffer.resize(stride * height as usize, 0);
        self.pending = Some((y, height, width));
        Ok(PixelSliceMut::new(&mut self.buffer, width, height, stride, descriptor)
            .map_err(|e| e.to_string())?)
    }

    fn finish(&mut self) -> Result<(), SinkError> {
        self.flush()
    }
}

/// The `clap` clean aperture in full-size pixels (left, top, width, height): a rectangle of the
/// given size centred (plus an offset) on the image's centre. A malformed one is ignored rather
/// than costing the photo.
fn crop_rect(width: u32, height: u32, info: &ImageInfo) -> Option<(u32, u32, u32, u32)> {
    let clap = info.clean_aperture?;
    let ratio = |n: i64, d: u32| (d != 0).then(|| n as f64 / f64::from(d));
    let w = ratio(i64::from(clap.width_n), clap.width_d)?.round();
    let h = ratio(i64::from(clap.height_n), clap.height_d)?.round();
    let left = ((f64::from(width) - w) / 2.0 + ratio(i64::from(clap.horiz_off_n), clap.horiz_off_d)?).round();
    let top = ((f64::from(height) - h) / 2.0 + ratio(i64::from(clap.vert_off_n), clap.vert_off_d)?).round();
    if left < 0.0
        || top < 0.0
        || w < 1.0
        || h < 1.0
        || left + w > f64::from(width)
        || top + h > f64::from(height)
    {
        tracing::warn!(?clap, "AVIF clean aperture outside the image; showing the whole image");
        return None;
    }
    Some((left as u32, top as u32, w as u32, h as u32))
}

/// Crops a frame shrunk by `factor` to `crop` (full-size pixels), to the nearest block.
fn cropped(pixels: Pixels, crop: Option<(u32, u32, u32, u32)>, factor: u32) -> Pixels {
    let Some((left, top, w, h)) = crop else { return pixels };
    let f = factor.max(1);
    let (left, top) = ((left / f).min(pixels.width - 1), (top / f).min(pixels.height - 1));
    let (w, h) = (w.div_ceil(f).min(pixels.width - left), h.div_ceil(f).min(pixels.height - top));
    let c = usize::from(pixels.channels);
    let stride = pixels.width as usize * c;
    let (left, top, w, h) = (left as usize, top as usize, w as usize, h as usize);
    let mut data = Vec::with_capacity(w * h * c);
    for y in top..top + h {
        data.extend_from_slice(&pixels.data[y * stride + left * c..y * stride + (left + w) * c]);
    }
    Pixels { width: w as u32, height: h as u32, channels: pixels.channels, data }
}
