//! Photo-like sample images (sky, hills, discs, sensor-like noise), deterministic from a seed:
//! the project ships no photos, so `shoebox demo`, the tests and the benchmarks make their own.
//!
//! - [`photo_like`]: RGB pixels of a scene.
//! - [`sample_jpeg`]: the scene as a camera-like JPEG, with [`SampleExif`] when given.

/// RGB pixels of a photo-like scene; `seed` varies the light, the hills and the discs.
pub fn photo_like(width: u32, height: u32, seed: u64) -> Vec<u8> {
    let mut state = 0x2545_F491_4F6C_DD1Du64 ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    // Seed 0 is the benchmark's scene; other seeds shift colours, hills and discs.
    let vary = |n: u64, scale: f32| if seed == 0 { 0.0 } else { ((n % 1000) as f32 / 1000.0 - 0.5) * scale };
    let (warm, hills, sun_x, sun_y) =
        (vary(next(), 120.0), vary(next(), 0.3), vary(next(), 0.5), vary(next(), 0.3));
    let mut px = Vec::with_capacity(width as usize * height as usize * 3);
    for y in 0..height {
        for x in 0..width {
            let (fx, fy) = (x as f32 / width as f32, y as f32 / height as f32);
            let hill = 0.6 + hills + 0.08 * (fx * 9.0 + hills * 10.0).sin() + 0.05 * (fx * 23.0).cos();
            let mut rgb = if fy < hill {
                [90.0 + 100.0 * fy + warm, 140.0 + 80.0 * fy + warm * 0.3, 230.0 - 40.0 * fy - warm * 0.5]
            } else {
                let t = ((fx * 40.0).sin() * (fy * 55.0).cos()) * 20.0;
                [60.0 + t + warm * 0.4, 120.0 + 60.0 * (1.0 - fy) + t, 40.0 + t * 0.5]
            };
            let discs = [(0.2 + sun_x, 0.3 + sun_y, 0.07), (0.7, 0.75, 0.05), (0.5, 0.5, 0.02)];
            for (i, (cx, cy, r)) in discs.iter().enumerate() {
                if (fx - cx).hypot((fy - cy) * height as f32 / width as f32) < *r {
                    rgb = [[250.0, 220.0, 120.0], [200.0, 40.0, 40.0], [30.0, 30.0, 30.0]][i];
                }
            }
            for c in rgb {
                let noise = (next() % 17) as i32 - 8;
                px.push((c as i32 + noise).clamp(0, 255) as u8);
            }
        }
    }
    px
}

/// An Apple MakerNote as an iPhone writes it, naming a Live Photo's content identifier (`id`,
/// NUL-terminated as Apple writes it, or not): the header, an IFD with a few int32 entries and
/// tag 0x0011 stored after the IFD.
pub fn apple_maker_note(id: &[u8]) -> Vec<u8> {
    let mut note = b"Apple iOS\0\0\x01MM".to_vec();
    let entries: u16 = 3;
    let data_at = 14 + 2 + 12 * usize::from(entries) + 4;
    note.extend(entries.to_be_bytes());
    for (tag, kind, count, value) in
        [(0x0001u16, 9u16, 1u32, 14u32), (0x000a, 9, 1, 3), (0x0011, 2, id.len() as u32, data_at as u32)]
    {
        note.extend(tag.to_be_bytes());
        note.extend(kind.to_be_bytes());
        note.extend(count.to_be_bytes());
        note.extend(value.to_be_bytes());
    }
    note.extend(0u32.to_be_bytes());
    note.extend(id);
    note
}

/// What a camera would record about a sample photo (written as EXIF).
#[derive(Debug, Clone, Default)]
pub struct SampleExif {
    /// `Make`.
    pub make: String,
    /// `Model`.
    pub model: String,
    /// `DateTimeOriginal`, `YYYY:MM:DD HH:MM:SS`.
    pub taken: String,
    /// Exposure time as a fraction (numerator, denominator).
    pub exposure: (u32, u32),
    /// F-number × 10.
    pub f_number_tenths: u32,
    /// ISO speed.
    pub iso: u16,
    /// A MakerNote's bytes (none when empty), e.g. an Apple one naming a Live Photo's motion.
    pub maker_note: Vec<u8>,
}

/// A photo-like JPEG (quality 92, 4:2:2 like a camera), with EXIF when given.
pub fn sample_jpeg(
    width: u32,
    height: u32,
    seed: u64,
    exif: Option<&SampleExif>,
) -> Result<Vec<u8>, jpeg_encoder::EncodingError> {
    let (w, h) = (
        u16::try_from(width)
            .map_err(|_| jpeg_encoder::EncodingError::BadImageData { length: 0, required: 0 })?,
        u16::try_from(height)
            .map_err(|_| jpeg_encoder::EncodingError::BadImageData { length: 0, required: 0 })?,
    );
    let px = photo_like(width, height, seed);
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 92);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_2);
    if let Some(exif) = exif {
        encoder.add_app_segment(1, exif_segment(exif))?;
    }
    encoder.encode(&px, w, h, jpeg_encoder::ColorType::Rgb)?;
    Ok(out)
}

/// `Exif\0\0` and a little-endian TIFF: IFD0 with Make, Model and a pointer to the Exif IFD
/// (ExposureTime, FNumber, ISO, DateTimeOriginal).
fn exif_segment(e: &SampleExif) -> Vec<u8> {
    // (tag, type, count, value bytes); values over 4 bytes go to the data area.
    fn ascii(s: &str) -> Vec<u8> {
        let mut v = s.as_bytes().to_vec();
        v.push(0);
        v
    }
    let rational = |(n, d): (u32, u32)| [n.to_le_bytes(), d.to_le_bytes()].concat();
    let ifd0: Vec<(u16, u16, Vec<u8>)> = vec![(0x010F, 2, ascii(&e.make)), (0x0110, 2, ascii(&e.model))];
    let exif: Vec<(u16, u16, Vec<u8>)> = vec![
        (0x829A, 5, rational(e.exposure)),
        (0x829D, 5, rational((e.f_number_tenths, 10))),
        (0x8827, 3, e.iso.to_le_bytes().to_vec()),
        (0x9003, 2, ascii(&e.taken)),
    ]
    .into_iter()
    .chain((!e.maker_note.is_empty()).then(|| (0x927C, 7, e.maker_note.clone())))
    .collect();
    let ifd_len = |n: usize| 2 + n * 12 + 4;
    let ifd0_at = 8usize;
    let exif_at = ifd0_at + ifd_len(ifd0.len() + 1);
    let mut data_at = exif_at + ifd_len(exif.len());
    let mut data = Vec::new();
    let mut write_ifd = |entries: &[(u16, u16, Vec<u8>)], extra: Option<(u16, u32)>, out: &mut Vec<u8>| {
        out.extend_from_slice(&(entries.len() as u16 + u16::from(extra.is_some())).to_le_bytes());
        for (tag, kind, value) in entries {
            let count = match kind {
                5 => value.len() / 8,
                3 => value.len() / 2,
                _ => value.len(),
            } as u32;
            out.extend_from_slice(&tag.to_le_bytes());
            out.extend_from_slice(&kind.to_le_bytes());
            out.extend_from_slice(&count.to_le_bytes());
            if value.len() <= 4 {
                let mut v = value.clone();
                v.resize(4, 0);
                out.extend_from_slice(&v);
            } else {
                out.extend_from_slice(&(data_at as u32).to_le_bytes());
                data.extend_from_slice(value);
                data_at += value.len();
            }
        }
        if let Some((tag, offset)) = extra {
            out.extend_from_slice(&tag.to_le_bytes());
            out.extend_from_slice(&4u16.to_le_bytes());
            out.extend_from_slice(&1u32.to_le_bytes());
            out.extend_from_slice(&offset.to_le_bytes());
        }
        out.extend_from_slice(&0u32.to_le_bytes());
    };
    let mut tiff = b"II*\0".to_vec();
    tiff.extend_from_slice(&(ifd0_at as u32).to_le_bytes());
    write_ifd(&ifd0, Some((0x8769, exif_at as u32)), &mut tiff);
    write_ifd(&exif, None, &mut tiff);
    tiff.extend_from_slice(&data);
    [b"Exif\0\0".as_slice(), &tiff].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenes_follow_their_seed_and_jpegs_carry_the_exif() {
        assert_ne!(photo_like(64, 64, 1), photo_like(64, 64, 2), "seeds differ");
        assert_eq!(photo_like(64, 64, 3), photo_like(64, 64, 3), "and are deterministic");
        let exif =
            SampleExif { make: "Shoebox".into(), taken: "2024:05:01 10:02:03".into(), ..Default::default() };
        let jpeg = sample_jpeg(30, 20, 7, Some(&exif)).expect("encodes");
        assert!(jpeg.starts_with(&[0xFF, 0xD8]) && jpeg.ends_with(&[0xFF, 0xD9]));
        assert!(jpeg.windows(6).any(|w| w == b"Exif\0\0"));
        assert!(jpeg.windows(19).any(|w| w == b"2024:05:01 10:02:03"));
        assert!(sample_jpeg(70_000, 1, 0, None).is_err(), "JPEG sizes stop at 65,535");
    }
}
