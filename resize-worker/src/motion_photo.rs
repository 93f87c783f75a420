//! Android Motion Photos: a JPEG whose file ends with an MP4 of the moments around the shot.
//! Google's format names it in the JPEG's XMP: `GCamera:MotionPhoto="1"` and a
//! `Container:Directory` whose item with `Item:Semantic="MotionPhoto"` has `Item:Length`, the
//! MP4's size counted from the end of the file; older phones write
//! `GCamera:MicroVideoOffset`, the same number. The still stays the photo; [`motion_video`]
//! finds the clip's bytes so the worker can make its web copy.

use std::ops::Range;

/// Where a JPEG's XMP packet starts (inside an APP1 segment).
const XMP_NAMESPACE: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
/// The XMP is read from the JPEG's header only: its first 256 KB.
const MAX_HEADER: usize = 256 << 10;

/// The byte range of a Motion Photo's embedded MP4 in `jpeg`, when its XMP names one and the
/// bytes there are an MP4 (start with an `ftyp` box); `None` for any other file.
pub fn motion_video(jpeg: &[u8]) -> Option<Range<usize>> {
    if !jpeg.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let header = &jpeg[..jpeg.len().min(MAX_HEADER)];
    let start = find(header, XMP_NAMESPACE)? + XMP_NAMESPACE.len();
    let end = start + find(&header[start..], b"</x:xmpmeta>")?;
    let xmp = std::str::from_utf8(&header[start..end]).ok()?;
    let from_end = length_from_directory(xmp).or_else(|| attribute(xmp, "GCamera:MicroVideoOffset"))?;
    let at = jpeg.len().checked_sub(usize::try_from(from_end).ok()?)?;
    // An MP4 starts with its ftyp box; anything else is not what the XMP promised.
    (from_end >= 8 && jpeg.get(at + 4..at + 8) == Some(b"ftyp")).then_some(at..jpeg.len())
}

/// `Item:Length` of the `Container:Directory` item whose semantic is `MotionPhoto`.
fn length_from_directory(xmp: &str) -> Option<u64> {
    if attribute(xmp, "GCamera:MotionPhoto") != Some(1) {
        return None;
    }
    let mut rest = xmp;
    while let Some(at) = rest.find("<Container:Item") {
        rest = &rest[at + 1..];
        let item = &rest[..rest.find('>')?];
        if item.contains("Item:Semantic=\"MotionPhoto\"") {
            return attribute(item, "Item:Length");
        }
    }
    None
}

/// The number in `NAME="N"`.
fn attribute(xml: &str, name: &str) -> Option<u64> {
    let at = xml.find(&format!("{name}=\""))? + name.len() + 2;
    let value = &xml[at..at + xml[at..].find('"')?];
    value.trim().parse().ok()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A JPEG (SOI, an APP1 XMP segment, EOI) with `video` appended, as a phone writes it.
    pub(crate) fn motion_jpeg(xmp: &str, video: &[u8]) -> Vec<u8> {
        let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
        let body = [XMP_NAMESPACE, xmp.as_bytes()].concat();
        out.extend(u16::try_from(body.len() + 2).unwrap_or(u16::MAX).to_be_bytes());
        out.extend(body);
        out.extend([0xFF, 0xD9]);
        out.extend(video);
        out
    }

    pub(crate) fn directory_xmp(length: usize) -> String {
        format!(
            r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description GCamera:MotionPhoto="1"
 GCamera:MotionPhotoVersion="1" GCamera:MotionPhotoPresentationTimestampUs="968644">
<Container:Directory><rdf:Seq>
<rdf:li rdf:parseType="Resource"><Container:Item Item:Mime="image/jpeg" Item:Semantic="Primary" Item:Length="0" Item:Padding="0"/></rdf:li>
<rdf:li rdf:parseType="Resource"><Container:Item Item:Mime="video/mp4" Item:Semantic="MotionPhoto" Item:Length="{length}" Item:Padding="0"/></rdf:li>
</rdf:Seq></Container:Directory></rdf:Description></rdf:RDF></x:xmpmeta>"#
        )
    }

    const FAKE_MP4: &[u8] = b"\0\0\0\x10ftypisom\0\0\0\0\0\0\0\x08mdat";

    #[test]
    fn the_directory_or_the_old_offset_finds_the_clip() {
        let jpeg = motion_jpeg(&directory_xmp(FAKE_MP4.len()), FAKE_MP4);
        let range = motion_video(&jpeg).expect("a motion photo");
        assert_eq!(&jpeg[range], FAKE_MP4);
        let old = format!(
            r#"<x:xmpmeta><rdf:Description GCamera:MicroVideo="1" GCamera:MicroVideoOffset="{}"/></x:xmpmeta>"#,
            FAKE_MP4.len()
        );
        let jpeg = motion_jpeg(&old, FAKE_MP4);
        assert_eq!(motion_video(&jpeg).map(|r| jpeg[r].to_vec()), Some(FAKE_MP4.to_vec()));
    }

    #[test]
    fn a_promise_the_bytes_do_not_keep_is_not_a_clip() {
        // A length past the start, a length that lands on JPEG bytes, no MotionPhoto flag, a
        // plain JPEG, a non-JPEG.
        assert_eq!(motion_video(&motion_jpeg(&directory_xmp(1 << 20), FAKE_MP4)), None);
        assert_eq!(motion_video(&motion_jpeg(&directory_xmp(FAKE_MP4.len() + 3), FAKE_MP4)), None);
        let unflagged = directory_xmp(FAKE_MP4.len()).replace("GCamera:MotionPhoto=\"1\"", "");
        assert_eq!(motion_video(&motion_jpeg(&unflagged, FAKE_MP4)), None);
        assert_eq!(motion_video(&[0xFF, 0xD8, 0xFF, 0xD9]), None);
        assert_eq!(motion_video(FAKE_MP4), None);
        let garbage = directory_xmp(FAKE_MP4.len()).replace(&format!("{}\"", FAKE_MP4.len()), "x\"");
        assert_eq!(motion_video(&motion_jpeg(&garbage, FAKE_MP4)), None);
    }
}
