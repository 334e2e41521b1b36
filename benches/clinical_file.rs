//! The clinical file at practice scale: a demo practice of about 10,000 and about 100,000 notes,
//! each built twice by the same code, once encrypted (SQLCipher with a key) and once plain
//! (SQLite without a key), and measured the same way. Prints medians and 95th percentiles and
//! the encrypted/plain ratio; asserts nothing.
//!
//! `cargo bench --bench clinical_file`; `CASENOTES_BENCH_NOTES=10000` limits the sizes.
//! Targets (issue 4): search p95 under 50 ms at 100,000 notes, opening a client file under 30 ms,
//! encrypted/plain under 1.3 for each.

use std::time::{Duration, Instant};

use casenotes::demo::{self, DemoOptions};
use casenotes::domain::clients;
use casenotes::domain::notes::{self, NoteKind, Template};
use casenotes::search;
use casenotes::secret::Passphrase;
use casenotes::vault::{Session, Unlock, Vault};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

/// Roughly how many notes one demo client gets on average (measured from the generator).
const NOTES_PER_CLIENT: u32 = 20;

#[derive(Default)]
struct Figures {
    open_file: Vec<Duration>,
    list_clients: Vec<Duration>,
    /// Each query the first time after unlocking (pages read and, if encrypted, decrypted).
    search_first: Vec<Duration>,
    /// The same queries again (pages already in the page cache).
    search_again: Vec<Duration>,
    add_and_sign: Vec<Duration>,
    notes: u32,
}

fn pct(samples: &[Duration], p: f64) -> Duration {
    let mut s = samples.to_vec();
    s.sort();
    s[((s.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn build(session: &mut Session, target_notes: u32) -> (String, u32) {
    let clients = (target_notes / NOTES_PER_CLIENT).max(1);
    let summary = demo::generate(
        session,
        DemoOptions {
            clients,
            years: 8,
            seed: 7,
        },
        &mut |_, _| {},
    )
    .expect("demo");
    let long = demo::add_long_history(session, 500, 8).expect("long history");
    (long, summary.notes + 500)
}

/// One practice under measurement: its session, its long-history client, its figures.
struct Side {
    session: Session,
    long_ref: String,
    figures: Figures,
}

/// Times `op` on each side in turn, so that load from other work on the machine falls on both
/// alike rather than on whichever was measured second.
fn both(
    sides: &mut [Side; 2],
    pick: fn(&mut Figures) -> &mut Vec<Duration>,
    op: impl Fn(&mut Side),
) {
    for side in sides.iter_mut() {
        let t = Instant::now();
        op(side);
        let took = t.elapsed();
        pick(&mut side.figures).push(took);
    }
}

fn measure(sides: &mut [Side; 2]) {
    let mut words = demo::vocabulary();
    words.shuffle(&mut StdRng::seed_from_u64(3));
    let queries: Vec<String> = (0..100)
        .map(|i| {
            let w = &words[i % words.len()];
            match i % 4 {
                0 => w.clone(),
                1 => w.chars().take(4).collect(), // a prefix, as typed
                2 => format!("{w} {}", words[(i * 7) % words.len()]),
                _ => w.to_uppercase(),
            }
        })
        .collect();
    // Searching first: the sessions were just opened, so this is the first search of the day.
    for q in &queries {
        both(
            sides,
            |f| &mut f.search_first,
            |s| {
                let _ = search::search(&s.session, q).unwrap();
            },
        );
    }
    for q in &queries {
        both(
            sides,
            |f| &mut f.search_again,
            |s| {
                let _ = search::search(&s.session, q).unwrap();
            },
        );
    }
    for _ in 0..30 {
        both(
            sides,
            |f| &mut f.open_file,
            |s| {
                let c = clients::open_file(&s.session, &s.long_ref).unwrap();
                let n = notes::for_client(&s.session, c.id).unwrap();
                assert_eq!(n.len(), 500);
            },
        );
    }
    for _ in 0..30 {
        both(
            sides,
            |f| &mut f.list_clients,
            |s| {
                assert!(!clients::list(&s.session, None).unwrap().is_empty());
            },
        );
    }
    for i in 0..20 {
        both(
            sides,
            |f| &mut f.add_and_sign,
            |s| {
                let client_id = clients::id_for(&s.session, &s.long_ref).unwrap();
                let n = notes::create(
                    &mut s.session,
                    client_id,
                    NoteKind::Session,
                    Template::Free,
                    &format!("Benchmark note {i}."),
                    false,
                )
                .unwrap();
                notes::sign(&mut s.session, n.id).unwrap();
            },
        );
    }
}

fn report(size: u32, enc: &Figures, plain: &Figures) {
    println!(
        "\n== about {size} notes (encrypted {} notes, plain {} notes)",
        enc.notes, plain.notes
    );
    println!(
        "{:<36} {:>12} {:>12} {:>12} {:>8}",
        "", "encrypted", "plain", "", "ratio"
    );
    let row = |name: &str, e: &[Duration], p: &[Duration], q: f64, label: &str| {
        let (a, b) = (ms(pct(e, q)), ms(pct(p, q)));
        println!(
            "{name:<36} {a:>9.2} ms {b:>9.2} ms {label:>12} {:>8.2}",
            a / b
        );
    };
    row(
        "open a client file (500 notes)",
        &enc.open_file,
        &plain.open_file,
        0.5,
        "median",
    );
    row(
        "open a client file (500 notes)",
        &enc.open_file,
        &plain.open_file,
        0.95,
        "p95",
    );
    row(
        "list clients",
        &enc.list_clients,
        &plain.list_clients,
        0.5,
        "median",
    );
    row(
        "search, 100 queries, first time",
        &enc.search_first,
        &plain.search_first,
        0.5,
        "median",
    );
    row(
        "search, 100 queries, first time",
        &enc.search_first,
        &plain.search_first,
        0.95,
        "p95",
    );
    row(
        "search, the same 100 again",
        &enc.search_again,
        &plain.search_again,
        0.5,
        "median",
    );
    row(
        "search, the same 100 again",
        &enc.search_again,
        &plain.search_again,
        0.95,
        "p95",
    );
    row(
        "add and sign a note",
        &enc.add_and_sign,
        &plain.add_and_sign,
        0.5,
        "median",
    );
}

fn main() {
    let sizes: Vec<u32> = std::env::var("CASENOTES_BENCH_NOTES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000]);
    let pass = Passphrase::from_str_for_tests("correct horse battery staple");
    for size in sizes {
        let tmp = tempfile::tempdir().expect("temp dir");
        let t = Instant::now();
        let mut enc = Vault::create(&tmp.path().join("encrypted"), &pass)
            .expect("vault")
            .session;
        let (enc_ref, enc_notes) = build(&mut enc, size);
        let mut plain =
            Session::unencrypted_for_benchmarks(&tmp.path().join("plain")).expect("plain");
        let (plain_ref, plain_notes) = build(&mut plain, size);
        println!(
            "built both practices of about {size} notes in {:.0} s",
            t.elapsed().as_secs_f64()
        );
        // Both closed and opened again, so both start from an empty page cache, as after an
        // unlock.
        enc.lock().expect("lock");
        plain.lock().expect("close");
        let enc = Vault::open(&tmp.path().join("encrypted"))
            .and_then(|v| v.unlock(Unlock::Passphrase(&pass)))
            .expect("unlock");
        let plain = Session::unencrypted_for_benchmarks(&tmp.path().join("plain")).expect("plain");
        let side = |session, long_ref, notes| Side {
            session,
            long_ref,
            figures: Figures {
                notes,
                ..Figures::default()
            },
        };
        let mut sides = [
            side(enc, enc_ref, enc_notes),
            side(plain, plain_ref, plain_notes),
        ];
        measure(&mut sides);
        let [e, p] = sides;
        let (e, p) = (e.figures, p.figures);
        report(size, &e, &p);
    }
}
