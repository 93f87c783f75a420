//! Which way up a photo is: the one place that decides it, for every format.
//!
//! Order of authority ([`decide`]): what the decoder or container did or says (HEIF's `irot` and
//! `imir`: heifer applies them itself, zenavif reports them), then the EXIF orientation tag
//! (JPEG, TIFF, PNG `eXIf`, WebP `EXIF`), then XMP's `tiff:Orientation` for files whose only
//! orientation is in XMP (some editors write it there).

/// An EXIF orientation (1–8): how the stored pixels are turned and flipped to stand upright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Orientation(u8);

/// Where a decoded frame's orientation is to come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// The pixels are as coded: the file's EXIF, else its XMP, says how to turn them.
    AsCoded,
    /// The container says how (AVIF's `irot`/`imir`); its EXIF only repeats that.
    Container(Orientation),
    /// The decoder already turned the picture upright (HEIF through heifer).
    Upright,
}

impl Orientation {
    /// Displayed as stored.
    pub const UPRIGHT: Orientation = Orientation(1);

    /// The orientation an EXIF tag value names, if it is one (1–8).
    pub fn from_exif(value: u32) -> Option<Orientation> {
        u8::try_from(value).ok().filter(|v| (1..=8).contains(v)).map(Orientation)
    }

    /// The EXIF value (1–8).
    pub fn exif(self) -> u8 {
        self.0
    }

    /// Whether turning the picture upright swaps its width and height (a quarter turn).
    pub fn swaps_axes(self) -> bool {
        self.0 >= 5
    }

    /// The orientation that does what HEIF's `irot` (anticlockwise quarter turns, in degrees)
    /// followed by `imir` (axis 0 flips top to bottom, 1 left to right, as libavif writes them)
    /// does. A fixture made by libavif from EXIF orientation 5 (a quarter turn and axis 0) checks
    /// the table.
    pub fn from_rotation_and_mirror(anticlockwise: u32, mirror_axis: Option<u8>) -> Orientation {
        let o = match (anticlockwise % 360, mirror_axis) {
            (90, None) => 8,
            (90, Some(0)) => 5,
            (90, Some(_)) => 7,
            (180, None) => 3,
            (180, Some(0)) => 2,
            (180, Some(_)) => 4,
            (270, None) => 6,
            (270, Some(0)) => 7,
            (270, Some(_)) => 5,
            (_, Some(0)) => 4,
            (_, Some(_)) => 2,
            (_, None) => 1,
        };
        Orientation(o)
    }
}

/// The orientation still to apply to a decoded frame, from where it is `stored`, the file's EXIF
/// tag (`exif`) and, failing both, the XMP in its `bytes`.
pub fn decide(stored: Stored, bytes: &[u8], exif: Option<Orientation>) -> Orientation {
    match stored {
        Stored::Upright => Orientation::UPRIGHT,
        Stored::Container(o) => o,
        Stored::AsCoded => exif.or_else(|| xmp_orientation(bytes)).unwrap_or(Orientation::UPRIGHT),
    }
}

/// How far into each end of a file to look for an XMP packet: JPEG and PNG put it near the
/// start, WebP after the image data, at the end.
const XMP_WINDOW: usize = 256 * 1024;

/// `tiff:Orientation` from an XMP packet, as an attribute (`tiff:Orientation="6"`) or an element
/// (`<tiff:Orientation>6</tiff:Orientation>`).
fn xmp_orientation(bytes: &[u8]) -> Option<Orientation> {
    let head = &bytes[..bytes.len().min(XMP_WINDOW)];
    let tail = &bytes[bytes.len().saturating_sub(XMP_WINDOW)..];
    [head, tail].into_iter().find_map(|part| {
        const NAME: &[u8] = b"tiff:Orientation";
        let at = part.windows(NAME.len()).position(|w| w == NAME)? + NAME.len();
        let rest = part.get(at..part.len().min(at + 8))?;
        let value = match rest {
            [b'=', b'"' | b'\'', v, ..] | [b'>', v, ..] => *v,
            [b' ', b'=', b' ', b'"' | b'\'', v, ..] => *v,
            _ => return None,
        };
        value.is_ascii_digit().then(|| u32::from(value - b'0')).and_then(Orientation::from_exif)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pixels::Pixels;

    #[test]
    fn xmp_orientation_in_both_forms() {
        let o = |v: &[u8]| xmp_orientation(v).map(Orientation::exif);
        assert_eq!(o(b"<rdf:Description tiff:Orientation=\"6\"/>"), Some(6));
        assert_eq!(o(b"<rdf:Description tiff:Orientation='8' x='1'/>"), Some(8));
        assert_eq!(o(b"<tiff:Orientation>3</tiff:Orientation>"), Some(3));
        assert_eq!(o(b"no xmp here"), None);
        assert_eq!(o(b"tiff:Orientation"), None, "cut off after the name");
        assert_eq!(o(b"tiff:Orientation=\"x\"......"), None);
        assert_eq!(o(b"tiff:Orientation=\"9\"......"), None, "not an orientation");
    }

    #[test]
    fn the_decoder_and_the_container_come_before_exif_and_exif_before_xmp() {
        let xmp = b"<x tiff:Orientation=\"3\"/>";
        let six = Orientation::from_exif(6);
        assert_eq!(decide(Stored::AsCoded, xmp, six), Orientation(6));
        assert_eq!(decide(Stored::AsCoded, xmp, None), Orientation(3));
        assert_eq!(decide(Stored::AsCoded, b"", None), Orientation::UPRIGHT);
        assert_eq!(decide(Stored::Upright, xmp, six), Orientation::UPRIGHT);
        assert_eq!(decide(Stored::Container(Orientation(8)), xmp, six), Orientation(8));
        assert!(Orientation(5).swaps_axes() && !Orientation(4).swaps_axes());
        assert_eq!(Orientation::from_exif(0), None);
        assert_eq!(Orientation::from_exif(9), None);
    }

    #[test]
    fn rotation_then_mirror_is_the_orientation_that_does_both() {
        // Applying the rotation's orientation and then the mirror's gives the same pixels as
        // applying the one orientation the table names.
        let numbered = Pixels { width: 3, height: 2, channels: 1, data: vec![0, 1, 2, 3, 4, 5] };
        let mirror = |axis: Option<u8>| Orientation::from_rotation_and_mirror(0, axis);
        assert_eq!(
            (mirror(None), mirror(Some(0)), mirror(Some(1))),
            (Orientation(1), Orientation(4), Orientation(2))
        );
        for degrees in [0, 90, 180, 270] {
            let turn = Orientation::from_rotation_and_mirror(degrees, None);
            for axis in [None, Some(0), Some(1)] {
                let both = numbered.clone().oriented(turn).oriented(mirror(axis));
                let one = numbered.clone().oriented(Orientation::from_rotation_and_mirror(degrees, axis));
                assert_eq!(both, one, "irot {degrees}°, imir {axis:?}");
            }
        }
        let turn = |degrees| Orientation::from_rotation_and_mirror(degrees, None);
        assert_eq!((turn(90), turn(180), turn(270)), (Orientation(8), Orientation(3), Orientation(6)));
        assert_eq!(Orientation::from_rotation_and_mirror(450, None), Orientation(8));
    }
}
