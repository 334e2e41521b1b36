//! Outcome measures through the core and the CLI: scoring at every band boundary of the PHQ-9,
//! GAD-7 and CORE-10 against their published bands, the clinical cut-offs, reliable change at
//! and either side of each threshold, alert items, validation errors (exit 6 from the CLI),
//! records that stay final (in the core and in the database), entries in error, the Today view's
//! alerts, and destruction with the rest of a client's record.

mod common;

use casenotes::audit;
use casenotes::domain::clients::{self, ClientDetails, ClientStatus};
use casenotes::domain::measures::{self, change_between, Change, MeasureKind};
use casenotes::retention::{self, Target};
use casenotes::vault::Session;
use casenotes::Error;
use chrono::{Duration, Local, NaiveDate};
use common::*;

use MeasureKind::{Core10, Gad7, Phq9};

fn d(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn client(s: &mut Session, given: &str, family: &str) -> i64 {
    let mut details = ClientDetails::named(given, family);
    details.status = ClientStatus::Active;
    details.therapy_started_on = Some(d("2026-01-05"));
    clients::add(s, details).unwrap().id
}

/// Item scores adding up to `total`, filled from the first item, each at most `max`, with the
/// alert item (if any) left at 0 so that scoring and alerts are tested apart.
fn items_for(kind: MeasureKind, total: u32) -> Vec<u8> {
    let max = u32::from(kind.max_item_score());
    let mut left = total;
    let mut items = vec![0u8; kind.item_count()];
    let alert = kind.alert_item().map(|n| usize::from(n) - 1);
    let order: Vec<usize> = (0..items.len())
        .filter(|i| Some(*i) != alert)
        .chain(alert)
        .collect();
    for i in order {
        let take = left.min(max);
        items[i] = take as u8;
        left -= take;
    }
    assert_eq!(left, 0, "{total} is more than a {} can score", kind.name());
    items
}

/// The published bands, written out afresh from the sources cited in the module doc:
/// (lowest total, highest total, band).
const PHQ9: &[(u32, u32, &str)] = &[
    (0, 4, "Minimal"),
    (5, 9, "Mild"),
    (10, 14, "Moderate"),
    (15, 19, "Moderately severe"),
    (20, 27, "Severe"),
];
const GAD7: &[(u32, u32, &str)] = &[
    (0, 4, "Minimal"),
    (5, 9, "Mild"),
    (10, 14, "Moderate"),
    (15, 21, "Severe"),
];
const CORE10: &[(u32, u32, &str)] = &[
    (0, 5, "Healthy"),
    (6, 10, "Low level"),
    (11, 14, "Mild"),
    (15, 19, "Moderate"),
    (20, 24, "Moderately severe"),
    (25, 40, "Severe"),
];

#[test]
fn every_band_boundary_scores_as_published_for_all_three_measures() {
    let v = TestVault::empty();
    v.init();
    let mut s = unlocked(&v);
    let id = client(&mut s, "Bea", "Boundary");
    let mut checked = 0;
    for (kind, bands, cut_off) in [(Phq9, PHQ9, 10), (Gad7, GAD7, 8), (Core10, CORE10, 11)] {
        for &(low, high, band) in bands {
            for total in [low, high] {
                let items = items_for(kind, total);
                // Pure scoring…
                assert_eq!(kind.total_of(&items).unwrap(), total);
                assert_eq!(kind.band_of(total), band, "{} {total}", kind.name());
                // …and the same through a stored record.
                let m = measures::add(&mut s, id, kind, d("2026-02-02"), &items).unwrap();
                assert_eq!(
                    (m.total, m.band.as_str()),
                    (total, band),
                    "{} {total}",
                    kind.name()
                );
                assert_eq!(m.above_cut_off, total >= cut_off, "{} {total}", kind.name());
                checked += 1;
            }
        }
        // Either side of the cut-off.
        assert!(!kind.band_of(cut_off - 1).is_empty());
        let below = measures::add(
            &mut s,
            id,
            kind,
            d("2026-02-03"),
            &items_for(kind, cut_off - 1),
        )
        .unwrap();
        let at =
            measures::add(&mut s, id, kind, d("2026-02-03"), &items_for(kind, cut_off)).unwrap();
        assert!(!below.above_cut_off && at.above_cut_off, "{}", kind.name());
    }
    assert_eq!(checked, 2 * (PHQ9.len() + GAD7.len() + CORE10.len()));
    // The published worked examples: the PHQ-9 in Kroenke 2001 scores 0-3 on 9 items, so the
    // most anyone can score is 27 (severe); GAD-7 21; CORE-10 40.
    assert_eq!(
        (Phq9.max_total(), Gad7.max_total(), Core10.max_total()),
        (27, 21, 40)
    );
}

#[test]
fn reliable_change_is_measured_against_the_first_score_at_and_either_side_of_each_threshold() {
    for (kind, threshold, first) in [(Phq9, 6, 15), (Gad7, 4, 12), (Core10, 6, 20)] {
        assert_eq!(kind.reliable_change(), threshold);
        let cases = [
            (first - threshold, Change::ReliableImprovement),
            (first - threshold - 1, Change::ReliableImprovement),
            (first - threshold + 1, Change::NoReliableChange),
            (first, Change::NoReliableChange),
            (first + threshold - 1, Change::NoReliableChange),
            (first + threshold, Change::ReliableDeterioration),
            (first + threshold + 1, Change::ReliableDeterioration),
        ];
        for (total, expected) in cases {
            assert_eq!(
                change_between(kind, first, total),
                expected,
                "{} {first} → {total}",
                kind.name()
            );
        }
    }

    // Stored: each later score compares with the FIRST, not with the one before it.
    let v = TestVault::empty();
    v.init();
    let mut s = unlocked(&v);
    let id = client(&mut s, "Cal", "Change");
    let add = |s: &mut Session, on: &str, total: u32| {
        measures::add(s, id, Phq9, d(on), &items_for(Phq9, total)).unwrap()
    };
    let first = add(&mut s, "2026-01-05", 16);
    let second = add(&mut s, "2026-01-19", 11); // −5 from the first: not reliable
    let third = add(&mut s, "2026-02-02", 10); // −6 from the first (−1 from the second): reliable
    let fourth = add(&mut s, "2026-02-16", 22); // +6: reliable deterioration
    assert_eq!(
        (first.change, first.change_points),
        (Some(Change::FirstScore), None)
    );
    assert_eq!(
        (second.change, second.change_points),
        (Some(Change::NoReliableChange), Some(-5))
    );
    assert_eq!(
        (third.change, third.change_points),
        (Some(Change::ReliableImprovement), Some(-6))
    );
    assert_eq!(
        (fourth.change, fourth.change_points),
        (Some(Change::ReliableDeterioration), Some(6))
    );

    // A score entered later but dated before the first becomes the first.
    let earlier = add(&mut s, "2025-12-20", 13);
    let list = measures::for_client(&s, id).unwrap();
    assert_eq!(
        list.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![earlier.id, first.id, second.id, third.id, fourth.id]
    );
    assert_eq!(list[0].change, Some(Change::FirstScore));
    assert_eq!(
        list[3].change,
        Some(Change::NoReliableChange),
        "10 against 13"
    );
    assert_eq!(
        list[4].change,
        Some(Change::ReliableDeterioration),
        "22 against 13"
    );

    // A first score entered in error no longer counts as the first.
    measures::mark_entered_in_error(&mut s, earlier.id, "Scores were for another client").unwrap();
    let list = measures::for_client(&s, id).unwrap();
    assert_eq!(
        list[0].change, None,
        "an entry in error is compared with nothing"
    );
    assert_eq!(list[1].change, Some(Change::FirstScore));
    assert_eq!(list[3].change, Some(Change::ReliableImprovement));

    let summary = measures::summary(&s, id).unwrap();
    assert_eq!(summary.summaries.len(), 1);
    assert_eq!(summary.summaries[0].count, 4);
    assert_eq!(
        (
            summary.summaries[0].first.id,
            summary.summaries[0].latest.id
        ),
        (first.id, fourth.id)
    );
}

#[test]
fn alert_items_are_phq9_item_9_and_core10_item_6_above_0() {
    let v = TestVault::empty();
    v.init();
    let mut s = unlocked(&v);
    let id = client(&mut s, "Ada", "Alert");
    let other = client(&mut s, "Oli", "Other");

    let quiet = measures::add(
        &mut s,
        id,
        Phq9,
        d("2026-03-01"),
        &[3, 3, 3, 3, 3, 3, 3, 3, 0],
    )
    .unwrap();
    assert_eq!(
        (quiet.total, quiet.alert),
        (24, None),
        "a high total alone is no alert"
    );
    let phq = measures::add(
        &mut s,
        id,
        Phq9,
        d("2026-03-02"),
        &[0, 0, 0, 0, 0, 0, 0, 0, 1],
    )
    .unwrap();
    let a = phq.alert.expect("item 9 scored 1 is an alert");
    assert_eq!(
        (a.item, a.score, phq.total, phq.band.as_str()),
        (9, 1, 1, "Minimal")
    );
    let gad = measures::add(&mut s, id, Gad7, d("2026-03-02"), &[3; 7]).unwrap();
    assert_eq!(gad.alert, None, "the GAD-7 has no alert item");
    let core_quiet = measures::add(
        &mut s,
        id,
        Core10,
        d("2026-03-03"),
        &[4, 4, 4, 4, 4, 0, 4, 4, 4, 4],
    )
    .unwrap();
    assert_eq!(core_quiet.alert, None);
    let core = measures::add(
        &mut s,
        other,
        Core10,
        d("2026-03-04"),
        &[0, 0, 0, 0, 0, 3, 0, 0, 0, 0],
    )
    .unwrap();
    let a = core.alert.expect("CORE-10 item 6 scored 3 is an alert");
    assert_eq!((a.item, a.score), (6, 3));
    let old = measures::add(
        &mut s,
        other,
        Phq9,
        d("2026-01-10"),
        &[0, 0, 0, 0, 0, 0, 0, 0, 2],
    )
    .unwrap();
    let mistaken = measures::add(
        &mut s,
        other,
        Phq9,
        d("2026-03-05"),
        &[0, 0, 0, 0, 0, 0, 0, 0, 3],
    )
    .unwrap();
    measures::mark_entered_in_error(&mut s, mistaken.id, "Typed the wrong row").unwrap();

    // For the Today view: since a date, every client, newest first, errors left out.
    let recent = measures::recent_alerts(&s, d("2026-03-01")).unwrap();
    let got: Vec<(i64, i64, MeasureKind, u8, u8)> = recent
        .iter()
        .map(|a| (a.client_id, a.measure_id, a.kind, a.item, a.score))
        .collect();
    assert_eq!(
        got,
        vec![(other, core.id, Core10, 6, 3), (id, phq.id, Phq9, 9, 1)]
    );
    assert_eq!(
        recent[0].case_ref,
        clients::get(&s, other).unwrap().case_ref
    );
    assert_eq!(recent[1].taken_on, d("2026-03-02"));
    assert_eq!(recent[1].words(), "PHQ-9 item 9 scored 1 on 2 March 2026");
    assert_eq!(
        measures::recent_alerts(&s, d("2026-01-01")).unwrap().len(),
        3
    );
    assert!(recent.iter().all(|a| a.measure_id != old.id));

    // On the client file: the client's own alerts only.
    let file = measures::summary(&s, other).unwrap();
    assert_eq!(
        file.alerts.iter().map(|a| a.measure_id).collect::<Vec<_>>(),
        vec![core.id, old.id]
    );
}

#[test]
fn wrong_item_counts_and_scores_are_refused_in_plain_words_and_nothing_is_saved() {
    let v = TestVault::empty();
    v.init();
    let mut s = unlocked(&v);
    let id = client(&mut s, "Val", "Valid");
    let refused = |r: Result<measures::Measure, Error>| -> String {
        match r.unwrap_err() {
            e @ Error::RecordRule { .. } => {
                assert_eq!(e.exit_code(), 6);
                e.to_string()
            }
            other => panic!("expected a record rule, got {other:?}"),
        }
    };
    let msg = refused(measures::add(&mut s, id, Phq9, d("2026-03-01"), &[1; 8]));
    assert!(
        msg.contains("A PHQ-9 has 9 items, and 8 scores were given"),
        "{msg}"
    );
    let msg = refused(measures::add(&mut s, id, Gad7, d("2026-03-01"), &[1; 9]));
    assert!(msg.contains("GAD-7 has 7 items"), "{msg}");
    let msg = refused(measures::add(
        &mut s,
        id,
        Phq9,
        d("2026-03-01"),
        &[0, 0, 0, 4, 0, 0, 0, 0, 0],
    ));
    assert!(
        msg.contains("Item 4 of the PHQ-9 is out of range: each item is scored 0 to 3"),
        "{msg}"
    );
    let msg = refused(measures::add(
        &mut s,
        id,
        Core10,
        d("2026-03-01"),
        &[0, 0, 0, 0, 0, 0, 0, 0, 0, 5],
    ));
    assert!(
        msg.contains("Item 10 of the CORE-10") && msg.contains("0 to 4"),
        "{msg}"
    );
    // 4 is in range for the CORE-10, though not for the PHQ-9.
    measures::add(&mut s, id, Core10, d("2026-03-01"), &[4; 10]).unwrap();
    let tomorrow = Local::now().date_naive() + Duration::days(1);
    let msg = refused(measures::add(&mut s, id, Phq9, tomorrow, &[0; 9]));
    assert!(msg.contains("cannot be dated in the future"), "{msg}");
    assert!(matches!(
        measures::add(&mut s, 9999, Phq9, d("2026-03-01"), &[0; 9]),
        Err(Error::NotFound { what: "client", .. })
    ));
    assert_eq!(
        measures::for_client(&s, id).unwrap().len(),
        1,
        "only the valid one was saved"
    );
}

#[test]
fn a_recorded_measure_is_final_in_the_core_and_in_the_database() {
    let v = TestVault::empty();
    v.init();
    let mut s = unlocked(&v);
    let id = client(&mut s, "Fin", "Final");
    let m = measures::add(
        &mut s,
        id,
        Phq9,
        d("2026-03-01"),
        &[1, 1, 1, 1, 1, 1, 1, 1, 0],
    )
    .unwrap();

    // No path in the core changes scores; the database refuses whoever asks.
    for sql in [
        "UPDATE measures SET items = '0,0,0,0,0,0,0,0,0' WHERE id = ?1",
        "UPDATE measures SET taken_on = '2026-01-01' WHERE id = ?1",
        "UPDATE measures SET kind = 'gad7' WHERE id = ?1",
        "UPDATE measures SET client_id = client_id WHERE id = ?1",
    ] {
        let err = s.conn().unwrap().execute(sql, [m.id]).unwrap_err();
        assert!(
            err.to_string().contains("cannot be changed"),
            "{sql}: {err}"
        );
    }

    // Entered in error: needs a reason, is kept, and is done once.
    assert!(matches!(
        measures::mark_entered_in_error(&mut s, m.id, "  "),
        Err(Error::RecordRule { .. })
    ));
    let marked =
        measures::mark_entered_in_error(&mut s, m.id, "Client's scores from another week").unwrap();
    let e = marked.entered_in_error.clone().unwrap();
    assert_eq!(e.reason, "Client's scores from another week");
    assert_eq!(
        (marked.total, marked.change),
        (8, None),
        "kept, with its scores, and not compared"
    );
    let again = measures::mark_entered_in_error(&mut s, m.id, "again").unwrap_err();
    assert_eq!(again.exit_code(), 6);
    let err = s
        .conn()
        .unwrap()
        .execute("UPDATE measures SET entered_in_error_at = NULL, entered_in_error_reason = NULL WHERE id = ?1", [m.id])
        .unwrap_err();
    assert!(err.to_string().contains("cannot be changed"), "{err}");
    assert_eq!(measures::get(&s, m.id).unwrap(), marked);
    assert_eq!(
        measures::summary(&s, id).unwrap().summaries.len(),
        0,
        "nothing that counts"
    );

    // The audit log holds ids, never scores or the reason.
    let entries = audit::list(s.conn().unwrap(), None).unwrap();
    let ours: Vec<_> = entries
        .iter()
        .filter(|e| e.action.starts_with("measure_"))
        .collect();
    assert_eq!(
        ours.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        vec!["measure_recorded", "measure_marked_in_error"]
    );
    for e in ours {
        assert_eq!(e.subject.as_deref(), Some(m.id.to_string().as_str()));
        assert_eq!(e.detail, serde_json::json!({ "client_id": id }));
    }
    s.verify_audit().unwrap();
}

#[test]
fn destroying_a_client_record_removes_its_measures() {
    let v = TestVault::empty();
    v.init();
    let mut s = unlocked(&v);
    let mut details = ClientDetails::named("Del", "Destroyed");
    details.status = ClientStatus::Ended;
    details.therapy_started_on = Some(d("2014-01-06"));
    details.therapy_ended_on = Some(d("2015-01-12"));
    let gone = clients::add(&mut s, details).unwrap();
    let kept = client(&mut s, "Kit", "Kept");
    measures::add(&mut s, gone.id, Phq9, d("2014-06-02"), &[1; 9]).unwrap();
    measures::add(
        &mut s,
        gone.id,
        Core10,
        d("2014-06-02"),
        &[0, 0, 0, 0, 0, 1, 0, 0, 0, 0],
    )
    .unwrap();
    measures::add(&mut s, kept, Gad7, d("2026-03-02"), &[1; 7]).unwrap();

    let policy = retention::policy::current(&s).unwrap();
    retention::destroy(
        &mut s,
        &policy,
        &[Target::parse(&gone.case_ref).unwrap()],
        "Retention period passed; appraised",
        Local::now().date_naive(),
        &mut |_| {},
    )
    .unwrap();
    let left: i64 = s
        .conn()
        .unwrap()
        .query_row(
            "SELECT count(*) FROM measures WHERE client_id = ?1",
            [gone.id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 0);
    assert!(measures::recent_alerts(&s, d("2000-01-01"))
        .unwrap()
        .is_empty());
    assert_eq!(measures::for_client(&s, kept).unwrap().len(), 1);
}

#[test]
fn the_cli_records_and_lists_measures_and_refuses_bad_scores_with_exit_6() {
    let v = TestVault::empty();
    v.init();
    let pass = v.secret_file("pass", PASSPHRASE);
    let pass = pass.to_str().unwrap();
    let out = v.cli(&[
        "client",
        "add",
        "--given",
        "Cli",
        "--family",
        "Client",
        "--passphrase-file",
        pass,
    ]);
    assert_success(&out);
    let case_ref = stdout(&out).trim().to_owned();

    let add = |kind: &str, items: &str, on: &str| {
        v.cli(&[
            "measure",
            "add",
            &case_ref,
            "--kind",
            kind,
            "--items",
            items,
            "--on",
            on,
            "--passphrase-file",
            pass,
            "--json",
        ])
    };
    let out = add("phq9", "2,2,2,2,2,2,2,1,0", "2026-01-12");
    assert_success(&out);
    let first: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (first["total"].as_u64(), first["band"].as_str()),
        (Some(15), Some("Moderately severe"))
    );
    assert_eq!(first["change"], "first_score");
    let out = add("phq9", "1,1,1,1,1,1,1,1,1", "2026-02-09");
    assert_success(&out);

    for (items, needle) in [
        ("1,2,0", "A PHQ-9 has 9 items, and 3 scores were given"),
        ("1,2,0,3,1,0,0,2,7", "Item 9 of the PHQ-9 is out of range"),
        ("1,2,x", "whole numbers separated by commas"),
        ("-1,0,0,0,0,0,0,0,0", "whole numbers separated by commas"),
    ] {
        let out = add("phq9", items, "2026-02-10");
        assert_eq!(code(&out), 6, "{items}: {}", stderr(&out));
        let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
        assert_eq!(err["error"]["kind"], "record_rule");
        assert!(
            err["error"]["message"].as_str().unwrap().contains(needle),
            "{items}: {err}"
        );
    }
    let out = add("beck", "1,2", "2026-02-10");
    assert_eq!(code(&out), 6);

    let out = v.cli(&[
        "measure",
        "list",
        &case_ref,
        "--passphrase-file",
        pass,
        "--json",
    ]);
    assert_success(&out);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let measures = list["measures"].as_array().unwrap();
    assert_eq!(measures.len(), 2, "the refused ones were not saved");
    assert_eq!(measures[1]["total"], 9);
    assert_eq!(measures[1]["band"], "Mild");
    assert_eq!(measures[1]["change"], "reliable_improvement");
    assert_eq!(measures[1]["change_points"], -6);
    assert_eq!(list["alerts"].as_array().unwrap().len(), 1);
    assert_eq!(list["alerts"][0]["item"], 9);

    let out = v.cli(&["measure", "list", &case_ref, "--passphrase-file", pass]);
    assert_success(&out);
    let text = stdout(&out);
    assert!(
        text.contains("ALERT: PHQ-9 item 9 scored 1 on 9 February 2026"),
        "{text}"
    );
    assert!(
        text.contains("reliable improvement (-6 since the first)"),
        "{text}"
    );
    assert!(
        text.contains("total 15 of 27  moderately severe  at or above the cut-off (10)"),
        "{text}"
    );
}
