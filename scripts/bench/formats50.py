"""Writes a 50 MP photo in every other format Shoebox reads, for the peak-memory rows of
scripts/bench-resize: PNG (RGB, RGBA, and interlaced through pypng, which Pillow cannot write),
WebP (lossy and lossless), GIF, AVIF (Pillow's libavif, fastest speed), TIFF (8-bit CMYK, 16-bit RGB uncompressed in
one strip, 16-bit RGB deflate in strips) and progressive JPEG (4:2:0 and 4:4:4: a progressive
file's decoder keeps every coefficient until the last scan).

    python formats50.py SOURCE.jpg OUTDIR

Prints one line per file written, FILE<TAB>DESCRIPTION, in the order of the report's rows: the
one list of these inputs (scripts/bench-resize measures and labels what it reads here).
"""

import os
import struct
import sys
import zlib

import png
from PIL import Image

Image.MAX_IMAGE_PIXELS = None
source, out = sys.argv[1], sys.argv[2]
im = Image.open(source).convert("RGB")
w, h = im.size
rgb = im.tobytes()
# 16-bit samples v * 257: each 8-bit value twice (the same in either byte order).
rgb16 = bytearray(len(rgb) * 2)
rgb16[0::2] = rgb
rgb16[1::2] = rgb


def tiff16(path, rows_per_strip, compress):
    """A little-endian RGB 16-bit TIFF, uncompressed (1) or deflate (8), in strips."""
    row = w * 6
    strips = [bytes(rgb16[y * row:min(h, y + rows_per_strip) * row]) for y in range(0, h, rows_per_strip)]
    if compress == 8:
        strips = [zlib.compress(s, 1) for s in strips]
    n = len(strips)
    entries = 10
    ifd = 8
    after = ifd + 2 + 12 * entries + 4
    bits_at, offsets_at = after, after + 6
    counts_at = offsets_at + 4 * n
    data_at = counts_at + 4 * n
    offsets, at = [], data_at
    for s in strips:
        offsets.append(at)
        at += len(s)
    f = bytearray(b"II*\0" + struct.pack("<I", ifd) + struct.pack("<H", entries))
    for tag, typ, count, value in [
        (256, 4, 1, w), (257, 4, 1, h), (258, 3, 3, bits_at), (259, 3, 1, compress), (262, 3, 1, 2),
        (273, 4, n, offsets_at if n > 1 else offsets[0]), (277, 3, 1, 3), (278, 4, 1, rows_per_strip),
        (279, 4, n, counts_at if n > 1 else len(strips[0])), (284, 3, 1, 1),
    ]:
        f += struct.pack("<HHII", tag, typ, count, value) if typ == 4 or count > 1 else struct.pack("<HHIHH", tag, typ, count, value, 0)
    f += struct.pack("<I", 0) + struct.pack("<HHH", 16, 16, 16)
    f += b"".join(struct.pack("<I", o) for o in offsets) + b"".join(struct.pack("<I", len(s)) for s in strips)
    with open(path, "wb") as file:
        file.write(f)
        for s in strips:
            file.write(s)


def interlaced_png(path):
    with open(path, "wb") as file:
        png.Writer(w, h, greyscale=False, interlace=True, compression=1).write_array(file, memoryview(rgb))


def rgb_image():
    return Image.frombytes("RGB", (w, h), rgb)


FORMATS = [
    ("50mp.png", "PNG, RGB", lambda p: im.save(p, compress_level=1)),
    ("50mp-rgba.png", "PNG, RGBA", lambda p: im.convert("RGBA").save(p, compress_level=1)),
    ("50mp-interlaced.png", "PNG, RGB, interlaced", interlaced_png),
    ("50mp.webp", "WebP (lossy)", lambda p: rgb_image().save(p, quality=90, method=0)),
    ("50mp-lossless.webp", "WebP (lossless)", lambda p: rgb_image().save(p, lossless=True, method=0, quality=0)),
    ("50mp.gif", "GIF", lambda p: im.save(p)),
    ("50mp.avif", "AVIF", lambda p: im.save(p, quality=60, speed=10)),
    ("50mp-cmyk.tif", "TIFF, CMYK 8-bit, uncompressed", lambda p: im.convert("CMYK").save(p)),
    ("50mp-16-deflate.tif", "TIFF, RGB 16-bit, deflate", lambda p: tiff16(p, 64, 8)),
    ("50mp-16.tif", "TIFF, RGB 16-bit, uncompressed, one strip", lambda p: tiff16(p, h, 1)),
    ("50mp-progressive-420.jpg", "JPEG, progressive, 4:2:0",
     lambda p: im.save(p, quality=90, progressive=True, subsampling=2)),
    ("50mp-progressive-444.jpg", "JPEG, progressive, 4:4:4",
     lambda p: im.save(p, quality=90, progressive=True, subsampling=0)),
]

for name, description, write in FORMATS:
    write(os.path.join(out, name))
    print(f"{name}\t{description}", flush=True)
