"""What `sam build` made (./scripts/test runs it first and passes the build folder in
SHOEBOX_SAM_BUILD_DIR): one artifact per function, Lambda-ready, the edge bundle under Lambda@Edge's
size limit."""

import io
import json
import os
import pathlib
import zipfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
EDGE_LIMIT = 1024 * 1024  # Lambda@Edge: 1 MB zipped for viewer triggers; what we hold ourselves to
EDGE_BUDGET = 300 * 1024  # docs/performance.md


def build_dir():
    path = os.environ.get("SHOEBOX_SAM_BUILD_DIR")
    assert path, "SHOEBOX_SAM_BUILD_DIR is set by ./scripts/test after `sam build`"
    return pathlib.Path(path)


def zipped_size(folder):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for f in sorted(p for p in folder.rglob("*") if p.is_file()):
            z.write(f, f.relative_to(folder))
    return len(buf.getvalue())


def test_every_function_was_built():
    built = build_dir()
    functions = {p.name for p in built.iterdir() if p.is_dir()}
    assert {"ResizeFunction", "SiteFunction", "VideoFunction", "EdgeAuthFunction", "StackHelperFunction", "FfmpegLayer"} <= functions
    assert (built / "template.yaml").is_file()


def test_rust_functions_are_linux_x86_64_executables_named_bootstrap():
    for name in ("ResizeFunction", "SiteFunction", "VideoFunction"):
        bootstrap = build_dir() / name / "bootstrap"
        head = bootstrap.read_bytes()[:20]
        assert head[:4] == b"\x7fELF", name
        assert head[4] == 2 and head[18] == 0x3E, f"{name}: 64-bit x86-64"
        assert os.access(bootstrap, os.X_OK), name
        assert zipped_size(build_dir() / name) < 50 * 1024 * 1024, f"{name}: Lambda's zipped limit"


def test_the_ffmpeg_layer_is_one_x86_64_executable_at_opt_bin_ffmpeg():
    layer = build_dir() / "FfmpegLayer"
    assert [p.relative_to(layer).as_posix() for p in layer.rglob("*") if p.is_file()] == ["bin/ffmpeg"]
    ffmpeg = layer / "bin" / "ffmpeg"
    head = ffmpeg.read_bytes()[:20]
    assert head[:4] == b"\x7fELF" and head[18] == 0x3E and os.access(ffmpeg, os.X_OK)
    # Lambda: 250 MB unzipped for a function and its layers.
    assert ffmpeg.stat().st_size < 150 * 1024 * 1024


def test_the_edge_bundle_is_the_shim_and_the_wasm_and_small():
    edge = build_dir() / "EdgeAuthFunction"
    assert sorted(p.name for p in edge.iterdir()) == ["edge_auth.wasm", "index.mjs"]
    assert (edge / "edge_auth.wasm").read_bytes()[:4] == b"\0asm"
    size = zipped_size(edge)
    assert size <= EDGE_LIMIT and size <= EDGE_BUDGET, f"{size} bytes zipped"


def test_the_stack_helper_ships_without_dependencies():
    helper = build_dir() / "StackHelperFunction"
    assert (helper / "index.mjs").is_file()
    package = json.loads((helper / "package.json").read_text())
    assert not package.get("dependencies"), "the Lambda runtime provides the AWS SDK"
