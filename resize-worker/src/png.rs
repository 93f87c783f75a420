//! PNG read row by row into a [`ShrinkingFrame`], so a 50 MP screenshot or export needs the shrunk
//! frame rather than its full one (150 MB RGB, 200 MB RGBA). Any bit depth, palette and
//! transparency become 8-bit grey or RGB with alpha composited over white; the `iCCP` profile
//! is kept; of an APNG, the still image is read.

use crate::box_shrink::ShrinkingFrame;
use crate::decode::{check_pixels, Decoded};
use crate::error::ResizeError;
use crate::format::Format;
use png::{ColorType, Transformations};
use shared::Limits;
use std::io::Cursor;

fn corrupt(message: impl ToString) -> ResizeError {
    ResizeError::Corrupt { format: "PNG", message: message.to_string() }
}

/// Whether the PNG is interlaced (Adam7 delivers rows out of order, so it is decoded whole).
pub fn is_interlaced(bytes: &[u8]) -> bool {
    // IHDR is the first chunk: signature (8), length and type (8), then 12 bytes before the
    // interlace method.
    bytes.get(28).is_some_and(|&method| method != 0)
}

/// Decodes a non-interlaced PNG, shrunk by a whole factor as far as `shrink_to` allows.
pub fn decode_png(bytes: &[u8], limits: &Limits, shrink_to: Option<u32>) -> Result<Decoded, ResizeError> {
    // The decoder's own buffers (one row, decompression state, chunks such as iCCP) stay small;
    // the frame is ours.
    let mut decoder = png::Decoder::new_with_limits(Cursor::new(bytes), png::Limits { bytes: 64 << 20 });
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
    for y in 0..height as usize {
        let row = reader
            .next_row()
            .map_err(corrupt)?
            .ok_or_else(|| corrupt(format!("the image data ends after {y} of {height} rows")))?;
        let data = row.data();
        if data.len() < width as usize * samples {
            return Err(corrupt("a row is shorter than the image is wide"));
        }
        frame
            .add_flattening(y, 0, &data[..width as usize * samples], samples, &mut scratch)
            .map_err(corrupt)?;
    }
    Ok(Decoded {
        pixels: frame.finish(),
        icc_profile,
        format: Format::Png,
        full_size: (width, height),
        upright: false,
    })
}
