//! Attachment type sniffing: any file name and content give one of the known types, and content
//! that starts with a known signature gets that type whatever the name says.
#![no_main]

use casenotes::domain::attachments::media_type;
use libfuzzer_sys::fuzz_target;

const TYPES: &[&str] = &[
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "text/plain",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/msword",
    "application/vnd.oasis.opendocument.text",
    "application/octet-stream",
];

fuzz_target!(|data: &[u8]| {
    // The name is what comes before the first NUL (a name never holds one), the content after.
    let (name, content) = match data.iter().position(|b| *b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (&b""[..], data),
    };
    let name = String::from_utf8_lossy(name);
    let media = media_type(&name, content);
    assert!(TYPES.contains(&media), "{media}");
    if content.starts_with(b"%PDF-") {
        assert_eq!(media, "application/pdf");
    }
    if content.starts_with(b"\x89PNG\r\n\x1a\n") {
        assert_eq!(media, "image/png");
    }
});
