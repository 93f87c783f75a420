//! Resize benchmark: decode-only versus the full derivative set, one thread, in one process.
//!
//! `cargo bench -p resize-worker --bench resize -- [FILE] [--runs N] [--generate WxH OUT]
//! [--generate-heic WxH OUT] [--heic FILE]`
//!
//! Without FILE it generates a photo-like 24 MP JPEG (gradients, shapes and sensor-like noise,
//! quality 92, 4:2:2 like a camera). Prints one JSON object with median milliseconds, which
//! `scripts/bench-resize` puts beside sharp's numbers. `--generate-heic` writes the same kind of
//! picture as an iPhone-like HEIC (512 px tiles, quality 80); `--heic` times decoding one and
//! making its derivatives.

use std::time::Instant;

fn generate(width: u32, height: u32) -> Vec<u8> {
    resize_worker::sample::sample_jpeg(width, height, 0, None).expect("encodes")
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
    if let Some(i) = args.iter().position(|a| a == "--generate-heic") {
        let (size, out) = (&args[i + 1], &args[i + 2]);
        let (w, h) = size.split_once('x').expect("WxH");
        let (w, h) = (w.parse().expect("width"), h.parse().expect("height"));
        let pixels = resize_worker::sample::photo_like(w, h, 0);
        let options = heifer::EncodeOptions { quality: 80, max_threads: 0 };
        std::fs::write(out, heifer::encode_rgb8(w, h, &pixels, &options).expect("encodes")).expect("write");
        return;
    }
    let runs =
        args.iter().position(|a| a == "--runs").map(|i| args[i + 1].parse().expect("runs")).unwrap_or(7);
    if let Some(i) = args.iter().position(|a| a == "--heic") {
        let bytes = std::fs::read(&args[i + 1]).expect("read HEIC");
        let limits = shared::Limits::default();
        let decode = median_ms(runs, || {
            let d = resize_worker::decode::decode(&bytes, "heic", &limits, None).expect("decodes");
            std::hint::black_box(d);
        });
        let pipeline = median_ms(runs, || {
            let p = resize_worker::resize_photo(&bytes, "heic", &limits).expect("resizes");
            std::hint::black_box(p);
        });
        let (w, h) =
            resize_worker::decode::dimensions(&bytes, resize_worker::decode::Format::Heif).expect("dims");
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        println!(
            "{}",
            serde_json::json!({
                "input": { "width": w, "height": h, "bytes": bytes.len() },
                "runs": runs, "threads": threads,
                "decode_only_ms": decode, "shoebox_all_sizes_ms": pipeline,
            })
        );
        return;
    }
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
    let (w, h) =
        resize_worker::decode::dimensions(&bytes, resize_worker::decode::Format::Jpeg).expect("dims");
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
