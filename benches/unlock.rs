//! Unlock time: the median of 10 unlocks of a fresh vault with the passphrase, and the share of
//! it spent in age's scrypt (the key slot) versus opening the database with the raw key.
//! Run with `cargo bench --bench unlock`. Prints figures; asserts nothing.

use std::time::{Duration, Instant};

use casenotes::secret::Passphrase;
use casenotes::vault::{Unlock, Vault};

const RUNS: usize = 10;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("vault");
    let pass = Passphrase::from_str_for_tests("correct horse battery staple");
    let created = Vault::create(&dir, &pass).expect("create vault");
    created.session.lock().expect("lock");
    let vault = Vault::open(&dir).expect("open");

    let mut unlock = Vec::new();
    let mut lock = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let session = vault.unlock(Unlock::Passphrase(&pass)).expect("unlock");
        unlock.push(t.elapsed());
        let t = Instant::now();
        session.lock().expect("lock");
        lock.push(t.elapsed());
    }
    let wrong = Passphrase::from_str_for_tests("not the right passphrase");
    let mut refused = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        assert!(vault.unlock(Unlock::Passphrase(&wrong)).is_err());
        refused.push(t.elapsed());
    }
    let unlock_median = median(unlock.clone());
    let refused_median = median(refused);
    println!(
        "unlock with passphrase, median of {RUNS}: {}",
        ms(unlock_median)
    );
    println!(
        "  fastest {} / slowest {}",
        ms(*unlock.iter().min().unwrap()),
        ms(*unlock.iter().max().unwrap())
    );
    println!(
        "refused wrong passphrase, median of 3: {}",
        ms(refused_median)
    );
    println!(
        "database open, migrations and audit entry (unlock minus refusal): {} ({:.2} of unlock)",
        ms(unlock_median.saturating_sub(refused_median)),
        unlock_median.saturating_sub(refused_median).as_secs_f64() / unlock_median.as_secs_f64()
    );
    println!("lock, median of {RUNS}: {}", ms(median(lock)));
}
