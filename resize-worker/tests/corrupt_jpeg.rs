//! A fuzz run over corrupted JPEGs: thousands of damaged variants of small baseline,
//! progressive, grey and restart-interval files go through the whole pipeline. Each must give
//! derivatives or a clear error, never a panic or a crash (libjpeg-turbo is C: a memory error
//! would kill this test process), and a cut-off file is always refused.

use resize_worker::pixels::Pixels;
use resize_worker::{jpeg_turbo, resize_photo, ResizeError};
use shared::Limits;
use std::path::PathBuf;

/// xorshift64*: deterministic, so a failure names a case that can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn inputs() -> Vec<(&'static str, Vec<u8>)> {
    let rgb = samples::photo_like(200, 150, 3);
    let pixels = Pixels { width: 200, height: 150, channels: 3, data: rgb };
    let grey =
        Pixels { width: 200, height: 150, channels: 1, data: pixels.data.chunks(3).map(|p| p[1]).collect() };
    let restart =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats/restart-damaged.jpg");
    vec![
        ("baseline 4:2:2", samples::sample_jpeg(200, 150, 1, None).expect("sample")),
        ("progressive", jpeg_turbo::encode(&pixels, 85, true, None).expect("encodes")),
        ("grey", jpeg_turbo::encode(&grey, 85, false, None).expect("encodes")),
        ("restart intervals", std::fs::read(restart).expect("fixture")),
    ]
}

enum Damage {
    Flip,
    Truncate,
    CutOut,
    Length,
    Repeat,
}

fn damage(input: &[u8], rng: &mut Rng) -> (Damage, Vec<u8>) {
    let mut out = input.to_vec();
    let kind = match rng.below(5) {
        0 => Damage::Flip,
        1 => Damage::Truncate,
        2 => Damage::CutOut,
        3 => Damage::Length,
        _ => Damage::Repeat,
    };
    match kind {
        Damage::Flip => {
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(out.len());
                out[at] = rng.next() as u8;
            }
        }
        Damage::Truncate => out.truncate(2 + rng.below(out.len() - 3)),
        Damage::CutOut => {
            let at = 2 + rng.below(out.len() - 4);
            let len = 1 + rng.below((out.len() - at - 2).min(64));
            out.drain(at..at + len);
        }
        Damage::Length => {
            // A header field (segment length, dimension, table size) set to an extreme.
            let at = 2 + rng.below(600.min(out.len() - 4));
            let value: [u8; 2] = if rng.below(2) == 0 { [0xFF, 0xFF] } else { [0, 0] };
            out[at..at + 2].copy_from_slice(&value);
        }
        Damage::Repeat => {
            let at = rng.below(out.len() - 1);
            let len = 1 + rng.below((out.len() - at).min(512));
            let chunk = out[at..at + len].to_vec();
            let to = rng.below(out.len());
            out.splice(to..to, chunk);
        }
    }
    (kind, out)
}

#[test]
fn damaged_jpegs_give_photos_or_clear_errors_never_a_crash() {
    let limits = Limits::default();
    let mut rng = Rng(0x5EED_5EED_5EED_5EED);
    let (mut photos, mut errors) = (0, 0);
    for (name, input) in inputs() {
        assert!(resize_photo(&input, "jpg", &limits).is_ok(), "{name}: the undamaged file resizes");
        for case in 0..300 {
            let (kind, bytes) = damage(&input, &mut rng);
            match resize_photo(&bytes, "jpg", &limits) {
                Ok(photo) => {
                    assert!(!matches!(kind, Damage::Truncate), "{name} #{case}: a cut-off file was accepted");
                    assert!(!photo.derivatives.is_empty());
                    for d in &photo.derivatives {
                        let header = jpeg_turbo::read_header(&d.jpeg).expect("derivative reads back");
                        assert_eq!((header.width, header.height), (d.width, d.height), "{name} #{case}");
                    }
                    photos += 1;
                }
                Err(e) => {
                    let message = e.to_string();
                    assert!(message.len() > 10, "{name} #{case}: vague error {message:?}");
                    if matches!(kind, Damage::Truncate) {
                        assert!(
                            matches!(e, ResizeError::Truncated { .. } | ResizeError::Corrupt { .. }),
                            "{name} #{case}: {message}"
                        );
                    }
                    errors += 1;
                }
            }
        }
    }
    // Both outcomes occur, or the damage is not exercising the decoder.
    assert!(photos > 100 && errors > 100, "{photos} photos, {errors} errors");
}
