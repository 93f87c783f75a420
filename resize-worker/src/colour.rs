//! Colour spaces the derivatives cannot carry as they are: CMYK turned into sRGB, and colour
//! stated as code points (HEIF `nclx`) turned into an ICC profile the JPEGs can carry.

use moxcms::{
    CicpColorPrimaries, CicpProfile, ColorProfile, DataColorSpace, Layout, MatrixCoefficients,
    RenderingIntent, TransferCharacteristics, TransformOptions,
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
    if let Some(bytes) = profile {
        match through_profile(&ink, bytes) {
            Ok(rgb) => return Converted { rgb, icc_profile: srgb_profile() },
            Err(reason) => tracing::warn!(%reason, "CMYK profile not usable; converting without it"),
        }
    }
    Converted { rgb: naive_cmyk_to_rgb(ink), icc_profile: None }
}

fn through_profile(ink: &[u8], bytes: &[u8]) -> Result<Vec<u8>, String> {
    let source = ColorProfile::new_from_slice(bytes).map_err(|e| e.to_string())?;
    if source.color_space != DataColorSpace::Cmyk {
        return Err(format!("the embedded profile is {:?}, not CMYK", source.color_space));
    }
    let srgb = ColorProfile::new_srgb();
    // Relative colorimetric (A2B1) where the profile has it, else its perceptual table (A2B0),
    // which every CMYK profile has. moxcms reads 4-channel CMYK through the Rgba layout.
    let transform = [RenderingIntent::RelativeColorimetric, RenderingIntent::Perceptual]
        .into_iter()
        .map(|rendering_intent| {
            let options = TransformOptions { rendering_intent, ..TransformOptions::default() };
            source.create_transform_8bit(Layout::Rgba, &srgb, Layout::Rgb, options)
        })
        .find_map(Result::ok)
        .ok_or("no CMYK to sRGB transform in the profile")?;
    let mut rgb = vec![0; ink.len() / 4 * 3];
    transform.transform(&ink[..ink.len() / 4 * 4], &mut rgb).map_err(|e| e.to_string())?;
    Ok(rgb)
}

/// `R = (1 - C)(1 - K)`, per channel, in place.
fn naive_cmyk_to_rgb(mut data: Vec<u8>) -> Vec<u8> {
    let pixels = data.len() / 4;
    for i in 0..pixels {
        let k = 255 - u32::from(data[i * 4 + 3]);
        for c in 0..3 {
            data[i * 3 + c] = ((255 - u32::from(data[i * 4 + c])) * k / 255) as u8;
        }
    }
    data.truncate(pixels * 3);
    data
}

fn srgb_profile() -> Option<Vec<u8>> {
    ColorProfile::new_srgb().encode().ok()
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
