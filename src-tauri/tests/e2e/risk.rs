//! End-to-end: a risk assessment written and signed through the window shows at the top of the
//! client file with its review date, and is never offered for editing again (the shell refuses
//! too); a safety plan saved twice keeps both versions, and a printable copy is saved through
//! the real GTK save dialog and holds the UK crisis lines and no script; a capacity decision
//! gets its 12-month review date, and the client's wishes about their records are recorded.

use std::path::Path;

use casenotes::domain::{after_death, capacity, clients, risk, safety_plan};
use casenotes::secret::Passphrase;
use casenotes::vault::Vault;
use chrono::{Duration, Local};
use serde_json::json;

use super::attachments::{focus_dialog, wait_until_closed};
use super::{reopen, temp_vault, wait_for_text_containing, xdotool, App, PASSPHRASE};

const SAVE_TITLE: &str = "Save a printable copy of the safety plan";

/// GTK's save dialog: the name field has the focus; replace it with the full path.
async fn save_as(app: &App, path: &Path) {
    focus_dialog(app, SAVE_TITLE).await;
    xdotool(&["key", "--clearmodifiers", "ctrl+a"]);
    xdotool(&["type", "--delay", "15", &path.display().to_string()]);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    xdotool(&["key", "Return"]);
    wait_until_closed(app, SAVE_TITLE).await;
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn write_and_sign_a_risk_assessment_then_version_and_print_a_safety_plan() {
    let (tmp, vault) = temp_vault();
    {
        let created = Vault::create(&vault, &Passphrase::from_str_for_tests(PASSPHRASE)).unwrap();
        let mut s = created.session;
        let mut d = clients::ClientDetails::named("Tamsin", "Ellerby");
        d.status = clients::ClientStatus::Active;
        d.therapy_started_on = Some("2026-01-12".parse().unwrap());
        clients::add(&mut s, d).unwrap();
        s.lock().unwrap();
    }
    let app = App::launch(&vault, &[]).await;
    app.unlock_to_home().await;
    app.click("nav-clients").await;
    app.click("open-client-C-0001").await;
    app.wait_for("risk-none").await;

    // Write the assessment: one domain with concerns, one with none, the concern in words.
    app.click("risk-open").await;
    app.click("risk-new").await;
    app.click("risk-suicide-concerns").await;
    app.type_into(
        "risk-suicide-current",
        "Fleeting thoughts since the anniversary; no plan, no intent.",
    )
    .await;
    app.type_into("risk-suicide-protective", "Her daughter; her allotment.")
        .await;
    app.click("risk-harm_to_others-no_concerns").await;
    app.type_into("risk-concern", "Low to moderate concern: thoughts have returned but she is engaged and has reasons to live.")
        .await;
    let review = Local::now().date_naive() + Duration::days(14);
    let review_words = review.format("%-d %B %Y").to_string();
    app.type_into("risk-review-day", &review.format("%-d").to_string())
        .await;
    app.type_into("risk-review-month", &review.format("%-m").to_string())
        .await;
    app.type_into("risk-review-year", &review.format("%Y").to_string())
        .await;
    wait_for_text_containing(&app, "risk-save-status", "Draft saved").await;
    app.shot("70-risk-editor").await;
    app.audit_a11y("the risk editor").await;
    app.click("risk-sign").await;
    app.click("risk-sign-confirm").await;

    // At the top of the file: signed, with its review date in words.
    wait_for_text_containing(&app, "risk-latest", "Latest risk assessment signed").await;
    let review_text = app.text_of("risk-review").await;
    assert!(
        review_text.contains(&format!("Review by {review_words}"))
            && review_text.contains("in 14 days"),
        "{review_text}"
    );
    assert!(app
        .text_of("risk-concern-summary")
        .await
        .contains("engaged and has reasons to live"));
    app.wait_for("risk-signed").await;
    app.shot("71-risk-signed-at-the-top").await;
    app.audit_a11y("the client file's risk section").await;

    // A signed assessment is not offered for editing; only an addendum is. The shell refuses
    // an edit sent anyway.
    assert!(!app.present("risk-continue").await);
    assert!(!app.present("risk-editor").await);
    app.wait_for("risk-addendum-open").await;
    let id: i64 = app
        .wait_for("risk-item")
        .await
        .attr("data-risk-id")
        .await
        .unwrap()
        .unwrap()
        .parse()
        .unwrap();
    let answer = app
        .invoke_with(
            "save_risk_draft",
            json!({ "id": id, "content": { "domains": [], "protective_factors": "", "actions": "", "overall_concern": "changed", "review_on": null } }),
        )
        .await;
    assert_eq!(answer["err"]["kind"], "record_rule", "{answer}");
    assert!(answer["err"]["message"]
        .as_str()
        .unwrap()
        .contains("signed"));

    // A safety plan, saved twice: both versions listed, the first still as it was.
    app.click("safety-plan-open").await;
    app.wait_for("safety-plan-none").await;
    let crisis = app.wait_for("plan-crisis_contacts").await;
    let prefilled = crisis.prop("value").await.unwrap().unwrap_or_default();
    assert!(
        prefilled.contains("116 123") && prefilled.contains("85258"),
        "{prefilled}"
    );
    app.type_into("plan-warning_signs", "Not sleeping").await;
    app.type_into("plan-reasons_for_living", "My daughter")
        .await;
    app.click("safety-plan-save").await;
    wait_for_text_containing(&app, "safety-plan-current", "version 1").await;
    app.type_into("plan-things_i_can_do", "Walk to the allotment")
        .await;
    app.click("safety-plan-save").await;
    wait_for_text_containing(&app, "safety-plan-current", "version 2").await;
    let rows = app
        .client
        .find_all(fantoccini::Locator::Css(
            "[data-testid='safety-plan-version']",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows[0].text().await.unwrap().contains("2 (current)"));
    // View version 1: it has no "things I can do".
    let views = app
        .client
        .find_all(fantoccini::Locator::Css("[data-testid='safety-plan-view']"))
        .await
        .unwrap();
    views[1].click().await.unwrap();
    let first = app.wait_for_text("safety-plan-version-view").await;
    assert!(
        first.contains("Version 1") && first.contains("Not sleeping"),
        "{first}"
    );
    assert!(!first.contains("Walk to the allotment"), "{first}");
    app.shot("72-safety-plan-versions").await;
    app.audit_a11y("the safety plan").await;

    // The printable copy of the current version, through the real save dialog.
    let copy = tmp.path().join("tamsin safety plan.html");
    app.click("safety-plan-copy").await;
    save_as(&app, &copy).await;
    wait_for_text_containing(&app, "safety-plan-copy-status", "tamsin safety plan.html").await;
    let html = std::fs::read_to_string(&copy).unwrap();
    assert!(
        html.contains("Tamsin’s safety plan"),
        "the client's name, for the client"
    );
    assert!(html.contains("Walk to the allotment") && html.contains("My daughter"));
    for line in ["116 123", "option 2", "999", "85258"] {
        assert!(html.contains(line), "{line}");
    }
    assert!(!html.to_lowercase().contains("<script"));
    assert!(!html.contains("Ellerby"), "no family name needed");

    // A capacity decision, reviewed 12 months on by default, and the client's wishes.
    app.click("capacity-open").await;
    app.wait_for("capacity-none").await;
    app.click("capacity-add").await;
    app.type_into(
        "cap-decision",
        "Whether to share the risk assessment with her GP",
    )
    .await;
    app.click("capacity-save").await;
    let today = Local::now().date_naive();
    let year_on = casenotes::retention::add_months(today, 12)
        .format("%-d %B %Y")
        .to_string();
    let decision = wait_for_text_containing(&app, "capacity-decision", "Review by").await;
    assert!(
        decision.contains(&year_on) && decision.contains("Has capacity for this decision"),
        "{decision}"
    );
    app.click("wishes-edit").await;
    app.type_into(
        "wishes-text",
        "Destroy my notes; my daughter may know I came to therapy.",
    )
    .await;
    app.click("wishes-save").await;
    wait_for_text_containing(&app, "wishes-current", "my daughter may know").await;
    app.shot("73-capacity-and-wishes").await;
    app.audit_a11y("capacity and wishes").await;
    app.quit().await;

    // What the app stored: one signed assessment whose signature holds, two plan versions.
    let s = reopen(&vault);
    let client = clients::id_for(&s, "C-0001").unwrap();
    let list = risk::for_client(&s, client).unwrap();
    assert_eq!(list.len(), 1);
    assert!(list[0].is_signed() && list[0].signature_holds);
    assert_eq!(list[0].content.review_on, Some(review));
    assert_eq!(safety_plan::versions(&s, client).unwrap().len(), 2);
    assert_eq!(capacity::for_client(&s, client).unwrap().len(), 1);
    assert_eq!(after_death::history(&s, client).unwrap().len(), 1);
    s.lock().unwrap();
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn an_overdue_review_is_said_in_words_at_the_top_of_the_file() {
    let (_tmp, vault) = temp_vault();
    let due = Local::now().date_naive() - Duration::days(5);
    {
        let created = Vault::create(&vault, &Passphrase::from_str_for_tests(PASSPHRASE)).unwrap();
        let mut s = created.session;
        let mut d = clients::ClientDetails::named("Odile", "Marchbank");
        d.status = clients::ClientStatus::Active;
        d.therapy_started_on = Some("2026-01-12".parse().unwrap());
        let client = clients::add(&mut s, d).unwrap();
        let content = risk::RiskContent {
            domains: vec![risk::DomainFormulation {
                status: risk::DomainStatus::NoConcerns,
                ..risk::DomainFormulation::blank(risk::RiskDomain::SelfNeglect)
            }],
            overall_concern: "Little concern at present.".into(),
            review_on: Some(due),
            ..risk::RiskContent::default()
        };
        let a = risk::create(&mut s, client.id, content).unwrap();
        // Signed as of a day before the review date, which has since passed.
        risk::sign(&mut s, a.id, due - Duration::days(1)).unwrap();
        s.lock().unwrap();
    }
    let app = App::launch(&vault, &[]).await;
    app.unlock_to_home().await;
    app.click("nav-clients").await;
    app.click("open-client-C-0001").await;
    let review = wait_for_text_containing(&app, "risk-review", "overdue").await;
    assert!(
        review.contains(&format!(
            "Review overdue: it was due on {} (5 days ago)",
            due.format("%-d %B %Y")
        )),
        "{review}"
    );
    assert_eq!(
        app.wait_for("risk-review")
            .await
            .attr("data-overdue")
            .await
            .unwrap()
            .as_deref(),
        Some("true")
    );
    app.shot("74-risk-review-overdue").await;
    app.quit().await;
}
