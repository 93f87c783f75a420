//! libjpeg-turbo through its TurboJPEG 3 API: JPEG decoding with DCT scaling, and encoding.
//!
//! The one place with `unsafe` in the resizer. libjpeg-turbo is the decoder browsers, libvips
//! and Pillow use; it is fuzzed continuously (OSS-Fuzz) and reports corrupt data as an error or
//! a warning instead of crashing. Every call goes through [`Handle`], which owns one TurboJPEG
//! instance and turns its error string into a Rust error.
// The FFI calls need it; each says why it is sound.
#![allow(unsafe_code)]

use crate::error::ResizeError;
use crate::pixels::Pixels;
use std::ffi::{c_int, CStr};
use std::ptr::NonNull;
use turbojpeg_sys as tj;

/// Progressive files with more scans than this are refused: a crafted file can make each extra
/// scan cost a full pass over the image (libjpeg-turbo's advice for untrusted input is 500).
const SCAN_LIMIT: c_int = 500;

/// What a JPEG's header says, read before anything is allocated for its pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Width of the stored image.
    pub width: u32,
    /// Height of the stored image.
    pub height: u32,
    /// Channels it decodes to: 1 (grey), 3 (RGB, from YCbCr or RGB) or 4 (CMYK, from CMYK or
    /// YCCK, as stored: Adobe files store it inverted).
    pub channels: u8,
    /// Bits per sample: 8 or 12, or up to 16 in lossless files (which Shoebox refuses).
    pub precision: u8,
    /// Lossless JPEG (no DCT, so no scaling).
    pub lossless: bool,
}

/// Pixels decoded from a JPEG, and the first warning libjpeg-turbo gave (damaged data it
/// decoded past, as browsers do).
#[derive(Debug)]
pub struct Decoded {
    /// Grey, RGB or CMYK pixels at the requested scale (CMYK as stored: see [`Header`]).
    pub pixels: Pixels,
    /// The embedded ICC profile (APP2 chunks joined), if there is a well-formed one.
    pub icc_profile: Option<Vec<u8>>,
    /// The warning, if the data was damaged but decodable.
    pub warning: Option<String>,
}

/// One TurboJPEG instance (compressor or decompressor), destroyed on drop.
struct Handle(NonNull<std::ffi::c_void>);

impl Handle {
    fn new(kind: tj::TJINIT) -> Result<Handle, String> {
        // SAFETY: tj3Init has no preconditions; it returns null on failure.
        let raw = unsafe { tj::tj3Init(kind as c_int) };
        NonNull::new(raw).map(Handle).ok_or_else(|| "libjpeg-turbo could not start (out of memory?)".into())
    }

    fn set(&mut self, param: tj::TJPARAM, value: c_int) -> Result<(), String> {
        // SAFETY: the handle is live; unknown parameters are reported, not undefined.
        self.check(unsafe { tj::tj3Set(self.0.as_ptr(), param as c_int, value) })
    }

    fn get(&self, param: tj::TJPARAM) -> c_int {
        // SAFETY: the handle is live.
        unsafe { tj::tj3Get(self.0.as_ptr(), param as c_int) }
    }

    fn message(&self) -> String {
        // SAFETY: the handle is live; the string is NUL-terminated and copied at once.
        unsafe { CStr::from_ptr(tj::tj3GetErrorStr(self.0.as_ptr())) }.to_string_lossy().into_owned()
    }

    /// Whether the last failure was only a warning (the output is complete).
    fn warned(&self) -> bool {
        // SAFETY: the handle is live.
        unsafe { tj::tj3GetErrorCode(self.0.as_ptr()) == tj::TJERR_TJERR_WARNING as c_int }
    }

    fn check(&self, status: c_int) -> Result<(), String> {
        if status == 0 {
            Ok(())
        } else {
            Err(self.message())
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: the handle came from tj3Init and is destroyed once.
        unsafe { tj::tj3Destroy(self.0.as_ptr()) }
    }
}

fn corrupt(message: String) -> ResizeError {
    ResizeError::corrupt(shoebox_core::PhotoFormat::Jpeg, message)
}

fn c_len(len: usize) -> Result<tj::size_t, ResizeError> {
    tj::size_t::try_from(len).map_err(|_| corrupt("file too large".into()))
}

fn read_header_with(handle: &mut Handle, bytes: &[u8]) -> Result<Header, ResizeError> {
    // SAFETY: the pointer and length describe `bytes`, which outlives the call.
    let status = unsafe { tj::tj3DecompressHeader(handle.0.as_ptr(), bytes.as_ptr(), c_len(bytes.len())?) };
    match handle.check(status) {
        Ok(()) => {}
        // A warning, not an error: the header was read. (An ICC profile whose chunks are not all
        // there is one; the photo is then shown without it, as libjpeg-turbo and browsers do.)
        Err(_) if handle.warned() => {}
        Err(message) => return Err(corrupt(message)),
    }
    let dimension = |param| {
        u32::try_from(handle.get(param))
            .ok()
            .filter(|&d| d > 0)
            .ok_or_else(|| corrupt("bad dimensions".into()))
    };
    let (width, height) =
        (dimension(tj::TJPARAM_TJPARAM_JPEGWIDTH)?, dimension(tj::TJPARAM_TJPARAM_JPEGHEIGHT)?);
    let colorspace = handle.get(tj::TJPARAM_TJPARAM_COLORSPACE);
    let channels = if colorspace == tj::TJCS_TJCS_GRAY as c_int {
        1
    } else if colorspace == tj::TJCS_TJCS_CMYK as c_int || colorspace == tj::TJCS_TJCS_YCCK as c_int {
        4
    } else {
        3
    };
    let precision = u8::try_from(handle.get(tj::TJPARAM_TJPARAM_PRECISION)).unwrap_or(0);
    let lossless = handle.get(tj::TJPARAM_TJPARAM_LOSSLESS) != 0;
    Ok(Header { width, height, channels, precision, lossless })
}

/// Reads a JPEG's header: dimensions and colour type, without decoding.
pub fn read_header(bytes: &[u8]) -> Result<Header, ResizeError> {
    let mut handle = Handle::new(tj::TJINIT_TJINIT_DECOMPRESS).map_err(corrupt)?;
    read_header_with(&mut handle, bytes)
}

/// The DCT scale `n/8` (n = 1…8) that makes the smallest image whose long edge is still at
/// least `long_edge`, as `(numerator, denominator)` in lowest terms.
///
/// Scaling in the DCT domain skips most of the inverse transform's work, and the smaller the
/// decoded frame, the cheaper the first resize.
pub fn scale_for(width: u32, height: u32, long_edge: u32) -> (u32, u32) {
    let long = u64::from(width.max(height));
    let n = (1..8u64).find(|n| (long * n).div_ceil(8) >= u64::from(long_edge)).unwrap_or(8);
    let common = gcd(n, 8);
    ((n / common) as u32, (8 / common) as u32)
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// The size libjpeg-turbo makes a dimension at `scale` (it rounds up).
pub fn scaled(dimension: u32, (num, denom): (u32, u32)) -> u32 {
    ((u64::from(dimension) * u64::from(num)).div_ceil(u64::from(denom))) as u32
}

/// Decodes an 8- or 12-bit JPEG at `scale` (from [`scale_for`], or `(1, 1)`; lossless files always at
/// full size) to grey, RGB or CMYK as stored ([`Header::channels`]).
///
/// The caller has checked the pixel count from the header. `max_memory_mb` bounds libjpeg-turbo's
/// own buffers (a progressive file keeps every coefficient in memory).
pub fn decode(bytes: &[u8], scale: (u32, u32), max_memory_mb: u32) -> Result<Decoded, ResizeError> {
    let mut handle = Handle::new(tj::TJINIT_TJINIT_DECOMPRESS).map_err(corrupt)?;
    let header = read_header_with(&mut handle, bytes)?;
    if !matches!(header.precision, 8 | 12) {
        return Err(ResizeError::UnsupportedFormat(format!("{}-bit lossless JPEG", header.precision)));
    }
    // Lossless files have no DCT to scale in.
    let scale = if header.lossless { (1, 1) } else { scale };
    let icc_profile = icc_profile(&handle);
    handle.set(tj::TJPARAM_TJPARAM_SCANLIMIT, SCAN_LIMIT).map_err(corrupt)?;
    handle
        .set(tj::TJPARAM_TJPARAM_MAXMEMORY, c_int::try_from(max_memory_mb).unwrap_or(c_int::MAX))
        .map_err(corrupt)?;
    let factor = tj::tjscalingfactor {
        num: c_int::try_from(scale.0).map_err(|_| corrupt("bad scale".into()))?,
        denom: c_int::try_from(scale.1).map_err(|_| corrupt("bad scale".into()))?,
    };
    // SAFETY: the handle is live; an unsupported factor is reported as an error.
    handle.check(unsafe { tj::tj3SetScalingFactor(handle.0.as_ptr(), factor) }).map_err(corrupt)?;
    let (width, height) = (scaled(header.width, scale), scaled(header.height, scale));
    let channels = header.channels;
    let format = match channels {
        1 => tj::TJPF_TJPF_GRAY,
        4 => tj::TJPF_TJPF_CMYK,
        _ => tj::TJPF_TJPF_RGB,
    };
    let samples = width as usize * usize::from(channels) * height as usize;
    let pitch = c_int::try_from(width as usize * usize::from(channels))
        .map_err(|_| corrupt("image too wide".into()))?;
    let len = c_len(bytes.len())?;
    let (status, data) = if header.precision == 8 {
        let mut data = vec![0u8; samples];
        // SAFETY: `data` holds exactly `height` rows of `pitch` samples, the size libjpeg-turbo
        // writes for this header and scaling factor; `bytes` outlives the call.
        let status = unsafe {
            tj::tj3Decompress8(
                handle.0.as_ptr(),
                bytes.as_ptr(),
                len,
                data.as_mut_ptr(),
                pitch,
                format as c_int,
            )
        };
        (status, data)
    } else {
        // 12-bit files (some scientific and medical cameras): decoded at 12 bits, shown at 8.
        let mut wide: Vec<i16> = vec![0; samples];
        // SAFETY: as above, with 16-bit samples.
        let status = unsafe {
            tj::tj3Decompress12(
                handle.0.as_ptr(),
                bytes.as_ptr(),
                len,
                wide.as_mut_ptr(),
                pitch,
                format as c_int,
            )
        };
        let narrow = |v: i16| ((u32::from(v.clamp(0, 4095).unsigned_abs()) * 255 + 2047) / 4095) as u8;
        (status, wide.into_iter().map(narrow).collect())
    };
    let warning = match handle.check(status) {
        Ok(()) => None,
        Err(message) if handle.warned() => Some(message),
        Err(message) => return Err(corrupt(message)),
    };
    Ok(Decoded { pixels: Pixels { width, height, channels, data }, icc_profile, warning })
}

/// The ICC profile the last header read found (libjpeg-turbo saves it by default); a malformed
/// set of chunks counts as none.
fn icc_profile(handle: &Handle) -> Option<Vec<u8>> {
    let mut buf: *mut u8 = std::ptr::null_mut();
    let mut size: tj::size_t = 0;
    // SAFETY: the handle is live; on success `buf` is null or `size` bytes from tj3Alloc.
    let status = unsafe { tj::tj3GetICCProfile(handle.0.as_ptr(), &mut buf, &mut size) };
    let profile = (status == 0 && !buf.is_null() && size > 0)
        // SAFETY: as above.
        .then(|| unsafe { std::slice::from_raw_parts(buf, size as usize) }.to_vec());
    // SAFETY: `buf` is null or allocated by libjpeg-turbo.
    unsafe { tj::tj3Free(buf.cast()) };
    profile
}

/// Encodes grey or RGB pixels as a JPEG: `quality`, 4:2:0 chroma, optimised Huffman tables,
/// progressive or one interleaved baseline scan, with `icc` embedded (APP2) when given.
pub fn encode(
    pixels: &Pixels,
    quality: u8,
    progressive: bool,
    icc: Option<&[u8]>,
) -> Result<Vec<u8>, ResizeError> {
    let err = |message: String| ResizeError::Encode { width: pixels.width, message };
    let mut handle = Handle::new(tj::TJINIT_TJINIT_COMPRESS).map_err(err)?;
    let grey = pixels.channels == 1;
    let subsamp = if grey { tj::TJSAMP_TJSAMP_GRAY } else { tj::TJSAMP_TJSAMP_420 };
    handle.set(tj::TJPARAM_TJPARAM_QUALITY, c_int::from(quality)).map_err(err)?;
    handle.set(tj::TJPARAM_TJPARAM_SUBSAMP, subsamp as c_int).map_err(err)?;
    handle.set(tj::TJPARAM_TJPARAM_OPTIMIZE, 1).map_err(err)?;
    handle.set(tj::TJPARAM_TJPARAM_PROGRESSIVE, c_int::from(progressive)).map_err(err)?;
    if let Some(icc) = icc {
        // SAFETY: libjpeg-turbo copies the profile; it only reads through the pointer.
        let status =
            unsafe { tj::tj3SetICCProfile(handle.0.as_ptr(), icc.as_ptr().cast_mut(), c_len(icc.len())?) };
        handle.check(status).map_err(err)?;
    }
    let too_big = || err("derivative too large".into());
    let width = c_int::try_from(pixels.width).map_err(|_| too_big())?;
    let height = c_int::try_from(pixels.height).map_err(|_| too_big())?;
    let pitch =
        c_int::try_from(pixels.width as usize * usize::from(pixels.channels)).map_err(|_| too_big())?;
    if pixels.data.len() < pitch as usize * pixels.height as usize {
        return Err(err("pixel buffer shorter than the image".into()));
    }
    let format = if grey { tj::TJPF_TJPF_GRAY } else { tj::TJPF_TJPF_RGB };
    let mut out: *mut u8 = std::ptr::null_mut();
    let mut size: tj::size_t = 0;
    // SAFETY: the source holds `height` rows of `pitch` bytes (checked above); with a null
    // output pointer libjpeg-turbo allocates the JPEG buffer itself (freed below).
    let status = unsafe {
        tj::tj3Compress8(
            handle.0.as_ptr(),
            pixels.data.as_ptr(),
            width,
            pitch,
            height,
            format as c_int,
            &mut out,
            &mut size,
        )
    };
    let result = handle.check(status).map_err(err).and_then(|()| {
        if out.is_null() {
            return Err(err("libjpeg-turbo returned no data".into()));
        }
        // SAFETY: on success `out` points to `size` bytes written by libjpeg-turbo.
        Ok(unsafe { std::slice::from_raw_parts(out, size as usize) }.to_vec())
    });
    // SAFETY: `out` is null or a buffer libjpeg-turbo allocated with tj3Alloc.
    unsafe { tj::tj3Free(out.cast()) };
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_is_the_smallest_that_keeps_the_long_edge() {
        assert_eq!(scale_for(6000, 4000, 2048), (3, 8));
        assert_eq!(scale_for(4000, 6000, 2048), (3, 8));
        assert_eq!(scale_for(4032, 3024, 2048), (5, 8));
        assert_eq!(scale_for(4096, 3072, 2048), (1, 2));
        assert_eq!(scale_for(8660, 5774, 2048), (1, 4));
        assert_eq!(scale_for(2048, 1365, 2048), (1, 1));
        assert_eq!(scale_for(1000, 800, 2048), (1, 1));
        assert_eq!(scale_for(16384, 100, 2048), (1, 8));
        assert_eq!(scaled(6000, (3, 8)), 2250);
        assert_eq!(scaled(4001, (1, 2)), 2001);
    }

    #[test]
    fn encodes_and_decodes_back_with_the_profile_and_at_scale() {
        let (w, h) = (64u32, 48u32);
        let data: Vec<u8> = (0..w * h).flat_map(|i| [(i % w * 4) as u8, (i / w * 5) as u8, 128]).collect();
        let pixels = Pixels { width: w, height: h, channels: 3, data };
        let icc = b"not really a profile, but libjpeg-turbo only copies it".to_vec();
        for progressive in [false, true] {
            let jpeg = encode(&pixels, 90, progressive, Some(&icc)).expect("encodes");
            let header = read_header(&jpeg).expect("header");
            assert_eq!((header.width, header.height, header.channels, header.precision), (w, h, 3, 8));
            assert!(jpeg.windows(12).any(|win| win == b"ICC_PROFILE\0"));
            let full = decode(&jpeg, (1, 1), 64).expect("decodes");
            assert!(full.warning.is_none());
            let diff =
                full.pixels.data.iter().zip(&pixels.data).map(|(a, b)| a.abs_diff(*b) as u64).sum::<u64>()
                    / pixels.data.len() as u64;
            assert!(diff <= 3, "mean difference {diff}");
            let half = decode(&jpeg, (1, 2), 64).expect("decodes at half scale");
            assert_eq!((half.pixels.width, half.pixels.height), (32, 24));
        }
    }

    #[test]
    fn twelve_bit_jpegs_decode_to_8_bits_at_scale() {
        let (w, h) = (64u32, 48u32);
        let wide: Vec<i16> =
            (0..w * h).flat_map(|i| [(i % w * 64) as i16, (i / w * 85) as i16, 2048]).collect();
        let mut handle = Handle::new(tj::TJINIT_TJINIT_COMPRESS).expect("starts");
        handle.set(tj::TJPARAM_TJPARAM_QUALITY, 95).expect("quality");
        handle.set(tj::TJPARAM_TJPARAM_SUBSAMP, tj::TJSAMP_TJSAMP_444 as c_int).expect("subsampling");
        let (mut out, mut size): (*mut u8, tj::size_t) = (std::ptr::null_mut(), 0);
        // SAFETY: `wide` holds `h` rows of `w * 3` samples; libjpeg-turbo allocates `out`.
        let status = unsafe {
            tj::tj3Compress12(
                handle.0.as_ptr(),
                wide.as_ptr(),
                w as c_int,
                (w * 3) as c_int,
                h as c_int,
                tj::TJPF_TJPF_RGB as c_int,
                &mut out,
                &mut size,
            )
        };
        handle.check(status).expect("encodes 12-bit");
        // SAFETY: on success `out` holds `size` bytes; freed right after the copy.
        let jpeg = unsafe { std::slice::from_raw_parts(out, size as usize) }.to_vec();
        unsafe { tj::tj3Free(out.cast()) };

        assert_eq!(read_header(&jpeg).expect("header").precision, 12);
        let full = decode(&jpeg, (1, 1), 64).expect("decodes");
        let expected: Vec<u8> = wide.iter().map(|&v| ((v as u32 * 255 + 2047) / 4095) as u8).collect();
        let diff =
            full.pixels.data.iter().zip(&expected).map(|(a, b)| u64::from(a.abs_diff(*b))).sum::<u64>()
                / expected.len() as u64;
        assert!(diff <= 2, "mean difference {diff}");
        let half = decode(&jpeg, (1, 2), 64).expect("decodes at half scale");
        assert_eq!((half.pixels.width, half.pixels.height, half.pixels.channels), (32, 24, 3));
    }

    #[test]
    fn garbage_is_an_error_not_a_crash() {
        assert!(read_header(b"\xFF\xD8\xFF\xDB\x00\x02").is_err());
        assert!(decode(b"\xFF\xD8", (1, 1), 64).is_err());
        assert!(decode(&[], (1, 1), 64).is_err());
    }
}
