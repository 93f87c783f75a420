//! Resize benchmark: decode-only versus the full derivative set, one thread, in one process.
//!
//! `cargo bench -p resize-worker --bench resize -- [FILE] [--runs N] [--generate WxH OUT]`
//!
//! Without FILE it generates a photo-like 24 MP JPEG (gradients, shapes and sensor-like noise,
//! quality 92, 4:2:2 like a camera). Prints one JSON object with median milliseconds, which
//! `scripts/bench-resize` puts beside sharp's numbers.

use std::time::Instant;

/// A deterministic photo-like image: smooth sky gradient, hills, discs, and per-pixel noise.
fn photo_like(width: u32, height: u32) -> Vec<u8> {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % 17) as i32 - 8
    };
    let mut px = Vec::with_capacity(width as usize * height as usize * 3);
    for y in 0..height {
        for x in 0..width {
            let (fx, fy) = (x as f32 / width as f32, y as f32 / height as f32);
            let hill = 0.6 + 0.08 * (fx * 9.0).sin() + 0.05 * (fx * 23.0).cos();
            let mut rgb = if fy < hill {
                [90.0 + 100.0 * fy, 140.0 + 80.0 * fy, 230.0 - 40.0 * fy]
            } else {
                let t = ((fx * 40.0).sin() * (fy * 55.0).cos()) * 20.0;
                [60.0 + t, 120.0 + 60.0 * (1.0 - fy) + t, 40.0 + t * 0.5]
            };
            for (i, (cx, cy, r)) in [(0.2, 0.3, 0.07), (0.7, 0.75, 0.05), (0.5, 0.5, 0.02)].iter().enumerate()
            {
                if (fx - cx).hypot((fy - cy) * height as f32 / width as f32) < *r {
                    rgb = [[250.0, 220.0, 120.0], [200.0, 40.0, 40.0], [30.0, 30.0, 30.0]][i];
                }
            }
            for c in rgb {
                px.push((c as i32 + noise()).clamp(0, 255) as u8);
            }
        }
    }
    px
}

fn generate(width: u32, height: u32) -> Vec<u8> {
    let px = photo_like(width, height);
    let mut out = Vec::new();
    let mut enc = jpeg_encoder::Encoder::new(&mut out, 92);
    enc.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_2);
    enc.encode(&px, width as u16, height as u16, jpeg_encoder::ColorType::Rgb).expect("encodes");
    out
}

fn median_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    f(); // warm-up
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    if let Some(i) = args.iter().position(|a| a == "--generate") {
        let (size, out) = (&args[i + 1], &args[i + 2]);
        let (w, h) = size.split_once('x').expect("WxH");
        let bytes = generate(w.parse().expect("width"), h.parse().expect("height"));
        std::fs::write(out, bytes).expect("write");
        return;
    }
    let runs =
        args.iter().position(|a| a == "--runs").map(|i| args[i + 1].parse().expect("runs")).unwrap_or(7);
    let file = args.iter().find(|a| !a.starts_with("--") && a.parse::<usize>().is_err()).cloned();
    let bytes = match &file {
        Some(f) => std::fs::read(f).expect("read input"),
        None => generate(6000, 4000),
    };
    let limits = shared::Limits::default();

    let decode_jpeg_decoder = median_ms(runs, || {
        let d = resize_worker::decode::decode(&bytes, "jpg", &limits, None).expect("decodes");
        std::hint::black_box(d);
    });
    let decode_shrunk = median_ms(runs, || {
        let d = resize_worker::decode::decode(
            &bytes,
            "jpg",
            &limits,
            Some(resize_worker::DERIVATIVE_LONG_EDGES[0]),
        )
        .expect("decodes");
        std::hint::black_box(d);
    });
    let decode_zune = median_ms(runs, || {
        let d = image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg).expect("decodes");
        std::hint::black_box(d);
    });
    let mut sizes = Vec::new();
    let pipeline = median_ms(runs, || {
        let p = resize_worker::resize_photo(&bytes, "jpg", &limits).expect("resizes");
        sizes = p.derivatives.iter().map(|d| (d.width, d.height, d.jpeg.len())).collect();
    });
    let (w, h) = resize_worker::decode::dimensions(&bytes, image::ImageFormat::Jpeg).expect("dims");
    println!(
        "{}",
        serde_json::json!({
            "input": { "file": file, "width": w, "height": h, "bytes": bytes.len() },
            "runs": runs,
            "decode_only_jpeg_decoder_ms": decode_jpeg_decoder,
            "decode_only_zune_jpeg_ms": decode_zune,
            "decode_shrink_on_load_ms": decode_shrunk,
            "shoebox_all_sizes_ms": pipeline,
            "derivatives": sizes,
        })
    );
}
