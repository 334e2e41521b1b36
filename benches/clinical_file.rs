//! The clinical file at a real practice's scale: a realistic demo practice (`demo::generate_realistic`:
//! notes of 300-3,000 characters from a 30,000-word vocabulary, letters and scans attached),
//! built twice by the same code, once encrypted (SQLCipher with a key) and once plain (SQLite
//! without a key, memory mapping off as on the encrypted side), measured the same way, each
//! operation on both sides in turn so that the machine's load falls on both alike. Prints
//! medians, 95th percentiles and the encrypted/plain ratio, and the size of the search index;
//! asserts nothing.
//!
//! The same notes are also written out as Markdown files (one per note, as a plain-notes user
//! keeps them) and, when ripgrep is installed, `rg -l -i` is timed over them for the same
//! queries: the ratio says how much faster the index is than searching files.
//!
//! ```text
//! cargo bench --bench clinical_file                                  # 10,000 notes
//! CASENOTES_BENCH_NOTES=100000 cargo bench --bench clinical_file     # 100,000 notes, 1 GB attached
//! ```
//! Settings (environment): `CASENOTES_BENCH_NOTES` (sizes, comma-separated; default 10000),
//! `CASENOTES_BENCH_DIR` (where the practices and the Markdown copy are built; default the
//! system's temporary folder; deleted at the end), `CASENOTES_BENCH_ATTACHMENT_KB` (attachment
//! KB per note, default 10), `CASENOTES_BENCH_OPTIMIZE=0` (skip merging the index after the
//! bulk load, to measure what it buys).
//!
//! Targets (issue 13): encrypted/plain at most 1.3 on every row, search p95 at most 50 ms for
//! every kind of query at 100,000 notes, search at least 100x faster than ripgrep, opening a
//! client file of 500 notes at most 30 ms.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use casenotes::corpus::{self, Vocabulary, Writer};
use casenotes::demo::{self, DemoOptions, RealisticOptions};
use casenotes::domain::notes::{self, NoteKind, Template};
use casenotes::domain::{attachments, client_file, clients};
use casenotes::search;
use casenotes::secret::Passphrase;
use casenotes::vault::{Session, Unlock, Vault};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, RngCore, SeedableRng};

/// Roughly how many notes one demo client gets on average (measured from the generator).
const NOTES_PER_CLIENT: u32 = 20;
/// Distinct queries per kind, each searched `WARM_ROUNDS` times once the pages are cached.
const QUERIES_PER_CLASS: usize = 12;
const WARM_ROUNDS: usize = 3;
/// Unlocks per kind of query for "the first query after unlocking".
const FIRST_ROUNDS: usize = 5;

const CLASSES: [&str; 8] = [
    "rare word",
    "common word",
    "two words",
    "phrase",
    "prefix",
    "a name",
    "one letter",
    "two letters",
];

fn pct(samples: &[Duration], p: f64) -> Duration {
    let mut s = samples.to_vec();
    s.sort();
    s[((s.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// One query as typed into the search box, and the same search for ripgrep: patterns that must
/// all occur in a file (each a case-insensitive regular expression).
struct Query {
    class: usize,
    typed: String,
    rg: Vec<String>,
}

fn queries() -> Vec<Query> {
    let v = Vocabulary::new();
    let mut rng = StdRng::seed_from_u64(3);
    let pick = |rng: &mut StdRng, ranks: std::ops::Range<usize>, min_len: usize| loop {
        let w = v.word(rng.gen_range(ranks.clone()));
        if w.len() >= min_len && w.chars().all(|c| c.is_ascii_lowercase()) {
            return w.to_owned();
        }
    };
    let mut out = Vec::new();
    let mut phrases: Vec<&str> = corpus::CLINICAL_TERMS
        .iter()
        .copied()
        .filter(|t| t.contains(' '))
        .collect();
    phrases.shuffle(&mut rng);
    let mut names: Vec<&str> = corpus::GIVEN_NAMES
        .iter()
        .copied()
        .filter(|n| n.is_ascii())
        .chain(demo::client_family_names().iter().copied())
        .collect();
    names.shuffle(&mut rng);
    for i in 0..QUERIES_PER_CLASS {
        // A rare word: in the last third of the vocabulary, a few dozen notes at 100,000.
        let w = pick(&mut rng, 20_000..v.len(), 5);
        out.push(Query {
            class: 0,
            rg: vec![format!(r"\b{w}\b")],
            typed: w,
        });
        // A common word: in a good share of all notes.
        let w = pick(&mut rng, 40..400, 4);
        out.push(Query {
            class: 1,
            rg: vec![format!(r"\b{w}")],
            typed: w,
        });
        let (a, b) = (pick(&mut rng, 200..4_000, 4), pick(&mut rng, 200..4_000, 4));
        out.push(Query {
            class: 2,
            typed: format!("{a} {b}"),
            rg: vec![format!(r"\b{a}\b"), format!(r"\b{b}")],
        });
        let p = phrases[i % phrases.len()];
        out.push(Query {
            class: 3,
            typed: format!("\"{p}\""),
            rg: vec![format!(r"\b{}\b", p.replace(' ', r"\s+"))],
        });
        // A prefix, as typed so far: the first four letters of a fairly common word.
        let w: String = pick(&mut rng, 1_000..8_000, 7).chars().take(4).collect();
        out.push(Query {
            class: 4,
            rg: vec![format!(r"\b{w}")],
            typed: w,
        });
        let n = names[i % names.len()].to_owned();
        out.push(Query {
            class: 5,
            rg: vec![format!(r"\b{n}")],
            typed: n,
        });
    }
    // The search box searches from the first letter typed: the first one and two letters of
    // fairly common words. A generator of their own, so the queries above stay as they were.
    let mut rng = StdRng::seed_from_u64(5);
    for _ in 0..QUERIES_PER_CLASS {
        let w = pick(&mut rng, 1_000..8_000, 7);
        for (class, letters) in [(6, 1), (7, 2)] {
            let w: String = w.chars().take(letters).collect();
            out.push(Query {
                class,
                rg: vec![format!(r"\b{w}")],
                typed: w,
            });
        }
    }
    out
}

#[derive(Default)]
struct Figures {
    search_first: [Vec<Duration>; CLASSES.len()],
    search_warm: [Vec<Duration>; CLASSES.len()],
    open_file_first: Vec<Duration>,
    open_file: Vec<Duration>,
    list_clients_first: Vec<Duration>,
    list_clients: Vec<Duration>,
    add_and_sign: Vec<Duration>,
    add_attachment: Vec<Duration>,
}

/// One practice under measurement.
struct Side {
    name: &'static str,
    dir: PathBuf,
    session: Option<Session>,
    long_ref: String,
    figures: Figures,
    notes: u32,
}

fn pass() -> Passphrase {
    Passphrase::from_str_for_tests("correct horse battery staple")
}

impl Side {
    fn session(&mut self) -> &mut Session {
        self.session.as_mut().expect("open")
    }

    fn encrypted(&self) -> bool {
        self.name == "encrypted"
    }

    /// Closes and opens again, so the page cache starts empty as after an unlock.
    fn reopen(&mut self) {
        if let Some(s) = self.session.take() {
            s.lock().expect("lock");
        }
        self.session = Some(if self.encrypted() {
            Vault::open(&self.dir)
                .and_then(|v| v.unlock(Unlock::Passphrase(&pass())))
                .expect("unlock")
        } else {
            Session::unencrypted_for_benchmarks(&self.dir).expect("plain")
        });
    }
}

/// Times `op` on each side in turn.
fn both<T>(
    sides: &mut [Side; 2],
    pick: impl Fn(&mut Figures) -> &mut Vec<Duration>,
    op: impl Fn(&mut Side) -> T,
) {
    for side in sides.iter_mut() {
        let t = Instant::now();
        std::hint::black_box(op(side));
        let took = t.elapsed();
        pick(&mut side.figures).push(took);
    }
}

fn build(side: &mut Side, target_notes: u32, kb_per_note: u64) {
    let clients = (target_notes / NOTES_PER_CLIENT).max(1);
    let optimize = std::env::var("CASENOTES_BENCH_OPTIMIZE").as_deref() != Ok("0");
    let session = side.session();
    let summary = demo::generate_realistic(
        session,
        RealisticOptions {
            practice: DemoOptions {
                clients,
                years: 8,
                seed: 7,
            },
            attachment_bytes_per_note: kb_per_note * 1024,
        },
        &mut |_, _| {},
    )
    .expect("demo");
    side.long_ref = demo::add_long_history(side.session(), 500, 8, true).expect("long history");
    if optimize {
        search::optimize(side.session()).expect("optimize");
    }
    side.notes = summary.practice.notes + 500;
    println!(
        "  {}: {} clients, {} notes ({:.0} MB of text), {} attachments ({:.0} MB)",
        side.name,
        summary.practice.clients + 1,
        side.notes,
        summary.note_chars as f64 / 1e6,
        summary.attachments,
        summary.attachment_bytes as f64 / 1_048_576.0
    );
}

/// Writes every note as a Markdown file, one folder per client, as a plain-notes user keeps
/// them. Returns the bytes written. Invented text only, in the benchmark's own folder.
fn export_markdown(session: &Session, dir: &Path) -> u64 {
    let conn = session.conn().expect("open");
    let mut stmt = conn
        .prepare(
            "SELECT c.case_ref, n.id, substr(n.created_at, 1, 10), n.body
             FROM notes n JOIN clients c ON c.id = n.client_id",
        )
        .expect("export");
    let mut rows = stmt.query([]).expect("export");
    let mut bytes = 0;
    while let Some(r) = rows.next().expect("row") {
        let (case_ref, id, day, body): (String, i64, String, String) = (
            r.get(0).unwrap(),
            r.get(1).unwrap(),
            r.get(2).unwrap(),
            r.get(3).unwrap(),
        );
        let folder = dir.join(&case_ref);
        std::fs::create_dir_all(&folder).expect("folder");
        let text = format!("# {case_ref}, session note {id} ({day})\n\n{body}\n");
        bytes += text.len() as u64;
        std::fs::write(folder.join(format!("{day}-{id}.md")), text).expect("write");
    }
    bytes
}

fn ripgrep_available() -> bool {
    Command::new("rg")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// `rg -l -i` for each pattern in turn, each over the files the previous one listed (all files
/// must hold every pattern, as the index's AND does). Returns the time and the files found.
fn ripgrep(dir: &Path, patterns: &[String]) -> (Duration, usize) {
    let t = Instant::now();
    let mut files: Option<Vec<String>> = None;
    for p in patterns {
        let mut cmd = Command::new("rg");
        cmd.args(["-l", "-i", "--no-messages", "-e", p]);
        match &files {
            None => {
                cmd.arg(dir);
            }
            Some(f) if f.is_empty() => break,
            Some(f) => {
                cmd.args(f);
            }
        }
        let out = cmd.output().expect("rg");
        files = Some(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(str::to_owned)
                .collect(),
        );
    }
    (t.elapsed(), files.map(|f| f.len()).unwrap_or(0))
}

fn measure(sides: &mut [Side; 2], queries: &[Query]) {
    // The first query after unlocking: each side is closed and opened before each one.
    for class in 0..CLASSES.len() {
        for q in queries
            .iter()
            .filter(|q| q.class == class)
            .take(FIRST_ROUNDS)
        {
            for s in sides.iter_mut() {
                s.reopen();
            }
            both(
                sides,
                |f| &mut f.search_first[class],
                |s| search::search(s.session(), &q.typed).unwrap().len(),
            );
        }
    }
    for _ in 0..FIRST_ROUNDS {
        for s in sides.iter_mut() {
            s.reopen();
        }
        both(
            sides,
            |f| &mut f.open_file_first,
            |s| {
                let long = s.long_ref.clone();
                client_file::open(s.session(), &long)
                    .unwrap()
                    .timeline
                    .len()
            },
        );
        for s in sides.iter_mut() {
            s.reopen();
        }
        both(
            sides,
            |f| &mut f.list_clients_first,
            |s| clients::list(s.session(), None).unwrap().len(),
        );
    }
    // Warm: everything again with the pages cached.
    for _ in 0..WARM_ROUNDS {
        for q in queries {
            both(
                sides,
                |f| &mut f.search_warm[q.class],
                |s| search::search(s.session(), &q.typed).unwrap().len(),
            );
        }
    }
    for _ in 0..30 {
        both(
            sides,
            |f| &mut f.open_file,
            |s| {
                let long = s.long_ref.clone();
                let file = client_file::open(s.session(), &long).unwrap();
                assert!(file.timeline.len() >= 500);
                file.timeline.len()
            },
        );
    }
    for _ in 0..30 {
        both(
            sides,
            |f| &mut f.list_clients,
            |s| clients::list(s.session(), None).unwrap().len(),
        );
    }
    let writer = Writer::new();
    let mut rng = StdRng::seed_from_u64(11);
    let world = corpus::ClientWorld::new(&mut rng, "Long");
    let bodies: Vec<String> = (0..20)
        .map(|_| writer.note(&mut rng, Template::Soap, &world))
        .collect();
    for body in &bodies {
        both(
            sides,
            |f| &mut f.add_and_sign,
            |s| {
                let long = s.long_ref.clone();
                let client_id = clients::id_for(s.session(), &long).unwrap();
                let n = notes::create(
                    s.session(),
                    client_id,
                    NoteKind::Session,
                    Template::Soap,
                    body,
                    false,
                )
                .unwrap();
                notes::sign(s.session(), n.id).unwrap().id
            },
        );
    }
    let mut scan = vec![0u8; 5 * 1024 * 1024];
    for _ in 0..10 {
        rng.fill_bytes(&mut scan);
        scan[..4].copy_from_slice(b"%PDF");
        both(
            sides,
            |f| &mut f.add_attachment,
            |s| {
                let long = s.long_ref.clone();
                let client_id = clients::id_for(s.session(), &long).unwrap();
                attachments::add(s.session(), client_id, None, "scan.pdf", &scan)
                    .unwrap()
                    .id
            },
        );
    }
}

fn row(name: &str, e: &[Duration], p: &[Duration]) {
    let (em, pm) = (ms(pct(e, 0.5)), ms(pct(p, 0.5)));
    let (e95, p95) = (ms(pct(e, 0.95)), ms(pct(p, 0.95)));
    println!(
        "{name:<44} {em:>9.2} {pm:>9.2} {:>6.2}   {e95:>9.2} {p95:>9.2} {:>6.2} {:>4}",
        em / pm,
        e95 / p95,
        e.len()
    );
}

fn report(size: u32, enc: &Side, plain: &Side) {
    println!(
        "\n== realistic practice, about {size} notes (encrypted {} notes, plain {} notes)",
        enc.notes, plain.notes
    );
    println!(
        "{:<44} {:>9} {:>9} {:>6}   {:>9} {:>9} {:>6} {:>4}",
        "milliseconds", "enc p50", "plain p50", "ratio", "enc p95", "plain p95", "ratio", "n"
    );
    let (e, p) = (&enc.figures, &plain.figures);
    for (i, class) in CLASSES.iter().enumerate() {
        row(
            &format!("search: {class}, first after unlock"),
            &e.search_first[i],
            &p.search_first[i],
        );
        row(
            &format!("search: {class}, warm"),
            &e.search_warm[i],
            &p.search_warm[i],
        );
    }
    row(
        "open a client file (500 notes), first",
        &e.open_file_first,
        &p.open_file_first,
    );
    row(
        "open a client file (500 notes), warm",
        &e.open_file,
        &p.open_file,
    );
    row(
        "list clients, first after unlock",
        &e.list_clients_first,
        &p.list_clients_first,
    );
    row("list clients, warm", &e.list_clients, &p.list_clients);
    row("add and sign a note", &e.add_and_sign, &p.add_and_sign);
    row(
        "add a 5 MB attachment",
        &e.add_attachment,
        &p.add_attachment,
    );
}

fn report_ripgrep(enc: &Side, markdown: &Path, queries: &[Query]) {
    if !ripgrep_available() {
        println!("\nripgrep (rg) is not installed: the comparison with searching Markdown files is skipped.");
        return;
    }
    // Once over everything first, so the files are in the OS cache as the database's are.
    let _ = ripgrep(markdown, &["warmup-no-such-word".to_owned()]);
    println!(
        "\n{:<16} {:>14} {:>10} {:>10} {:>10}",
        "rg -l -i vs search", "encrypted p50", "rg p50", "rg p95", "rg/search"
    );
    for (i, class) in CLASSES.iter().enumerate() {
        let times: Vec<Duration> = queries
            .iter()
            .filter(|q| q.class == i)
            .map(|q| ripgrep(markdown, &q.rg).0)
            .collect();
        let search = ms(pct(&enc.figures.search_warm[i], 0.5));
        let rg = ms(pct(&times, 0.5));
        println!(
            "{class:<16} {search:>11.2} ms {rg:>7.0} ms {:>7.0} ms {:>9.0}x",
            ms(pct(&times, 0.95)),
            rg / search
        );
    }
}

/// Megabytes of pages the full-text index takes (its shadow tables, the copy of the text in
/// `search_index_content` included), from SQLite's `dbstat` table.
fn search_index_mb(session: &Session) -> f64 {
    let bytes: i64 = session
        .conn()
        .expect("open")
        .query_row(
            "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name GLOB 'search_index_*'",
            [],
            |r| r.get(0),
        )
        .expect("dbstat");
    bytes as f64 / 1_048_576.0
}

fn file_mb(path: &Path) -> f64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) as f64 / 1_048_576.0
}

fn main() {
    let sizes: Vec<u32> = std::env::var("CASENOTES_BENCH_NOTES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000]);
    let kb_per_note = env_u64("CASENOTES_BENCH_ATTACHMENT_KB", 10);
    let queries = queries();
    println!(
        "machine: {} cores, load average {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    for size in sizes {
        let tmp = match std::env::var_os("CASENOTES_BENCH_DIR") {
            Some(d) => tempfile::tempdir_in(d),
            None => tempfile::tempdir(),
        }
        .expect("temp dir");
        let t = Instant::now();
        println!("building two realistic practices of about {size} notes…");
        let enc_dir = tmp.path().join("encrypted");
        let plain_dir = tmp.path().join("plain");
        let mut sides = [
            Side {
                name: "encrypted",
                session: Some(Vault::create(&enc_dir, &pass()).expect("vault").session),
                dir: enc_dir,
                long_ref: String::new(),
                figures: Figures::default(),
                notes: 0,
            },
            Side {
                name: "plain",
                session: Some(Session::unencrypted_for_benchmarks(&plain_dir).expect("plain")),
                dir: plain_dir,
                long_ref: String::new(),
                figures: Figures::default(),
                notes: 0,
            },
        ];
        for side in sides.iter_mut() {
            build(side, size, kb_per_note);
        }
        let markdown = tmp.path().join("markdown");
        let md_bytes = export_markdown(sides[1].session(), &markdown);
        println!(
            "built in {:.0} s: casenotes.db encrypted {:.0} MB, plain {:.0} MB; Markdown copy {:.0} MB",
            t.elapsed().as_secs_f64(),
            file_mb(&sides[0].dir.join("casenotes.db")),
            file_mb(&sides[1].dir.join("casenotes.db")),
            md_bytes as f64 / 1_048_576.0
        );
        println!(
            "search index: encrypted {:.1} MB, plain {:.1} MB",
            search_index_mb(sides[0].session()),
            search_index_mb(sides[1].session())
        );
        measure(&mut sides, &queries);
        println!(
            "load average after measuring: {}",
            std::fs::read_to_string("/proc/loadavg")
                .unwrap_or_default()
                .trim()
        );
        report(size, &sides[0], &sides[1]);
        report_ripgrep(&sides[0], &markdown, &queries);
        for s in sides.iter_mut() {
            if let Some(session) = s.session.take() {
                session.lock().expect("lock");
            }
        }
    }
}
