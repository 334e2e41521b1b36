//! Appointments, end to end: booking one from the client's file and seeing it on the day view.

use casenotes::secret::Passphrase;
use casenotes::vault::Vault;

use super::{temp_vault, App, PASSPHRASE};

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn book_an_appointment_and_see_it_on_the_day_view() {
    let (_tmp, vault) = temp_vault();
    let created = Vault::create(&vault, &Passphrase::from_str_for_tests(PASSPHRASE)).unwrap();
    let mut session = created.session;
    casenotes::domain::clients::add(
        &mut session,
        casenotes::domain::clients::ClientDetails::named("Tamsin", "Ellerby"),
    )
    .unwrap();
    session.lock().unwrap();

    let app = App::launch(&vault, &[]).await;
    app.unlock_to_home().await;
    app.click("nav-clients").await;
    app.click("open-client-C-0001").await;
    app.click("book-appointment").await;
    app.type_into("appointment-time", "14:30").await;
    app.type_into("appointment-fee", "sixty").await;
    app.click("appointment-submit").await;
    let error = app.wait_for_text("appointment-error").await;
    assert!(error.contains("fee in pounds"), "{error}");
    app.type_into("appointment-fee", "62.50").await;
    app.shot("28-book-appointment").await;
    app.audit_a11y("booking an appointment").await;
    app.click("appointment-submit").await;
    let entry = app.wait_for_text("timeline-appointment").await;
    assert!(
        entry.contains("14:30")
            && entry.contains("50 minutes")
            && entry.contains("£62.50, not paid"),
        "{entry}"
    );

    // Booked for today (the form's default day), so the day view opens on it.
    app.click("nav-day").await;
    let row = app.wait_for_text("day-appointment").await;
    assert!(
        row.contains("C-0001") && row.contains("14:30") && row.contains("Booked"),
        "{row}"
    );
    app.shot("29-day-view").await;
    app.audit_a11y("the day view").await;
    app.click("day-next").await;
    app.wait_for("day-empty").await;
    app.click("day-previous").await;
    app.wait_for("day-appointment").await;
    app.quit().await;
}
