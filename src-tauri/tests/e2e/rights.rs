//! End-to-end: clients' rights on the client file and on Home. An access request with the
//! identity checked is recorded 25 days after it arrived, shows its due date in UK form, appears
//! on Home as due within 7 days, opens the client from there, and is completed; a consent and a
//! disclosure are recorded; a breach shows its 72-hour clock on Home and in the register.

use casenotes::domain::{clients, notes, requests};
use casenotes::secret::Passphrase;
use casenotes::vault::Vault;
use chrono::{Datelike, Duration};

use super::{temp_vault, wait_for_text_containing, App, PASSPHRASE};

fn vault_with_a_client() -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, vault) = temp_vault();
    let created = Vault::create(&vault, &Passphrase::from_str_for_tests(PASSPHRASE)).unwrap();
    let mut session = created.session;
    let mut d = clients::ClientDetails::named("Wren", "Halloran");
    d.status = clients::ClientStatus::Active;
    d.therapy_started_on = Some(chrono::Local::now().date_naive() - Duration::days(200));
    let client = clients::add(&mut session, d).unwrap();
    let note = notes::create(
        &mut session,
        client.id,
        notes::NoteKind::Session,
        notes::Template::Free,
        "Wren said her sister moved to Leeds in May.",
        false,
    )
    .unwrap();
    notes::sign(&mut session, note.id).unwrap();
    session.lock().unwrap();
    (tmp, vault)
}

async fn type_date(app: &App, id: &str, date: chrono::NaiveDate) {
    app.type_into(&format!("{id}-day"), &date.day().to_string())
        .await;
    app.type_into(&format!("{id}-month"), &date.month().to_string())
        .await;
    app.type_into(&format!("{id}-year"), &date.year().to_string())
        .await;
}

fn uk(date: chrono::NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn record_an_access_request_see_it_due_on_home_and_complete_it() {
    let (_tmp, vault) = vault_with_a_client();
    let app = App::launch(&vault, &[]).await;
    app.unlock_to_home().await;
    assert!(
        !app.present("home-requests-due").await,
        "nothing is due yet"
    );
    app.click("nav-clients").await;
    app.click("open-client-C-0001").await;
    app.wait_for("requests-empty").await;

    // An access request received 25 days ago, identity checked the same day.
    let received = chrono::Local::now().date_naive() - Duration::days(25);
    let due = requests::due_on(received);
    app.click("request-add-open").await;
    type_date(&app, "request-received", received).await;
    type_date(&app, "request-identity", received).await;
    app.type_into("request-details", "A copy of everything held")
        .await;
    app.click("request-submit").await;
    let shown = wait_for_text_containing(&app, "request-due", "Due ").await;
    let days = (due - chrono::Local::now().date_naive()).num_days();
    assert_eq!(
        shown.trim(),
        format!("Due {} (due in {days} days)", uk(due)),
        "UK date and the days left in words"
    );

    // A consent, then a disclosure.
    app.click("consent-add-open").await;
    app.type_into(
        "consent-scope",
        "Weekly sessions, 50 minutes, as in the signed agreement",
    )
    .await;
    app.click("consent-submit").await;
    wait_for_text_containing(&app, "consent-state", "In force").await;

    app.click("disclosure-add-open").await;
    app.type_into("disclosure-name", "Dr Amara Osei").await;
    app.type_into("disclosure-role", "GP").await;
    app.type_into("disclosure-organisation", "Calder Valley Surgery")
        .await;
    app.type_into("disclosure-what", "Dates of sessions attended")
        .await;
    app.type_into(
        "disclosure-rationale",
        "The client asked me to confirm attendance to their GP",
    )
    .await;
    app.click("disclosure-submit").await;
    wait_for_text_containing(&app, "disclosure-basis-text", "The client's consent").await;
    app.wait_for("client-rights").await;
    app.client
        .execute(
            "document.querySelector(\"[data-testid='requests-section']\").scrollIntoView()",
            vec![],
        )
        .await
        .unwrap();
    app.shot("rights-client-file").await;
    app.audit_a11y("the client file's rights section").await;

    // Home lists it as due within 7 days, and opens the client from there.
    app.click("nav-home").await;
    let line = wait_for_text_containing(&app, "home-request-due", "C-0001").await;
    assert!((2..=7).contains(&days), "{days}");
    assert!(line.contains(&format!("due in {days} days")), "{line}");
    // Case references only on Home, as in Today: the screen may be in view of someone else.
    assert!(line.contains("Access request from C-0001"), "{line}");
    assert!(!line.contains("Halloran"), "{line}");
    assert!(line.contains(&uk(due)), "{line}");
    assert!(line.contains("due "), "{line}");
    // Today never says "nothing needs your attention" above a request that does.
    wait_for_text_containing(&app, "today", "Today").await;
    let deadline = std::time::Instant::now() + super::WAIT;
    while app.present("today-nothing").await {
        assert!(
            std::time::Instant::now() < deadline,
            "Today says nothing needs attention while a request is due"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    app.shot("rights-home").await;
    app.audit_a11y("Home with rights due").await;
    app.click("home-request-open").await;
    app.wait_for("client-file").await;

    // Completed today: no longer on Home.
    app.click("request-complete-open").await;
    app.click("request-step-submit").await;
    let done = wait_for_text_containing(&app, "request-completed", "Completed").await;
    assert!(
        done.contains(&uk(chrono::Local::now().date_naive())),
        "{done}"
    );
    app.click("nav-home").await;
    app.wait_for("home").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(!app.present("home-request-due").await);

    // A rectification: an addendum to the signed note, linked to the request.
    app.click("nav-clients").await;
    app.click("open-client-C-0001").await;
    app.click("request-add-open").await;
    app.wait_for("request-kind")
        .await
        .select_by_value("rectification")
        .await
        .unwrap();
    app.click("request-submit").await;
    wait_for_text_containing(&app, "request-row", "Rectification request").await;
    app.click("request-rectify-open").await;
    app.type_into("request-reason", "The client's correction")
        .await;
    app.type_into("request-correction", "Her sister moved to York, not Leeds.")
        .await;
    app.click("request-step-submit").await;
    wait_for_text_containing(&app, "addendum-reason-text", "The client's correction").await;
    app.client
        .execute(
            "document.querySelector(\"[data-testid='addendum']\").scrollIntoView()",
            vec![],
        )
        .await
        .unwrap();
    app.shot("rights-rectified").await;

    // A granted restriction marks the file, saying which request restricted it.
    app.click("request-add-open").await;
    app.wait_for("request-kind")
        .await
        .select_by_value("restriction")
        .await
        .unwrap();
    app.click("request-submit").await;
    // Newest first: wait for the list to show the new request before deciding it.
    wait_for_text_containing(&app, "request-row", "Restriction request").await;
    app.click("request-decide-open").await;
    app.type_into(
        "request-reason",
        "The client contests the accuracy of a note",
    )
    .await;
    app.click("request-step-submit").await;
    let banner = wait_for_text_containing(&app, "rights-restricted", "restriction request").await;
    assert!(
        banner.contains("notes and details cannot be changed"),
        "{banner}"
    );
    wait_for_text_containing(&app, "client-restricted-banner", "Restriction request").await;

    // A breach found now: its clock shows on Home and in the register.
    app.click("nav-breaches").await;
    app.click("breach-add-open").await;
    app.type_into(
        "breach-what",
        "A letter about appointments went to an old address",
    )
    .await;
    app.type_into("breach-who", "C-0001").await;
    app.type_into("breach-records", "One appointment letter")
        .await;
    app.type_into(
        "breach-risk",
        "Low: no clinical content; the client has been told",
    )
    .await;
    app.click("breach-submit").await;
    let clock = wait_for_text_containing(&app, "breach-clock", "left to decide").await;
    assert!(
        clock.contains("71 hours") || clock.contains("72 hours"),
        "{clock}"
    );
    app.shot("rights-breaches").await;
    app.audit_a11y("breaches").await;
    app.click("nav-home").await;
    let home = wait_for_text_containing(&app, "home-breach-clock", "left to decide").await;
    assert!(home.contains("Breach 1"), "{home}");
    app.quit().await;
}
