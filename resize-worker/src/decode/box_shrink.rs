//! Shrink-on-load for formats without DCT scaling (TIFF, PNG, AVIF): a frame filled row by row and
//! shrunk on the way in by averaging `factor` × `factor` blocks, as libvips shrinks by a whole
//! factor before its kernel resize. A 50 MP scan then never needs its full 150 MB frame: at
//! factor 4 (8660 px → 2165 px for the 2048 px derivative) its sums take 19 MB.

use crate::pixels::{flatten_alpha_in_place, Pixels};

/// The largest block averaged (255 × 16 × 16 still fits a `u16` sum).
const MAX_FACTOR: u32 = 16;

/// An 8-bit frame being filled with rows of the source image, shrunk by a whole factor.
#[derive(Debug)]
pub struct ShrinkingFrame {
    width: usize,
    height: usize,
    channels: usize,
    factor: usize,
    out_width: usize,
    store: Store,
}

#[derive(Debug)]
enum Store {
    /// Factor 1: the pixels themselves.
    Direct(Vec<u8>),
    /// Sums of each block's samples.
    Sums(Vec<u16>),
}

/// A row that does not fit the frame (a strip or tile placed outside the image).
#[derive(Debug, thiserror::Error)]
#[error("a row of {len} pixels at ({x}, {y}) reaches past the image's {width}×{height} pixels")]
pub struct OutsideFrame {
    x: usize,
    y: usize,
    len: usize,
    width: usize,
    height: usize,
}

impl ShrinkingFrame {
    /// The whole factor that keeps the long edge at least `shrink_to` (1 without a target).
    pub fn factor_for(width: u32, height: u32, shrink_to: Option<u32>) -> u32 {
        shrink_to.filter(|&edge| edge > 0).map_or(1, |edge| (width.max(height) / edge).clamp(1, MAX_FACTOR))
    }

    /// An empty frame for a `width` × `height` image of `channels` samples per pixel.
    pub fn new(width: u32, height: u32, channels: usize, factor: u32) -> ShrinkingFrame {
        let (width, height) = (width as usize, height as usize);
        let factor = factor.clamp(1, MAX_FACTOR) as usize;
        let (out_width, out_height) = (width.div_ceil(factor), height.div_ceil(factor));
        let len = out_width * out_height * channels;
        let store = if factor == 1 { Store::Direct(vec![0; len]) } else { Store::Sums(vec![0; len]) };
        ShrinkingFrame { width, height, channels, factor, out_width, store }
    }

    /// Adds `row` (whole pixels of `channels` samples) as row `y` of the image from column `x`.
    pub fn add(&mut self, y: usize, x: usize, row: &[u8]) -> Result<(), OutsideFrame> {
        self.add_spaced(y, x, 1, row)
    }

    /// Adds `row` as the pixels at columns `x`, `x + step`, `x + 2 step`, … of row `y`: one row
    /// of an interlaced pass. Blocks are sums, so rows may arrive in any order.
    pub fn add_spaced(&mut self, y: usize, x: usize, step: usize, row: &[u8]) -> Result<(), OutsideFrame> {
        let (c, step) = (self.channels, step.max(1));
        let len = row.len() / c;
        if y >= self.height || (len > 0 && x + (len - 1) * step >= self.width) {
            return Err(OutsideFrame { x, y, len, width: self.width, height: self.height });
        }
        let pixels = row[..len * c].chunks_exact(c).enumerate().map(|(i, px)| (x + i * step, px));
        match &mut self.store {
            Store::Direct(data) if step == 1 => {
                let at = (y * self.width + x) * c;
                data[at..at + len * c].copy_from_slice(&row[..len * c]);
            }
            Store::Direct(data) => {
                let line = &mut data[y * self.width * c..][..self.width * c];
                for (col, px) in pixels {
                    line[col * c..col * c + c].copy_from_slice(px);
                }
            }
            Store::Sums(sums) => {
                let k = self.factor;
                let out_row = &mut sums[(y / k) * self.out_width * c..][..self.out_width * c];
                for (col, px) in pixels {
                    let at = col / k * c;
                    for (sum, &v) in out_row[at..at + c].iter_mut().zip(px) {
                        *sum += u16::from(v);
                    }
                }
            }
        }
        Ok(())
    }

    /// Adds a row of `samples` samples per pixel as [`add_spaced`](Self::add_spaced) does: the
    /// frame's channels, or those plus a straight alpha channel, composited over white first
    /// (through a scratch row kept in `scratch`).
    pub fn add_flattening(
        &mut self,
        (y, x, step): (usize, usize, usize),
        row: &[u8],
        samples: usize,
        scratch: &mut Vec<u8>,
    ) -> Result<(), OutsideFrame> {
        if samples == self.channels {
            return self.add_spaced(y, x, step, row);
        }
        scratch.clear();
        scratch.extend_from_slice(row);
        flatten_alpha_in_place(scratch, samples);
        self.add_spaced(y, x, step, scratch)
    }

    /// The filled frame: each pixel the average of its block (edge blocks may be smaller).
    pub fn finish(self) -> Pixels {
        let (k, c, out_width) = (self.factor, self.channels, self.out_width);
        let out_height = self.height.div_ceil(k);
        let data = match self.store {
            Store::Direct(data) => data,
            Store::Sums(sums) => {
                let block = |i: usize, len: usize| (len - i * k).min(k) as u32;
                let mut data = Vec::with_capacity(sums.len());
                for (oy, row) in sums.chunks_exact(out_width * c).enumerate() {
                    let rows = block(oy, self.height);
                    for (ox, px) in row.chunks_exact(c).enumerate() {
                        let n = rows * block(ox, self.width);
                        data.extend(px.iter().map(|&s| ((u32::from(s) + n / 2) / n) as u8));
                    }
                }
                data
            }
        };
        Pixels { width: out_width as u32, height: out_height as u32, channels: c as u8, data }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factors_keep_the_long_edge_at_least_the_target() {
        assert_eq!(ShrinkingFrame::factor_for(8660, 5774, Some(2048)), 4);
        assert_eq!(ShrinkingFrame::factor_for(4000, 6000, Some(2048)), 2);
        assert_eq!(ShrinkingFrame::factor_for(2000, 1000, Some(2048)), 1);
        assert_eq!(ShrinkingFrame::factor_for(100_000, 10, Some(320)), MAX_FACTOR);
        assert_eq!(ShrinkingFrame::factor_for(8660, 5774, None), 1);
    }

    #[test]
    fn blocks_are_averaged_and_edge_blocks_by_their_own_size() {
        // 5×3 grey, factor 2: blocks of 2×2, 1×2, 2×1 and 1×1 pixels.
        let mut frame = ShrinkingFrame::new(5, 3, 1, 2);
        frame.add(0, 0, &[10, 20, 30, 40, 50]).expect("fits");
        frame.add(1, 0, &[30, 40, 50, 60, 70]).expect("fits");
        // The last row in two pieces, as tiles deliver it.
        frame.add(2, 3, &[200, 255]).expect("fits");
        frame.add(2, 0, &[0, 100, 7]).expect("fits");
        let p = frame.finish();
        assert_eq!((p.width, p.height), (3, 2));
        assert_eq!(p.data, vec![25, 45, 60, 50, 104, 255]);
    }

    #[test]
    fn spaced_rows_in_any_order_fill_the_same_blocks() {
        // 4×2 grey at factor 2 and at factor 1, filled as two interleaved passes, last row first.
        let rows = [(1, 0, 1, vec![5, 6, 7, 8]), (0, 1, 2, vec![2, 4]), (0, 0, 2, vec![1, 3])];
        for (factor, expected) in [(2, vec![4, 6]), (1, vec![1, 2, 3, 4, 5, 6, 7, 8])] {
            let mut frame = ShrinkingFrame::new(4, 2, 1, factor);
            for (y, x, step, row) in &rows {
                frame.add_spaced(*y, *x, *step, row).expect("fits");
            }
            assert_eq!(frame.finish().data, expected, "factor {factor}");
        }
        let mut frame = ShrinkingFrame::new(4, 2, 1, 2);
        assert!(frame.add_spaced(0, 1, 2, &[1, 2, 3]).is_err(), "column 5 is past the edge");
    }

    #[test]
    fn rows_with_alpha_are_composited_over_white_before_they_are_added() {
        let mut frame = ShrinkingFrame::new(2, 2, 3, 1);
        let mut scratch = Vec::new();
        frame.add_flattening((0, 0, 1), &[10, 20, 30, 255, 10, 20, 30, 0], 4, &mut scratch).expect("fits");
        frame.add_flattening((1, 0, 1), &[1, 2, 3, 4, 5, 6], 3, &mut scratch).expect("fits");
        assert_eq!(frame.finish().data, vec![10, 20, 30, 255, 255, 255, 1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn factor_one_keeps_the_pixels_and_rows_outside_are_refused() {
        let mut frame = ShrinkingFrame::new(2, 1, 3, 1);
        frame.add(0, 0, &[1, 2, 3, 4, 5, 6]).expect("fits");
        assert!(frame.add(0, 1, &[1, 2, 3, 4, 5, 6]).is_err(), "past the right edge");
        assert!(frame.add(1, 0, &[1, 2, 3]).is_err(), "below the last row");
        assert_eq!(frame.finish().data, vec![1, 2, 3, 4, 5, 6]);
    }
}
