//! HEIC/HEIF photos (iPhones, many cameras) through heifer, a pure-Rust decoder: grids of tiles,
//! 8 and 10 bits, `irot`/`imir`/`clap` applied, alpha flattened, auxiliary images ignored.

use super::colour::icc_or_nclx;
use super::frame::{check_pixels, Decoded};
use crate::error::ResizeError;
use crate::orientation::Stored;
use crate::pixels::{flatten_frame, Pixels};
use heifer::heifer_isobmff::boxes::{ColorInfo, Property};
use heifer::heifer_isobmff::{HeifFile, ItemId};
use shared::Limits;
use shoebox_core::PhotoFormat;

fn corrupt(message: impl ToString) -> ResizeError {
    ResizeError::corrupt(PhotoFormat::Heif, message)
}

fn decoder_error(e: heifer::Error) -> ResizeError {
    match e {
        heifer::Error::Unsupported(what) => ResizeError::UnsupportedFormat(format!("HEIC with {what}")),
        other => corrupt(other),
    }
}

/// The primary image's size as stored (before rotation), from its `ispe` property.
pub fn dimensions(bytes: &[u8]) -> Result<(u32, u32), ResizeError> {
    let file = HeifFile::parse(bytes).map_err(corrupt)?;
    stored_size(&file)
}

fn stored_size(file: &HeifFile<'_>) -> Result<(u32, u32), ResizeError> {
    file.image_size(file.primary_id)
        .map_err(corrupt)?
        .ok_or_else(|| corrupt("the primary image has no size (ispe)"))
}

/// Decodes the primary image, upright (heifer applies `irot`, `imir` and `clap`), as RGB. Its
/// colour profile is the embedded ICC profile, or one made from the `nclx` colour information
/// (Display P3 on iPhones).
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<Decoded, ResizeError> {
    let file = HeifFile::parse(bytes).map_err(corrupt)?;
    let (width, height) = stored_size(&file)?;
    if width == 0 || height == 0 {
        return Err(corrupt(format!("the image is {width}×{height} pixels")));
    }
    check_pixels(width, height, limits)?;
    let id = file.primary_id;
    let icc_profile = icc_or_nclx(file.icc_profile(id).map_err(corrupt)?, || nclx(&file, id));
    // The limit also bounds what a grid may assemble, whatever its `ispe` claimed.
    let options = heifer::Options { max_threads: 0, max_pixels: limits.max_pixels };
    let image = heifer::decode_rgba8(bytes, &options).map_err(decoder_error)?;
    let expected = image.width as usize * image.height as usize * 4;
    if image.data.len() != expected {
        return Err(corrupt("the decoder returned fewer pixels than the image has"));
    }
    Ok(Decoded {
        pixels: Pixels {
            width: image.width,
            height: image.height,
            channels: 3,
            data: flatten_frame(image.data, 4),
        },
        icc_profile,
        format: PhotoFormat::Heif,
        full_size: (image.width, image.height),
        orientation: Stored::Upright,
    })
}

/// The `nclx` primaries and transfer of an image or, for a grid, of its first tile.
fn nclx(file: &HeifFile<'_>, id: ItemId) -> Option<(u16, u16)> {
    let of = |item| {
        file.item_properties(item).ok()?.find_map(|p| match p {
            Property::Color(ColorInfo::Nclx { primaries, transfer, .. }) => Some((*primaries, *transfer)),
            _ => None,
        })
    };
    of(id).or_else(|| file.referenced_items(id, b"dimg").first().and_then(|&tile| of(tile)))
}
