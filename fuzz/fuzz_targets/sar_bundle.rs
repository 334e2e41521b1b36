//! The subject-access bundle reader (`casenotes bundle verify`) on any bytes. The first byte picks
//! the layer: 0 gives the rest to the whole reader as a file opened with this target's own age
//! identity (age's header parsing and MACs), anything else gives the rest to the reader behind
//! decryption (tar entries, manifest, sizes and hashes), which random bytes could never reach
//! through age. Either way the answer is a sound bundle or a damaged one (or the wrong secret for
//! the whole reader), never another error, never a panic; a bundle read as sound lists its files.
#![no_main]

use casenotes::export::sar::verify::fuzz_check_stream;
use casenotes::export::sar::{verify, BundleKey};
use casenotes::secret::RecoveryKey;
use casenotes::Error;
use libfuzzer_sys::fuzz_target;

/// This target's own identity, made for the fuzz seeds only (`age-keygen`); it opens nothing else.
const IDENTITY: &str = include_str!("../sar_bundle.key");

thread_local! {
    static DIR: tempfile::TempDir = tempfile::tempdir().expect("temp dir");
    static KEY: RecoveryKey = casenotes::export::sar::verify::parse_identity_file(IDENTITY)
        .expect("the fuzz identity");
}

fuzz_target!(|data: &[u8]| {
    let Some((&layer, rest)) = data.split_first() else {
        return;
    };
    let result = if layer == 0 {
        DIR.with(|dir| {
            let file = dir.path().join("fuzz.age");
            std::fs::write(&file, rest).expect("write the input");
            KEY.with(|key| verify(&file, &BundleKey::Identity(key)))
        })
    } else {
        fuzz_check_stream(rest)
    };
    match result {
        Ok(verified) => assert!(verified.files >= 1, "a sound bundle holds its manifest"),
        Err(e) => assert!(
            matches!(
                e,
                Error::BundleDamaged { .. }
                    | Error::WrongBundleSecret { .. }
                    | Error::RecordRule { .. }
            ),
            "{e:?}"
        ),
    }
});
