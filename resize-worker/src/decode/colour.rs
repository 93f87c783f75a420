//! Colour spaces the derivatives cannot carry as they are: CMYK turned into sRGB, and colour
//! stated as code points (HEIF `nclx`) turned into an ICC profile the JPEGs can carry.

use moxcms::{
    CicpColorPrimaries, CicpProfile, ColorProfile, DataColorSpace, Layout, MatrixCoefficients,
    RenderingIntent, TransferCharacteristics, Transform8BitExecutor, TransformOptions,
};

/// RGB pixels converted from CMYK, and the profile they are now in (`None`: plain sRGB).
#[derive(Debug)]
pub struct Converted {
    /// 3 bytes per pixel.
    pub rgb: Vec<u8>,
    /// The sRGB profile when a CMYK profile was applied, so outputs say what they are.
    pub icc_profile: Option<Vec<u8>>,
}

/// Converts CMYK ink amounts (4 bytes per pixel, 0 = no ink) to sRGB: through the file's CMYK
/// profile when it has a usable one, otherwise the plain formula browsers use for untagged CMYK.
pub fn cmyk_to_rgb(ink: Vec<u8>, profile: Option<&[u8]>) -> Converted {
    let converter = CmykToRgb::new(profile);
    let rgb = match &converter.transform {
        Some(_) => {
            let mut rgb = vec![0; ink.len() / 4 * 3];
            converter.convert(&ink, &mut rgb);
            rgb
        }
        None => naive_cmyk_to_rgb(ink),
    };
    Converted { rgb, icc_profile: converter.icc_profile() }
}

/// A CMYK to sRGB conversion chosen once per photo and applied row by row (TIFF strips) or to a
/// whole frame (JPEG).
pub struct CmykToRgb {
    transform: Option<Box<Transform8BitExecutor>>,
}

impl CmykToRgb {
    /// The profile's transform when it is a usable CMYK profile (a warning says why not), else the
    /// plain formula.
    pub fn new(profile: Option<&[u8]>) -> Self {
        let transform = profile.and_then(|bytes| {
            transform_from(bytes)
                .inspect_err(
                    |reason| tracing::warn!(%reason, "CMYK profile not usable; converting without it"),
                )
                .ok()
        });
        CmykToRgb { transform }
    }

    /// The profile the converted pixels are in: sRGB's when a CMYK profile was applied, `None`
    /// (plain sRGB, untagged) for the formula, as browsers show untagged CMYK.
    pub fn icc_profile(&self) -> Option<Vec<u8>> {
        self.transform.as_ref().and_then(|_| srgb_profile())
    }

    /// Converts `ink` (4 bytes per pixel) into `rgb` (3 bytes per pixel, as many pixels).
    pub fn convert(&self, ink: &[u8], rgb: &mut [u8]) {
        let pixels = (ink.len() / 4).min(rgb.len() / 3);
        let (ink, rgb) = (&ink[..pixels * 4], &mut rgb[..pixels * 3]);
        if let Some(transform) = &self.transform {
            // Both lengths are whole pixels of the transform's layouts, its only failure.
            if transform.transform(ink, rgb).is_ok() {
                return;
            }
        }
        for (p, out) in ink.chunks_exact(4).zip(rgb.chunks_exact_mut(3)) {
            for c in 0..3 {
                out[c] = without_profile(p[c], p[3]);
            }
        }
    }
}

fn transform_from(bytes: &[u8]) -> Result<Box<Transform8BitExecutor>, String> {
    let source = ColorProfile::new_from_slice(bytes).map_err(|e| e.to_string())?;
    if source.color_space != DataColorSpace::Cmyk {
        return Err(format!("the embedded profile is {:?}, not CMYK", source.color_space));
    }
    let srgb = ColorProfile::new_srgb();
    // Relative colorimetric (A2B1) where the profile has it, else its perceptual table (A2B0),
    // which every CMYK profile has. moxcms reads 4-channel CMYK through the Rgba layout.
    [RenderingIntent::RelativeColorimetric, RenderingIntent::Perceptual]
        .into_iter()
        .map(|rendering_intent| {
            let options = TransformOptions { rendering_intent, ..TransformOptions::default() };
            source.create_transform_8bit(Layout::Rgba, &srgb, Layout::Rgb, options)
        })
        .find_map(Result::ok)
        .ok_or_else(|| "no CMYK to sRGB transform in the profile".to_string())
}

/// `R = (1 - C)(1 - K)`: one channel of untagged CMYK as browsers show it.
fn without_profile(ink: u8, black: u8) -> u8 {
    ((255 - u32::from(ink)) * (255 - u32::from(black)) / 255) as u8
}

/// The browsers' formula over a whole frame, in place.
fn naive_cmyk_to_rgb(mut data: Vec<u8>) -> Vec<u8> {
    let pixels = data.len() / 4;
    for i in 0..pixels {
        for c in 0..3 {
            data[i * 3 + c] = without_profile(data[i * 4 + c], data[i * 4 + 3]);
        }
    }
    data.truncate(pixels * 3);
    data
}

fn srgb_profile() -> Option<Vec<u8>> {
    ColorProfile::new_srgb().encode().ok()
}

/// The profile of a HEIF-family image: its embedded ICC profile, or else one made from its
/// `nclx` primaries and transfer (asked for only when there is no ICC profile).
pub fn icc_or_nclx(icc: Option<&[u8]>, nclx: impl FnOnce() -> Option<(u16, u16)>) -> Option<Vec<u8>> {
    match icc {
        Some(icc) if !icc.is_empty() => Some(icc.to_vec()),
        _ => nclx().and_then(|(primaries, transfer)| nclx_profile(primaries, transfer)),
    }
}

/// An ICC profile equivalent to `nclx` colour primaries and transfer characteristics (H.273
/// code points), or `None` when the pixels are plain sRGB already or the colour is HDR.
pub fn nclx_profile(primaries: u16, transfer: u16) -> Option<Vec<u8>> {
    // 1 = BT.709 (sRGB's primaries), 2 = unspecified.
    if matches!(primaries, 1 | 2) && matches!(transfer, 1 | 2 | 6 | 13 | 14 | 15) {
        return None;
    }
    // PQ (16) and HLG (18) are HDR: an SDR JPEG cannot show them faithfully either way.
    if matches!(transfer, 16 | 18) {
        tracing::warn!(primaries, transfer, "HDR transfer in nclx; showing the pixels as coded");
        return None;
    }
    let primaries = CicpColorPrimaries::try_from(u8::try_from(primaries).ok()?).ok()?;
    let transfer = TransferCharacteristics::try_from(u8::try_from(transfer).ok()?).ok()?;
    let profile = ColorProfile::new_from_cicp(CicpProfile {
        color_primaries: primaries,
        transfer_characteristics: transfer,
        matrix_coefficients: MatrixCoefficients::Bt709,
        full_range: true,
    });
    profile.encode().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untagged_cmyk_uses_the_browsers_formula() {
        // No ink is white; full K is black; full cyan keeps green and blue.
        let out = cmyk_to_rgb(vec![0, 0, 0, 0, 0, 0, 0, 255, 255, 0, 0, 0], None);
        assert_eq!(out.rgb, vec![255, 255, 255, 0, 0, 0, 0, 255, 255]);
        assert!(out.icc_profile.is_none());
    }

    #[test]
    fn a_profile_that_is_not_cmyk_falls_back_to_the_formula() {
        let srgb = srgb_profile().expect("encodes");
        let out = cmyk_to_rgb(vec![255, 0, 0, 0], Some(&srgb));
        assert_eq!(out.rgb, vec![0, 255, 255]);
    }

    #[test]
    fn display_p3_gets_a_profile_and_srgb_none() {
        assert!(nclx_profile(1, 13).is_none());
        assert!(nclx_profile(2, 2).is_none());
        let p3 = nclx_profile(12, 13).expect("P3 profile");
        let parsed = ColorProfile::new_from_slice(&p3).expect("parses back");
        assert_eq!(parsed.color_space, DataColorSpace::Rgb);
        // P3's red primary lies outside sRGB's: the red colorant differs from sRGB's.
        let srgb = ColorProfile::new_srgb();
        assert!((parsed.red_colorant.x - srgb.red_colorant.x).abs() > 0.01);
        assert!(nclx_profile(9, 16).is_none(), "HDR stays as coded");
    }
}
