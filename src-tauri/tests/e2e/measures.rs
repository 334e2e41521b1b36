//! End-to-end: a PHQ-9 recorded through the window, item 9 answered with the keyboard; the
//! alert appears on the client file in words; the new row is in the table; and the chart's
//! figures (its accessible label), the table's and the scores stored in the vault all agree.

use casenotes::domain::measures::{self, MeasureKind};
use casenotes::domain::{appointments, clients};
use casenotes::secret::Passphrase;
use casenotes::vault::Vault;
use chrono::{Local, NaiveDate};
use fantoccini::key::Key;
use fantoccini::Locator;

use super::attachments::{focus_dialog, wait_until_closed};
use super::{reopen, temp_vault, wait_for_text_containing, xdotool, App, PASSPHRASE};

const CALENDAR_TITLE: &str =
    "Save upcoming appointments as a calendar file (case references and times only)";

/// Brings the element to the middle of the window, then clicks it. (WebKitWebDriver's own
/// scrolling leaves it at the window's bottom edge, where WebKitGTK under Xvfb delivers the press
/// and the release but no click.)
async fn click_centred(app: &App, testid: &str) {
    let el = app.wait_for(testid).await;
    app.client
        .execute(
            "arguments[0].scrollIntoView({ block: 'center' }); return null;",
            vec![serde_json::to_value(&el).unwrap()],
        )
        .await
        .unwrap();
    el.click().await.unwrap();
}

fn day_words(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn record_a_phq9_with_item_9_scored_and_see_the_alert_the_table_and_the_chart_agree() {
    let (tmp, vault) = temp_vault();
    let first_day: NaiveDate = "2026-01-12".parse().unwrap();
    {
        let created = Vault::create(&vault, &Passphrase::from_str_for_tests(PASSPHRASE)).unwrap();
        let mut s = created.session;
        let c = clients::add(&mut s, clients::ClientDetails::named("Imogen", "Thackeray")).unwrap();
        // An earlier PHQ-9 (total 16, item 9 at 0) and a GAD-7, so that change and a second chart show.
        measures::add(
            &mut s,
            c.id,
            MeasureKind::Phq9,
            first_day,
            &[2, 2, 2, 2, 2, 2, 2, 2, 0],
        )
        .unwrap();
        // An appointment tomorrow, for the calendar export.
        appointments::add(
            &mut s,
            appointments::AppointmentDetails {
                client_id: c.id,
                starts_at: chrono::Utc::now() + chrono::Duration::days(1),
                minutes: 50,
                mode: appointments::Mode::Video,
                attendance: appointments::Attendance::Booked,
                fee_pence: None,
                paid: false,
            },
        )
        .unwrap();
        measures::add(
            &mut s,
            c.id,
            MeasureKind::Gad7,
            first_day,
            &[2, 2, 1, 2, 1, 2, 1],
        )
        .unwrap();
        s.lock().unwrap();
    }
    let app = App::launch(&vault, &[]).await;
    app.unlock_to_home().await;
    app.click("nav-clients").await;
    app.click("open-client-C-0001").await;
    app.wait_for("measure-table-phq9").await;
    assert!(
        !app.present("measure-alerts").await,
        "no alert before item 9 is scored"
    );

    app.click("measure-record-phq9").await;
    let form = app.wait_for("measure-form").await;
    let text = form.text().await.unwrap();
    assert!(
        text.contains(
            "Thoughts that you would be better off dead or of hurting yourself in some way"
        ),
        "{text}"
    );
    assert!(text.contains("Over the last 2 weeks"), "{text}");
    // Items 1-8 by pointer: 1, 1, 1, 1, 0, 0, 1, 0.
    for (item, score) in [
        (1, 1),
        (2, 1),
        (3, 1),
        (4, 1),
        (5, 0),
        (6, 0),
        (7, 1),
        (8, 0),
    ] {
        click_centred(&app, &format!("measure-item-{item}-{score}")).await;
    }
    // Saving with item 9 unanswered is refused in words, and nothing is saved.
    click_centred(&app, "measure-save").await;
    let err = wait_for_text_containing(&app, "measure-form-error", "Item 9 has no score").await;
    assert!(err.contains("PHQ-9"), "{err}");
    // Item 9 by keyboard: focus the first answer, then the arrow keys move along the group.
    click_centred(&app, "measure-item-9-0").await;
    let radio = app.wait_for("measure-item-9-0").await;
    // One WebDriver call, so the focus is not moved back to the first answer between the two.
    radio
        .send_keys(&format!("{}{}", Key::Right, Key::Right))
        .await
        .unwrap();
    let checked = app
        .client
        .execute(
            "return document.querySelector(\"[data-testid='measure-item-9-2']\").checked;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        checked,
        serde_json::json!(true),
        "the arrow keys chose 2, “More than half the days”"
    );
    let running = app.text_of("measure-running-total").await;
    assert!(
        running.contains("9 of 9 items scored; total so far 7 of 27"),
        "{running}"
    );
    app.shot("90-measure-form").await;
    app.audit_a11y("the measure form").await;
    click_centred(&app, "measure-save").await;

    // The alert, in words, on the client file.
    let today = Local::now().date_naive();
    let alert = wait_for_text_containing(&app, "measure-alerts", "item 9").await;
    assert!(alert.contains("PHQ-9 item 9"), "{alert}");
    assert!(
        alert.contains("scored 2, “More than half the days”"),
        "{alert}"
    );
    assert!(alert.contains(&day_words(today)), "{alert}");
    assert!(
        alert.contains("Thoughts that you would be better off dead"),
        "{alert}"
    );

    // The table: the first and the new row, with their figures in words.
    let rows = app
        .client
        .find_all(Locator::Css(
            "[data-testid='measure-table-phq9'] [data-testid='measure-row']",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    let mut table: Vec<(String, String, String)> = Vec::new();
    for row in &rows {
        let cell = |id: &'static str| async move {
            row.find(Locator::Css(&format!("[data-testid='{id}']")))
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        };
        table.push((
            cell("measure-row-date").await,
            cell("measure-row-total").await,
            cell("measure-row-band").await,
        ));
    }
    let new_row = rows[1].text().await.unwrap();
    assert!(new_row.contains("Reliable improvement (-9)"), "{new_row}");
    assert!(new_row.contains("Item 9 scored 2"), "{new_row}");
    assert!(rows[0].text().await.unwrap().contains("First score"));

    // The chart: focusable, labelled, and its label holds the same figures as the table.
    let chart = app.wait_for("measure-chart").await;
    assert_eq!(chart.attr("tabindex").await.unwrap().as_deref(), Some("0"));
    assert_eq!(chart.attr("role").await.unwrap().as_deref(), Some("img"));
    let label = app
        .client
        .execute(
            "return document.getElementById('measure-chart-phq9').getAttribute('aria-label');",
            vec![],
        )
        .await
        .unwrap();
    let label = label.as_str().unwrap().to_owned();
    for (date, total, _) in &table {
        assert!(
            label.contains(&format!("{date}: {total}")),
            "{date}: {total} in {label}"
        );
    }
    // The chart was drawn: Chart.js sized the canvas (it would be 0 x 0, or 300 x 150, if not).
    let size = app
        .client
        .execute(
            "const c = document.querySelector('#measure-chart-phq9 canvas'); return [c.width, c.height];",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        size[0].as_u64().unwrap() > 300 && size[1].as_u64().unwrap() > 150,
        "{size}"
    );
    app.client
        .execute(
            "document.querySelector(\"[data-testid='measures']\").scrollIntoView(); return null;",
            vec![],
        )
        .await
        .unwrap();
    app.shot("91-measures-on-the-client-file").await;
    app.audit_a11y("the client file's measures").await;

    // The Day view offers the calendar export, saying what the file holds and that it is not
    // encrypted.
    app.click("nav-day").await;
    let export = app.text_of("calendar-export").await;
    assert!(
        export.contains("not encrypted") && export.contains("never a client's name"),
        "{export}"
    );
    app.client
        .execute("document.querySelector(\"[data-testid='calendar-export']\").scrollIntoView(); return null;", vec![])
        .await
        .unwrap();
    app.shot("92-day-view-calendar-export").await;
    app.audit_a11y("the calendar export").await;

    // Saved through the computer's own save dialog, the file holds the case reference, not the name.
    let ics = tmp.path().join("appointments.ics");
    app.click("calendar-export-save").await;
    focus_dialog(&app, CALENDAR_TITLE).await;
    xdotool(&["key", "--clearmodifiers", "ctrl+a"]);
    xdotool(&["type", "--delay", "15", &ics.display().to_string()]);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    xdotool(&["key", "Return"]);
    wait_until_closed(&app, CALENDAR_TITLE).await;
    let done = wait_for_text_containing(&app, "calendar-export-done", "Saved 1 appointment").await;
    assert!(done.contains("appointments.ics"), "{done}");
    let text = std::fs::read_to_string(&ics).unwrap();
    assert!(text.contains("SUMMARY:C-0001 (video)"), "{text}");
    assert!(
        !text.contains("Imogen") && !text.contains("Thackeray"),
        "no name in the file"
    );
    app.shot("93-calendar-saved").await;
    app.quit().await;

    // What is stored agrees with the table and the chart.
    let s = reopen(&vault);
    let client_id = clients::id_for(&s, "C-0001").unwrap();
    let stored: Vec<(String, String, String)> = measures::for_client(&s, client_id)
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == MeasureKind::Phq9)
        .map(|m| (day_words(m.taken_on), m.total.to_string(), m.band.clone()))
        .collect();
    assert_eq!(table, stored);
    let new = measures::for_client(&s, client_id)
        .unwrap()
        .into_iter()
        .find(|m| m.taken_on == today)
        .unwrap();
    assert_eq!(new.items, vec![1, 1, 1, 1, 0, 0, 1, 0, 2]);
    assert_eq!(measures::recent_alerts(&s, today).unwrap().len(), 1);
    s.lock().unwrap();
}
