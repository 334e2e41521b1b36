//! End-to-end: the whole client form (adding and editing), a note linked to its appointment, and
//! a draft typed just before the app is told to quit.

use std::time::{Duration, Instant};

use casenotes::domain::{appointments, clients, notes};
use casenotes::secret::Passphrase;
use casenotes::vault::{Session, Vault};
use fantoccini::key::Key;

use super::{
    app_pid, existing_vault, reopen, temp_vault, wait_for_text_containing, App, PASSPHRASE, WAIT,
};

/// A vault holding one client, Tamsin Ellerby (C-0001); `with` adds more through the core.
fn vault_with_a_client(
    with: impl FnOnce(&mut Session, i64),
) -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, vault) = temp_vault();
    let created = Vault::create(&vault, &Passphrase::from_str_for_tests(PASSPHRASE)).unwrap();
    let mut session = created.session;
    let client = clients::add(
        &mut session,
        clients::ClientDetails::named("Tamsin", "Ellerby"),
    )
    .unwrap();
    with(&mut session, client.id);
    session.lock().unwrap();
    (tmp, vault)
}

async fn type_date(app: &App, id: &str, day: &str, month: &str, year: &str) {
    app.type_into(&format!("{id}-day"), day).await;
    app.type_into(&format!("{id}-month"), month).await;
    app.type_into(&format!("{id}-year"), year).await;
}

async fn open_first_client(app: &App) {
    app.unlock_to_home().await;
    app.click("nav-clients").await;
    app.click("open-client-C-0001").await;
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn the_whole_client_form_adds_and_edits_a_client() {
    let (_tmp, vault) = existing_vault();
    let app = App::launch(&vault, &[]).await;
    app.unlock_to_home().await;
    app.click("nav-clients").await;
    app.click("add-client-open").await;

    app.type_into("client-given", "Rosalind").await;
    app.type_into("client-family", "Achterberg").await;
    app.type_into("client-preferred", "Ros").await;
    app.type_into("client-pronouns", "she/her").await;
    // Day first, as a UK form asks: 31 February is caught before anything is sent.
    type_date(&app, "client-dob", "31", "2", "1990").await;
    app.type_into("client-phone", "07700 900123").await;
    // Return between the lines, as typed (WebDriver sends "\n" as nothing).
    let address = format!("4 Quarry Lane{}Hebden Bridge", char::from(Key::Enter));
    app.type_into("client-address", &address).await;
    app.type_into("client-emergency-name", "Margit Achterberg")
        .await;
    app.type_into("client-emergency-relationship", "sister")
        .await;
    app.type_into("client-emergency-phone", "07700 900456")
        .await;
    app.type_into("client-gp-name", "Dr Okonjo").await;
    app.type_into("client-gp-practice", "Calder Valley Surgery")
        .await;
    app.type_into("client-referral", "Self-referred").await;
    app.click("client-legal-hold").await;
    app.click("client-form-submit").await;
    let error = app.wait_for_text("client-form-error").await;
    assert!(
        error.contains("31/2/1990 is not a real date")
            && error.contains("reason for the legal hold"),
        "{error}"
    );
    app.shot("40-client-form-errors").await;

    type_date(&app, "client-dob", "21", "2", "1990").await;
    app.type_into(
        "client-legal-hold-reason",
        "Solicitor's letter: keep until the claim is settled",
    )
    .await;
    // Active without a start date breaks a record rule: the core's words come back.
    app.wait_for("client-status")
        .await
        .select_by_value("active")
        .await
        .unwrap();
    app.click("client-form-submit").await;
    let error = wait_for_text_containing(&app, "client-form-error", "start").await;
    assert!(!error.contains("not a real date"), "{error}");
    type_date(&app, "client-therapy-start", "2", "11", "2026").await;
    app.click("client-form-submit").await;

    let name = wait_for_text_containing(&app, "client-file-name", "Ros Achterberg").await;
    assert!(name.contains("C-0001"), "{name}");
    let overview = app.text_of("client-overview").await;
    for shown in [
        "21 February 1990",
        "2 November 2026",
        "Margit Achterberg (sister) 07700 900456",
        "Dr Okonjo, Calder Valley Surgery",
        "Self-referred",
        "she/her",
        "Active",
    ] {
        assert!(overview.contains(shown), "{shown:?} in {overview}");
    }
    let hold = app.text_of("client-hold-banner").await;
    assert!(hold.contains("keep until the claim is settled"), "{hold}");
    app.shot("41-client-overview").await;
    app.audit_a11y("the client overview").await;

    // Editing: the form opens with what is stored; therapy ends, the hold is lifted, and a
    // restriction is recorded.
    app.click("client-edit").await;
    let given = app.wait_for("client-given").await;
    assert_eq!(
        given.prop("value").await.unwrap().as_deref(),
        Some("Rosalind")
    );
    let dob_day = app.wait_for("client-dob-day").await;
    assert_eq!(dob_day.prop("value").await.unwrap().as_deref(), Some("21"));
    app.wait_for("client-status")
        .await
        .select_by_value("ended")
        .await
        .unwrap();
    type_date(&app, "client-therapy-end", "1", "11", "2026").await;
    app.click("client-form-submit").await;
    let error = wait_for_text_containing(&app, "client-form-error", "end before").await;
    assert!(
        error.contains("Therapy cannot end before it started"),
        "{error}"
    );
    type_date(&app, "client-therapy-end", "20", "11", "2026").await;
    app.click("client-legal-hold").await;
    app.click("client-restricted").await;
    app.type_into(
        "client-restricted-reason",
        "Asked on 20 November 2026 that no letters go to her GP",
    )
    .await;
    app.shot("42-client-edit").await;
    app.click("client-form-submit").await;
    wait_for_text_containing(&app, "client-overview", "20 November 2026").await;
    assert!(!app.present("client-hold-banner").await);
    let restricted = app.text_of("client-restricted-banner").await;
    assert!(
        restricted.contains("no letters go to her GP"),
        "{restricted}"
    );
    app.quit().await;

    // What the core stored, and the audit trail of the change.
    let session = reopen(&vault);
    let id = clients::id_for(&session, "C-0001").unwrap();
    let c = clients::get(&session, id).unwrap();
    assert_eq!(c.details.date_of_birth.unwrap().to_string(), "1990-02-21");
    assert_eq!(
        c.details.therapy_ended_on.unwrap().to_string(),
        "2026-11-20"
    );
    assert_eq!(c.details.status, clients::ClientStatus::Ended);
    assert_eq!(
        c.details.address.as_deref(),
        Some("4 Quarry Lane\nHebden Bridge")
    );
    assert_eq!(c.details.legal_hold_reason, None);
    assert!(c.details.restricted_reason.is_some());
    let actions: Vec<String> = casenotes::audit::list(session.conn().unwrap(), None)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(actions.iter().any(|a| a == "client_created"), "{actions:?}");
    assert!(actions.iter().any(|a| a == "client_updated"), "{actions:?}");
    session.lock().unwrap();
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn attendance_is_recorded_and_a_note_is_linked_to_its_appointment() {
    let (_tmp, vault) = vault_with_a_client(|s, client_id| {
        for days in [-2, 5] {
            appointments::add(
                s,
                appointments::AppointmentDetails {
                    client_id,
                    starts_at: chrono::Utc::now() + chrono::Duration::days(days),
                    minutes: 50,
                    mode: appointments::Mode::Video,
                    attendance: appointments::Attendance::Booked,
                    fee_pence: None,
                    paid: false,
                },
            )
            .unwrap();
        }
    });
    let app = App::launch(&vault, &[]).await;
    open_first_client(&app).await;

    // Newest first: the one in five days' time cannot be marked attended yet.
    app.click("record-attendance").await;
    app.wait_for("attendance-select")
        .await
        .select_by_value("attended")
        .await
        .unwrap();
    app.click("attendance-save").await;
    let error = app.wait_for_text("attendance-error").await;
    assert!(
        error.contains("once the appointment time has passed"),
        "{error}"
    );
    // Moved instead: still booked, a quarter past nine, by phone.
    app.wait_for("attendance-select")
        .await
        .select_by_value("booked")
        .await
        .unwrap();
    app.type_into("change-time", "09:15").await;
    app.wait_for("change-mode")
        .await
        .select_by_value("phone")
        .await
        .unwrap();
    app.click("attendance-save").await;
    let moved = wait_for_text_containing(&app, "timeline-appointment", "09:15").await;
    assert!(
        moved.contains("Phone") && moved.contains("Booked"),
        "{moved}"
    );
    // The one two days ago: attended, £55, paid.
    let buttons = app
        .client
        .find_all(fantoccini::Locator::Css(
            "[data-testid='record-attendance']",
        ))
        .await
        .unwrap();
    buttons[1].click().await.unwrap();
    app.wait_for("attendance-select")
        .await
        .select_by_value("attended")
        .await
        .unwrap();
    app.type_into("attendance-fee", "55").await;
    app.click("attendance-paid").await;
    app.shot("44-record-attendance").await;
    app.audit_a11y("recording attendance").await;
    app.click("attendance-save").await;
    wait_for_text_containing(&app, "timeline", "£55.00, paid").await;
    assert!(app.text_of("timeline").await.contains("Attended"));

    app.click("new-note").await;
    let select = app.wait_for("note-appointment-select").await;
    let options = select.text().await.unwrap();
    assert!(options.contains("Video"), "{options}");
    // Options after "None", newest first: the past appointment is the second.
    select.select_by_index(2).await.unwrap();
    app.type_into("note-body", "Worked on the letter to her landlord.")
        .await;
    wait_for_text_containing(&app, "note-save-status", "Draft saved").await;
    app.click("note-close").await;
    let linked = app.wait_for_text("note-appointment").await;
    assert!(linked.starts_with("For the appointment on"), "{linked}");
    app.shot("43-note-linked-to-appointment").await;
    app.quit().await;

    let session = reopen(&vault);
    let id = clients::id_for(&session, "C-0001").unwrap();
    let stored = notes::for_client(&session, id).unwrap();
    let past = appointments::for_client(&session, id)
        .unwrap()
        .into_iter()
        .find(|a| a.details.starts_at < chrono::Utc::now())
        .unwrap();
    assert_eq!(past.details.attendance, appointments::Attendance::Attended);
    assert_eq!(
        (past.details.fee_pence, past.details.paid),
        (Some(5500), true)
    );
    let appointment = past.id;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].appointment_id, Some(appointment));
    session.lock().unwrap();
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn quitting_in_the_autosave_pause_keeps_every_word() {
    let (_tmp, vault) = vault_with_a_client(|_, _| {});
    let app = App::launch(&vault, &[]).await;
    open_first_client(&app).await;
    app.click("new-note").await;
    let first = "She arrived early and sat by the window.";
    app.type_into("note-body", first).await;
    wait_for_text_containing(&app, "note-save-status", "Draft saved").await;

    // More words, and the app is told to quit (as at log-out) before the autosave pause ends.
    let pid = app_pid(&vault).expect("the app's process");
    let more = act_inside_the_autosave_pause(&app, || {
        // SAFETY: kill(2) on the app this test started; no memory is touched.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    })
    .await;
    let deadline = Instant::now() + WAIT;
    while app_pid(&vault).is_some() {
        assert!(Instant::now() < deadline, "the app did not quit on SIGTERM");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.quit().await;

    let session = reopen(&vault);
    let id = clients::id_for(&session, "C-0001").unwrap();
    let stored = notes::for_client(&session, id).unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].body, format!("{first}{more}"));
    let actions: Vec<String> = casenotes::audit::list(session.conn().unwrap(), Some(3))
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions.last().map(String::as_str), Some("vault_unlocked"));
    assert!(actions.contains(&"vault_locked".to_owned()), "{actions:?}");
    session.lock().unwrap();
}

/// Types into the open note a sentence at a time until, straight after one, the editor still says
/// "Unsaved changes" (its 400 ms autosave pause has not ended), and then does `act` at once.
/// Answers everything typed. A slow machine only makes it type another sentence; `act` is never
/// done outside the pause, so the test cannot pass by the autosave having got there first.
async fn act_inside_the_autosave_pause(app: &App, act: impl FnOnce()) -> String {
    let body = app.wait_for("note-body").await;
    let mut typed = String::new();
    for sentence in [
        " Talked about her brother's wedding in Lerwick.",
        " Slept better this week.",
        " Asked about moving to fortnightly sessions.",
        " Brought the letter from the council.",
        " Will bring the diary next time.",
    ] {
        body.send_keys(sentence).await.unwrap();
        typed.push_str(sentence);
        if app.text_of("note-save-status").await == "Unsaved changes" {
            act();
            return typed;
        }
        wait_for_text_containing(app, "note-save-status", "Draft saved").await;
    }
    app.fail("five times over, the autosave finished before the status could be read")
        .await
}

/// Asks the window to close the way a window manager does when the close button is pressed:
/// a WM_DELETE_WINDOW client message (Xvfb has no window manager to press it for us).
fn press_the_close_button(window: u32) {
    use x11rb::connection::Connection;
    use x11rb::protocol::xproto::{ClientMessageEvent, ConnectionExt, EventMask};
    let (conn, _) = x11rb::connect(None).expect("the X display");
    let atom = |name: &[u8]| conn.intern_atom(false, name).unwrap().reply().unwrap().atom;
    let (protocols, delete) = (atom(b"WM_PROTOCOLS"), atom(b"WM_DELETE_WINDOW"));
    let event = ClientMessageEvent::new(32, window, protocols, [delete, 0, 0, 0, 0]);
    conn.send_event(false, window, EventMask::NO_EVENT, event)
        .unwrap();
    conn.flush().unwrap();
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn closing_the_window_in_the_autosave_pause_keeps_every_word() {
    let (_tmp, vault) = vault_with_a_client(|_, _| {});
    let app = App::launch(&vault, &[]).await;
    open_first_client(&app).await;
    app.click("new-note").await;
    let window: u32 = super::windows_titled("casenotes")
        .pop()
        .expect("the app's window")
        .parse()
        .unwrap();
    // GTK now and then ignores a close request that arrives while it is busy with the typing
    // WebDriver simulates (a person would click again). So the request goes six times over the
    // next 200 ms, every one still inside the 400 ms autosave pause, and if the window is still
    // open ten seconds later, the test types another sentence and presses again. (Saving, locking
    // and closing take well under a second here, but a loaded CI machine took over two, and
    // typing into a window that is closing cannot work.)
    let mut typed = String::new();
    for _ in 0..5 {
        typed += &act_inside_the_autosave_pause(&app, || {
            for _ in 0..6 {
                press_the_close_button(window);
                std::thread::sleep(Duration::from_millis(40));
            }
        })
        .await;
        let deadline = Instant::now() + Duration::from_secs(10);
        while app_pid(&vault).is_some() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        if app_pid(&vault).is_none() {
            break;
        }
        // Still open: the draft is saved by now; wait for it before typing on.
        wait_for_text_containing(&app, "note-save-status", "Draft saved").await;
    }
    assert!(app_pid(&vault).is_none(), "the window never closed");
    app.quit().await;
    assert!(
        std::fs::metadata(vault.join("casenotes.db-wal")).map_or(true, |m| m.len() == 0),
        "the database was closed cleanly (WAL checkpointed)"
    );

    let session = reopen(&vault);
    let id = clients::id_for(&session, "C-0001").unwrap();
    let stored = notes::for_client(&session, id).unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].body, typed);
    session.verify_audit().unwrap();
    session.lock().unwrap();
}

/// A window manager for the length of one test: Xvfb has none, and minimising needs one.
struct WindowManager(std::process::Child);

impl WindowManager {
    async fn start() -> WindowManager {
        let child = std::process::Command::new("openbox")
            .arg("--sm-disable")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("openbox runs (scripts/install-deps.sh installs it)");
        // Give it a moment to take over the windows already on the display.
        tokio::time::sleep(Duration::from_millis(800)).await;
        WindowManager(child)
    }
}

impl Drop for WindowManager {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn minimising_the_window_locks_when_asked_to_and_keeps_the_draft() {
    let (_tmp, vault) = vault_with_a_client(|s, _| {
        casenotes::domain::settings::set(s, "desktop_lock_on_minimise", "true").unwrap();
    });
    let app = App::launch(&vault, &[]).await;
    open_first_client(&app).await;
    app.click("new-note").await;
    let words = "Wants to try the breathing exercise before the hearing.";
    app.type_into("note-body", words).await;
    let window = super::windows_titled("casenotes")
        .pop()
        .expect("the app's window");
    let wm = WindowManager::start().await;
    app.mark_page().await;
    super::xdotool(&["windowminimize", &window]);
    app.wait_for_reloaded_lock_screen().await;
    super::wait_for_window_title("casenotes (locked)").await;
    drop(wm);
    app.assert_nothing_left_after_lock(&["Ellerby", "breathing"])
        .await;
    app.quit().await;

    let session = reopen(&vault);
    let id = clients::id_for(&session, "C-0001").unwrap();
    let stored = notes::for_client(&session, id).unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].body, words);
    session.lock().unwrap();
}
