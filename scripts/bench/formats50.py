"""Writes a 50 MP photo in every other format Shoebox reads, for the peak-memory rows of
scripts/bench-resize: PNG (RGB, RGBA, and interlaced through pypng, which Pillow cannot write),
WebP (lossy and lossless), GIF, AVIF (Pillow's libavif, fastest speed), TIFF (8-bit CMYK, 16-bit RGB uncompressed in
one strip, 16-bit RGB deflate in strips) and progressive JPEG (4:2:0 and 4:4:4: a progressive
file's decoder keeps every coefficient until the last scan).

    python formats50.py SOURCE.jpg OUTDIR
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


im.save(os.path.join(out, "50mp.png"), compress_level=1)
with open(os.path.join(out, "50mp-interlaced.png"), "wb") as file:
    png.Writer(w, h, greyscale=False, interlace=True, compression=1).write_array(file, memoryview(rgb))
rgba = im.convert("RGBA")
rgba.save(os.path.join(out, "50mp-rgba.png"), compress_level=1)
del rgba
Image.frombytes("RGB", (w, h), rgb).save(os.path.join(out, "50mp.webp"), quality=90, method=0)
Image.frombytes("RGB", (w, h), rgb).save(os.path.join(out, "50mp-lossless.webp"), lossless=True, method=0, quality=0)
im.save(os.path.join(out, "50mp.avif"), quality=60, speed=10)
im.save(os.path.join(out, "50mp.gif"))
for subsampling, name in [(2, "420"), (0, "444")]:
    im.save(os.path.join(out, f"50mp-progressive-{name}.jpg"), quality=90, progressive=True, subsampling=subsampling)
im.convert("CMYK").save(os.path.join(out, "50mp-cmyk.tif"))
tiff16(os.path.join(out, "50mp-16.tif"), h, 1)
tiff16(os.path.join(out, "50mp-16-deflate.tif"), 64, 8)
