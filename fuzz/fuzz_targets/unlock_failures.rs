//! `unlock-failures.json` (anyone with access to the folder can write it): any bytes are read
//! or refused with an error, and what is read writes back to the same value.
#![no_main]

use std::path::Path;

use casenotes::vault::FailedUnlocks;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = Path::new("/fuzz/vault");
    let Ok(failures) = FailedUnlocks::parse(dir, data) else {
        return;
    };
    let written = serde_json::to_vec_pretty(&failures).expect("serialises");
    assert_eq!(
        FailedUnlocks::parse(dir, &written).expect("re-read"),
        failures
    );
});
