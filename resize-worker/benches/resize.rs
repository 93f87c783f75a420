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

use resize_worker::jpeg_turbo;
use resize_worker::pixels::Pixels;
use std::time::Instant;

fn generate(width: u32, height: u32) -> Vec<u8> {
    samples::sample_jpeg(width, height, 0, None).expect("encodes")
}

/// One timed piece of work.
type Task<'a> = Box<dyn FnMut() + 'a>;

/// Runs every task once to warm up, then `runs` rounds of all tasks in turn, and returns each
/// task's milliseconds, one per round. Interleaved, so every task sees the same machine: this
/// VM's speed drifts from minute to minute, and timing one task after another skews their ratios.
fn interleaved_times(runs: usize, tasks: &mut [(&str, Task)]) -> Vec<Vec<f64>> {
    let mut times = vec![Vec::with_capacity(runs); tasks.len()];
    for round in 0..=runs {
        for (i, (_, task)) in tasks.iter_mut().enumerate() {
            let t = Instant::now();
            task();
            if round > 0 {
                times[i].push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }
    }
    times
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn median_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    f(); // warm-up
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect(),
    )
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
        let pixels = samples::photo_like(w, h, 0);
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
            resize_worker::decode::dimensions(&bytes, shoebox_core::PhotoFormat::Heif).expect("dims");
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

    let (w, h) = resize_worker::decode::dimensions(&bytes, shoebox_core::PhotoFormat::Jpeg).expect("dims");
    let long_edge = resize_worker::DERIVATIVE_LONG_EDGES[0];
    let scale = jpeg_turbo::scale_for(w, h, long_edge);
    let max_memory_mb = 1024;
    let q = resize_worker::JPEG_QUALITY;

    // Inputs of the stages, made once: the scaled decode and the four derivative images.
    let decoded = jpeg_turbo::decode(&bytes, scale, max_memory_mb).expect("decodes").pixels;
    let plan = resize_worker::plan(w, h);
    let mut resizer = fast_image_resize::Resizer::new();
    let mut set = vec![decoded.resize(plan[0].0, plan[0].1, &mut resizer).expect("resizes")];
    for &(sw, sh) in &plan[1..] {
        let next = set.last().expect("one").resize(sw, sh, &mut resizer).expect("resizes");
        set.push(next);
    }
    let jpeg_encoder_progressive = |p: &Pixels| {
        let mut out = Vec::new();
        let mut e = jpeg_encoder::Encoder::new(&mut out, q);
        e.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_0);
        e.set_optimized_huffman_tables(true);
        e.set_progressive(true);
        let colour =
            if p.channels == 1 { jpeg_encoder::ColorType::Luma } else { jpeg_encoder::ColorType::Rgb };
        e.encode(&p.data, p.width as u16, p.height as u16, colour).expect("encodes");
        out
    };
    let set_bytes = |encode: &dyn Fn(&Pixels) -> Vec<u8>| set.iter().map(|p| encode(p).len()).sum::<usize>();
    let turbo_baseline_bytes = set_bytes(&|p| jpeg_turbo::encode(p, q, false, None).expect("encodes"));
    let turbo_progressive_bytes = set_bytes(&|p| jpeg_turbo::encode(p, q, true, None).expect("encodes"));
    let jpeg_encoder_bytes = set_bytes(&jpeg_encoder_progressive);
    let sizes: Vec<_> = resize_worker::resize_photo(&bytes, "jpg", &limits)
        .expect("resizes")
        .derivatives
        .iter()
        .map(|d| (d.width, d.height, d.jpeg.len()))
        .collect();

    let jpeg_decoder = |half: bool| {
        let mut d = jpeg_decoder::Decoder::new(std::io::Cursor::new(&bytes));
        if half {
            d.read_info().expect("header");
            d.scale((w / 2) as u16, (h / 2) as u16).expect("scales");
        }
        std::hint::black_box(d.decode().expect("decodes"));
    };
    let turbo = |scale| {
        std::hint::black_box(jpeg_turbo::decode(&bytes, scale, max_memory_mb).expect("decodes"));
    };
    let (mut r1, mut r2, mut r3) = (resizer.clone(), resizer.clone(), resizer);
    let smallest = set.last().expect("one").clone();
    let mut tasks: Vec<(&str, Task)> = vec![
        ("decode_turbo_full_ms", Box::new(|| turbo((1, 1)))),
        ("decode_turbo_half_ms", Box::new(|| turbo((1, 2)))),
        ("decode_turbo_scaled_ms", Box::new(|| turbo(scale))),
        ("decode_jpeg_decoder_full_ms", Box::new(|| jpeg_decoder(false))),
        ("decode_jpeg_decoder_half_ms", Box::new(|| jpeg_decoder(true))),
        (
            "decode_zune_jpeg_full_ms",
            Box::new(|| {
                let d =
                    image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg).expect("decodes");
                std::hint::black_box(d);
            }),
        ),
        (
            "first_resize_ms",
            Box::new(|| {
                drop(std::hint::black_box(decoded.resize(plan[0].0, plan[0].1, &mut r1).expect("resizes")))
            }),
        ),
        (
            "cascade_ms",
            Box::new(|| {
                let mut current = set[0].resize(plan[1].0, plan[1].1, &mut r2).expect("resizes");
                for &(sw, sh) in &plan[2..] {
                    current = current.resize(sw, sh, &mut r2).expect("resizes");
                }
                std::hint::black_box(current);
            }),
        ),
        (
            "encode_turbo_baseline_ms",
            Box::new(|| {
                set.iter().for_each(|p| drop(std::hint::black_box(jpeg_turbo::encode(p, q, false, None))))
            }),
        ),
        (
            "encode_turbo_progressive_ms",
            Box::new(|| {
                set.iter().for_each(|p| drop(std::hint::black_box(jpeg_turbo::encode(p, q, true, None))))
            }),
        ),
        (
            "encode_jpeg_encoder_progressive_ms",
            Box::new(|| set.iter().for_each(|p| drop(std::hint::black_box(jpeg_encoder_progressive(p))))),
        ),
        (
            "thumbhash_ms",
            Box::new(|| {
                let (tw, th) = resize_worker::pixels::fit_long_edge(smallest.width, smallest.height, 100);
                let small = smallest.resize(tw, th, &mut r3).expect("resizes");
                std::hint::black_box(thumbhash::rgba_to_thumb_hash(
                    tw as usize,
                    th as usize,
                    &small.to_rgba(),
                ));
            }),
        ),
        (
            "shoebox_all_sizes_ms",
            Box::new(|| drop(std::hint::black_box(resize_worker::resize_photo(&bytes, "jpg", &limits)))),
        ),
    ];
    let times = interleaved_times(runs, &mut tasks);
    let column = |name: &str| tasks.iter().position(|(n, _)| *n == name).map(|i| times[i].clone());
    // The budget's ratio taken within each round too (the whole set and the half-scale decode ran
    // moments apart), so the report can show how far this VM's drift moves it.
    let mut ratios: Vec<f64> = match (column("shoebox_all_sizes_ms"), column("decode_turbo_half_ms")) {
        (Some(whole), Some(half)) => whole.iter().zip(&half).map(|(w, h)| w / h).collect(),
        _ => Vec::new(),
    };
    ratios.sort_by(f64::total_cmp);
    let mut report = serde_json::Map::new();
    for ((name, _), t) in tasks.iter().zip(times) {
        report.insert((*name).into(), median(t).into());
    }
    report.insert("whole_over_half_by_round".into(), serde_json::json!(ratios));
    report.insert(
        "bytes".into(),
        serde_json::json!({
            "turbo_baseline": turbo_baseline_bytes,
            "turbo_progressive": turbo_progressive_bytes,
            "jpeg_encoder_progressive": jpeg_encoder_bytes,
        }),
    );
    report.insert(
        "input".into(),
        serde_json::json!({ "file": file, "width": w, "height": h, "bytes": bytes.len() }),
    );
    report.insert("runs".into(), runs.into());
    report.insert("scale".into(), format!("{}/{}", scale.0, scale.1).into());
    report.insert("derivatives".into(), serde_json::json!(sizes));
    println!("{}", serde_json::Value::Object(report));
}
