"""The HEIC and AVIF peer for scripts/bench-resize: a C decoder on one thread (libheif +
libde265 through pillow-heif for HEIC, libavif + dav1d through Pillow for AVIF), then Pillow doing
Shoebox's algorithm (bicubic = Catmull-Rom to 2048 px, then 1280 → 640 → 320 each from the one
before; JPEG q82 4:2:0, optimised, one baseline scan, through libjpeg-turbo). sharp's prebuilt
libvips cannot read HEVC, so this is the libheif peer. Prints one JSON object with median
milliseconds.

    python scripts/bench/pillow_peer.py FILE [RUNS]
"""

import io
import json
import sys
import time

import pillow_heif
from PIL import AvifImagePlugin, Image, features

pillow_heif.options.DECODE_THREADS = 1
AvifImagePlugin.DEFAULT_MAX_THREADS = 1
SIZES = [2048, 1280, 640, 320]


def decode_heic(data):
    return pillow_heif.open_heif(io.BytesIO(data), convert_hdr_to_8bit=True).to_pillow()


def decode_avif(data):
    return Image.open(io.BytesIO(data), formats=["AVIF"])


def all_sizes(decode, data):
    current = decode(data).convert("RGB")
    for long_edge in SIZES:
        scale = long_edge / max(current.size)
        if scale < 1:
            size = (round(current.width * scale), round(current.height * scale))
            current = current.resize(size, Image.Resampling.BICUBIC)
        current.save(io.BytesIO(), "JPEG", quality=82, subsampling="4:2:0", optimize=True)


def median_ms(runs, fn):
    fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return sorted(times)[len(times) // 2]


if __name__ == "__main__":
    path = sys.argv[1]
    data = open(path, "rb").read()
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    if path.endswith(".avif"):
        decode, peer, via = decode_avif, f"libavif {features.version('avif')}", f"dav1d, Pillow {Image.__version__}"
    else:
        decode, peer, via = decode_heic, f"libheif {pillow_heif.libheif_version()}", f"pillow-heif {pillow_heif.__version__}"
    print(json.dumps({
        "peer": peer,
        "via": via,
        "runs": runs,
        "decode_only_ms": median_ms(runs, lambda: decode(data).convert("RGB")),
        "all_sizes_ms": median_ms(runs, lambda: all_sizes(decode, data)),
    }))
