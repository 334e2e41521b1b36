//! Risk: assessments drafted, signed and corrected by addenda; the safety plan's versions and its
//! printable copy; capacity decisions and their review dates; after-death wishes; the reviews
//! the Today view lists; and destruction taking all of it with the client's record. Through the
//! core, the database's own triggers and the CLI.

mod common;

use casenotes::domain::after_death::{self, WishesDetails};
use casenotes::domain::capacity::{self, CapacityDetails, CapacityOutcome, FunctionalPoint};
use casenotes::domain::clients::{self, ClientDetails, ClientStatus};
use casenotes::domain::risk::{self, DomainFormulation, DomainStatus, RiskContent, RiskDomain};
use casenotes::domain::safety_plan::{self, SafetyPlanContent};
use casenotes::retention::{self, Target};
use casenotes::vault::{Session, Vault};
use casenotes::Error;
use chrono::{Duration, NaiveDate};
use common::*;

fn new_vault() -> (tempfile::TempDir, Session) {
    let tmp = tempfile::tempdir().unwrap();
    let created = Vault::create(&tmp.path().join("vault"), &passphrase(PASSPHRASE)).unwrap();
    (tmp, created.session)
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn active(s: &mut Session, given: &str) -> i64 {
    let mut d = ClientDetails::named(given, "Client");
    d.status = ClientStatus::Active;
    d.therapy_started_on = Some("2026-01-12".parse().unwrap());
    clients::add(s, d).unwrap().id
}

fn formulation(review_in_days: i64) -> RiskContent {
    RiskContent {
        domains: vec![
            DomainFormulation {
                status: DomainStatus::Concerns,
                current: "Passive thoughts this week, no plan or intent.".into(),
                history: "One overdose in 2019.".into(),
                protective_factors: "Daughter; job.".into(),
                actions: "Safety plan reviewed together.".into(),
                ..DomainFormulation::blank(RiskDomain::Suicide)
            },
            DomainFormulation {
                status: DomainStatus::NoConcerns,
                ..DomainFormulation::blank(RiskDomain::HarmToOthers)
            },
        ],
        protective_factors: "Engaged in therapy.".into(),
        actions: "GP letter agreed.".into(),
        overall_concern: "Some concern: thoughts have returned with the anniversary.".into(),
        review_on: Some(today() + Duration::days(review_in_days)),
    }
}

fn refused(result: Result<impl std::fmt::Debug, Error>, words: &str) {
    match result {
        Err(e @ Error::RecordRule { .. }) => {
            assert!(e.to_string().contains(words), "{e}");
            assert_eq!(e.exit_code(), 6);
        }
        other => panic!("expected a refusal mentioning '{words}', got {other:?}"),
    }
}

#[test]
fn a_signed_assessment_refuses_every_edit_and_takes_addenda() {
    let (_tmp, mut s) = new_vault();
    let client = active(&mut s, "Ann");
    let draft = risk::create(&mut s, client, RiskContent::default()).unwrap();
    assert!(!draft.is_signed() && !draft.signature_holds);
    assert_eq!(draft.content.domains.len(), 6);
    let draft = risk::save_draft(&mut s, draft.id, formulation(14)).unwrap();
    assert_eq!(
        draft.content.domains[0].history, "One overdose in 2019.",
        "domains are kept in order"
    );
    assert_eq!(draft.content.domains[2].status, DomainStatus::NoConcerns);
    let signed = risk::sign(&mut s, draft.id, today()).unwrap();
    assert!(signed.is_signed() && signed.signature_holds);
    assert_eq!(signed.content_sha256.as_ref().map(String::len), Some(64));

    // The core refuses.
    refused(
        risk::save_draft(&mut s, draft.id, RiskContent::default()),
        "signed",
    );
    refused(risk::sign(&mut s, draft.id, today()), "already signed");
    // The database refuses too, whoever asks.
    let conn = s.conn().unwrap();
    for sql in [
        "UPDATE risk_assessments SET overall_concern = 'none' WHERE id = ?1",
        "UPDATE risk_assessments SET review_on = '2099-01-01' WHERE id = ?1",
        "UPDATE risk_assessments SET signed_at = NULL, content_sha256 = NULL WHERE id = ?1",
    ] {
        let err = conn.execute(sql, [draft.id]).unwrap_err();
        assert!(err.to_string().contains("signed risk assessment"), "{err}");
    }
    assert_eq!(risk::get(&s, draft.id).unwrap(), signed);

    // Corrections are addenda with a reason, final themselves; a draft takes none.
    refused(risk::add_addendum(&mut s, draft.id, " ", "x"), "reason");
    refused(risk::add_addendum(&mut s, draft.id, "why", " "), "empty");
    risk::add_addendum(&mut s, draft.id, "Date", "The overdose was in 2018.").unwrap();
    risk::add_addendum(&mut s, draft.id, "Added", "Sister is also a support.").unwrap();
    let a = risk::get(&s, draft.id).unwrap();
    assert_eq!(a.addenda.len(), 2);
    assert_eq!(a.addenda[0].reason, "Date");
    assert!(a.signature_holds, "addenda do not touch the signed content");
    assert!(s
        .conn()
        .unwrap()
        .execute("UPDATE risk_addenda SET body = 'x'", [])
        .is_err());
    let other = risk::create(&mut s, client, formulation(7)).unwrap();
    refused(risk::add_addendum(&mut s, other.id, "why", "what"), "draft");

    // The hash holds only while the content is what was signed: with the trigger out of the
    // way (as someone editing the file by hand might do), a change is detected.
    let conn = s.conn().unwrap();
    conn.execute_batch("DROP TRIGGER risk_assessments_signed_are_final")
        .unwrap();
    conn.execute(
        "UPDATE risk_assessments SET overall_concern = 'No concern.' WHERE id = ?1",
        [draft.id],
    )
    .unwrap();
    assert!(!risk::get(&s, draft.id).unwrap().signature_holds);
}

#[test]
fn signing_needs_a_formulation_in_words_and_a_review_date() {
    let (_tmp, mut s) = new_vault();
    let client = active(&mut s, "Ben");
    let a = risk::create(&mut s, client, RiskContent::default()).unwrap();
    refused(risk::sign(&mut s, a.id, today()), "no domain assessed");

    let mut c = formulation(7);
    c.domains[0].current.clear();
    c.domains[0].history.clear();
    c.domains[0].protective_factors.clear();
    c.domains[0].actions.clear();
    risk::save_draft(&mut s, a.id, c).unwrap();
    refused(risk::sign(&mut s, a.id, today()), "says nothing");

    let mut c = formulation(7);
    c.overall_concern = "   ".into();
    risk::save_draft(&mut s, a.id, c).unwrap();
    refused(risk::sign(&mut s, a.id, today()), "overall concern");

    let mut c = formulation(7);
    c.review_on = None;
    risk::save_draft(&mut s, a.id, c).unwrap();
    refused(risk::sign(&mut s, a.id, today()), "no review date");

    risk::save_draft(&mut s, a.id, formulation(-1)).unwrap();
    refused(risk::sign(&mut s, a.id, today()), "already past");

    let twice = RiskContent {
        domains: vec![
            DomainFormulation::blank(RiskDomain::Suicide),
            DomainFormulation::blank(RiskDomain::Suicide),
        ],
        ..RiskContent::default()
    };
    refused(risk::save_draft(&mut s, a.id, twice), "twice");
    assert!(!risk::get(&s, a.id).unwrap().is_signed());
    assert!(matches!(
        risk::create(&mut s, 9999, RiskContent::default()),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn the_client_file_shows_the_latest_signed_assessment_and_reviews_fall_due() {
    let (_tmp, mut s) = new_vault();
    let ann = active(&mut s, "Ann");
    let ben = active(&mut s, "Ben");
    let cat = active(&mut s, "Cat");
    let dan = active(&mut s, "Dan");

    // Ann: an older signed assessment, then a newer one; only the newer counts.
    let old = risk::create(&mut s, ann, formulation(2)).unwrap();
    risk::sign(&mut s, old.id, today()).unwrap();
    let new = risk::create(&mut s, ann, formulation(30)).unwrap();
    let new = risk::sign(&mut s, new.id, today()).unwrap();
    // A later draft does not replace the signed one.
    risk::create(&mut s, ann, formulation(1)).unwrap();
    // Ben: review in 5 days. Cat: review in 60 days. Dan: a draft only.
    let b = risk::create(&mut s, ben, formulation(5)).unwrap();
    let b = risk::sign(&mut s, b.id, today()).unwrap();
    let c = risk::create(&mut s, cat, formulation(60)).unwrap();
    risk::sign(&mut s, c.id, today()).unwrap();
    risk::create(&mut s, dan, formulation(3)).unwrap();

    let summary = risk::summary(&s, ann, today()).unwrap();
    assert_eq!(summary.latest_signed.as_ref().map(|a| a.id), Some(new.id));
    assert_eq!(summary.review_in_days, Some(30));
    assert!(!summary.review_overdue);
    assert_eq!(summary.assessments.len(), 3);
    let later = risk::summary(&s, ann, today() + Duration::days(31)).unwrap();
    assert!(later.review_overdue);
    assert_eq!(later.review_in_days, Some(-1));
    assert!(risk::summary(&s, dan, today())
        .unwrap()
        .latest_signed
        .is_none());

    // Within a week: Ben only.
    let due = risk::reviews_due(&s, today(), 7).unwrap();
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!(
        (due[0].client_id, due[0].assessment_id, due[0].overdue),
        (ben, b.id, false)
    );
    assert_eq!(due[0].case_ref, "C-0002");
    assert_eq!(due[0].review_on, today() + Duration::days(5));
    // Ten days on, Ben is overdue and Ann's (old one superseded) is not yet due.
    let due = risk::reviews_due(&s, today() + Duration::days(10), 0).unwrap();
    assert_eq!(due.len(), 1);
    assert!(due[0].overdue);
    // Looking far ahead: Ben, Ann, Cat, soonest first.
    let due = risk::reviews_due(&s, today(), 90).unwrap();
    let order: Vec<i64> = due.iter().map(|d| d.client_id).collect();
    assert_eq!(order, vec![ben, ann, cat]);
    // A client whose therapy has ended has no ongoing review.
    let mut details = clients::get(&s, ben).unwrap().details;
    details.status = ClientStatus::Ended;
    details.therapy_ended_on = Some(today());
    clients::update(&mut s, ben, details).unwrap();
    assert!(risk::reviews_due(&s, today(), 7).unwrap().is_empty());
}

#[test]
fn every_safety_plan_version_is_kept_in_order_and_prints_for_the_client() {
    let (_tmp, mut s) = new_vault();
    let mut d = ClientDetails::named("Josephine", "Bloggs");
    d.preferred_name = Some("Jo".into());
    let client = clients::add(&mut s, d).unwrap();
    assert!(safety_plan::current(&s, client.id).unwrap().is_none());
    refused(
        safety_plan::save(
            &mut s,
            client.id,
            SafetyPlanContent {
                crisis_contacts: String::new(),
                ..SafetyPlanContent::default()
            },
        ),
        "empty",
    );

    let mut plan = SafetyPlanContent {
        warning_signs: "Not sleeping\nStaying in my room".into(),
        reasons_for_living: "My cat, Biscuit".into(),
        ..SafetyPlanContent::default()
    };
    let v1 = safety_plan::save(&mut s, client.id, plan.clone()).unwrap();
    assert_eq!(v1.version, 1);
    assert!(v1.content.crisis_contacts.contains("116 123"));
    // Saving the same again adds nothing.
    assert_eq!(
        safety_plan::save(&mut s, client.id, plan.clone()).unwrap(),
        v1
    );
    plan.people_to_ask = "My sister Kim".into();
    let v2 = safety_plan::save(&mut s, client.id, plan.clone()).unwrap();
    plan.things_i_can_do = "Walk by the river".into();
    let v3 = safety_plan::save(&mut s, client.id, plan).unwrap();
    assert_eq!((v2.version, v3.version), (2, 3));

    let all = safety_plan::versions(&s, client.id).unwrap();
    assert_eq!(
        all.iter().map(|v| v.version).collect::<Vec<_>>(),
        vec![3, 2, 1]
    );
    assert_eq!(all[2], v1, "the first version is kept as it was");
    assert!(all[1].content.things_i_can_do.is_empty());
    assert_eq!(
        safety_plan::current(&s, client.id).unwrap(),
        Some(v3.clone())
    );
    assert_eq!(safety_plan::get(&s, client.id, 2).unwrap(), v2);
    assert!(matches!(
        safety_plan::get(&s, client.id, 9),
        Err(Error::NotFound { .. })
    ));
    // The database keeps versions as they were.
    assert!(s
        .conn()
        .unwrap()
        .execute("UPDATE safety_plan_versions SET warning_signs = 'x'", [])
        .is_err());

    let html = safety_plan::printable_html(&v3, "Jo");
    let lower = html.to_lowercase();
    for forbidden in [
        "<script",
        "javascript:",
        "onload",
        "onclick",
        "http://",
        "https://",
        "<link",
        "<img",
    ] {
        assert!(!lower.contains(forbidden), "{forbidden}");
    }
    for crisis in ["116 123", "111", "option 2", "999", "85258"] {
        assert!(html.contains(crisis), "{crisis}");
    }
    assert!(html.contains("Jo’s safety plan"));
    assert!(!html.contains("Josephine") && !html.contains("Bloggs"));
    assert!(html.contains("<li>Walk by the river</li>"));
    assert!(html.contains("@media print"));
    let saved = chrono::DateTime::parse_from_rfc3339(&v3.saved_at)
        .unwrap()
        .with_timezone(&chrono::Local)
        .format("%-d %B %Y")
        .to_string();
    assert!(html.contains(&saved), "a UK date: {saved}");
}

fn point(able: bool) -> FunctionalPoint {
    FunctionalPoint {
        able,
        evidence: "Explained in plain words; asked back.".into(),
    }
}

fn capacity_details(assessed_on: NaiveDate, review_on: Option<NaiveDate>) -> CapacityDetails {
    CapacityDetails {
        decision: "Whether to share the assessment with the GP".into(),
        assessed_on,
        impairment: "Acute psychotic episode".into(),
        understand: point(true),
        retain: point(false),
        use_or_weigh: point(false),
        communicate: point(true),
        outcome: CapacityOutcome::LacksCapacity,
        consulted: "Mother (next of kin); GP".into(),
        best_interest: "Sharing lets the GP review medication; in line with earlier wishes.".into(),
        review_on,
    }
}

#[test]
fn capacity_decisions_are_reviewed_within_twelve_months_and_wishes_keep_every_version() {
    let (_tmp, mut s) = new_vault();
    let client = active(&mut s, "Eve");
    let assessed = today() - Duration::days(30);

    // Default review date: 12 months after the assessment.
    let c = capacity::add(&mut s, client, capacity_details(assessed, None), today()).unwrap();
    assert_eq!(
        c.details.review_on,
        Some(retention::add_months(assessed, 12))
    );
    // More than 12 months on, or before the assessment: refused.
    refused(
        capacity::add(
            &mut s,
            client,
            capacity_details(
                assessed,
                Some(retention::add_months(assessed, 12) + Duration::days(1)),
            ),
            today(),
        ),
        "within 12 months",
    );
    refused(
        capacity::add(
            &mut s,
            client,
            capacity_details(assessed, Some(assessed - Duration::days(1))),
            today(),
        ),
        "before the assessment",
    );
    // Lacking capacity needs a failed point, an impairment and a best-interest rationale.
    let mut d = capacity_details(assessed, None);
    d.best_interest.clear();
    refused(capacity::add(&mut s, client, d, today()), "best-interest");
    let mut d = capacity_details(assessed, None);
    for p in [
        &mut d.understand,
        &mut d.retain,
        &mut d.use_or_weigh,
        &mut d.communicate,
    ] {
        p.able = true;
    }
    refused(capacity::add(&mut s, client, d, today()), "all four");
    refused(
        capacity::add(
            &mut s,
            client,
            capacity_details(today() + Duration::days(1), None),
            today(),
        ),
        "future",
    );
    // A shorter review is kept, and shows as due.
    let soon = capacity::add(
        &mut s,
        client,
        capacity_details(today(), Some(today() + Duration::days(3))),
        today(),
    )
    .unwrap();
    let due = capacity::reviews_due(&s, today(), 7).unwrap();
    assert_eq!(
        due.len(),
        1,
        "the older assessment of the same decision is superseded"
    );
    assert_eq!(due[0].decision_id, soon.id);
    assert!(!due[0].overdue);
    assert!(capacity::reviews_due(&s, today() + Duration::days(4), 0).unwrap()[0].overdue);
    assert_eq!(capacity::for_client(&s, client).unwrap().len(), 2);
    assert!(s
        .conn()
        .unwrap()
        .execute("UPDATE capacity_decisions SET outcome = 'has_capacity'", [])
        .is_err());

    // After-death wishes: the newest shown, earlier kept.
    assert!(after_death::latest(&s, client).unwrap().is_none());
    let first = after_death::set(
        &mut s,
        client,
        WishesDetails {
            wishes: "Destroy my notes at once.".into(),
            who_may_see: String::new(),
            who_may_not_see: "My brother".into(),
            recorded_on: today() - Duration::days(100),
        },
        today(),
    )
    .unwrap();
    let second = after_death::set(
        &mut s,
        client,
        WishesDetails {
            wishes: "My partner may read the summary.".into(),
            who_may_see: "My partner".into(),
            who_may_not_see: "My brother".into(),
            recorded_on: today(),
        },
        today(),
    )
    .unwrap();
    assert_eq!((first.version, second.version), (1, 2));
    assert_eq!(after_death::latest(&s, client).unwrap(), Some(second));
    assert_eq!(after_death::history(&s, client).unwrap()[1], first);
    refused(
        after_death::set(
            &mut s,
            client,
            WishesDetails {
                wishes: "  ".into(),
                who_may_see: String::new(),
                who_may_not_see: String::new(),
                recorded_on: today(),
            },
            today(),
        ),
        "empty",
    );
}

fn client_rows(s: &Session, client_id: i64) -> Vec<i64> {
    let conn = s.conn().unwrap();
    [
        "SELECT count(*) FROM risk_assessments WHERE client_id = ?1",
        "SELECT count(*) FROM risk_addenda WHERE assessment_id IN (SELECT id FROM risk_assessments WHERE client_id = ?1)",
        "SELECT count(*) FROM safety_plan_versions WHERE client_id = ?1",
        "SELECT count(*) FROM capacity_decisions WHERE client_id = ?1",
        "SELECT count(*) FROM after_death_wishes WHERE client_id = ?1",
    ]
    .iter()
    .map(|sql| conn.query_row(sql, [client_id], |r| r.get(0)).unwrap())
    .collect()
}

fn fill(s: &mut Session, client: i64) {
    let a = risk::create(s, client, formulation(10)).unwrap();
    risk::sign(s, a.id, today()).unwrap();
    risk::add_addendum(s, a.id, "why", "what").unwrap();
    risk::create(s, client, formulation(10)).unwrap();
    safety_plan::save(s, client, SafetyPlanContent::default()).unwrap();
    safety_plan::save(
        s,
        client,
        SafetyPlanContent {
            warning_signs: "x".into(),
            ..SafetyPlanContent::default()
        },
    )
    .unwrap();
    capacity::add(s, client, capacity_details(today(), None), today()).unwrap();
    after_death::set(
        s,
        client,
        WishesDetails {
            wishes: "Destroy.".into(),
            who_may_see: String::new(),
            who_may_not_see: String::new(),
            recorded_on: today(),
        },
        today(),
    )
    .unwrap();
}

#[test]
fn destroying_a_record_destroys_its_risk_records_and_nothing_else() {
    let (_tmp, mut s) = new_vault();
    let ended = |s: &mut Session, given: &str, on: NaiveDate| {
        let mut d = ClientDetails::named(given, "Canary");
        d.status = ClientStatus::Ended;
        d.therapy_started_on = Some("2008-01-01".parse().unwrap());
        d.therapy_ended_on = Some(on);
        let c = clients::add(s, d).unwrap();
        (c.id, c.case_ref)
    };
    let (gone, case_ref) = ended(&mut s, "Gone", "2012-05-01".parse().unwrap());
    let (kept, _) = ended(&mut s, "Kept", today());
    fill(&mut s, gone);
    fill(&mut s, kept);
    assert_eq!(client_rows(&s, gone), vec![2, 1, 2, 1, 1]);

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
    assert_eq!(client_rows(&s, gone), vec![0, 0, 0, 0, 0]);
    assert_eq!(client_rows(&s, kept), vec![2, 1, 2, 1, 1]);
    assert!(risk::reviews_due(&s, today(), 365).unwrap().is_empty());
}

#[test]
fn the_cli_writes_signs_and_refuses_to_edit_a_signed_assessment() {
    let v = TestVault::empty();
    v.init();
    let pass = v.secret_file("pass", PASSPHRASE);
    let pass = pass.to_str().unwrap();
    let cli = |args: &[&str]| {
        let mut all = vec!["--passphrase-file", pass];
        all.extend_from_slice(args);
        v.cli(&all)
    };
    let out = cli(&[
        "client",
        "add",
        "--given",
        "Fay",
        "--family",
        "Field",
        "--preferred",
        "Fi",
        "--status",
        "active",
        "--started",
        "2026-01-12",
    ]);
    assert_success(&out);

    // A template to fill in, then a draft from it.
    let out = cli(&["risk", "template"]);
    assert_success(&out);
    let mut content: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(content["domains"].as_array().unwrap().len(), 6);
    assert!(content.get("score").is_none());
    content["domains"][1]["status"] = "concerns".into();
    content["domains"][1]["current"] = "Scratching when upset.".into();
    content["overall_concern"] = "Low concern; known pattern, no escalation.".into();
    content["review_on"] = (today() + Duration::days(28)).to_string().into();
    let file = v.tmp.path().join("risk.json");
    std::fs::write(&file, content.to_string()).unwrap();
    let out = cli(&[
        "risk",
        "new",
        "C-0001",
        "--file",
        file.to_str().unwrap(),
        "--json",
    ]);
    assert_success(&out);
    let made: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = made["assessment_id"].as_i64().unwrap().to_string();
    assert_eq!(made["signed"], false);

    assert_success(&cli(&[
        "risk",
        "edit",
        &id,
        "--file",
        file.to_str().unwrap(),
    ]));
    let out = cli(&["risk", "sign", &id, "--json"]);
    assert_success(&out);
    let signed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(signed["signed"], true);
    assert_eq!(signed["content_sha256"].as_str().unwrap().len(), 64);

    // Editing a signed assessment: exit 6, a clear message, nothing changed.
    let out = cli(&["risk", "edit", &id, "--file", file.to_str().unwrap()]);
    assert_eq!(code(&out), 6, "{}", stderr(&out));
    assert!(stderr(&out).contains("signed"), "{}", stderr(&out));
    let out = cli(&[
        "risk",
        "edit",
        &id,
        "--file",
        file.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(code(&out), 6);
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["kind"], "record_rule");

    let body = v.tmp.path().join("addendum.txt");
    std::fs::write(&body, "Also pulls hair.").unwrap();
    assert_success(&cli(&[
        "risk",
        "addendum",
        &id,
        "--reason",
        "Omitted",
        "--body-file",
        body.to_str().unwrap(),
    ]));
    let out = cli(&["risk", "show", &id, "--json"]);
    assert_success(&out);
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["addenda"].as_array().unwrap().len(), 1);
    assert_eq!(shown["signature_holds"], true);
    let out = cli(&["risk", "show", &id]);
    assert_success(&out);
    assert!(
        stdout(&out).contains("Self-harm: Concerns"),
        "{}",
        stdout(&out)
    );
    let out = cli(&["risk", "list", "C-0001", "--json"]);
    assert_success(&out);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    let out = cli(&["risk", "due", "--within", "30", "--json"]);
    assert_success(&out);
    let due: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(due["risk"][0]["case_ref"], "C-0001");

    // Safety plan: two versions, then a printable copy of the first.
    let plan = v.tmp.path().join("plan.json");
    std::fs::write(
        &plan,
        r#"{"warning_signs": "Not sleeping", "reasons_for_living": "My nephew"}"#,
    )
    .unwrap();
    assert_success(&cli(&[
        "safety-plan",
        "save",
        "C-0001",
        "--file",
        plan.to_str().unwrap(),
    ]));
    std::fs::write(
        &plan,
        r#"{"warning_signs": "Not sleeping\nSkipping meals", "reasons_for_living": "My nephew"}"#,
    )
    .unwrap();
    assert_success(&cli(&[
        "safety-plan",
        "save",
        "C-0001",
        "--file",
        plan.to_str().unwrap(),
    ]));
    let out = cli(&["safety-plan", "show", "C-0001", "--json"]);
    assert_success(&out);
    let current: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(current["version"], 2);
    assert!(current["content"]["crisis_contacts"]
        .as_str()
        .unwrap()
        .contains("85258"));
    let html = v.tmp.path().join("plan.html");
    let out = cli(&[
        "safety-plan",
        "show",
        "C-0001",
        "--version",
        "1",
        "--html",
        html.to_str().unwrap(),
    ]);
    assert_success(&out);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("Fi’s safety plan") && page.contains("116 123"));
    assert!(!page.contains("Skipping meals"), "version 1 as it was");
    assert!(!page.to_lowercase().contains("<script"));
    let out = cli(&["safety-plan", "versions", "C-0001"]);
    assert_success(&out);
    assert_eq!(stdout(&out).lines().count(), 2);

    // Capacity and wishes.
    let cap = v.tmp.path().join("capacity.json");
    let mut details = serde_json::to_value(capacity_details(today(), None)).unwrap();
    details["review_on"] = serde_json::Value::Null;
    std::fs::write(&cap, details.to_string()).unwrap();
    assert_success(&cli(&[
        "capacity",
        "add",
        "C-0001",
        "--file",
        cap.to_str().unwrap(),
    ]));
    details["review_on"] = (today() + Duration::days(400)).to_string().into();
    std::fs::write(&cap, details.to_string()).unwrap();
    assert_eq!(
        code(&cli(&[
            "capacity",
            "add",
            "C-0001",
            "--file",
            cap.to_str().unwrap()
        ])),
        6
    );
    let out = cli(&["capacity", "list", "C-0001", "--json"]);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    let wishes = v.tmp.path().join("wishes.json");
    std::fs::write(
        &wishes,
        format!(
            r#"{{"wishes": "Destroy at once.", "recorded_on": "{}"}}"#,
            today()
        ),
    )
    .unwrap();
    assert_success(&cli(&[
        "wishes",
        "set",
        "C-0001",
        "--file",
        wishes.to_str().unwrap(),
    ]));
    let out = cli(&["wishes", "show", "C-0001", "--json"]);
    assert_success(&out);
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["version"], 1);

    // The audit log holds ids, never the text.
    let s = unlocked(&v);
    let entries = casenotes::audit::list(s.conn().unwrap(), None).unwrap();
    let log = serde_json::to_string(&entries).unwrap();
    for action in [
        "risk_assessment_signed",
        "risk_addendum_added",
        "safety_plan_saved",
        "safety_plan_printed",
        "capacity_decision_recorded",
        "after_death_wishes_recorded",
    ] {
        assert!(log.contains(action), "{action}");
    }
    for text in ["Scratching", "Not sleeping", "Destroy at once", "nephew"] {
        assert!(!log.contains(text), "{text}");
    }
}
