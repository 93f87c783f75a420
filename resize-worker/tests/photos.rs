//! The resize pipeline on real photos and on bad input.

use image::{ImageFormat, RgbImage};
use resize_worker::{resize_photo, ResizeError};
use shared::Limits;
use std::path::PathBuf;

fn fixture(name: &str) -> Vec<u8> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/exif-orientation").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Decodes a derivative with jpeg-decoder: libjpeg-compatible, and independent of the encoder.
/// (zune-jpeg 0.5.15, behind `image`'s JPEG feature, mis-decodes optimised-Huffman JPEGs.)
fn decode_any(jpeg: &[u8]) -> (jpeg_decoder::PixelFormat, u32, u32, Vec<u8>) {
    let mut d = jpeg_decoder::Decoder::new(std::io::Cursor::new(jpeg));
    let px = d.decode().expect("derivative decodes");
    let info = d.info().expect("info");
    (info.pixel_format, u32::from(info.width), u32::from(info.height), px)
}

fn decode_rgb(jpeg: &[u8]) -> RgbImage {
    let (format, w, h, px) = decode_any(jpeg);
    assert_eq!(format, jpeg_decoder::PixelFormat::RGB24);
    RgbImage::from_raw(w, h, px).expect("sizes match")
}

/// Mean absolute difference per channel, 0–255.
fn mean_diff(a: &RgbImage, b: &RgbImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let sum: u64 = a.as_raw().iter().zip(b.as_raw()).map(|(x, y)| u64::from(x.abs_diff(*y))).sum();
    sum as f64 / a.as_raw().len() as f64
}

fn smallest(bytes: &[u8]) -> RgbImage {
    let photo = resize_photo(bytes, "jpg", &Limits::default()).expect("resizes");
    decode_rgb(&photo.derivatives.last().expect("has derivatives").jpeg)
}

#[test]
fn the_upright_derivative_matches_an_independent_decode_of_the_source() {
    // Decode Landscape_1 (orientation 1) independently, shrink it with image's own resizer and
    // compare: catches colour or decoding errors that comparing derivatives to each other cannot.
    let (_, w, h, px) = decode_any(&fixture("Landscape_1.jpg"));
    let reference = image::imageops::resize(
        &RgbImage::from_raw(w, h, px).expect("rgb"),
        320,
        213,
        image::imageops::FilterType::Lanczos3,
    );
    let ours = smallest(&fixture("Landscape_1.jpg"));
    let diff = mean_diff(&ours, &reference);
    assert!(diff < 4.0, "derivative differs from an independent resize by {diff:.2}");
}

#[test]
fn all_eight_orientations_come_out_upright() {
    for kind in ["Landscape", "Portrait"] {
        let upright = smallest(&fixture(&format!("{kind}_1.jpg")));
        // A wrongly oriented image differs wildly from the upright one; find that scale first.
        let rotated_wrong = image::imageops::flip_vertical(&upright);
        let wrong = mean_diff(&upright, &rotated_wrong);
        for n in 0..=8 {
            let got = smallest(&fixture(&format!("{kind}_{n}.jpg")));
            assert_eq!(got.dimensions(), upright.dimensions(), "{kind}_{n}: dimensions");
            let diff = mean_diff(&got, &upright);
            assert!(
                diff < wrong / 4.0 && diff < 12.0,
                "{kind}_{n}: differs from upright by {diff:.1} (a flip differs by {wrong:.1})"
            );
        }
    }
}

#[test]
fn derivatives_have_no_exif_and_plan_sizes() {
    let bytes = fixture("Landscape_6.jpg");
    let photo = resize_photo(&bytes, "jpg", &Limits::default()).expect("resizes");
    assert_eq!((photo.width, photo.height), (1800, 1200));
    let sizes: Vec<_> = photo.derivatives.iter().map(|d| (d.width, d.height)).collect();
    assert_eq!(sizes, vec![(1800, 1200), (1280, 853), (640, 427), (320, 213)]);
    for d in &photo.derivatives {
        let (_, w, h, _) = decode_any(&d.jpeg);
        assert_eq!((w, h), (d.width, d.height));
        assert!(!d.jpeg.windows(6).any(|w| w == b"Exif\0\0"), "no EXIF segment in a derivative");
    }
    assert!(!photo.thumbhash.is_empty());
}

#[test]
fn derivatives_decode_the_same_in_every_decoder() {
    // An optimised baseline file written as one scan per component decoded as garbage in
    // zune-jpeg (what the image crate and many apps use); derivatives are one interleaved
    // scan. Compared with jpeg-decoder (libjpeg's behaviour).
    let photo = resize_photo(&fixture("Landscape_1.jpg"), "jpg", &Limits::default()).expect("resizes");
    for d in &photo.derivatives {
        let (_, w, h, ours) = decode_any(&d.jpeg);
        let zune = image::load_from_memory_with_format(&d.jpeg, ImageFormat::Jpeg).expect("zune decodes");
        let zune = zune.to_rgb8();
        assert_eq!(zune.dimensions(), (w, h));
        let diff = mean_diff(&zune, &RgbImage::from_raw(w, h, ours).expect("rgb"));
        assert!(diff < 1.0, "{}px: zune-jpeg and jpeg-decoder differ by {diff:.2}", d.width);
        assert_eq!(&d.jpeg[..2], b"\xFF\xD8");
        let (frame, scans) = frame_and_scans(&d.jpeg);
        assert_eq!(frame, 0xC0, "{}px is baseline (SOF0)", d.width);
        assert_eq!(scans, vec![3], "{}px is one scan of all three components", d.width);
    }
}

/// The frame marker (SOF0 = 0xC0, …) and each scan's component count, walking the segments.
fn frame_and_scans(jpeg: &[u8]) -> (u8, Vec<u8>) {
    let (mut frame, mut scans, mut at) = (0, Vec::new(), 2);
    while let Some(&[0xFF, marker, hi, lo]) = jpeg.get(at..at + 4) {
        let length = usize::from(u16::from_be_bytes([hi, lo]));
        match marker {
            0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => frame = marker,
            0xDA => {
                scans.push(jpeg[at + 4]);
                // Entropy-coded data: skip to the next marker that is not a stuffed zero or RSTn.
                at += 2 + length;
                while let Some(&[a, b]) = jpeg.get(at..at + 2) {
                    if a == 0xFF && b != 0x00 && !(0xD0..=0xD7).contains(&b) {
                        break;
                    }
                    at += 1;
                }
                continue;
            }
            0xD9 => break,
            _ => {}
        }
        at += 2 + length;
    }
    (frame, scans)
}

/// A 64×48 photo-like JPEG with an ICC profile and an EXIF block that has GPS.
fn jpeg_with_icc_and_gps() -> Vec<u8> {
    let img =
        RgbImage::from_fn(64, 48, |x, y| image::Rgb([(x * 4) as u8, (y * 5) as u8, ((x + y) * 2) as u8]));
    let mut out = Vec::new();
    let mut enc = jpeg_encoder::Encoder::new(&mut out, 90);
    enc.add_icc_profile(&fake_icc()).expect("icc");
    enc.add_exif_metadata(&exif_with_gps()).expect("exif");
    enc.encode(img.as_raw(), 64, 48, jpeg_encoder::ColorType::Rgb).expect("encode");
    out
}

/// Not a valid colour profile, but the pipeline copies profiles byte for byte.
fn fake_icc() -> Vec<u8> {
    let mut icc = b"SHOEBOX-TEST-ICC-PROFILE".to_vec();
    icc.resize(600, 7);
    icc
}

/// A little-endian TIFF with Make in IFD0 and a GPS IFD holding a latitude reference.
fn exif_with_gps() -> Vec<u8> {
    let mut t = b"II*\0\x08\0\0\0".to_vec();
    // IFD0: 2 entries (Make, GPSInfo pointer), next IFD 0.
    t.extend_from_slice(&2u16.to_le_bytes());
    t.extend_from_slice(&[0x0F, 0x01, 2, 0, 4, 0, 0, 0]); // Make, ASCII, count 4
    t.extend_from_slice(b"Cam\0");
    t.extend_from_slice(&[0x25, 0x88, 4, 0, 1, 0, 0, 0]); // GPSInfo, LONG, count 1
    t.extend_from_slice(&38u32.to_le_bytes()); // offset of the GPS IFD
    t.extend_from_slice(&0u32.to_le_bytes());
    // GPS IFD at 38: GPSLatitudeRef = "N".
    t.extend_from_slice(&1u16.to_le_bytes());
    t.extend_from_slice(&[0x01, 0x00, 2, 0, 2, 0, 0, 0]);
    t.extend_from_slice(b"N\0\0\0");
    t.extend_from_slice(&0u32.to_le_bytes());
    t
}

#[test]
fn keeps_the_icc_profile_and_drops_exif_with_gps() {
    let src = jpeg_with_icc_and_gps();
    assert!(src.windows(6).any(|w| w == b"Exif\0\0"), "the test input has EXIF");
    let photo = resize_photo(&src, "jpeg", &Limits::default()).expect("resizes");
    assert!(photo.icc_profile);
    assert_eq!(photo.exif.camera.as_deref(), Some("Cam"));
    let marker = b"SHOEBOX-TEST-ICC-PROFILE";
    for d in &photo.derivatives {
        assert!(d.jpeg.windows(marker.len()).any(|w| w == marker), "{}px keeps the ICC profile", d.width);
        assert!(!d.jpeg.windows(6).any(|w| w == b"Exif\0\0"), "{}px has no EXIF (so no GPS)", d.width);
    }
    // Smaller than every size: one derivative at its own size, never upscaled.
    assert_eq!(photo.derivatives.len(), 1);
    assert_eq!((photo.derivatives[0].width, photo.derivatives[0].height), (64, 48));
}

/// A profile split over APP2 chunks of which one is missing (the chunk says "1 of 2") is not a
/// profile: the photo is shown without it, as libjpeg-turbo and browsers do, not refused.
#[test]
fn an_incomplete_icc_profile_is_ignored_not_refused() {
    let mut src = jpeg_with_icc_and_gps();
    let at = src.windows(12).position(|w| w == b"ICC_PROFILE\0").expect("has a profile") + 12;
    assert_eq!(src[at..at + 2], [1, 1], "one chunk of one");
    src[at + 1] = 2;
    let photo = resize_photo(&src, "jpeg", &Limits::default()).expect("resizes without the profile");
    assert!(!photo.icc_profile);
    let marker = b"SHOEBOX-TEST-ICC-PROFILE";
    let jpeg = &photo.derivatives[0].jpeg;
    assert!(!jpeg.windows(marker.len()).any(|w| w == marker), "half a profile is not copied");
    let (_, w, h, px) = decode_any(&src);
    let diff = mean_diff(&decode_rgb(jpeg), &RgbImage::from_raw(w, h, px).expect("rgb"));
    assert!(diff < 3.0, "the pixels are the source's (off by {diff:.2})");
}

#[test]
fn png_with_alpha_webp_gif_and_grey_are_resized() {
    let rgba =
        image::RgbaImage::from_fn(400, 300, |x, _| image::Rgba([200, 10, 10, if x < 200 { 255 } else { 0 }]));
    let mut png = Vec::new();
    image::DynamicImage::ImageRgba8(rgba.clone())
        .write_to(&mut std::io::Cursor::new(&mut png), ImageFormat::Png)
        .expect("png");
    let photo = resize_photo(&png, "png", &Limits::default()).expect("png resizes");
    let big = decode_rgb(&photo.derivatives[0].jpeg);
    let right = big.get_pixel(390, 150);
    assert!(right.0.iter().all(|c| *c > 240), "transparent pixels become white, got {right:?}");

    for format in [ImageFormat::WebP, ImageFormat::Gif] {
        let mut bytes = Vec::new();
        image::DynamicImage::ImageRgba8(rgba.clone())
            .write_to(&mut std::io::Cursor::new(&mut bytes), format)
            .expect("encode");
        let ext = format.extensions_str()[0];
        let photo = resize_photo(&bytes, ext, &Limits::default()).unwrap_or_else(|e| panic!("{ext}: {e}"));
        assert_eq!((photo.width, photo.height), (400, 300), "{ext}");
    }

    let grey = image::GrayImage::from_fn(300, 200, |x, _| image::Luma([x as u8]));
    let mut jpg = Vec::new();
    image::DynamicImage::ImageLuma8(grey)
        .write_to(&mut std::io::Cursor::new(&mut jpg), ImageFormat::Jpeg)
        .expect("jpg");
    let photo = resize_photo(&jpg, "jpg", &Limits::default()).expect("grey resizes");
    assert_eq!(decode_any(&photo.derivatives[0].jpeg).0, jpeg_decoder::PixelFormat::L8, "grey stays grey");
}

fn error_of(bytes: &[u8], ext: &str) -> ResizeError {
    resize_photo(bytes, ext, &Limits::default()).expect_err("must be refused")
}

/// Rewrites the width and height in a JPEG's SOF0 segment.
fn with_jpeg_dimensions(mut jpeg: Vec<u8>, width: u16, height: u16) -> Vec<u8> {
    let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).expect("baseline SOF0");
    jpeg[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    jpeg[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    jpeg
}

/// A PNG whose header claims `width` × `height` (CRC fixed), with the original tiny pixel data.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut png = Vec::new();
    image::DynamicImage::new_rgb8(1, 1)
        .write_to(&mut std::io::Cursor::new(&mut png), ImageFormat::Png)
        .expect("png");
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[test]
fn bad_files_each_get_a_precise_error() {
    let good = fixture("Landscape_1.jpg");

    assert!(matches!(error_of(&[], "jpg"), ResizeError::Empty));
    assert!(matches!(error_of(b"just some text\n", "jpg"), ResizeError::NotAnImage { .. }));

    let mut png = Vec::new();
    image::DynamicImage::new_rgb8(8, 8)
        .write_to(&mut std::io::Cursor::new(&mut png), ImageFormat::Png)
        .expect("png");
    let e = error_of(&png, "jpg");
    assert!(matches!(e, ResizeError::Mislabelled { actual: "PNG", suggested: "png", .. }), "{e}");

    let truncated = &good[..good.len() * 2 / 3];
    let e = error_of(truncated, "jpg");
    assert!(matches!(e, ResizeError::Truncated { .. }), "{e}");
    assert!(e.to_string().starts_with("truncated JPEG"), "{e}");

    // Header intact, entropy-coded data replaced with junk.
    let mut corrupt = good.clone();
    let sos = corrupt.windows(2).position(|w| w == [0xFF, 0xDA]).expect("SOS");
    let end = corrupt.len() - 2;
    for (i, b) in corrupt[sos + 20..end].iter_mut().enumerate() {
        *b = if i % 7 == 0 { 0xFF } else { (i * 31) as u8 };
    }
    let e = resize_photo(&corrupt, "jpg", &Limits::default());
    assert!(
        matches!(e, Err(ResizeError::Corrupt { format: "JPEG", .. }) | Err(ResizeError::Truncated { .. }))
            || e.is_ok(),
        "corrupt scan data either decodes (JPEG is forgiving) or fails cleanly: {e:?}"
    );

    let e = error_of(b"\xFF\xD8\xFF\xE0\0\x10JFIF\0garbage", "jpg");
    assert!(matches!(e, ResizeError::Corrupt { format: "JPEG", .. }), "{e}");

    // Decompression bombs: the header's pixel count is refused before any pixel is decoded.
    let e = error_of(&with_jpeg_dimensions(good.clone(), 60000, 60000), "jpg");
    assert!(matches!(e, ResizeError::TooManyPixels { width: 60000, height: 60000, .. }), "{e}");
    assert!(e.to_string().contains("over the limit of 100 megapixels"), "{e}");
    let e = error_of(&png_claiming(100_000, 100_000), "png");
    assert!(matches!(e, ResizeError::TooManyPixels { width: 100_000, .. }), "{e}");

    // A configurable limit.
    let tight = Limits { max_pixels: 1_000_000, ..Limits::default() };
    let e = resize_photo(&good, "jpg", &tight).expect_err("over a 1 MP limit");
    assert!(matches!(e, ResizeError::TooManyPixels { limit: 1_000_000, .. }), "{e}");
}

#[test]
fn sample_photos_decode_and_carry_their_exif() {
    let exif = samples::SampleExif {
        make: "Shoebox".into(),
        model: "Sample Camera".into(),
        taken: "2024:05:01 10:02:03".into(),
        exposure: (1, 250),
        f_number_tenths: 28,
        iso: 400,
        ..Default::default()
    };
    let jpeg = samples::sample_jpeg(300, 200, 7, Some(&exif)).expect("encodes");
    let photo = resize_photo(&jpeg, "jpg", &Limits::default()).expect("the worker reads it");
    assert_eq!((photo.width, photo.height), (300, 200));
    assert_eq!(photo.exif.camera.as_deref(), Some("Shoebox Sample Camera"));
    assert_eq!(photo.exif.captured_at.as_deref(), Some("2024-05-01T10:02:03"));
    assert_eq!(photo.exif.iso, Some(400));
}
