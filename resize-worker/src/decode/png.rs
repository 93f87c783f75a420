//! PNG read row by row into a [`ShrinkingFrame`], so a 50 MP screenshot or export needs the shrunk
//! frame rather than its full one (150 MB RGB, 200 MB RGBA). Any bit depth, palette and
//! transparency become 8-bit grey or RGB with alpha composited over white; the `iCCP` profile
//! is kept; of an APNG, the still image is read. Interlaced (Adam7) files arrive as seven passes
//! of spaced-out rows, which the frame sums in wherever they land.

use super::box_shrink::ShrinkingFrame;
use super::frame::{check_pixels, Decoded};
use crate::error::ResizeError;
use crate::orientation::Stored;
use png::{Adam7Info, ColorType, InterlaceInfo, Transformations};
use shared::Limits;
use shoebox_core::PhotoFormat;
use std::io::Cursor;

fn corrupt(message: impl ToString) -> ResizeError {
    ResizeError::corrupt(PhotoFormat::Png, message)
}

/// The decoder's own buffers (one row, decompression state, chunks such as iCCP) stay small; the
/// frame is ours.
const DECODER_BYTES: usize = 64 << 20;

/// The picture's size from its header (`IHDR`).
pub fn dimensions(bytes: &[u8]) -> Result<(u32, u32), ResizeError> {
    let decoder = png::Decoder::new_with_limits(Cursor::new(bytes), png::Limits { bytes: DECODER_BYTES });
    let reader = decoder.read_info().map_err(corrupt)?;
    Ok((reader.info().width, reader.info().height))
}

/// Adam7's passes: first column, first row, column spacing, row spacing (PNG spec, 8.2).
const ADAM7: [(usize, usize, usize, usize); 7] =
    [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

/// Where one stored row goes: image row `y`, pixels at columns `x`, `x + step`, …; for an
/// interlaced file also the Adam7 pass and line the png crate reports for it.
struct RowPlace {
    y: usize,
    x: usize,
    step: usize,
    adam7: Option<(u8, u32)>,
}

/// The places of the stored rows, in file order.
fn row_places(width: usize, height: usize, interlaced: bool) -> Vec<RowPlace> {
    if !interlaced {
        return (0..height).map(|y| RowPlace { y, x: 0, step: 1, adam7: None }).collect();
    }
    let mut places = Vec::new();
    for (pass, &(x, y0, step, dy)) in (1u8..).zip(ADAM7.iter()) {
        // Passes with no pixels (narrow or short images) have no rows in the file.
        if width <= x || height <= y0 {
            continue;
        }
        for (line, y) in (0u32..).zip((y0..height).step_by(dy)) {
            places.push(RowPlace { y, x, step, adam7: Some((pass, line)) });
        }
    }
    places
}

/// Decodes a PNG, shrunk by a whole factor as far as `shrink_to` allows.
pub fn decode(bytes: &[u8], limits: &Limits, shrink_to: Option<u32>) -> Result<Decoded, ResizeError> {
    let mut decoder = png::Decoder::new_with_limits(Cursor::new(bytes), png::Limits { bytes: DECODER_BYTES });
    decoder.set_transformations(Transformations::EXPAND | Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(corrupt)?;
    let info = reader.info();
    let (width, height) = (info.width, info.height);
    check_pixels(width, height, limits)?;
    let icc_profile = info.icc_profile.as_ref().map(|p| p.to_vec()).filter(|p| !p.is_empty());
    let (colour, _) = reader.output_color_type();
    let (samples, channels) = match colour {
        ColorType::Grayscale => (1, 1),
        ColorType::GrayscaleAlpha => (2, 1),
        ColorType::Rgb => (3, 3),
        ColorType::Rgba => (4, 3),
        ColorType::Indexed => return Err(corrupt("the palette could not be expanded")),
    };
    let factor = ShrinkingFrame::factor_for(width, height, shrink_to);
    let mut frame = ShrinkingFrame::new(width, height, channels, factor);
    let mut scratch = Vec::new();
    let interlaced = info.interlaced;
    let places = row_places(width as usize, height as usize, interlaced);
    let rows = places.len();
    for (read, RowPlace { y, x, step, adam7 }) in places.into_iter().enumerate() {
        let row = reader
            .next_interlaced_row()
            .map_err(corrupt)?
            .ok_or_else(|| corrupt(format!("the image data ends after {read} of {rows} rows")))?;
        // Our pass arithmetic must agree with the decoder's, or pixels would land in wrong places.
        if let (Some((pass, line)), InterlaceInfo::Adam7(got)) = (adam7, row.interlace()) {
            if *got != Adam7Info::new(pass, line, width) {
                return Err(corrupt(format!("interlaced row {read} is not pass {pass}, line {line}")));
            }
        }
        let pixels = (width as usize - x).div_ceil(step);
        let data = row.data();
        if data.len() < pixels * samples {
            return Err(corrupt("a row is shorter than the image is wide"));
        }
        frame
            .add_flattening((y, x, step), &data[..pixels * samples], samples, &mut scratch)
            .map_err(corrupt)?;
    }
    Ok(Decoded {
        pixels: frame.finish(),
        icc_profile,
        format: PhotoFormat::Png,
        full_size: (width, height),
        orientation: Stored::AsCoded,
    })
}
