//! Backup, verify and restore at practice size: about 10,000 notes and 50 MB of attachments.
//! Prints medians of 5 runs and asserts nothing. Target (issue 8): backup and verify each under
//! 3 s on a 2-core machine.
//!
//! Baselines measured in the same run: copying the database and the attachments' size of bytes
//! with `std::fs::copy` (what a naive file copy costs, with no consistency, check or fsync), and
//! one scrypt unlock of the passphrase slot (which verify and restore must pay to open a backup).
//!
//! `cargo bench --bench backup`; `CASENOTES_BENCH_NOTES=2000` for a quicker run.

use std::time::{Duration, Instant};

use casenotes::demo::{self, DemoOptions};
use casenotes::domain::attachments;
use casenotes::export::backup;
use casenotes::secret::Passphrase;
use casenotes::vault::{Unlock, Vault};
use rand::{RngCore, SeedableRng};

const NOTES_PER_CLIENT: u32 = 20;
const PASSPHRASE: &str = "correct horse battery staple";

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn main() {
    let target_notes: u32 = std::env::var("CASENOTES_BENCH_NOTES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("vault");
    let pass = Passphrase::from_str_for_tests(PASSPHRASE);
    let mut s = Vault::create(&dir, &pass).expect("vault").session;
    let summary = demo::generate(
        &mut s,
        DemoOptions {
            clients: (target_notes / NOTES_PER_CLIENT).max(1),
            years: 8,
            seed: 7,
        },
        &mut |_, _| {},
    )
    .expect("demo");
    // 50 MB of attachments that do not compress: letters of 100-500 KB and scans of 1-5 MB.
    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    let client_ids: Vec<i64> = {
        let conn = s.conn().expect("conn");
        let mut stmt = conn.prepare("SELECT id FROM clients ORDER BY id").unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let mut attached = 0usize;
    let mut n = 0usize;
    while attached < 50_000_000 {
        let size = if n % 4 == 3 {
            1_000_000 + (rng.next_u32() as usize % 4_000_000)
        } else {
            100_000 + (rng.next_u32() as usize % 400_000)
        };
        let size = size.min(50_000_000 - attached).max(1);
        let mut bytes = vec![0u8; size];
        rng.fill_bytes(&mut bytes);
        let name = if n % 4 == 3 { "scan.pdf" } else { "letter.pdf" };
        attachments::add(&mut s, client_ids[n % client_ids.len()], None, name, &bytes)
            .expect("attachment");
        attached += size;
        n += 1;
    }
    let db_bytes = std::fs::metadata(dir.join("casenotes.db")).unwrap().len();
    println!(
        "== {} notes, {} attachments ({:.1} MB), database {:.1} MB",
        summary.notes,
        n,
        attached as f64 / 1e6,
        db_bytes as f64 / 1e6
    );

    let out = tmp.path().join("backups");
    std::fs::create_dir(&out).unwrap();
    let mut copy_times = Vec::new();
    let mut backup_times = Vec::new();
    let mut verify_times = Vec::new();
    let mut restore_times = Vec::new();
    let mut scrypt_times = Vec::new();
    let mut last = None;
    for i in 0..5 {
        // Baseline: a plain copy of the database file.
        let copy = tmp.path().join(format!("copy-{i}.db"));
        let t = Instant::now();
        std::fs::copy(dir.join("casenotes.db"), &copy).unwrap();
        copy_times.push(t.elapsed());
        std::fs::remove_file(&copy).unwrap();

        let t = Instant::now();
        let made = s.back_up(&out, 2, &mut |_| {}).expect("backup");
        backup_times.push(t.elapsed());

        let t = Instant::now();
        backup::verify(
            std::path::Path::new(&made.path),
            Unlock::Passphrase(&pass),
            None,
            &mut |_| {},
        )
        .expect("verify");
        verify_times.push(t.elapsed());

        let to = tmp.path().join(format!("restored-{i}"));
        let t = Instant::now();
        let (_, r) = backup::restore(
            std::path::Path::new(&made.path),
            Unlock::Passphrase(&pass),
            &to,
            false,
            &mut |_| {},
        )
        .expect("restore");
        restore_times.push(t.elapsed());
        r.lock().unwrap();
        std::fs::remove_dir_all(&to).unwrap();

        // One unlock of an empty vault: nearly all of it is scrypt.
        let probe = Vault::create(&tmp.path().join(format!("probe-{i}")), &pass).unwrap();
        probe.session.lock().unwrap();
        let t0 = Instant::now();
        Vault::open(&tmp.path().join(format!("probe-{i}")))
            .unwrap()
            .unlock(Unlock::Passphrase(&pass))
            .unwrap()
            .lock()
            .unwrap();
        scrypt_times.push(t0.elapsed());
        last = Some(made);
    }
    s.lock().unwrap();
    let made = last.unwrap();
    let copy = median(copy_times);
    let b = median(backup_times);
    let v = median(verify_times);
    let r = median(restore_times);
    let unlock = median(scrypt_times);
    println!(
        "backup file {:.1} MB ({} clients, {} notes, {} attachments)",
        made.bytes as f64 / 1e6,
        made.counts.clients,
        made.counts.notes,
        made.counts.attachments
    );
    println!("                                          median of 5   vs plain copy");
    println!(
        "plain copy of the database file           {:>10}",
        secs(copy)
    );
    println!(
        "back up (snapshot, write, fsync, verify)  {:>10}   {:>8.1}x",
        secs(b),
        b.as_secs_f64() / copy.as_secs_f64()
    );
    println!(
        "verify a backup file (with scrypt)        {:>10}   {:>8.1}x",
        secs(v),
        v.as_secs_f64() / copy.as_secs_f64()
    );
    println!(
        "restore into a new folder (with scrypt)   {:>10}   {:>8.1}x",
        secs(r),
        r.as_secs_f64() / copy.as_secs_f64()
    );
    println!(
        "of which one unlock (scrypt 2^18) about   {:>10}",
        secs(unlock)
    );
}
