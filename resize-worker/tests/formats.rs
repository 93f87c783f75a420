//! Photos as they arrive: HEIC, AVIF, CMYK JPEG, TIFF, PNG, MPO, orientation in every container,
//! and broken files of each format. Fixtures and their reference decodes (Pillow, libheif,
//! libavif, LittleCMS) come from tests/fixtures/make.py; every picture shows red, green, blue
//! and light grey quadrants when upright.

use image::RgbImage;
use resize_worker::decode::decode;
use resize_worker::orientation::Stored;
use resize_worker::pixels::Pixels;
use resize_worker::{resize_photo, ResizeError, ResizedPhoto};
use shared::Limits;
use std::path::PathBuf;

const COLOURS: [[u8; 3]; 4] = [[200, 40, 40], [40, 180, 60], [40, 60, 200], [230, 230, 230]];

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn reference(name: &str) -> RgbImage {
    image::load_from_memory(&fixture(&format!("{name}.ref.png"))).expect("reference decodes").to_rgb8()
}

fn resize(name: &str) -> ResizedPhoto {
    let ext = name.rsplit('.').next().unwrap_or_default();
    resize_photo(&fixture(name), ext, &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The largest derivative, decoded by jpeg-decoder (independent of our encoder), as RGB.
fn largest(photo: &ResizedPhoto) -> (RgbImage, Option<Vec<u8>>) {
    let mut d = jpeg_decoder::Decoder::new(std::io::Cursor::new(&photo.derivatives[0].jpeg));
    let px = d.decode().expect("derivative decodes");
    let info = d.info().expect("info");
    let px = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => px,
        jpeg_decoder::PixelFormat::L8 => px.iter().flat_map(|&g| [g, g, g]).collect(),
        other => panic!("derivative is {other:?}"),
    };
    let icc = d.icc_profile();
    (RgbImage::from_raw(u32::from(info.width), u32::from(info.height), px).expect("sizes"), icc)
}

/// Each quadrant's centre has its colour (within `tolerance` per channel).
fn assert_upright(name: &str, image: &RgbImage, expected: &[[u8; 3]; 4], tolerance: u8) {
    let (w, h) = image.dimensions();
    assert!(w > h, "{name}: {w}×{h} is not landscape");
    for (i, colour) in expected.iter().enumerate() {
        let (x, y) = ((i as u32 % 2) * w / 2 + w / 4, (i as u32 / 2) * h / 2 + h / 4);
        assert_colour_at(name, image, (x, y), *colour, tolerance);
    }
}

/// The pixel at `(x, y)` has `colour` (within `tolerance` per channel).
fn assert_colour_at(name: &str, image: &RgbImage, (x, y): (u32, u32), colour: [u8; 3], tolerance: u8) {
    let got = image.get_pixel(x, y).0;
    let off = got.iter().zip(colour).map(|(a, b)| a.abs_diff(b)).max().unwrap_or(0);
    assert!(off <= tolerance, "{name}: the pixel at ({x}, {y}) is {got:?}, expected {colour:?}");
}

/// Decoded pixels (grey or RGB) as an RGB image.
fn rgb(pixels: Pixels) -> RgbImage {
    let data = if pixels.channels == 1 {
        pixels.data.iter().flat_map(|&g| [g, g, g]).collect()
    } else {
        pixels.data
    };
    RgbImage::from_raw(pixels.width, pixels.height, data).expect("sizes")
}

/// Mean absolute difference per channel, 0–255.
fn mean_diff(a: &RgbImage, b: &RgbImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let sum: u64 = a.as_raw().iter().zip(b.as_raw()).map(|(x, y)| u64::from(x.abs_diff(*y))).sum();
    sum as f64 / a.as_raw().len() as f64
}

fn error_of(bytes: &[u8], ext: &str) -> ResizeError {
    resize_photo(bytes, ext, &Limits::default()).expect_err("should be refused")
}

#[test]
fn orientation_from_exif_in_webp_png_and_tiff_and_from_xmp() {
    for o in [3, 6, 8] {
        for ext in ["webp", "png", "tif"] {
            let name = format!("orient-{o}.{ext}");
            let photo = resize(&name);
            assert_eq!((photo.width, photo.height), (96, 64), "{name}");
            assert_upright(&name, &largest(&photo).0, &COLOURS, 12);
        }
    }
    for name in ["orient-xmp-3.png", "orient-xmp-6.webp"] {
        assert_upright(name, &largest(&resize(name)).0, &COLOURS, 12);
    }
}

/// `orient-6.webp` with its `EXIF` chunk behind the `Exif\0\0` header some writers emit (as in a
/// JPEG's APP1), the chunk and RIFF sizes adjusted.
fn webp_with_exif_header() -> Vec<u8> {
    let mut bytes = fixture("orient-6.webp");
    let at = bytes.windows(4).position(|w| w == b"EXIF").expect("has an EXIF chunk");
    let size = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().expect("4 bytes"));
    bytes[at + 4..at + 8].copy_from_slice(&(size + 6).to_le_bytes());
    bytes.splice(at + 8..at + 8, *b"Exif\0\0");
    let riff = u32::from_le_bytes(bytes[4..8].try_into().expect("4 bytes"));
    bytes[4..8].copy_from_slice(&(riff + 6).to_le_bytes());
    bytes
}

#[test]
fn webp_exif_behind_an_exif_header_still_turns_the_photo_upright() {
    let bytes = webp_with_exif_header();
    let photo = resize_photo(&bytes, "webp", &Limits::default()).expect("resizes");
    assert_eq!((photo.width, photo.height), (96, 64));
    assert_upright("Exif-header WebP", &largest(&photo).0, &COLOURS, 12);
    assert_eq!(photo.exif.camera.as_deref(), Some("Shoebox Fixture Camera"));
}

#[test]
fn heic_single_10_bit_limited_range_alpha_and_rotated_match_libheif() {
    for name in ["single.heic", "10bit.heic", "limited.heic", "rotated.heic"] {
        let photo = resize(name);
        assert_eq!((photo.width, photo.height), (96, 64), "{name}");
        let (ours, _) = largest(&photo);
        assert_upright(name, &ours, &COLOURS, 16);
        // The decoder's own output (HEIF frames come out upright), not the re-encoded JPEG.
        let decoded = decode(&fixture(name), "heic", &Limits::default(), None).expect("decodes");
        assert_eq!(decoded.orientation, Stored::Upright, "{name}");
        let diff = mean_diff(&rgb(decoded.pixels), &reference(name));
        assert!(diff < 2.0, "{name}: differs from libheif's decode by {diff:.2}");
    }
    // Alpha (opaque here) is flattened, not dropped into black.
    assert_upright("alpha.heic", &largest(&resize("alpha.heic")).0, &COLOURS, 16);
}

#[test]
fn heic_colour_nclx_display_p3_becomes_an_icc_profile_and_icc_is_kept() {
    let photo = resize("p3.heic");
    assert!(photo.icc_profile);
    let (ours, icc) = largest(&photo);
    let icc = icc.expect("P3 photo's derivative has a profile");
    let profile = moxcms::ColorProfile::new_from_slice(&icc).expect("profile parses");
    let p3 = moxcms::ColorProfile::new_display_p3();
    assert!((profile.red_colorant.x - p3.red_colorant.x).abs() < 0.002, "red primary is P3's");
    assert!((profile.green_colorant.y - p3.green_colorant.y).abs() < 0.002, "green primary is P3's");
    // The pixels stay as coded (libheif's decode); the profile says how to show them.
    assert!(mean_diff(&ours, &reference("p3.heic")) < 3.0);

    let with_icc = resize("icc.heic");
    let (_, icc) = largest(&with_icc);
    let icc = icc.expect("profile kept");
    assert_eq!(
        moxcms::ColorProfile::new_from_slice(&icc).expect("parses").color_space,
        moxcms::DataColorSpace::Rgb
    );
}

#[test]
fn heic_grid_of_tiles_is_assembled_like_an_iphone_photo() {
    // heifer writes photos over 512 px as a grid of 512×512 tiles, as iPhones do.
    let (w, h) = (1100u32, 700u32);
    let source = RgbImage::from_fn(w, h, |x, y| {
        let q = COLOURS[(usize::from(x >= w / 2)) + 2 * usize::from(y >= h / 2)];
        image::Rgb([q[0], q[1].saturating_add((x % 64) as u8 / 4), q[2].saturating_add((y % 64) as u8 / 4)])
    });
    let heic =
        heifer::encode_rgb8(w, h, source.as_raw(), &heifer::EncodeOptions { quality: 95, max_threads: 1 })
            .expect("encodes");
    let grid = heifer::heifer_isobmff::HeifFile::parse(&heic).expect("parses");
    assert!(grid.grid(grid.primary_id).is_ok(), "the fixture really is a grid");
    let photo = resize_photo(&heic, "HEIC", &Limits::default()).expect("resizes");
    assert_eq!((photo.width, photo.height), (w, h));
    let (ours, _) = largest(&photo);
    let diff = mean_diff(&ours, &source);
    assert!(diff < 3.0, "grid photo differs from its source by {diff:.2}");
}

#[test]
fn cmyk_jpegs_come_out_in_srgb_with_and_without_a_profile() {
    // Untagged (naive) CMYK: the colours come back.
    let photo = resize("cmyk-noprofile.jpg");
    let (ours, icc) = largest(&photo);
    assert_upright("cmyk-noprofile.jpg", &ours, &COLOURS, 12);
    assert!(icc.is_none(), "untagged CMYK becomes plain sRGB");

    // With a CMYK profile: LittleCMS's conversion of the same file is the reference, and the
    // profile really matters (the plain formula is far from it).
    let photo = resize("cmyk-profile.jpg");
    let (ours, icc) = largest(&photo);
    let reference = reference("cmyk-profile.jpg");
    let diff = mean_diff(&ours, &reference);
    assert!(diff < 4.0, "differs from LittleCMS by {diff:.2}");
    let icc = icc.expect("outputs say they are sRGB");
    let profile = moxcms::ColorProfile::new_from_slice(&icc).expect("parses");
    assert_eq!(profile.color_space, moxcms::DataColorSpace::Rgb);
    let naive = naive_of("cmyk-profile.jpg");
    assert!(mean_diff(&naive, &reference) > 3.0 * diff.max(1.0), "the fixture's profile must matter");
}

#[test]
fn ycck_jpegs_come_out_in_the_right_colours() {
    // YCCK (Adobe transform 2): what Photoshop writes for CMYK by default. jpeg-encoder takes
    // ink amounts and stores them Adobe-style, as Photoshop does.
    let (w, h) = (96u32, 64u32);
    let k = 20u8;
    let mut ink = Vec::new();
    for y in 0..h {
        for x in 0..w {
            let q = COLOURS[usize::from(x >= w / 2) + 2 * usize::from(y >= h / 2)];
            // Ink that the browsers' formula turns back into the quadrant's colour.
            let c = q.map(|v| 255 - (u32::from(v) * 255 / u32::from(255 - k)).min(255) as u8);
            ink.extend_from_slice(&[c[0], c[1], c[2], k]);
        }
    }
    let mut jpeg = Vec::new();
    jpeg_encoder::Encoder::new(&mut jpeg, 95)
        .encode(&ink, w as u16, h as u16, jpeg_encoder::ColorType::CmykAsYcck)
        .expect("encodes");
    let photo = resize_photo(&jpeg, "jpg", &Limits::default()).expect("resizes");
    assert_upright("YCCK", &largest(&photo).0, &COLOURS, 12);
}

/// The plain CMYK formula applied to jpeg-decoder's output, for comparison.
fn naive_of(name: &str) -> RgbImage {
    let bytes = fixture(name);
    let mut d = jpeg_decoder::Decoder::new(std::io::Cursor::new(&bytes));
    let px = d.decode().expect("decodes");
    let info = d.info().expect("info");
    let rgb = px
        .chunks_exact(4)
        .flat_map(|p| {
            let k = 255 - u32::from(p[3]);
            [0, 1, 2].map(|c| ((255 - u32::from(p[c])) * k / 255) as u8)
        })
        .collect();
    RgbImage::from_raw(u32::from(info.width), u32::from(info.height), rgb).expect("sizes")
}

#[test]
fn tiff_8_and_16_bit_grey_jpeg_coded_cmyk_tiled_planar_and_multipage() {
    let names = [
        "rgb8.tif",
        "rgb16.tif",
        "rgb16-be.tif",
        "tiled16-lzw.tif",
        "planar.tif",
        "jpeg.tif",
        "ycbcr-jpeg.tif",
        "multipage.tif",
        "cmyk.tif",
    ];
    for name in names {
        assert_upright(name, &largest(&resize(name)).0, &COLOURS, 16);
    }
    for (name, reference_name) in
        [("grey.tif", "grey.tif"), ("grey16.tif", "grey.tif"), ("ycbcr-jpeg.tif", "ycbcr-jpeg.tif")]
    {
        let decoded = decode(&fixture(name), "tif", &Limits::default(), None).expect("decodes");
        let diff = mean_diff(&rgb(decoded.pixels), &reference(reference_name));
        assert!(diff < 2.0, "{name}: differs from the reference by {diff:.2}");
    }
    // Straight alpha over white: the transparent quadrant is white.
    let mut with_white = COLOURS;
    with_white[3] = [255, 255, 255];
    assert_upright("rgba.tif", &largest(&resize("rgba.tif")).0, &with_white, 12);
}

#[test]
fn tiff_codings_of_the_same_picture_decode_to_the_same_pixels() {
    // Uncompressed strips are read straight from the file, the rest through the tiff crate:
    // both ways, and both byte orders, give identical pixels.
    let pixels =
        |name: &str| decode(&fixture(name), "tif", &Limits::default(), None).expect(name).pixels.data;
    let rgb16 = pixels("rgb16.tif");
    assert_eq!(rgb16, pixels("rgb16-be.tif"), "big-endian");
    assert_eq!(rgb16, pixels("tiled16-lzw.tif"), "LZW tiles with a predictor");
    assert_eq!(rgb16, pixels("rgb8.tif"), "16 bits rounded to 8");
    assert_eq!(pixels("rgb8.tif"), pixels("planar.tif"), "planar");
}

#[test]
fn cmyk_tiff_with_a_profile_comes_out_in_srgb() {
    let (ours, icc) = largest(&resize("cmyk-profile.tif"));
    let diff = mean_diff(&ours, &reference("cmyk-profile.tif"));
    assert!(diff < 3.0, "differs from LittleCMS by {diff:.2}");
    let icc = icc.expect("outputs say they are sRGB");
    let profile = moxcms::ColorProfile::new_from_slice(&icc).expect("parses");
    assert_eq!(profile.color_space, moxcms::DataColorSpace::Rgb, "the CMYK profile is not passed on");
}

#[test]
fn png_interlaced_16_bit_palette_and_grey_alpha() {
    for name in ["interlaced.png", "rgba16.png"] {
        assert_upright(name, &largest(&resize(name)).0, &COLOURS, 12);
    }
    let mut with_white = COLOURS;
    with_white[3] = [255, 255, 255];
    assert_upright("palette.png", &largest(&resize("palette.png")).0, &with_white, 12);
    let decoded = decode(&fixture("grey-alpha.png"), "png", &Limits::default(), None).expect("decodes");
    assert_eq!(decoded.pixels.channels, 1, "grey stays grey");
    assert!(mean_diff(&rgb(decoded.pixels), &reference("grey-alpha.png")) < 1.0);
}

#[test]
fn interlaced_png_pixels_land_where_a_whole_frame_decode_puts_them() {
    use resize_worker::decode::ShrinkingFrame;
    for (name, shrink_to) in [("interlaced.png", 32), ("interlaced-odd.png", 6)] {
        let bytes = fixture(name);
        // The image crate de-interlaces into a whole frame; made 8-bit (high byte, as ours) and
        // flattened over white, it is what our passes must add up to.
        let whole = image::load_from_memory(&bytes).expect("decodes").into_rgba16();
        let (w, h) = whole.dimensions();
        let mut expected: Vec<u8> = whole.as_raw().iter().map(|&v| (v >> 8) as u8).collect();
        resize_worker::pixels::flatten_alpha_in_place(&mut expected, 4);
        let limits = Limits::default();
        let ours = decode(&bytes, "png", &limits, None).expect("decodes").pixels;
        assert_eq!((ours.width, ours.height), (w, h));
        assert!(ours.data == expected, "{name}: every pass's pixels in place");

        // Shrunk on the way in: the same block averages as the rows added in order.
        let factor = ShrinkingFrame::factor_for(w, h, Some(shrink_to));
        assert!(factor > 1, "{name} is shrunk");
        let mut in_order = ShrinkingFrame::new(w, h, 3, factor);
        for (y, row) in expected.chunks_exact(w as usize * 3).enumerate() {
            in_order.add(y, 0, row).expect("fits");
        }
        let shrunk = decode(&bytes, "png", &limits, Some(shrink_to)).expect("decodes").pixels;
        assert_eq!(shrunk, in_order.finish(), "{name} at factor {factor}");
    }
}

/// A wide picture with fine detail (one-pixel stripes and a gradient) for the shrink-on-load
/// comparison.
fn wide_picture(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let q = COLOURS[usize::from(x >= width / 2) + 2 * usize::from(y >= height / 2)];
        let stripe = if x % 2 == 0 { 20 } else { 0 };
        image::Rgb([q[0].saturating_sub(stripe), q[1].saturating_add((y % 50) as u8), q[2]])
    })
}

#[test]
fn large_png_and_tiff_are_shrunk_on_load_and_match_a_full_resize() {
    let (w, h) = (4400, 700);
    let source = wide_picture(w, h);
    // The first derivative resized straight from the full frame, as other formats are.
    let full = Pixels { width: w, height: h, channels: 3, data: source.as_raw().clone() };
    let (dw, dh) = resize_worker::pixels::fit_long_edge(w, h, 2048);
    let direct = full.resize(dw, dh, &mut fast_image_resize::Resizer::new()).expect("resizes");
    let direct = RgbImage::from_raw(dw, dh, direct.data).expect("sizes");
    for (ext, format) in [("png", image::ImageFormat::Png), ("tif", image::ImageFormat::Tiff)] {
        let mut bytes = Vec::new();
        source.write_to(&mut std::io::Cursor::new(&mut bytes), format).expect("encodes");
        // Read at half size (2200 px, still over 2048): 2×2 blocks averaged on the way in.
        let decoded = decode(&bytes, ext, &Limits::default(), Some(2048)).expect("decodes");
        assert_eq!(
            (decoded.pixels.width, decoded.pixels.height, decoded.full_size),
            (2200, 350, (w, h)),
            "{ext}"
        );
        let ours = decoded.pixels.resize(dw, dh, &mut fast_image_resize::Resizer::new()).expect("resizes");
        let diff = mean_diff(&RgbImage::from_raw(dw, dh, ours.data).expect("sizes"), &direct);
        assert!(diff < 1.0, "{ext}: differs from a full-frame resize by {diff:.2}");
        let photo = resize_photo(&bytes, ext, &Limits::default()).expect("resizes");
        assert_eq!((photo.width, photo.height), (w, h), "{ext}");
        assert_eq!((photo.derivatives[0].width, photo.derivatives[0].height), (dw, dh), "{ext}");
    }
}

#[test]
fn mpo_is_read_as_its_first_jpeg() {
    let (ours, _) = largest(&resize("stereo.mpo"));
    assert_upright("stereo.mpo", &ours, &COLOURS, 12);
    assert!(mean_diff(&ours, &reference("stereo.mpo")) < 3.0);
}

#[test]
fn a_jpeg_with_a_damaged_restart_marker_is_decoded_like_libjpeg_does() {
    let (ours, _) = largest(&resize("restart-damaged.jpg"));
    assert_upright("restart-damaged.jpg", &ours, &COLOURS, 12);
    assert!(mean_diff(&ours, &reference("restart-damaged.jpg")) < 3.0);
    // Cut short, it stays an error.
    let bytes = fixture("restart-damaged.jpg");
    assert!(matches!(error_of(&bytes[..bytes.len() - 40], "jpg"), ResizeError::Truncated { .. }));
}

#[test]
fn avif_plain_and_turned_by_irot_and_imir_match_libavif() {
    let decoded = decode(&fixture("photo.avif"), "avif", &Limits::default(), None).expect("decodes");
    let diff = mean_diff(&rgb(decoded.pixels), &reference("photo.avif"));
    assert!(diff < 2.0, "differs from libavif's decode by {diff:.2}");
    for name in ["photo.avif", "orient-6.avif", "orient-5.avif"] {
        let photo = resize(name);
        assert_eq!((photo.width, photo.height), (96, 64), "{name}");
        assert_upright(name, &largest(&photo).0, &COLOURS, 16);
    }
    // Broken AVIFs get one clear error each.
    let avif = fixture("photo.avif");
    for bytes in [&avif[..avif.len() / 2], &avif[..40]] {
        let e = error_of(bytes, "avif");
        assert!(matches!(e, ResizeError::Corrupt { format: "AVIF", .. }), "{e}");
    }
    // A wide AVIF is converted strip by strip into a frame shrunk by 2 on the way in.
    let wide = fixture("wide.avif");
    let shrunk = decode(&wide, "avif", &Limits::default(), Some(2048)).expect("decodes");
    assert_eq!((shrunk.pixels.width, shrunk.pixels.height, shrunk.full_size), (2200, 350, (4400, 700)));
    let full = decode(&wide, "avif", &Limits::default(), None).expect("decodes").pixels;
    let mut resizer = fast_image_resize::Resizer::new();
    let direct = full.resize(2048, 326, &mut resizer).expect("resizes");
    let ours = shrunk.pixels.resize(2048, 326, &mut resizer).expect("resizes");
    let diff = mean_diff(&rgb(ours), &rgb(direct));
    assert!(diff < 1.0, "shrunk on load differs from a full-frame resize by {diff:.2}");
    assert_upright("wide.avif", &largest(&resize("wide.avif")).0, &COLOURS, 16);

    let small = Limits { max_pixels: 5_000, ..Limits::default() };
    let e = resize_photo(&avif, "avif", &small).expect_err("over the limit");
    assert!(matches!(e, ResizeError::TooManyPixels { width: 96, height: 64, .. }), "{e}");
}

#[test]
fn avif_10_and_12_bit_match_libavif_and_clap_keeps_its_rectangle() {
    // 10-bit 4:2:0 full range and 12-bit 4:4:4 limited range, both made by libavif's avifenc.
    for name in ["photo10.avif", "photo12.avif"] {
        let decoded = decode(&fixture(name), "avif", &Limits::default(), None).expect("decodes");
        let diff = mean_diff(&rgb(decoded.pixels), &reference(name));
        assert!(diff < 2.0, "{name} differs from libavif's decode by {diff:.2}");
        assert_upright(name, &largest(&resize(name)).0, &COLOURS, 16);
    }
    // The clean aperture is the left half (not centred): 48×64, red above blue throughout.
    let photo = resize("clap.avif");
    assert_eq!((photo.width, photo.height), (48, 64), "cropped to the clean aperture");
    let (image, _) = largest(&photo);
    for (x, y, colour) in
        [(12, 16, COLOURS[0]), (36, 16, COLOURS[0]), (12, 48, COLOURS[2]), (36, 48, COLOURS[2])]
    {
        assert_colour_at("clap.avif", &image, (x, y), colour, 16);
    }
}

#[test]
fn rotated_heic_derivatives_carry_no_exif_and_its_camera_reaches_the_manifest() {
    let photo = resize("rotated.heic");
    assert_eq!(photo.exif.camera.as_deref(), Some("Shoebox Fixture Camera"));
    for name in ["orient-6.webp", "orient-6.png", "orient-6.tif"] {
        assert_eq!(resize(name).exif.camera.as_deref(), Some("Shoebox Fixture Camera"), "{name}");
    }
    for d in &photo.derivatives {
        assert!(!d.jpeg.windows(6).any(|w| w == b"Exif\0\0"), "{}px has EXIF", d.width);
    }
}

/// Replaces the first `ispe` box's width and height.
fn heic_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = fixture("single.heic");
    let at = bytes.windows(4).position(|w| w == b"ispe").expect("has ispe") + 8;
    bytes[at..at + 4].copy_from_slice(&width.to_be_bytes());
    bytes[at + 4..at + 8].copy_from_slice(&height.to_be_bytes());
    bytes
}

#[test]
fn broken_heic_and_tiff_get_one_clear_error_each() {
    let heic = fixture("single.heic");
    assert!(matches!(error_of(&[], "heic"), ResizeError::Empty));
    let e = error_of(&heic[..heic.len() / 2], "heic");
    assert!(matches!(e, ResizeError::Corrupt { format: "HEIC", .. }), "truncated: {e}");
    let e = error_of(&heic_claiming(u32::MAX, u32::MAX), "heic");
    assert!(matches!(e, ResizeError::TooManyPixels { .. }), "huge: {e}");
    let e = error_of(&heic_claiming(0, 0), "heic");
    assert!(matches!(e, ResizeError::Corrupt { .. }), "zero size: {e}");
    // The grid's tiles cut off: the tiles it references are missing.
    let mut w = 1100u32;
    let grid = loop {
        let px = vec![128u8; (w * 600 * 3) as usize];
        let heic = heifer::encode_rgb8(w, 600, &px, &heifer::EncodeOptions::default()).expect("encodes");
        if heic.len() > 2000 {
            break heic;
        }
        w += 100;
    };
    let e = error_of(&grid[..grid.len() - 1000], "heic");
    assert!(matches!(e, ResizeError::Corrupt { format: "HEIC", .. }), "grid without tiles: {e}");

    for name in ["rgb8.tif", "tiled16-lzw.tif", "ycbcr-jpeg.tif", "planar.tif"] {
        let tiff = fixture(name);
        let e = error_of(&tiff[..tiff.len() / 2], "tif");
        assert!(matches!(e, ResizeError::Corrupt { format: "TIFF", .. }), "{name} cut in half: {e}");
    }
    // A size its strips cannot hold is refused while reading the header.
    let e = error_of(&tiff_claiming(60_000, 60_000), "tif");
    assert!(matches!(e, ResizeError::Corrupt { format: "TIFF", .. }), "huge: {e}");
    // A consistent file over the pixel limit is refused before decoding, for strips and tiles.
    let small = Limits { max_pixels: 5_000, ..Limits::default() };
    for name in ["rgb16.tif", "tiled16-lzw.tif"] {
        let e = resize_photo(&fixture(name), "tif", &small).expect_err("over the limit");
        assert!(matches!(e, ResizeError::TooManyPixels { width: 96, height: 64, .. }), "{name}: {e}");
    }
    let e = error_of(&tiff_claiming(0, 64), "tif");
    assert!(matches!(e, ResizeError::Corrupt { format: "TIFF", .. }), "zero width: {e}");
}

/// rgb16.tif (written by make.py: little-endian, width and height as SHORT entries) claiming
/// another size.
fn tiff_claiming(width: u16, height: u16) -> Vec<u8> {
    let mut bytes = fixture("rgb16.tif");
    for (tag, value) in [(256u16, width), (257, height)] {
        let entry = (10..bytes.len() - 12)
            .step_by(12)
            .find(|&at| bytes[at..at + 2] == tag.to_le_bytes())
            .expect("has the tag");
        bytes[entry + 8..entry + 10].copy_from_slice(&value.to_le_bytes());
    }
    bytes
}

/// A tiny deterministic generator (xorshift), so failures reproduce.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn corrupted_files_of_every_format_never_panic() {
    let names = [
        "single.heic",
        "rotated.heic",
        "cmyk-profile.jpg",
        "rgb16.tif",
        "jpeg.tif",
        "tiled16-lzw.tif",
        "ycbcr-jpeg.tif",
        "planar.tif",
        "cmyk-profile.tif",
        "orient-6.webp",
        "orient-xmp-3.png",
        "interlaced.png",
        "interlaced-odd.png",
        "rgba16.png",
        "palette.png",
        "stereo.mpo",
        "photo.avif",
        "photo10.avif",
        "clap.avif",
        "orient-5.avif",
    ];
    let mut noise = Noise(0x5EED);
    let mut refused = 0;
    for name in names {
        let original = fixture(name);
        let ext = name.rsplit('.').next().unwrap_or_default();
        for _ in 0..60 {
            let mut bytes = original.clone();
            for _ in 0..1 + noise.next() % 8 {
                let at = (noise.next() % bytes.len() as u64) as usize;
                bytes[at] = noise.next() as u8;
            }
            if noise.next().is_multiple_of(4) {
                bytes.truncate((noise.next() % bytes.len() as u64) as usize);
            }
            // Either derivatives or an error: never a panic.
            if resize_photo(&bytes, ext, &Limits::default()).is_err() {
                refused += 1;
            }
        }
    }
    assert!(refused > 0, "some corruptions must be noticed");
}
