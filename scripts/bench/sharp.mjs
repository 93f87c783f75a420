// The peer for scripts/bench-resize: sharp (libvips) making Shoebox's derivative set from one
// JPEG on one thread. Prints one JSON object with median milliseconds.
//
//   node scripts/bench/sharp.mjs FILE [RUNS]
//
// Two ways to make the same four sizes (long edge 2048, 1280, 640, 320; JPEG q82, 4:2:0,
// optimised Huffman tables, metadata stripped):
//  - one_decode: decode once to raw pixels, then resize each size from them (the issue's "from
//    one decode").
//  - per_size: four pipelines straight from the JPEG, each letting libvips shrink on load
//    (sharp's usual idiom).
//  - same_algorithm: Shoebox's algorithm in sharp: one decode with shrink-on-load straight to
//    the 2048 px size, then the cascade 1280 → 640 → 320, each from the one before (the fair
//    comparison: the same work, done by libvips), with Shoebox's kernel (cubic = Catmull-Rom)
//    and with sharp's default (lanczos3).
import { readFileSync } from 'node:fs';
import sharp from 'sharp';

sharp.concurrency(1);
sharp.cache(false);
sharp.simd(true);

const [file, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 7);
const input = readFileSync(file);
const SIZES = [2048, 1280, 640, 320];
const jpeg = { quality: 82, chromaSubsampling: '4:2:0', optimiseCoding: true, mozjpeg: false };

// Every way is timed round-robin (one warm-up round, then RUNS rounds) and reported as its
// median, so all of them see the same machine: this VM's speed drifts from minute to minute.
async function interleavedMedians(tasks) {
  const times = Object.fromEntries(Object.keys(tasks).map((k) => [k, []]));
  for (let round = 0; round <= runs; round++) {
    for (const [name, fn] of Object.entries(tasks)) {
      const t = process.hrtime.bigint();
      await fn();
      if (round > 0) times[name].push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => {
    v.sort((a, b) => a - b);
    return [k, v[Math.floor(v.length / 2)]];
  }));
}

const decodeOnly = () => sharp(input).rotate().raw().toBuffer();

let sizes = [];
const oneDecode = async () => {
  const { data, info } = await sharp(input).rotate().raw().toBuffer({ resolveWithObject: true });
  const raw = { raw: { width: info.width, height: info.height, channels: info.channels } };
  sizes = [];
  for (const s of SIZES) {
    const out = await sharp(data, raw).resize(s, s, { fit: 'inside' }).jpeg(jpeg).toBuffer({ resolveWithObject: true });
    sizes.push([out.info.width, out.info.height, out.data.length]);
  }
};

const perSize = async () => {
  for (const s of SIZES) {
    await sharp(input).rotate().resize(s, s, { fit: 'inside' }).jpeg(jpeg).toBuffer();
  }
};

const rawOf = (info) => ({ raw: { width: info.width, height: info.height, channels: info.channels } });
const sameAlgorithmWith = (kernel) => async () => {
  const resize = (s) => ({ fit: 'inside', kernel });
  let current = await sharp(input).rotate().resize(SIZES[0], SIZES[0], resize()).raw()
    .toBuffer({ resolveWithObject: true });
  await sharp(current.data, rawOf(current.info)).jpeg(jpeg).toBuffer();
  for (const s of SIZES.slice(1)) {
    current = await sharp(current.data, rawOf(current.info)).resize(s, s, resize()).raw()
      .toBuffer({ resolveWithObject: true });
    await sharp(current.data, rawOf(current.info)).jpeg(jpeg).toBuffer();
  }
};
// Shoebox resizes with Catmull-Rom (libvips' "cubic"); sharp's default kernel is lanczos3.
const medians = await interleavedMedians({
  decodeOnly,
  oneDecode,
  perSize,
  sameAlgorithm: sameAlgorithmWith('cubic'),
  sameAlgorithmLanczos3: sameAlgorithmWith('lanczos3'),
});

console.log(JSON.stringify({
  sharp: sharp.versions.sharp,
  vips: sharp.versions.vips,
  runs,
  decode_only_ms: medians.decodeOnly,
  one_decode_all_sizes_ms: medians.oneDecode,
  per_size_shrink_on_load_ms: medians.perSize,
  same_algorithm_ms: medians.sameAlgorithm,
  same_algorithm_lanczos3_ms: medians.sameAlgorithmLanczos3,
  derivatives: sizes,
}));
