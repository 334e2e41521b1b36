//! Subject-access bundles and supervision extracts, through the core and the CLI, checked with
//! tools that are not casenotes: the Go `age` (and `age-keygen`), `tar`, and Python's
//! `jsonschema` validating `data.json` against the schema the bundle carries.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use casenotes::domain::after_death::{self, WishesDetails};
use casenotes::domain::appointments::{self, AppointmentDetails, Attendance, Mode};
use casenotes::domain::attachments;
use casenotes::domain::capacity::{self, CapacityDetails, CapacityOutcome, FunctionalPoint};
use casenotes::domain::clients::{self, ClientDetails, ClientStatus};
use casenotes::domain::consents::{self, ConsentKind, NewConsent};
use casenotes::domain::disclosures::{self, ClientTold, LegalBasis, NewDisclosure, Recipient};
use casenotes::domain::measures::{self, MeasureKind};
use casenotes::domain::notes::{self, NoteKind, Template};
use casenotes::domain::requests::{self, NewRequest, RequestKind};
use casenotes::domain::risk::{self, DomainStatus, RiskContent, RiskDomain};
use casenotes::domain::safety_plan::{self, SafetyPlanContent};
use casenotes::export::sar::{self, Protection, Withhold, WithholdReason, WithholdTarget};
use casenotes::vault::Session;
use common::*;
use sha2::{Digest, Sha256};

const BUNDLE_PASSPHRASE: &str = "tangerine lighthouse quietly";
const WITHHELD_NOTE: &str = "Her brother Marcus Whitfield-Ong told me about his conviction";
const WITHHELD_ADDENDUM: &str = "Marcus later asked me not to repeat this";
const REDACTED: &str = "her sister Philippa's diagnosis";
const WITHHELD_ATTACHMENT: &[u8] = b"Letter from Marcus Whitfield-Ong's solicitor, confidential";
const WITHHELD_DISCLOSURE: &str = "Safeguarding referral naming her nephew Ezekiel Brannagh-Stoltz";
const WITHHELD_DISCLOSURE_WHY: &str = "Concern for Ezekiel's safety at his father's home";

struct Practice {
    client_id: i64,
    plain_note: i64,
    withheld_note: i64,
    redacted_note: i64,
    /// The client's access request, received and identity checked.
    request: i64,
    /// A disclosure naming someone else, to withhold.
    withheld_disclosure: i64,
}

/// One client with everything a bundle holds: details, an appointment, a signed note with an
/// addendum, a third-party note (with an addendum and an attachment), a note with a passage to
/// redact, a document on file, and one of every other kind of record: a consent, two
/// disclosures (one to withhold), an access request, two measures (one entered in error), a
/// signed risk assessment with an addendum and a draft, a safety plan, a capacity decision and
/// wishes after death.
fn practice(s: &mut Session) -> Practice {
    let mut d = ClientDetails::named("Sarah", "Okonkwo");
    d.status = ClientStatus::Active;
    d.first_contact_on = Some("2026-01-05".parse().unwrap());
    d.therapy_started_on = Some("2026-01-12".parse().unwrap());
    d.date_of_birth = Some("1990-03-03".parse().unwrap());
    d.email = Some("sarah@example.org".into());
    d.phone = Some("07700 900123".into());
    d.gp_name = Some("Dr Amir Khan".into());
    let client = clients::add(s, d).unwrap();
    appointments::add(
        s,
        AppointmentDetails {
            client_id: client.id,
            starts_at: "2026-01-12T10:00:00Z".parse().unwrap(),
            minutes: 50,
            mode: Mode::InPerson,
            attendance: Attendance::Attended,
            fee_pence: Some(6000),
            paid: true,
        },
    )
    .unwrap();
    let mut note = |body: &str, third_party: bool| {
        let n = notes::create(
            s,
            client.id,
            NoteKind::Session,
            Template::Free,
            body,
            third_party,
        )
        .unwrap();
        notes::sign(s, n.id).unwrap().id
    };
    let plain_note = note("First session. Talked about work and sleep.", false);
    let withheld_note = note(WITHHELD_NOTE, true);
    let redacted_note = note(
        &format!("Worried about {REDACTED}; low mood this week."),
        true,
    );
    notes::add_addendum(
        s,
        plain_note,
        "Date of next session",
        "Next session in two weeks.",
    )
    .unwrap();
    notes::add_addendum(s, withheld_note, "Added later", WITHHELD_ADDENDUM).unwrap();
    attachments::add(
        s,
        client.id,
        Some(withheld_note),
        "solicitor.txt",
        WITHHELD_ATTACHMENT,
    )
    .unwrap();
    attachments::add(
        s,
        client.id,
        None,
        "../Consent form (signed).pdf",
        b"%PDF-1.4 consent",
    )
    .unwrap();
    let today = chrono::Local::now().date_naive();
    let on = |d: &str| -> chrono::NaiveDate { d.parse().unwrap() };
    consents::add(
        s,
        client.id,
        NewConsent {
            kind: ConsentKind::ShareWithGp,
            given_on: on("2026-01-12"),
            scope: Some("Letters to her GP about attendance only".into()),
            evidence_attachment_id: None,
            destroy_recording_by: None,
        },
    )
    .unwrap();
    disclosures::add(
        s,
        client.id,
        NewDisclosure {
            disclosed_on: on("2026-02-02"),
            recipient: Recipient {
                name: "Dr Amir Khan".into(),
                role: Some("GP".into()),
                organisation: Some("Elm Street Surgery".into()),
            },
            what_shared: "Dates of sessions attended in January".into(),
            legal_basis: LegalBasis::ClientConsent,
            client_told: ClientTold::Yes {
                on: on("2026-02-02"),
            },
            rationale: "She asked for the letter to support her sick note".into(),
            corrects_id: None,
            correction_note: None,
        },
    )
    .unwrap();
    let withheld_disclosure = disclosures::add(
        s,
        client.id,
        NewDisclosure {
            disclosed_on: on("2026-02-09"),
            recipient: Recipient {
                name: "Ingrid Vasquez-Lindqvist".into(),
                role: Some("Duty social worker".into()),
                organisation: None,
            },
            what_shared: WITHHELD_DISCLOSURE.into(),
            legal_basis: LegalBasis::SafeguardingChild,
            client_told: ClientTold::No {
                reason: "Telling her would put the child at risk".into(),
            },
            rationale: WITHHELD_DISCLOSURE_WHY.into(),
            corrects_id: None,
            correction_note: None,
        },
    )
    .unwrap()
    .id;
    let request = requests::add(
        s,
        client.id,
        NewRequest {
            kind: RequestKind::Access,
            received_on: on("2026-03-02"),
            identity_checked_on: Some(on("2026-03-02")),
            details: Some("A copy of everything you hold about me".into()),
        },
    )
    .unwrap()
    .id;
    measures::add(s, client.id, MeasureKind::Phq9, on("2026-01-12"), &[1; 9]).unwrap();
    let wrong = measures::add(
        s,
        client.id,
        MeasureKind::Gad7,
        on("2026-01-12"),
        &[0, 1, 2, 1, 0, 1, 2],
    )
    .unwrap();
    measures::mark_entered_in_error(s, wrong.id, "Scored from another form").unwrap();
    let mut content = RiskContent::default();
    for d in &mut content.domains {
        if d.domain == RiskDomain::Suicide {
            d.status = DomainStatus::NoConcerns;
            d.history = "Passing thoughts at university, none since".into();
        }
    }
    content.overall_concern = "Low; no current thoughts of ending her life".into();
    content.review_on = Some(today + chrono::Days::new(28));
    let signed = risk::create(s, client.id, content).unwrap();
    risk::sign(s, signed.id, today).unwrap();
    risk::add_addendum(
        s,
        signed.id,
        "Review date",
        "Review brought forward to April",
    )
    .unwrap();
    let draft = RiskContent {
        overall_concern: "Draft after her move, to finish".into(),
        ..RiskContent::default()
    };
    risk::create(s, client.id, draft).unwrap();
    safety_plan::save(
        s,
        client.id,
        SafetyPlanContent {
            warning_signs: "Not sleeping; skipping meals".into(),
            reasons_for_living: "My dog Biscuit".into(),
            ..SafetyPlanContent::default()
        },
    )
    .unwrap();
    let point = |e: &str| FunctionalPoint {
        able: true,
        evidence: e.into(),
    };
    capacity::add(
        s,
        client.id,
        CapacityDetails {
            decision: "Whether to share her notes with her GP".into(),
            assessed_on: on("2026-01-12"),
            impairment: String::new(),
            understand: point("Explained the letter back in her own words"),
            retain: point("Remembered it the next week"),
            use_or_weigh: point("Weighed the pros and cons"),
            communicate: point("Said so clearly"),
            outcome: CapacityOutcome::HasCapacity,
            consulted: String::new(),
            best_interest: String::new(),
            review_on: None,
        },
        today,
    )
    .unwrap();
    after_death::set(
        s,
        client.id,
        WishesDetails {
            wishes: "Destroy my notes when I die".into(),
            who_may_see: "No one".into(),
            who_may_not_see: "My former partner".into(),
            recorded_on: on("2026-02-16"),
        },
        today,
    )
    .unwrap();
    Practice {
        client_id: client.id,
        plain_note,
        withheld_note,
        redacted_note,
        request,
        withheld_disclosure,
    }
}

/// Runs the Go `age -d` with a passphrase. age reads passphrases only from a terminal, so it
/// runs under `script`, which gives it one and feeds it our standard input.
fn age_decrypt_with_passphrase(file: &Path, out: &Path, passphrase: &str) -> bool {
    let cmd = format!("age -d -o '{}' '{}'", out.display(), file.display());
    let mut child = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script(1) from util-linux");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{passphrase}\n").as_bytes())
        .unwrap();
    child.wait_with_output().unwrap().status.success()
}

fn untar(tar_file: &Path, into: &Path) {
    std::fs::create_dir_all(into).unwrap();
    let out = Command::new("tar")
        .arg("-xf")
        .arg(tar_file)
        .arg("-C")
        .arg(into)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn relative_files(dir: &Path) -> Vec<String> {
    files_under(dir)
        .into_iter()
        .map(|p| p.strip_prefix(dir).unwrap().to_string_lossy().into_owned())
        .collect()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Every byte of every file (and of the decrypted tar itself) is free of each withheld text, in
/// plain, HTML-escaped and JSON-escaped form, and of a few distinctive words of each.
fn assert_nothing_withheld(files: &[PathBuf], passage_too: bool) {
    let texts: &[&str] = if passage_too {
        &[WITHHELD_NOTE, WITHHELD_ADDENDUM, REDACTED]
    } else {
        &[WITHHELD_NOTE, WITHHELD_ADDENDUM]
    };
    let words: &[&str] = if passage_too {
        &[
            "Marcus",
            "Whitfield",
            "Philippa",
            "conviction",
            "solicitor, confidential",
        ]
    } else {
        &[
            "Marcus",
            "Whitfield",
            "conviction",
            "solicitor, confidential",
        ]
    };
    let needles: Vec<Vec<u8>> = texts
        .iter()
        .flat_map(|t| {
            [
                t.to_string(),
                t.replace('\'', "&#39;"),
                serde_json::to_string(t)
                    .unwrap()
                    .trim_matches('"')
                    .to_owned(),
            ]
        })
        .chain(words.iter().map(|w| w.to_string()))
        .map(String::into_bytes)
        .chain(std::iter::once(WITHHELD_ATTACHMENT.to_vec()))
        .collect();
    for f in files {
        let bytes = std::fs::read(f).unwrap();
        for n in &needles {
            assert!(
                !contains(&bytes, n),
                "{} holds withheld text {:?}",
                f.display(),
                String::from_utf8_lossy(n)
            );
        }
    }
}

fn python() -> PathBuf {
    python_with_sqlcipher()
}

/// Validates `data` against `schema` with Python's jsonschema; returns (ok, output).
fn validate(schema: &Path, data: &Path) -> (bool, String) {
    let script = "import json,sys,jsonschema\n\
schema=json.load(open(sys.argv[1])); data=json.load(open(sys.argv[2]))\n\
cls=jsonschema.validators.validator_for(schema); cls.check_schema(schema)\n\
cls(schema, format_checker=cls.FORMAT_CHECKER).validate(data)\n\
print(cls.__name__)";
    let out = Command::new(python())
        .args(["-c", script])
        .arg(schema)
        .arg(data)
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn a_bundle_opens_with_the_stock_age_tool_and_holds_everything_but_what_was_withheld() {
    let v = TestVault::empty();
    v.init();
    let mut s = unlocked(&v);
    let p = practice(&mut s);
    let out = v.tmp.path().join("C-0001-sar.age");
    let bundle_pass = passphrase(BUNDLE_PASSPHRASE);
    let decisions = [
        Withhold {
            target: WithholdTarget::Note {
                note_id: p.withheld_note,
            },
            reason: WithholdReason::ThirdParty,
            comment: Some("Brother has not consented".into()),
        },
        Withhold {
            target: WithholdTarget::Passage {
                note_id: p.redacted_note,
                text: REDACTED.into(),
            },
            reason: WithholdReason::ThirdParty,
            comment: None,
        },
        Withhold {
            target: WithholdTarget::Disclosure {
                disclosure_id: p.withheld_disclosure,
            },
            reason: WithholdReason::ThirdParty,
            comment: Some("Names the nephew".into()),
        },
    ];
    let candidates = sar::review_candidates(&s, p.client_id).unwrap();
    let disclosed = sar::disclosure_candidates(&s, p.client_id).unwrap();
    assert_eq!(disclosed.len(), 2);
    assert_eq!(disclosed[1].id, p.withheld_disclosure);
    assert_eq!(
        candidates.iter().map(|c| c.note.id).collect::<Vec<_>>(),
        vec![p.withheld_note, p.redacted_note]
    );
    let mut stages = Vec::new();
    let made = sar::export(
        &mut s,
        &sar::ExportRequest {
            client_id: p.client_id,
            request_id: p.request,
            withhold: &decisions,
            protection: Protection::Passphrase(&bundle_pass),
            out: &out,
        },
        &mut |pr| stages.push(pr.stage),
    )
    .unwrap();
    assert_eq!(made.files, 5, "{made:?}");
    assert_eq!(stages.last(), Some(&sar::SarStage::Done));
    // The request it answers is now completed in the register.
    assert!(made.request_completed, "{made:?}");
    assert!(requests::get(&s, p.request).unwrap().completed_on.is_some());

    // The Go age tool decrypts it; tar opens what is inside.
    let raw = std::fs::read(&out).unwrap();
    assert!(raw.starts_with(b"age-encryption.org/v1\n-> scrypt "));
    let header = String::from_utf8_lossy(&raw[..200]);
    assert!(header.lines().nth(1).unwrap().ends_with(" 18"), "{header}");
    let work = v.tmp.path().join("opened");
    std::fs::create_dir(&work).unwrap();
    let tar_file = work.join("bundle.tar");
    assert!(age_decrypt_with_passphrase(
        &out,
        &tar_file,
        BUNDLE_PASSPHRASE
    ));
    let dir = work.join("bundle");
    untar(&tar_file, &dir);
    let mut files = relative_files(&dir);
    files.sort();
    let attachment = "attachments/2-Consent_form__signed_.pdf";
    assert_eq!(
        files,
        [
            attachment,
            "data.json",
            "index.html",
            "manifest.json",
            "schema/data.schema.json"
        ]
    );

    // The manifest: every other file, its size and SHA-256, who made it, for which request.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let listed = manifest["files"].as_array().unwrap();
    assert_eq!(listed.len(), files.len() - 1);
    for f in listed {
        let path = f["path"].as_str().unwrap();
        let bytes = std::fs::read(dir.join(path)).unwrap();
        assert_eq!(f["bytes"].as_u64().unwrap(), bytes.len() as u64, "{path}");
        assert_eq!(
            f["sha256"].as_str().unwrap(),
            hex::encode(Sha256::digest(&bytes)),
            "{path}"
        );
    }
    assert_eq!(manifest["request_reference"], p.request);
    assert_eq!(manifest["generator_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(manifest["build_commit"], casenotes::build_info::GIT_COMMIT);
    assert!(manifest["created_at"].as_str().unwrap().ends_with('Z'));
    let withheld = &manifest["withheld"][0];
    assert_eq!(withheld["reason"], "third_party");
    assert_eq!(
        (
            withheld["notes"].as_u64(),
            withheld["passages"].as_u64(),
            withheld["attachments"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(withheld["disclosures"], 1);

    // data.json validates against the schema in the bundle, which is the committed one.
    let (ok, output) = validate(&dir.join("schema/data.schema.json"), &dir.join("data.json"));
    assert!(ok, "{output}");
    assert_eq!(
        std::fs::read_to_string(dir.join("schema/data.schema.json")).unwrap(),
        std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/sar-data.schema.json")
        )
        .unwrap()
    );
    let data: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("data.json")).unwrap()).unwrap();
    assert_eq!(data["schema_version"], 3);
    // One of every kind of record is there.
    let records = &data["records"];
    for (kind, count) in [
        ("appointments", 1),
        ("notes", 2),
        ("attachments", 1),
        ("consents", 1),
        ("disclosures", 1),
        ("requests", 1),
        ("measures", 2),
        ("risk_assessments", 2),
        ("safety_plans", 1),
        ("capacity_decisions", 1),
        ("after_death_wishes", 1),
    ] {
        assert_eq!(
            records[kind].as_array().map(Vec::len),
            Some(count),
            "{kind}: {}",
            records[kind]
        );
    }
    assert_eq!(records["consents"][0]["kind"], "share_with_gp");
    assert_eq!(records["disclosures"][0]["recipient_name"], "Dr Amir Khan");
    assert_eq!(records["requests"][0]["id"], p.request);
    assert_eq!(records["requests"][0]["kind"], "access");
    let measures = records["measures"].as_array().unwrap();
    assert_eq!(
        measures
            .iter()
            .map(|m| (
                m["name"].as_str().unwrap(),
                m["entered_in_error"].as_bool().unwrap()
            ))
            .collect::<Vec<_>>(),
        vec![("PHQ-9", false), ("GAD-7", true)]
    );
    assert_eq!(
        measures[1]["entered_in_error_reason"],
        "Scored from another form"
    );
    let risks = records["risk_assessments"].as_array().unwrap();
    assert_eq!(
        risks
            .iter()
            .map(|r| r["draft"].as_bool().unwrap())
            .collect::<Vec<_>>(),
        vec![false, true]
    );
    assert_eq!(
        risks[0]["addenda"][0]["body"],
        "Review brought forward to April"
    );
    assert_eq!(
        records["safety_plans"][0]["reasons_for_living"],
        "My dog Biscuit"
    );
    assert_eq!(records["capacity_decisions"][0]["outcome"], "has_capacity");
    assert_eq!(
        records["after_death_wishes"][0]["wishes"],
        "Destroy my notes when I die"
    );
    assert_eq!(data["client"]["date_of_birth"], "1990-03-03");
    let notes = data["records"]["notes"].as_array().unwrap();
    assert_eq!(
        notes
            .iter()
            .map(|n| n["id"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        vec![p.plain_note, p.redacted_note]
    );
    assert_eq!(
        notes[1]["body"],
        "Worried about [withheld: third party without consent]; low mood this week."
    );
    assert_eq!(notes[0]["addenda"][0]["body"], "Next session in two weeks.");
    assert_eq!(data["records"]["appointments"].as_array().unwrap().len(), 1);
    // The validator really validates: a wrong type is refused.
    let mut broken = data.clone();
    broken["schema_version"] = serde_json::json!("one");
    let broken_file = work.join("broken.json");
    std::fs::write(&broken_file, broken.to_string()).unwrap();
    assert!(!validate(&dir.join("schema/data.schema.json"), &broken_file).0);

    // index.html: self-contained, no script, UK dates, every kind of record.
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    for absent in ["<script", "<link", "src=\"http", "url(", "@import"] {
        assert!(
            !html.to_lowercase().contains(absent),
            "index.html has {absent}"
        );
    }
    for present in [
        "Records held about Sarah Okonkwo",
        "3 March 1990",
        "12 January 2026",
        "First session. Talked about work and sleep.",
        "Next session in two weeks.",
        "[withheld: third party without consent]",
        "1 whole note, 1 passage, 1 attached document, 1 record of information shared, because it is information about someone else",
        &format!("href=\"{attachment}\""),
        "Dr Amir Khan",
        // The kinds added in layout 2, in plain words with UK dates.
        "Consents",
        "Letters to her GP about attendance only",
        "Information shared about you",
        "Shared on 2 February 2026",
        "Dates of sessions attended in January",
        "1 record of information shared",
        "Request ",
        "Received on</th><td>2 March 2026",
        "A copy of everything you hold about me",
        "PHQ-9",
        "Entered in error, not counted (Scored from another form)",
        "Risk assessments",
        "Passing thoughts at university, none since",
        "Review brought forward to April",
        "Draft, not yet signed",
        "Draft after her move, to finish",
        "Safety plan",
        "My dog Biscuit",
        "Whether to share her notes with her GP",
        "Explained the letter back in her own words",
        "Destroy my notes when I die",
        "My former partner",
        "16 February 2026",
    ] {
        assert!(html.contains(present), "index.html lacks {present}");
    }

    // Nothing withheld anywhere: not in any extracted file, not in the decrypted stream.
    let mut every = files_under(&dir);
    every.push(tar_file.clone());
    assert_nothing_withheld(&every, true);
    // Nor anything of the withheld disclosure.
    for f in &every {
        let bytes = std::fs::read(f).unwrap();
        for needle in [
            WITHHELD_DISCLOSURE,
            WITHHELD_DISCLOSURE_WHY,
            "Ezekiel",
            "Brannagh",
            "Vasquez-Lindqvist",
            "put the child at risk",
        ] {
            assert!(
                !contains(&bytes, needle.as_bytes()),
                "{} holds {needle}",
                f.display()
            );
        }
    }

    // The vault keeps the log (ids, ranges and reasons) and the audit log the export (ids only).
    let log = sar::exports_for_client(&s, p.client_id).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].request_id, p.request);
    assert_eq!(log[0].withheld_disclosures.len(), 1);
    assert_eq!(
        log[0].withheld_disclosures[0].disclosure_id,
        p.withheld_disclosure
    );
    let items: Vec<(&str, i64)> = log[0]
        .withheld
        .iter()
        .map(|w| (w.item.as_str(), w.note_id))
        .collect();
    assert_eq!(
        items,
        vec![("note", p.withheld_note), ("passage", p.redacted_note)]
    );
    assert_eq!(
        log[0].withheld[0].comment.as_deref(),
        Some("Brother has not consented")
    );
    let (start, end) = log[0].withheld[1].range.unwrap();
    assert_eq!(end - start, REDACTED.len() as u32);
    let entries = casenotes::audit::list(s.conn().unwrap(), None).unwrap();
    let entry = entries.iter().find(|e| e.action == "sar_exported").unwrap();
    let text = serde_json::to_string(entry).unwrap();
    assert!(!text.contains("Marcus") && !text.contains("Philippa") && !text.contains("consented"));
    // The row is final.
    assert!(s
        .conn()
        .unwrap()
        .execute("UPDATE sar_exports SET request_id = 8", [])
        .is_err());
    s.lock().unwrap();
}

#[test]
fn a_passage_repeated_in_a_note_that_is_given_is_refused_and_nothing_is_written() {
    let v = TestVault::empty();
    v.init();
    let mut s = unlocked(&v);
    let p = practice(&mut s);
    let repeat = notes::create(
        &mut s,
        p.client_id,
        NoteKind::Contact,
        Template::Free,
        &format!("Phone call: {REDACTED} again."),
        false,
    )
    .unwrap();
    let out = v.tmp.path().join("refused.age");
    let bundle_pass = passphrase(BUNDLE_PASSPHRASE);
    let err = sar::export(
        &mut s,
        &sar::ExportRequest {
            client_id: p.client_id,
            request_id: p.request,
            withhold: &[Withhold {
                target: WithholdTarget::Passage {
                    note_id: p.redacted_note,
                    text: REDACTED.into(),
                },
                reason: WithholdReason::SeriousHarm,
                comment: None,
            }],
            protection: Protection::Passphrase(&bundle_pass),
            out: &out,
        },
        &mut |_| {},
    )
    .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains(&format!("also appears in note {}", repeat.id)),
        "{message}"
    );
    assert!(!message.contains("Philippa"));
    assert!(!out.exists());
    assert!(relative_files(v.tmp.path())
        .iter()
        .all(|f| !f.contains("partial")));
    assert!(sar::exports_for_client(&s, p.client_id).unwrap().is_empty());
    s.lock().unwrap();
}

fn bundle_via_cli(v: &TestVault, p: &Practice, extra: &[&str]) -> (PathBuf, std::process::Output) {
    let pass = v.secret_file("pass", PASSPHRASE);
    let out = v.tmp.path().join(format!("bundle-{}.age", extra.len()));
    let withheld = p.withheld_note.to_string();
    let request = p.request.to_string();
    let mut args = vec![
        "export-sar",
        "C-0001",
        "--request",
        &request,
        "--out",
        out.to_str().unwrap(),
        "--passphrase-file",
        pass.to_str().unwrap(),
        "--withhold",
        &withheld,
        "--reason",
        "third_party",
        "--note",
        "Brother has not consented",
        "--json",
    ];
    args.extend_from_slice(extra);
    let r = v.cli(&args);
    (out, r)
}

#[test]
fn the_cli_exports_to_a_recipient_key_that_the_go_age_opens_and_verify_checks_it() {
    let v = TestVault::empty();
    v.init();
    let p = {
        let mut s = unlocked(&v);
        let p = practice(&mut s);
        s.lock().unwrap();
        p
    };
    let key = v.tmp.path().join("client-key.txt");
    let keygen = Command::new("age-keygen")
        .arg("-o")
        .arg(&key)
        .output()
        .unwrap();
    assert!(keygen.status.success());
    let key_text = std::fs::read_to_string(&key).unwrap();
    let recipient = key_text
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .unwrap()
        .to_owned();
    let (out, r) = bundle_via_cli(&v, &p, &["--recipient", &recipient]);
    assert_success(&r);
    let made: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(made["protection"], "recipient");
    assert_eq!(made["withheld"][0]["notes"], 1);

    let tar_file = v.tmp.path().join("from-recipient.tar");
    let age = Command::new("age")
        .args(["-d", "-i"])
        .arg(&key)
        .arg("-o")
        .arg(&tar_file)
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        age.status.success(),
        "{}",
        String::from_utf8_lossy(&age.stderr)
    );
    let dir = v.tmp.path().join("from-recipient");
    untar(&tar_file, &dir);
    let mut every = files_under(&dir);
    every.push(tar_file);
    assert_nothing_withheld(&every, false);
    assert!(
        std::fs::read_to_string(dir.join("index.html"))
            .unwrap()
            .contains(REDACTED),
        "only what was withheld is left out"
    );

    let ok = v.cli(&[
        "bundle",
        "verify",
        out.to_str().unwrap(),
        "--identity-file",
        key.to_str().unwrap(),
        "--json",
    ]);
    assert_success(&ok);
    let verified: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(verified["request_reference"], p.request);
    assert_eq!(verified["files"], 5);

    let other = v.tmp.path().join("other-key.txt");
    assert!(Command::new("age-keygen")
        .arg("-o")
        .arg(&other)
        .output()
        .unwrap()
        .status
        .success());
    let wrong = v.cli(&[
        "bundle",
        "verify",
        out.to_str().unwrap(),
        "--identity-file",
        other.to_str().unwrap(),
    ]);
    assert_eq!(code(&wrong), 3, "{}", stderr(&wrong));
    assert!(
        stderr(&wrong).contains("does not open the subject-access bundle"),
        "{}",
        stderr(&wrong)
    );
}

#[test]
fn damaged_bundles_fail_verify_with_exit_5_and_a_wrong_passphrase_is_refused() {
    let v = TestVault::empty();
    v.init();
    let p = {
        let mut s = unlocked(&v);
        let p = practice(&mut s);
        s.lock().unwrap();
        p
    };
    let bp = v.secret_file("bundle-pass", BUNDLE_PASSPHRASE);
    let (out, r) = bundle_via_cli(&v, &p, &["--bundle-passphrase-file", bp.to_str().unwrap()]);
    assert_success(&r);
    let f = out.to_str().unwrap();
    let bpf = bp.to_str().unwrap();
    let ok = v.cli(&["bundle", "verify", f, "--bundle-passphrase-file", bpf]);
    assert_success(&ok);
    assert!(stdout(&ok).contains("is sound: 5 files"), "{}", stdout(&ok));

    let wrong_pass = v.secret_file("wrong", "not the bundle passphrase at all");
    let wrong = v.cli(&[
        "bundle",
        "verify",
        f,
        "--bundle-passphrase-file",
        wrong_pass.to_str().unwrap(),
    ]);
    assert_eq!(code(&wrong), 3);
    assert!(
        stderr(&wrong).contains("That passphrase does not open the subject-access bundle"),
        "{}",
        stderr(&wrong)
    );

    let good = std::fs::read(&out).unwrap();
    let damaged = v.tmp.path().join("damaged.age");
    let check = |bytes: &[u8], expect: &str| {
        let _ = std::fs::remove_file(&damaged);
        std::fs::write(&damaged, bytes).unwrap();
        let r = v.cli(&[
            "bundle",
            "verify",
            damaged.to_str().unwrap(),
            "--bundle-passphrase-file",
            bpf,
        ]);
        assert_eq!(code(&r), 5, "{expect}: {}", stderr(&r));
        assert!(stderr(&r).contains("cannot be trusted"), "{}", stderr(&r));
        assert!(stderr(&r).contains(expect), "{expect}: {}", stderr(&r));
    };
    // A flipped byte in the middle, and near the end.
    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x01;
    check(&flipped, "changed or damaged after it was made");
    let mut late = good.clone();
    let at = late.len() - 5;
    late[at] ^= 0x80;
    check(&late, "damaged");
    // Truncated by half, and cut just before the end.
    check(&good[..good.len() / 2], "");
    check(&good[..good.len() - 1], "");
    // Not a bundle at all.
    check(
        b"hello, this is not a bundle",
        "not an encrypted subject-access bundle",
    );
}

#[test]
fn the_plaintext_folder_is_written_only_when_asked_for_with_a_warning() {
    let v = TestVault::empty();
    v.init();
    let p = {
        let mut s = unlocked(&v);
        let p = practice(&mut s);
        s.lock().unwrap();
        p
    };
    let pass = v.secret_file("pass", PASSPHRASE);
    let folder = v.tmp.path().join("plain-copy");
    let withheld = p.withheld_note.to_string();
    let request = p.request.to_string();
    let r = v.cli(&[
        "export-sar",
        "C-0001",
        "--request",
        &request,
        "--plaintext-folder",
        folder.to_str().unwrap(),
        "--passphrase-file",
        pass.to_str().unwrap(),
        "--withhold",
        &withheld,
        "--reason",
        "serious_harm",
    ]);
    assert_success(&r);
    assert!(
        stderr(&r).contains("WARNING") && stderr(&r).contains("NOT encrypted"),
        "{}",
        stderr(&r)
    );
    assert!(
        stdout(&r).contains("1 note, 1 attachment (serious harm)"),
        "{}",
        stdout(&r)
    );
    let files = relative_files(&folder);
    assert_eq!(files.len(), 5, "{files:?}");
    for f in files_under(&folder) {
        let bytes = std::fs::read(&f).unwrap();
        assert!(
            !contains(&bytes, WITHHELD_NOTE.as_bytes()) && !contains(&bytes, WITHHELD_ATTACHMENT)
        );
    }

    // A reason outside the list, a withholding without a reason, and another client's note.
    let elsewhere = v.tmp.path().join("never-written");
    let elsewhere = elsewhere.to_str().unwrap();
    let bad = v.cli(&[
        "export-sar",
        "C-0001",
        "--request",
        &request,
        "--plaintext-folder",
        elsewhere,
        "--passphrase-file",
        pass.to_str().unwrap(),
        "--withhold",
        &withheld,
        "--reason",
        "embarrassing",
    ]);
    assert_eq!(code(&bad), 6, "{}", stderr(&bad));
    let none = v.cli(&[
        "export-sar",
        "C-0001",
        "--request",
        &request,
        "--plaintext-folder",
        elsewhere,
        "--passphrase-file",
        pass.to_str().unwrap(),
        "--withhold",
        &withheld,
    ]);
    assert_eq!(code(&none), 2, "{}", stderr(&none));
    let foreign = v.cli(&[
        "export-sar",
        "C-0001",
        "--request",
        &request,
        "--plaintext-folder",
        elsewhere,
        "--passphrase-file",
        pass.to_str().unwrap(),
        "--withhold",
        "999",
        "--reason",
        "third_party",
    ]);
    assert_eq!(code(&foreign), 6, "{}", stderr(&foreign));
    assert!(stderr(&foreign).contains("Note 999 is not in this client's file"));
    assert!(!Path::new(elsewhere).exists());
    // A weak bundle passphrase is refused before anything is done.
    let weak = v.secret_file("weak", "password123");
    let (_, r) = bundle_via_cli(
        &v,
        &p,
        &["--bundle-passphrase-file", weak.to_str().unwrap()],
    );
    assert_eq!(code(&r), 2, "{}", stderr(&r));
}

#[test]
fn only_this_clients_access_or_portability_request_is_answered_and_it_is_completed() {
    let v = TestVault::empty();
    v.init();
    let (p, erasure, others, unchecked) = {
        let mut s = unlocked(&v);
        let p = practice(&mut s);
        // An access request whose requester's identity is not yet checked: no copy for it.
        let unchecked = requests::add(
            &mut s,
            p.client_id,
            NewRequest {
                kind: RequestKind::Access,
                received_on: "2026-03-04".parse().unwrap(),
                identity_checked_on: None,
                details: None,
            },
        )
        .unwrap()
        .id;
        let erasure = requests::add(
            &mut s,
            p.client_id,
            NewRequest {
                kind: RequestKind::Erasure,
                received_on: "2026-03-03".parse().unwrap(),
                identity_checked_on: None,
                details: None,
            },
        )
        .unwrap()
        .id;
        let other = clients::add(&mut s, ClientDetails::named("Tom", "Other")).unwrap();
        let others = requests::add(
            &mut s,
            other.id,
            NewRequest {
                kind: RequestKind::Access,
                received_on: "2026-03-03".parse().unwrap(),
                identity_checked_on: None,
                details: None,
            },
        )
        .unwrap()
        .id;
        // The desktop screen offers only the client's open access requests.
        let open = sar::open_copy_requests(&s, p.client_id).unwrap();
        assert_eq!(
            open.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![p.request]
        );
        s.lock().unwrap();
        (p, erasure, others, unchecked)
    };
    let pass = v.secret_file("pass", PASSPHRASE);
    let export = |request: &str, folder: &str| {
        let folder = v.tmp.path().join(folder);
        let r = v.cli(&[
            "export-sar",
            "C-0001",
            "--request",
            request,
            "--plaintext-folder",
            folder.to_str().unwrap(),
            "--passphrase-file",
            pass.to_str().unwrap(),
        ]);
        (r, folder)
    };
    for (request, says) in [
        (others.to_string(), "another client's request"),
        (erasure.to_string(), "not for a copy of the records"),
        ("999".to_owned(), "There is no request 999"),
        (unchecked.to_string(), "has not been checked"),
    ] {
        let (r, folder) = export(&request, &format!("refused-{request}"));
        assert_eq!(code(&r), 6, "{}", stderr(&r));
        assert!(stderr(&r).contains(says), "{}", stderr(&r));
        assert!(!folder.exists());
    }

    let (r, _) = export(&p.request.to_string(), "first");
    assert_success(&r);
    assert!(
        stdout(&r).contains(&format!("Request {} marked complete", p.request)),
        "{}",
        stdout(&r)
    );
    {
        let s = unlocked(&v);
        let done = requests::get(&s, p.request).unwrap();
        assert_eq!(done.completed_on, Some(chrono::Local::now().date_naive()));
        assert!(sar::open_copy_requests(&s, p.client_id).unwrap().is_empty());
        s.lock().unwrap();
    }
    // A second copy for a completed request is made; the register is left as it is, and says so.
    let (r, folder) = export(&p.request.to_string(), "second");
    assert_success(&r);
    assert!(folder.join("data.json").exists());
    assert!(
        stdout(&r).contains(&format!("Request {} was NOT marked complete", p.request)),
        "{}",
        stdout(&r)
    );
}

#[test]
fn the_committed_schema_is_the_one_the_code_generates() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/sar-data.schema.json");
    let generated = sar::schema_json();
    let current = std::fs::read_to_string(&committed).unwrap_or_default();
    if current != generated {
        std::fs::write(&committed, &generated).unwrap();
        panic!(
            "schemas/sar-data.schema.json was out of date and has been regenerated: review and commit it"
        );
    }
    assert!(generated.contains("\"schema_version\""));
}

#[test]
fn a_supervision_extract_replaces_names_in_any_case_contacts_and_places() {
    let v = TestVault::empty();
    v.init();
    let note_id = {
        let mut s = unlocked(&v);
        let p = practice(&mut s);
        let n = notes::create(
            &mut s,
            p.client_id,
            NoteKind::Session,
            Template::Free,
            "SARAH arrived late. sarah's manager in Leeds; Okonkwo family from harrogate.\n\n\
             Sarah Okonkwo (born 3 March 1990) emailed from SARAH@example.org and rang on 07700900123. \
             Dr Khan has been told. The annual review is due.",
            false,
        )
        .unwrap();
        s.lock().unwrap();
        n.id
    };
    let pass = v.secret_file("pass", PASSPHRASE);
    let out = v.tmp.path().join("supervision.html");
    let r = v.cli(&[
        "supervision-extract",
        "C-0001",
        "--notes",
        &note_id.to_string(),
        "--out",
        out.to_str().unwrap(),
        "--also-remove",
        "Leeds,Harrogate",
        "--passphrase-file",
        pass.to_str().unwrap(),
        "--json",
    ]);
    assert_success(&r);
    let html = std::fs::read_to_string(&out).unwrap();
    let lower = html.to_lowercase();
    for gone in [
        "sarah",
        "okonkwo",
        "leeds",
        "harrogate",
        "1990",
        "07700",
        "example.org",
        "khan",
    ] {
        assert!(!lower.contains(gone), "{gone} is still in the extract");
    }
    assert!(
        html.contains("C-0001 arrived late. C-0001&#39;s manager in [place]")
            || html.contains("C-0001 arrived late. C-0001's manager in [place]"),
        "{html}"
    );
    assert!(html.contains("annual review"), "whole words only");
    assert!(!html.contains("<script"));
    let made: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert!(made["replaced"].as_u64().unwrap() >= 9, "{made}");
    // Another client's note is refused, and nothing is overwritten.
    let again = v.cli(&[
        "supervision-extract",
        "C-0001",
        "--notes",
        "1",
        "--out",
        out.to_str().unwrap(),
        "--passphrase-file",
        pass.to_str().unwrap(),
    ]);
    assert_eq!(code(&again), 6);
}
