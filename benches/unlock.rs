//! Unlock time, from the passphrase to the data the Home screen shows, and its parts:
//!
//! - scrypt: age decrypting `keys/passphrase.age` (work factor 2^18, as every vault's);
//! - opening: SQLCipher keyed with the raw master key, its first read and the pragmas;
//! - migrations check: `rusqlite_migration` finding the schema up to date;
//! - audit: the anchor check and the unlock's audit entry (the rest of `Vault::unlock`);
//! - Home's data: what the Home screen asks for first (vault status, backup status, Today,
//!   requests and breach clocks due).
//!
//! Measured on a realistic practice (`CASENOTES_BENCH_NOTES`, default 10,000 notes; attachments
//! make no difference to unlocking and are left out), median of 10. The parts are timed one by
//! one beside full unlocks, so "audit" is the full unlock less the other three.
//! `cargo bench --bench unlock`. Prints figures; asserts nothing.

use std::io::Read;
use std::time::{Duration, Instant};

use age::armor::ArmoredReader;
use casenotes::db;
use casenotes::demo::{self, DemoOptions, RealisticOptions};
use casenotes::domain::{breaches, requests, today};
use casenotes::export::backup;
use casenotes::secret::{MasterKey, Passphrase};
use casenotes::vault::{Session, Unlock, Vault};

const RUNS: usize = 10;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:>7.1} ms", d.as_secs_f64() * 1000.0)
}

/// What the Home screen loads once unlocked, each call timed.
fn home_data(s: &Session, parts: &mut [Vec<Duration>; 5]) -> usize {
    let now = chrono::Utc::now();
    let mut t = Instant::now();
    let mut lap = |i: usize, t: &mut Instant| {
        parts[i].push(t.elapsed());
        *t = Instant::now();
    };
    let status = s.status().expect("status");
    lap(0, &mut t);
    let backups = backup::status(s).expect("backup status");
    lap(1, &mut t);
    let today = today::gather(s, now).expect("today");
    lap(2, &mut t);
    let due = requests::due_soon(s, now.date_naive()).expect("requests due");
    lap(3, &mut t);
    let clocks = breaches::open_clocks(s, now).expect("breach clocks");
    lap(4, &mut t);
    std::hint::black_box((&status, &backups, &today));
    due.len() + clocks.len() + status.audit_entries as usize
}

/// age's scrypt alone: the passphrase slot decrypted to the master key.
fn scrypt(dir: &std::path::Path, pass: &str) -> MasterKey {
    let file = std::fs::read(dir.join("keys/passphrase.age")).expect("slot");
    let decryptor =
        age::Decryptor::new_buffered(ArmoredReader::new(file.as_slice())).expect("age file");
    let mut identity = age::scrypt::Identity::new(pass.to_owned().into());
    identity.set_max_work_factor(casenotes::vault::MAX_WORK_FACTOR);
    let mut reader = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .expect("decrypt");
    let mut key = Vec::new();
    reader.read_to_end(&mut key).expect("read");
    MasterKey::from_slot_bytes(&mut key).expect("key")
}

fn main() {
    let notes = std::env::var("CASENOTES_BENCH_NOTES")
        .ok()
        .and_then(|s| {
            s.split(',')
                .next()
                .and_then(|n| n.trim().parse::<u32>().ok())
        })
        .unwrap_or(10_000);
    let tmp = match std::env::var_os("CASENOTES_BENCH_DIR") {
        Some(d) => tempfile::tempdir_in(d),
        None => tempfile::tempdir(),
    }
    .expect("temp dir");
    let dir = tmp.path().join("vault");
    let words = "correct horse battery staple";
    let pass = Passphrase::from_str_for_tests(words);
    let mut created = Vault::create(&dir, &pass).expect("create vault").session;
    let summary = demo::generate_realistic(
        &mut created,
        RealisticOptions {
            practice: DemoOptions {
                clients: (notes / 20).max(1),
                years: 8,
                seed: 7,
            },
            attachment_bytes_per_note: 0,
        },
        &mut |_, _| {},
    )
    .expect("demo");
    casenotes::search::optimize(&mut created).expect("optimize");
    created.lock().expect("lock");
    let vault = Vault::open(&dir).expect("open");
    println!(
        "a realistic practice of {} notes; load average {}",
        summary.practice.notes,
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );

    let (mut unlock, mut home, mut lock) = (Vec::new(), Vec::new(), Vec::new());
    let mut home_parts: [Vec<Duration>; 5] = Default::default();
    let mut drafts = Vec::new();
    let (mut kdf, mut open, mut migrate) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let t = Instant::now();
        let session = vault.unlock(Unlock::Passphrase(&pass)).expect("unlock");
        unlock.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(home_data(&session, &mut home_parts));
        home.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(today::unsigned_notes(&session, chrono::Utc::now()).expect("drafts"));
        drafts.push(t.elapsed());
        let t = Instant::now();
        session.lock().expect("lock");
        lock.push(t.elapsed());

        let t = Instant::now();
        let key = scrypt(&dir, words);
        kdf.push(t.elapsed());
        let t = Instant::now();
        let mut conn = db::open(&dir.join(db::DB_FILE), &key, false).expect("db open");
        open.push(t.elapsed());
        let t = Instant::now();
        db::migrate(&mut conn).expect("migrations");
        migrate.push(t.elapsed());
        drop(conn);
    }
    let wrong = Passphrase::from_str_for_tests("not the right passphrase");
    let mut refused = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        assert!(vault.unlock(Unlock::Passphrase(&wrong)).is_err());
        refused.push(t.elapsed());
    }
    let (unlock_m, home_m) = (median(unlock.clone()), median(home));
    let (kdf_m, open_m, migrate_m) = (median(kdf), median(open), median(migrate));
    let audit_m = unlock_m.saturating_sub(kdf_m + open_m + migrate_m);
    let total = unlock_m + home_m;
    let share = |d: Duration| d.as_secs_f64() / total.as_secs_f64() * 100.0;
    println!(
        "\npassphrase to Home's data, median of {RUNS}: {}",
        ms(total)
    );
    println!(
        "  scrypt (age, 2^18)           {}  {:>4.0}%",
        ms(kdf_m),
        share(kdf_m)
    );
    println!(
        "  opening the database         {}  {:>4.0}%",
        ms(open_m),
        share(open_m)
    );
    println!(
        "  migrations check             {}  {:>4.0}%",
        ms(migrate_m),
        share(migrate_m)
    );
    println!(
        "  audit anchor and unlock entry{}  {:>4.0}%",
        ms(audit_m),
        share(audit_m)
    );
    println!(
        "  Home's data (first queries)  {}  {:>4.0}%",
        ms(home_m),
        share(home_m)
    );
    for (name, part) in [
        "vault status",
        "backup status",
        "Today (with drafts to sign)",
        "requests due",
        "breach clocks",
    ]
    .iter()
    .zip(home_parts)
    {
        println!("    {name:<27}{}", ms(median(part)));
    }
    println!(
        "    of which drafts to sign    {} (timed again alone, pages cached)",
        ms(median(drafts))
    );
    println!(
        "unlock alone: median {} (fastest {}, slowest {})",
        ms(unlock_m),
        ms(*unlock.iter().min().unwrap()),
        ms(*unlock.iter().max().unwrap())
    );
    println!(
        "refused wrong passphrase, median of 3: {}",
        ms(median(refused))
    );
    println!("lock, median of {RUNS}: {}", ms(median(lock)));
}
