//! The `.cnbak` reader on any bytes: the manifest alone and the whole container are each read
//! or refused as a damaged backup (never another error, never a panic), and a container read
//! whole has the manifest its quick read gives. libFuzzer's -malloc_limit_mb (scripts/fuzz.sh)
//! fails any allocation beyond what the reader's own limits allow.
#![no_main]

use casenotes::export::backup::fuzz_read_container;
use casenotes::Error;
use libfuzzer_sys::fuzz_target;

thread_local! {
    static DIR: tempfile::TempDir = tempfile::tempdir().expect("temp dir");
}

fuzz_target!(|data: &[u8]| {
    DIR.with(|dir| {
        let file = dir.path().join("fuzz.cnbak");
        std::fs::write(&file, data).expect("write the input");
        let (manifest, whole) = fuzz_read_container(&file);
        for result in [&manifest, &whole] {
            if let Err(e) = result {
                assert!(matches!(e, Error::BackupDamaged { .. }), "{e:?}");
            }
        }
        if let Ok(whole) = whole {
            assert_eq!(manifest.expect("quick read of a whole backup"), whole);
        }
    });
});
