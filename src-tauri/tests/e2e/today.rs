//! End-to-end: Today on Home after unlock. A PHQ-9 with item 9 scored, a risk review falling due,
//! a draft left unsigned since a session three days ago and today's appointment are each listed
//! in words, and each line opens the client's file (the draft's line opens the draft itself).

use casenotes::domain::appointments::{self, AppointmentDetails, Attendance, Mode};
use casenotes::domain::clients::{self, ClientDetails, ClientStatus};
use casenotes::domain::measures::{self, MeasureKind};
use casenotes::domain::notes::{self, NoteKind, Template};
use casenotes::domain::risk::{self, DomainStatus, RiskContent};
use casenotes::secret::Passphrase;
use casenotes::vault::{Session, Vault};
use chrono::{Duration, Local, Utc};

use super::{temp_vault, wait_for_text_containing, App, PASSPHRASE};

fn active(session: &mut Session, given: &str, family: &str) -> i64 {
    let mut d = ClientDetails::named(given, family);
    d.status = ClientStatus::Active;
    d.therapy_started_on = Some(Local::now().date_naive() - Duration::days(90));
    clients::add(session, d).unwrap().id
}

fn booked(session: &mut Session, client_id: i64, starts_at: chrono::DateTime<Utc>) -> i64 {
    appointments::add(
        session,
        AppointmentDetails {
            client_id,
            starts_at,
            minutes: 50,
            mode: Mode::Video,
            attendance: Attendance::Booked,
            fee_pence: None,
            paid: false,
        },
    )
    .unwrap()
    .id
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn today_lists_what_needs_attention_and_each_line_opens_the_client() {
    let (_tmp, vault) = temp_vault();
    let created = Vault::create(&vault, &Passphrase::from_str_for_tests(PASSPHRASE)).unwrap();
    let mut s = created.session;
    let today = Local::now().date_naive();
    let ines = active(&mut s, "Ines", "Marchbank"); // C-0001
    let tobias = active(&mut s, "Tobias", "Wrenfield"); // C-0002

    measures::add(
        &mut s,
        ines,
        MeasureKind::Phq9,
        today,
        &[2, 2, 1, 1, 1, 1, 1, 1, 1],
    )
    .unwrap();
    let mut content = RiskContent::default();
    content.domains[0].status = DomainStatus::NoConcerns;
    content.overall_concern = "Low concern; protective factors strong.".into();
    content.review_on = Some(today + Duration::days(2));
    let draft = risk::create(&mut s, tobias, content).unwrap();
    risk::sign(&mut s, draft.id, today).unwrap();
    let three_days_ago = booked(&mut s, tobias, Utc::now() - Duration::days(3));
    let late = notes::create(
        &mut s,
        tobias,
        NoteKind::Session,
        Template::Free,
        "Half written.",
        false,
    )
    .unwrap();
    notes::link_appointment(&mut s, late.id, Some(three_days_ago)).unwrap();
    // Later today (or, close to midnight, this minute), so it is on today's list.
    let later = (Utc::now() + Duration::minutes(5)).min(
        today
            .and_hms_opt(23, 55, 0)
            .unwrap()
            .and_local_timezone(Local)
            .earliest()
            .unwrap()
            .with_timezone(&Utc),
    );
    booked(&mut s, ines, later);
    s.lock().unwrap();

    let app = App::launch(&vault, &[]).await;
    app.unlock_to_home().await;
    app.wait_for("today").await;
    let alert = wait_for_text_containing(&app, "today-alerts", "PHQ-9 item 9 scored 1").await;
    assert!(
        alert.contains("C-0001") && alert.contains(" (thoughts of being better off dead"),
        "{alert}"
    );
    let review = app.text_of("today-reviews").await;
    assert!(
        review.contains("C-0002: risk assessment review")
            && review.contains(&format!(
                "due by {}",
                (today + Duration::days(2)).format("%-d %B %Y")
            )),
        "{review}"
    );
    let unsigned = app.text_of("today-unsigned").await;
    assert!(
        unsigned.contains("C-0002") && unsigned.contains("unsigned for 3 days"),
        "{unsigned}"
    );
    let appointments = app.text_of("today-appointments").await;
    assert!(
        appointments.contains("C-0001") && appointments.contains("video"),
        "{appointments}"
    );
    let whole = app.text_of("today").await;
    for name in ["Marchbank", "Wrenfield", "Half written"] {
        assert!(
            !whole.contains(name),
            "Today shows case references only: {whole}"
        );
    }
    app.shot("today-01-home").await;
    app.audit_a11y("Home with Today").await;

    app.click("today-alert").await;
    wait_for_text_containing(&app, "client-file-name", "C-0001").await;
    app.click("nav-home").await;
    app.click("today-unsigned-note").await;
    wait_for_text_containing(&app, "client-file-name", "C-0002").await;
    let deadline = std::time::Instant::now() + super::WAIT;
    loop {
        let focused = app
            .client
            .active_element()
            .await
            .unwrap()
            .attr("data-note-id")
            .await
            .unwrap();
        if focused == Some(late.id.to_string()) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the draft never had the focus: {focused:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    app.shot("today-02-opened-draft").await;
    app.quit().await;
}
