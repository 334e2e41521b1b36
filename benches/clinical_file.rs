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
use casenotes::vault::{Session, Vault};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

/// Roughly how many notes one demo client gets on average (measured from the generator).
const NOTES_PER_CLIENT: u32 = 20;

struct Figures {
    open_file: Vec<Duration>,
    list_clients: Vec<Duration>,
    search: Vec<Duration>,
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

fn measure(session: &mut Session, long_ref: &str, notes_total: u32) -> Figures {
    let mut f = Figures {
        open_file: vec![],
        list_clients: vec![],
        search: vec![],
        add_and_sign: vec![],
        notes: notes_total,
    };
    for _ in 0..30 {
        let t = Instant::now();
        let c = clients::open_file(session, long_ref).unwrap();
        let n = notes::for_client(session, c.id).unwrap();
        f.open_file.push(t.elapsed());
        assert_eq!(n.len(), 500);
    }
    for _ in 0..30 {
        let t = Instant::now();
        let all = clients::list(session, None).unwrap();
        f.list_clients.push(t.elapsed());
        assert!(!all.is_empty());
    }
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
    for q in &queries {
        let t = Instant::now();
        let _ = search::search(session, q).unwrap();
        f.search.push(t.elapsed());
    }
    let client_id = clients::open_file(session, long_ref).unwrap().id;
    for i in 0..20 {
        let t = Instant::now();
        let n = notes::create(
            session,
            client_id,
            NoteKind::Session,
            Template::Free,
            &format!("Benchmark note {i}."),
            false,
        )
        .unwrap();
        notes::sign(session, n.id).unwrap();
        f.add_and_sign.push(t.elapsed());
    }
    f
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
        "search, 100 varied queries",
        &enc.search,
        &plain.search,
        0.5,
        "median",
    );
    row(
        "search, 100 varied queries",
        &enc.search,
        &plain.search,
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
        let e = measure(&mut enc, &enc_ref, enc_notes);
        let p = measure(&mut plain, &plain_ref, plain_notes);
        report(size, &e, &p);
    }
}
