//! `vault.toml`: any text is read or refused with an error, and what is read is a format this
//! build supports and writes back to the same value.
#![no_main]

use std::path::Path;

use casenotes::vault::{VaultMeta, FORMAT_VERSION};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let dir = Path::new("/fuzz/vault");
    let Ok(meta) = VaultMeta::parse(dir, text) else {
        return;
    };
    assert!(meta.format_version <= FORMAT_VERSION);
    let written = toml::to_string(&meta).expect("a parsed vault.toml serialises");
    assert_eq!(VaultMeta::parse(dir, &written).expect("re-read"), meta);
});
