//! Retention and destruction: the date rules against an independent formulation (property
//! tests), destruction that leaves the text in no byte of the database, its WAL or its
//! shared-memory file (read raw, and decrypted page by page with the key), all-or-nothing under
//! SIGKILL, refusals that change nothing, the register's chain, and restores that never bring a
//! destroyed record back.

mod common;

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use aes::cipher::{BlockDecryptMut, KeyIvInit};
use casenotes::domain::attachments;
use casenotes::domain::clients::{self, ClientDetails, ClientStatus};
use casenotes::domain::notes::{self, NoteKind, Template};
use casenotes::export::backup;
use casenotes::retention::{self, assess, ClientDates, Policy, Preset, Target};
use casenotes::vault::{Session, Unlock, Vault};
use chrono::{Datelike, Months, NaiveDate};
use common::*;
use proptest::prelude::*;

const CANARY: &str = "quokka-marmalade-vesper";

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

// ---- the date rules, formulated independently -------------------------------------------

/// `months` later by chrono's clamping arithmetic, then one day on if the day was clamped:
/// a different route to "a day that does not exist moves to the next day".
fn later(date: NaiveDate, months: u32) -> NaiveDate {
    let clamped = date.checked_add_months(Months::new(months)).unwrap();
    if clamped.day() != date.day() {
        // Clamped to the month's last day: the intended day is past it, so the next day.
        clamped.succ_opt().unwrap()
    } else {
        clamped
    }
}

fn expected_due(p: &Policy, c: &ClientDates) -> Option<NaiveDate> {
    match c.status {
        ClientStatus::Active => None,
        ClientStatus::Enquiry => Some(later(c.first_contact_on, p.enquiry_months)),
        ClientStatus::Ended => {
            let end = c.therapy_ended_on?;
            let start = match c.returned_on {
                Some(r) if r > end => r,
                _ => end,
            };
            let mut due = later(start, 12 * p.client_record_years);
            if let Some(dob) = c.date_of_birth {
                let age = start.years_since(dob).unwrap_or(0);
                if age < 18 {
                    let birthday = if age == 17 {
                        p.minor_at_17_until_birthday
                    } else {
                        p.minor_until_birthday
                    };
                    due = due.max(later(dob, 12 * birthday));
                }
            }
            Some(due)
        }
    }
}

fn any_date(from: i32, to: i32) -> impl Strategy<Value = NaiveDate> {
    // Leap days are drawn often on purpose.
    prop_oneof![
        (from..to, 1u32..=12, 1u32..=31).prop_filter_map("a real day", |(y, m, day)| {
            NaiveDate::from_ymd_opt(y, m, day)
        }),
        (from..to).prop_filter_map("a leap year", |y| NaiveDate::from_ymd_opt(y, 2, 29)),
        (from..to, 1u32..=12).prop_filter_map("a month end", |(y, m)| {
            NaiveDate::from_ymd_opt(y, m, 31).or_else(|| NaiveDate::from_ymd_opt(y, m, 30))
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn due_dates_match_an_independent_formulation_and_are_never_early(
        dob in proptest::option::of(any_date(1940, 2024)),
        end in any_date(2000, 2030),
        returned_after in proptest::option::of(0i64..4000),
        first in any_date(2000, 2030),
        status in prop_oneof![Just(ClientStatus::Ended), Just(ClientStatus::Enquiry), Just(ClientStatus::Active)],
        nhs in any::<bool>(),
        hold in any::<bool>(),
        no_end in any::<bool>(),
    ) {
        let p = Policy::preset(if nhs { Preset::NhsMentalHealth } else { Preset::UkCounselling });
        let c = ClientDates {
            status,
            date_of_birth: dob.filter(|b| *b < end),
            first_contact_on: first,
            therapy_ended_on: (!no_end).then_some(end),
            returned_on: returned_after.map(|n| end + chrono::Duration::days(n)),
            legal_hold: hold,
        };
        let got = assess(&p, &c);
        prop_assert_eq!(got.as_ref().map(|a| a.due_on), expected_due(&p, &c));
        if let Some(a) = got {
            prop_assert_eq!(a.legal_hold, hold);
            // Never early: not before the period after the trigger, by plain day counting.
            let years = if a.category == retention::Category::Enquiry { 0 } else { p.client_record_years as i32 };
            prop_assert!(a.due_on.year() >= a.trigger_on.year() + years);
            prop_assert!(a.due_on > a.trigger_on);
        }
    }
}

// ---- helpers -------------------------------------------------------------------------------

fn ended_client(s: &mut Session, given: &str, ended: NaiveDate) -> (i64, String) {
    let mut details = ClientDetails::named(given, "Canary");
    details.status = ClientStatus::Ended;
    details.therapy_started_on = Some(d(2008, 1, 1));
    details.therapy_ended_on = Some(ended);
    details.date_of_birth = Some(d(1970, 4, 4));
    let c = clients::add(s, details).unwrap();
    (c.id, c.case_ref)
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// Decrypts every page of a SQLCipher 4 file (4096-byte pages, 80 reserved bytes: IV then
/// HMAC) with the raw key, as an independent reader would, and returns the plaintext.
fn decrypt_pages(bytes: &[u8], key: &[u8; 32]) -> Vec<u8> {
    type Dec = cbc::Decryptor<aes::Aes256>;
    let mut out = Vec::with_capacity(bytes.len());
    for (i, page) in bytes.chunks(4096).enumerate() {
        if page.len() < 4096 {
            break;
        }
        let start = if i == 0 { 16 } else { 0 };
        let iv = &page[4096 - 80..4096 - 64];
        let mut data = page[start..4096 - 80].to_vec();
        let dec = Dec::new(key.into(), iv.into());
        let plain = dec
            .decrypt_padded_mut::<aes::cipher::block_padding::NoPadding>(&mut data)
            .expect("whole blocks");
        out.extend_from_slice(plain);
    }
    out
}

/// WAL frames: a 32-byte header, then 24-byte frame headers each followed by one page.
fn decrypt_wal(bytes: &[u8], key: &[u8; 32]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut at = 32;
    while at + 24 + 4096 <= bytes.len() {
        let page = &bytes[at + 24..at + 24 + 4096];
        // Frames are pages other than page 1 as often as not; decrypt each as a non-first page.
        let mut padded = vec![0u8; 4096];
        padded.copy_from_slice(page);
        let mut two = vec![0u8; 4096];
        two.extend_from_slice(&padded);
        out.extend(decrypt_pages(&two, key).split_off(4096 - 16 - 80));
        at += 24 + 4096;
    }
    out
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn master_key(dir: &Path, recovery: &str) -> [u8; 32] {
    let identity: age::x25519::Identity = recovery.parse().unwrap();
    let armored = std::fs::read(dir.join("keys/recovery.age")).unwrap();
    let reader = age::armor::ArmoredReader::new(&armored[..]);
    let decryptor = age::Decryptor::new(reader).unwrap();
    let mut r = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .unwrap();
    let mut key = Vec::new();
    std::io::Read::read_to_end(&mut r, &mut key).unwrap();
    key.try_into().unwrap()
}

fn vault_plaintext(dir: &Path, key: &[u8; 32]) -> Vec<(String, Vec<u8>, Vec<u8>)> {
    let mut out = Vec::new();
    for name in ["casenotes.db", "casenotes.db-wal", "casenotes.db-shm"] {
        let raw = std::fs::read(dir.join(name)).unwrap_or_default();
        let plain = match name {
            "casenotes.db" => decrypt_pages(&raw, key),
            "casenotes.db-wal" => decrypt_wal(&raw, key),
            _ => Vec::new(),
        };
        out.push((name.to_owned(), raw, plain));
    }
    out
}

// ---- destruction ---------------------------------------------------------------------------

#[test]
fn a_destroyed_record_is_in_no_byte_of_the_database_its_wal_or_shm_even_decrypted() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vault");
    let created = Vault::create(&dir, &passphrase(PASSPHRASE)).unwrap();
    let recovery = created.recovery_key.expose().to_owned();
    let mut s = created.session;
    let (id, case_ref) = ended_client(&mut s, "Destroy", d(2012, 5, 1));
    let (keep_id, _) = ended_client(&mut s, "Keep", today());
    for i in 0..30 {
        let n = notes::create(&mut s, id, NoteKind::Session, Template::Free, "", false).unwrap();
        notes::save_draft(
            &mut s,
            n.id,
            &format!("Session {i}: spoke about {CANARY} and the garden."),
        )
        .unwrap();
        notes::save_draft(
            &mut s,
            n.id,
            &format!("Session {i}: spoke about {CANARY} and the garden, then work."),
        )
        .unwrap();
        notes::sign(&mut s, n.id).unwrap();
        if i % 5 == 0 {
            notes::add_addendum(
                &mut s,
                n.id,
                "typo",
                &format!("Correction: {CANARY} was mentioned twice."),
            )
            .unwrap();
        }
        let k = notes::create(
            &mut s,
            keep_id,
            NoteKind::Session,
            Template::Free,
            "",
            false,
        )
        .unwrap();
        notes::save_draft(&mut s, k.id, &format!("Kept session {i}, nothing unusual.")).unwrap();
    }
    attachments::add(
        &mut s,
        id,
        None,
        "letter.txt",
        format!("Dear GP, about {CANARY}.").repeat(200).as_bytes(),
    )
    .unwrap();
    let key = master_key(&dir, &recovery);

    // The reader works: before destruction the canary is in the decrypted pages, never raw.
    let before = vault_plaintext(&dir, &key);
    assert!(
        before.iter().all(|(_, raw, _)| !contains(raw, CANARY)),
        "encrypted at rest"
    );
    assert!(
        before.iter().any(|(_, _, plain)| contains(plain, CANARY)),
        "the page reader must find the canary before destruction, or this test proves nothing"
    );

    let policy = retention::policy::current(&s).unwrap();
    let certs = retention::destroy(
        &mut s,
        &policy,
        &[Target::parse(&case_ref).unwrap()],
        "Retention period passed; appraised",
        today(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(certs.len(), 1);
    assert_eq!(certs[0].counts.notes, 30);
    assert_eq!(certs[0].counts.addenda, 6);
    assert_eq!(certs[0].counts.attachments, 1);
    assert_eq!(certs[0].initials, "D.C.");
    // While still open, and after lock: nowhere.
    for (name, raw, plain) in vault_plaintext(&dir, &key) {
        assert!(!contains(&raw, CANARY), "{name} raw");
        assert!(!contains(&plain, CANARY), "{name} decrypted");
    }
    assert!(casenotes::search::search(&s, CANARY).unwrap().is_empty());
    s.verify_audit().unwrap();
    s.lock().unwrap();
    for (name, raw, plain) in vault_plaintext(&dir, &key) {
        assert!(
            !contains(&raw, CANARY) && !contains(&plain, CANARY),
            "{name} after lock"
        );
    }
    // The certificate holds no name and no content.
    let text = serde_json::to_string(&certs[0]).unwrap();
    assert!(
        !text.contains("Destroy") && !text.contains(CANARY),
        "{text}"
    );
}

#[test]
fn refusals_name_the_rule_and_change_nothing() {
    let v = TestVault::empty();
    v.init();
    let pass = v.secret_file("pass", PASSPHRASE);
    let p = pass.to_str().unwrap();
    for args in [
        vec![
            "client",
            "add",
            "--given",
            "Recent",
            "--family",
            "End",
            "--status",
            "ended",
            "--started",
            "2020-01-01",
            "--ended",
            "2024-01-01",
        ],
        vec![
            "client",
            "add",
            "--given",
            "On",
            "--family",
            "Hold",
            "--status",
            "ended",
            "--started",
            "2001-01-01",
            "--ended",
            "2005-01-01",
            "--legal-hold",
            "solicitor's letter",
        ],
        vec![
            "client",
            "add",
            "--given",
            "Still",
            "--family",
            "Seeing",
            "--status",
            "active",
            "--started",
            "2001-01-01",
        ],
    ] {
        let mut a = args.clone();
        a.extend(["--passphrase-file", p]);
        assert_success(&v.cli(&a));
    }
    let before = stdout(&v.cli(&["client", "list", "--passphrase-file", p]));
    for (r, says) in [
        ("C-0001", "kept until 1 January 2031"),
        ("C-0002", "legal hold"),
        ("C-0003", "not due at all"),
        ("C-0099", "no client"),
    ] {
        let out = v.cli(&[
            "retention",
            "destroy",
            r,
            "--reason",
            "test",
            "--passphrase-file",
            p,
        ]);
        let code = code(&out);
        assert!(
            code == 6 || (r == "C-0099" && code == 1),
            "{r}: {code} {}",
            stderr(&out)
        );
        assert!(
            stderr(&out).to_lowercase().contains(&says.to_lowercase()),
            "{r}: {}",
            stderr(&out)
        );
    }
    let out = v.cli(&[
        "retention",
        "destroy",
        "C-0002",
        "--reason",
        "test",
        "--as-of",
        "2099-01-01",
        "--passphrase-file",
        p,
    ]);
    assert_eq!(code(&out), 6, "{}", stderr(&out));
    assert!(stderr(&out).contains("future"));
    assert_eq!(
        stdout(&v.cli(&["client", "list", "--passphrase-file", p])),
        before
    );
    let reg = v.cli(&["retention", "register", "--json", "--passphrase-file", p]);
    assert_eq!(stdout(&reg).trim(), "[]");

    // The due list shows the hold for what it is.
    let due = v.cli(&["retention", "due", "--json", "--passphrase-file", p]);
    let json: serde_json::Value = serde_json::from_slice(&due.stdout).unwrap();
    let items = json["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{json}");
    assert_eq!(items[0]["case_ref"], "C-0002");
    assert_eq!(items[0]["due"], false);
    assert_eq!(items[0]["held_by"]["kind"], "legal_hold");
}

#[test]
fn the_register_is_chained_to_the_audit_log_and_prints() {
    let v = TestVault::empty();
    v.init();
    let pass = v.secret_file("pass", PASSPHRASE);
    let p = pass.to_str().unwrap();
    assert_success(&v.cli(&[
        "client",
        "add",
        "--given",
        "Old",
        "--family",
        "Client",
        "--status",
        "ended",
        "--started",
        "2001-01-01",
        "--ended",
        "2005-01-01",
        "--passphrase-file",
        p,
    ]));
    assert_success(&v.cli(&[
        "client",
        "add",
        "--given",
        "Older",
        "--family",
        "Client",
        "--status",
        "ended",
        "--started",
        "2001-01-01",
        "--ended",
        "2004-01-01",
        "--passphrase-file",
        p,
    ]));
    let out = v.cli(&[
        "retention",
        "destroy",
        "C-0001",
        "C-0002",
        "--reason",
        "Retention period passed",
        "--passphrase-file",
        p,
    ]);
    assert_success(&out);
    let html = v.tmp.path().join("register.html");
    let reg = v.cli(&[
        "retention",
        "register",
        "--html",
        html.to_str().unwrap(),
        "--json",
        "--passphrase-file",
        p,
    ]);
    assert_success(&reg);
    let certs: serde_json::Value = serde_json::from_slice(&reg.stdout).unwrap();
    assert_eq!(certs.as_array().unwrap().len(), 2);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("C-0001")
            && page.contains("O.C.")
            && !page.contains("Older")
            && !page.contains("<script")
    );
    assert_success(&v.cli(&["audit", "verify", "--passphrase-file", p]));

    // Tampering with a certificate (triggers dropped, as someone with the key could) is found.
    let s = Vault::open(&v.dir)
        .unwrap()
        .unlock(Unlock::Passphrase(&passphrase(PASSPHRASE)))
        .unwrap();
    s.conn()
        .unwrap()
        .execute_batch(
            "DROP TRIGGER destruction_register_no_update;
             UPDATE destruction_register SET reason = 'nothing to see' WHERE seq = 1;",
        )
        .unwrap();
    s.lock().unwrap();
    let out = v.cli(&["audit", "verify", "--passphrase-file", p]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("destruction register"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn restoring_an_older_backup_never_brings_a_destroyed_record_back() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vault");
    let out = tmp.path().join("backups");
    std::fs::create_dir(&out).unwrap();
    let mut s = Vault::create(&dir, &passphrase(PASSPHRASE))
        .unwrap()
        .session;
    let (id, case_ref) = ended_client(&mut s, "Gone", d(2010, 1, 1));
    let n = notes::create(&mut s, id, NoteKind::Session, Template::Free, "", false).unwrap();
    notes::save_draft(&mut s, n.id, CANARY).unwrap();
    ended_client(&mut s, "Stays", today());
    let older = s.back_up(&out, 10, &mut |_| {}).unwrap();
    let policy = retention::policy::current(&s).unwrap();
    retention::destroy(
        &mut s,
        &policy,
        &[Target::parse(&case_ref).unwrap()],
        "Period passed",
        today(),
        &mut |_| {},
    )
    .unwrap();
    s.lock().unwrap();

    // 1. Replacing the vault: the replaced vault's register is applied.
    let (restored, r) = backup::restore(
        Path::new(&older.path),
        Unlock::Passphrase(&passphrase(PASSPHRASE)),
        &dir,
        true,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(restored.destroyed_again.len(), 1, "{restored:?}");
    assert_eq!(restored.destroyed_again[0].case_ref, case_ref);
    assert!(clients::id_for(&r, &case_ref).is_err(), "not resurrected");
    assert!(casenotes::search::search(&r, CANARY).unwrap().is_empty());
    assert_eq!(
        retention::register::list(r.conn().unwrap()).unwrap().len(),
        1
    );
    r.verify_audit().unwrap();
    // A newer backup made after the destruction.
    let mut r = r;
    r.back_up(&out, 10, &mut |_| {}).unwrap();
    r.lock().unwrap();

    // 2. Into a new folder, nothing replaced: the newer backup in the same folder tells.
    let fresh = tmp.path().join("fresh");
    let (restored, r) = backup::restore(
        Path::new(&older.path),
        Unlock::Passphrase(&passphrase(PASSPHRASE)),
        &fresh,
        false,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(restored.destroyed_again.len(), 1, "{restored:?}");
    assert!(restored.destroyed_again[0]
        .reapplied_from
        .as_deref()
        .unwrap()
        .contains("newer backup"));
    assert!(clients::id_for(&r, &case_ref).is_err());
    r.verify_audit().unwrap();
    r.lock().unwrap();
}

/// The child side of the kill test: destroys one record, then says so.
#[test]
#[ignore = "child process of killing_a_destruction_destroys_all_or_nothing"]
fn destroy_child() {
    let Some(dir) = std::env::var_os("CASENOTES_DESTROY_CHILD") else {
        return;
    };
    let mut s = Vault::open(Path::new(&dir))
        .unwrap()
        .unlock(Unlock::Passphrase(&passphrase(PASSPHRASE)))
        .unwrap();
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "UNLOCKED").unwrap();
    stdout.flush().unwrap();
    let policy = retention::policy::current(&s).unwrap();
    retention::destroy(
        &mut s,
        &policy,
        &[Target::parse("C-0001").unwrap()],
        "Period passed",
        today(),
        &mut |_| {},
    )
    .unwrap();
    writeln!(stdout, "DESTROYED").unwrap();
    stdout.flush().unwrap();
    s.lock().unwrap();
}

#[test]
fn killing_a_destruction_destroys_all_or_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let template = tmp.path().join("template");
    let mut s = Vault::create(&template, &passphrase(PASSPHRASE))
        .unwrap()
        .session;
    let (id, _) = ended_client(&mut s, "Many", d(2010, 1, 1));
    for i in 0..300 {
        let n = notes::create(&mut s, id, NoteKind::Session, Template::Free, "", false).unwrap();
        notes::save_draft(
            &mut s,
            n.id,
            &format!("Session {i}. {}", "Long reflective prose. ".repeat(60)),
        )
        .unwrap();
        notes::sign(&mut s, n.id).unwrap();
    }
    s.lock().unwrap();
    let rounds: u64 = std::env::var("CASENOTES_DESTROY_KILL_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(5);
    let (mut all, mut nothing) = (0, 0);
    for round in 0..rounds {
        let dir = tmp.path().join(format!("round-{round}"));
        copy_dir(&template, &dir);
        let (mut child, _output) = spawn_child_test(
            "destroy_child",
            &[("CASENOTES_DESTROY_CHILD", dir.as_os_str())],
            "UNLOCKED",
        );
        std::thread::sleep(Duration::from_millis((round * 29) % 120));
        child.kill().unwrap();
        child.wait().unwrap();
        let s = Vault::open(&dir)
            .unwrap()
            .unlock(Unlock::Passphrase(&passphrase(PASSPHRASE)))
            .unwrap();
        s.verify_audit().unwrap();
        casenotes::db::integrity_check(s.conn().unwrap()).unwrap();
        let notes_left: i64 = s
            .conn()
            .unwrap()
            .query_row("SELECT count(*) FROM notes", [], |r| r.get(0))
            .unwrap();
        let certs = retention::register::list(s.conn().unwrap()).unwrap();
        match (notes_left, certs.len()) {
            (300, 0) => nothing += 1,
            (0, 1) => all += 1,
            other => panic!("round {round}: half a destruction: {other:?}"),
        }
        s.lock().unwrap();
    }
    eprintln!("destruction killed {rounds} times: {all} complete, {nothing} not started");
}

#[test]
fn after_a_destruction_older_backups_are_named_and_can_be_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("drive");
    std::fs::create_dir(&out).unwrap();
    let mut s = Vault::create(&tmp.path().join("vault"), &passphrase(PASSPHRASE))
        .unwrap()
        .session;
    backup::configure(
        &mut s,
        &backup::BackupSettings {
            folder: Some(out.to_string_lossy().into_owned()),
            every_hours: 24,
            keep: 10,
            on_lock: true,
        },
    )
    .unwrap();
    let (_, case_ref) = ended_client(&mut s, "Gone", d(2010, 1, 1));
    let first = backup::back_up_configured(&mut s, &mut |_| {}).unwrap();
    let second = backup::back_up_configured(&mut s, &mut |_| {}).unwrap();
    assert!(
        backup::holding_destroyed(&s).unwrap().is_empty(),
        "nothing destroyed yet"
    );
    let policy = retention::policy::current(&s).unwrap();
    retention::destroy(
        &mut s,
        &policy,
        &[Target::parse(&case_ref).unwrap()],
        "Period passed",
        today(),
        &mut |_| {},
    )
    .unwrap();
    let mut holding: Vec<String> = backup::holding_destroyed(&s)
        .unwrap()
        .into_iter()
        .map(|b| b.file_name)
        .collect();
    holding.sort();
    let mut expected = vec![first.file_name.clone(), second.file_name.clone()];
    expected.sort();
    assert_eq!(holding, expected);
    let (fresh, removed) = backup::replace_holding_destroyed(&mut s, &mut |_| {}).unwrap();
    assert_eq!(removed.len(), 2);
    assert!(!Path::new(&first.path).exists() && !Path::new(&second.path).exists());
    assert!(Path::new(&fresh.path).exists());
    assert!(backup::holding_destroyed(&s).unwrap().is_empty());
    s.lock().unwrap();
}
