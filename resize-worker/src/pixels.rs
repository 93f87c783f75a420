//! A plain 8-bit pixel buffer (grey or RGB) and the transforms the pipeline applies to it.

use crate::error::ResizeError;
use crate::orientation::Orientation;
use fast_image_resize::{
    images::Image, images::ImageRef, FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer,
};

/// The resampling filter of every resize: Catmull-Rom (the bicubic of Pillow, libvips' `cubic`).
/// After the JPEG decoder's scaling each step shrinks by at most about 2:1, where it differs from
/// Lanczos3 by 0.2–0.3/255 on average with two thirds of the taps (docs/performance.md).
pub const RESIZE_FILTER: FilterType = FilterType::CatmullRom;

/// An image as tightly packed 8-bit rows: 1 channel (grey) or 3 (RGB).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pixels {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// 1 (grey) or 3 (RGB).
    pub channels: u8,
    /// `width * height * channels` bytes, row by row.
    pub data: Vec<u8>,
}

impl Pixels {
    fn pixel_type(&self) -> PixelType {
        if self.channels == 1 {
            PixelType::U8
        } else {
            PixelType::U8x3
        }
    }

    /// Resizes to exactly `width` × `height` with [`RESIZE_FILTER`] (SIMD where the CPU has it).
    pub fn resize(&self, width: u32, height: u32, resizer: &mut Resizer) -> Result<Pixels, ResizeError> {
        let pt = self.pixel_type();
        let src = ImageRef::new(self.width, self.height, &self.data, pt)
            .map_err(|e| ResizeError::Resize(e.to_string()))?;
        let mut dst = Image::new(width, height, pt);
        let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(RESIZE_FILTER));
        resizer.resize(&src, &mut dst, &options).map_err(|e| ResizeError::Resize(e.to_string()))?;
        Ok(Pixels { width, height, channels: self.channels, data: dst.into_vec() })
    }

    /// Turns and flips the pixels as `orientation` says, so the result displays upright.
    pub fn oriented(self, orientation: Orientation) -> Pixels {
        if orientation == Orientation::UPRIGHT {
            return self;
        }
        let (w, h) = (self.width as isize, self.height as isize);
        // Destination pixel (x, y) reads source pixel `base + x * step_x + y * step_y` (in pixels).
        let (base, step_x, step_y) = match orientation.exif() {
            2 => (w - 1, -1, w),
            3 => ((h - 1) * w + w - 1, -1, -w),
            4 => ((h - 1) * w, 1, -w),
            5 => (0, w, 1),
            6 => ((h - 1) * w, -w, 1),
            7 => ((h - 1) * w + w - 1, -w, -1),
            _ => (w - 1, w, -1),
        };
        let (dw, dh) =
            if orientation.swaps_axes() { (self.height, self.width) } else { (self.width, self.height) };
        let data = match self.channels {
            1 => remap::<1>(&self.data, dw, dh, base, step_x, step_y),
            _ => remap::<3>(&self.data, dw, dh, base, step_x, step_y),
        };
        Pixels { width: dw, height: dh, channels: self.channels, data }
    }

    /// The pixels as RGBA (opaque), for ThumbHash.
    pub fn to_rgba(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.width as usize * self.height as usize * 4);
        for px in self.data.chunks_exact(self.channels as usize) {
            match px {
                [r, g, b, ..] => out.extend_from_slice(&[*r, *g, *b, 255]),
                [g, ..] => out.extend_from_slice(&[*g, *g, *g, 255]),
                [] => {}
            }
        }
        out
    }
}

/// Writes a `dw` × `dh` image whose pixel (x, y) is source pixel `base + x*step_x + y*step_y`.
fn remap<const C: usize>(src: &[u8], dw: u32, dh: u32, base: isize, step_x: isize, step_y: isize) -> Vec<u8> {
    let mut out = vec![0u8; src.len()];
    for (y, row) in out.chunks_exact_mut(dw as usize * C).take(dh as usize).enumerate() {
        let mut s = base + y as isize * step_y;
        for px in row.chunks_exact_mut(C) {
            let at = s as usize * C;
            px.copy_from_slice(&src[at..at + C]);
            s += step_x;
        }
    }
    out
}

/// Composites interleaved pixels with alpha over white and drops the alpha channel, in place.
///
/// `channels` counts the alpha channel (2 for grey+alpha, 4 for RGBA). Works in place because each
/// output pixel is written at or before the input pixel it comes from.
pub fn flatten_alpha_in_place(data: &mut Vec<u8>, channels: usize) {
    let colour = channels - 1;
    let pixels = data.len() / channels;
    for i in 0..pixels {
        let a = data[i * channels + colour];
        for k in 0..colour {
            data[i * colour + k] = over_white(data[i * channels + k], a);
        }
    }
    data.truncate(pixels * colour);
}

/// A whole decoded frame with alpha, composited over white, with the alpha share of its
/// allocation given back before resizing (a 50 MP RGBA frame: 200 → 150 MB; a large allocation
/// shrinks in place).
pub fn flatten_frame(mut data: Vec<u8>, channels: usize) -> Vec<u8> {
    flatten_alpha_in_place(&mut data, channels);
    data.shrink_to_fit();
    data
}

/// A colour sample with straight (unassociated) alpha `a`, composited over white.
pub fn over_white(v: u8, a: u8) -> u8 {
    let (v, a) = (u32::from(v), u32::from(a));
    ((v * a + 255 * (255 - a) + 127) / 255) as u8
}

/// Fits `width` × `height` into a box whose long edge is `long_edge`, keeping the aspect ratio.
pub fn fit_long_edge(width: u32, height: u32, long_edge: u32) -> (u32, u32) {
    let scale = |short: u32, long: u32| {
        ((u64::from(short) * u64::from(long_edge) + u64::from(long) / 2) / u64::from(long)).max(1) as u32
    };
    if width >= height {
        (long_edge, scale(height, width))
    } else {
        (scale(width, height), long_edge)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3×2 grey image whose pixel values are their stored positions.
    fn numbered() -> Pixels {
        Pixels { width: 3, height: 2, channels: 1, data: vec![0, 1, 2, 3, 4, 5] }
    }

    #[test]
    fn orientations_move_pixels_as_exif_defines() {
        // Stored:   0 1 2      Displayed for each orientation, row by row.
        //           3 4 5
        let cases: [(u32, u32, &[u8]); 8] = [
            (1, 3, &[0, 1, 2, 3, 4, 5]),
            (2, 3, &[2, 1, 0, 5, 4, 3]),
            (3, 3, &[5, 4, 3, 2, 1, 0]),
            (4, 3, &[3, 4, 5, 0, 1, 2]),
            (5, 2, &[0, 3, 1, 4, 2, 5]),
            (6, 2, &[3, 0, 4, 1, 5, 2]),
            (7, 2, &[5, 2, 4, 1, 3, 0]),
            (8, 2, &[2, 5, 1, 4, 0, 3]),
        ];
        for (o, width, expected) in cases {
            let p = numbered().oriented(Orientation::from_exif(o).expect("1-8"));
            assert_eq!((p.width, p.data.as_slice()), (width, expected), "orientation {o}");
        }
    }

    #[test]
    fn flattens_alpha_over_white_in_place() {
        let mut rgba = vec![255, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 128];
        flatten_alpha_in_place(&mut rgba, 4);
        assert_eq!(rgba, vec![255, 0, 0, 255, 255, 255, 127, 127, 127]);
        let mut la = vec![10, 255, 10, 0];
        flatten_alpha_in_place(&mut la, 2);
        assert_eq!(la, vec![10, 255]);
    }

    #[test]
    fn fits_long_edges_keeping_aspect() {
        assert_eq!(fit_long_edge(6000, 4000, 2048), (2048, 1365));
        assert_eq!(fit_long_edge(4000, 6000, 2048), (1365, 2048));
        assert_eq!(fit_long_edge(10000, 1, 320), (320, 1));
    }

    #[test]
    fn resizes_rgb_and_grey() {
        let mut r = Resizer::new();
        let rgb = Pixels { width: 4, height: 4, channels: 3, data: vec![200; 48] };
        let small = rgb.resize(2, 2, &mut r).expect("resize");
        assert_eq!((small.width, small.height, small.data.len()), (2, 2, 12));
        assert!(small.data.iter().all(|v| (*v as i32 - 200).abs() <= 1));
        let grey = Pixels { width: 4, height: 2, channels: 1, data: vec![7; 8] };
        assert_eq!(grey.resize(2, 1, &mut r).expect("resize").data, vec![7, 7]);
    }
}
