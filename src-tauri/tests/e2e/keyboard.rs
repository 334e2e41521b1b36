//! The keyboard alone, end to end: Tab walks through the client's file and the note editor in
//! the order they read, reaching every control, each showing where the focus is; and a note is
//! written and signed without the mouse.

use std::time::{Duration, Instant};

use casenotes::domain::clients::{self, ClientDetails};
use casenotes::secret::Passphrase;
use casenotes::vault::Vault;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde_json::Value;

use super::{temp_vault, wait_for_text_containing, App, PASSPHRASE, WAIT};

/// Numbers, in document order, every control a keyboard should reach inside `scope` (visible,
/// enabled; a radio group counts once), and returns how many there are with their names.
const MARK_CONTROLS: &str = "
  const scope = document.querySelector(arguments[0]);
  const all = [...scope.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex=\"-1\"])')];
  const seen = new Set();
  const wanted = all.filter((e) => {
    if (e.disabled || e.closest('[inert]') || e.getClientRects().length === 0) return false;
    if (getComputedStyle(e).visibility === 'hidden') return false;
    if (e.type === 'radio') { if (seen.has(e.name)) return false; seen.add(e.name); }
    return true;
  });
  document.querySelectorAll('[data-e2e-tab]').forEach((e) => e.removeAttribute('data-e2e-tab'));
  wanted.forEach((e, i) => {
    if (e.type === 'radio') {
      scope.querySelectorAll(`input[type=radio][name=\"${e.name}\"]`).forEach((r) => r.setAttribute('data-e2e-tab', i));
    } else {
      e.setAttribute('data-e2e-tab', i);
    }
  });
  return wanted.map((e) => e.dataset.testid || e.getAttribute('aria-label') || e.textContent.trim().slice(0, 40) || e.id || e.tagName);";

/// What has the focus: its number from MARK_CONTROLS (or null), its test id, and whether the
/// focus shows (it matches :focus-visible and has an outline or a box-shadow drawn).
const DESCRIBE_FOCUS: &str = "
  const e = document.activeElement;
  if (!e || e === document.body || e === document.documentElement) return null;
  const s = getComputedStyle(e);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const shadow = s.boxShadow !== 'none' && s.boxShadow !== '';
  return {
    index: e.dataset.e2eTab === undefined ? null : Number(e.dataset.e2eTab),
    testid: e.dataset.testid || null,
    name: e.dataset.testid || e.getAttribute('aria-label') || e.textContent.trim().slice(0, 40) || e.id || e.tagName,
    visible: e.matches(':focus-visible') && (outline || shadow),
  };";

async fn focused(app: &App) -> Value {
    app.client.execute(DESCRIBE_FOCUS, vec![]).await.unwrap()
}

/// Presses Tab until the focus leaves `scope` after having been in it (or wraps round), and
/// checks that every control marked in it was reached once, in document order, with the focus
/// visible on each.
async fn tab_through(app: &App, scope: &str, what: &str) {
    let controls = app
        .client
        .execute(MARK_CONTROLS, vec![Value::from(scope)])
        .await
        .unwrap();
    let controls: Vec<String> = serde_json::from_value(controls).unwrap();
    assert!(!controls.is_empty(), "no controls in {what}");
    let mut reached: Vec<usize> = Vec::new();
    let mut problems = Vec::new();
    let mut entered = false;
    for _ in 0..(controls.len() * 3 + 40) {
        app.press(Key::Tab).await;
        let now = focused(app).await;
        let index = now["index"].as_u64().map(|i| i as usize);
        match index {
            Some(i) => {
                entered = true;
                if reached.contains(&i) {
                    break; // round again
                }
                if !now["visible"].as_bool().unwrap_or(false) {
                    problems.push(format!("no visible focus on {}", now["name"]));
                }
                if reached.last().is_some_and(|&last| i < last) {
                    problems.push(format!(
                        "{} was reached after {}, above it on the page",
                        controls[i],
                        controls[*reached.last().unwrap()]
                    ));
                }
                reached.push(i);
            }
            None if entered => break,
            None => {}
        }
    }
    let missed: Vec<&String> = controls
        .iter()
        .enumerate()
        .filter(|(i, _)| !reached.contains(i))
        .map(|(_, c)| c)
        .collect();
    if !missed.is_empty() {
        problems.push(format!("never reached with Tab: {missed:?}"));
    }
    println!(
        "keyboard {what}: {} controls reached in order: {:?}",
        reached.len(),
        reached.iter().map(|&i| &controls[i]).collect::<Vec<_>>()
    );
    if !problems.is_empty() {
        app.fail(&format!("keyboard, {what}:\n{}", problems.join("\n")))
            .await;
    }
}

/// Presses Tab until the control with this test id has the focus.
async fn tab_to(app: &App, testid: &str) {
    for _ in 0..200 {
        app.press(Key::Tab).await;
        if focused(app).await["testid"].as_str() == Some(testid) {
            return;
        }
    }
    app.fail(&format!("Tab never reached [data-testid='{testid}']"))
        .await;
}

async fn focus_is_on(app: &App, testid: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let now = focused(app).await;
        if now["testid"].as_str() == Some(testid) {
            return;
        }
        if Instant::now() >= deadline {
            app.fail(&format!(
                "the focus is on {now}, not on [data-testid='{testid}']"
            ))
            .await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn the_client_file_and_a_note_work_from_the_keyboard_alone() {
    let (_tmp, vault) = temp_vault();
    let created = Vault::create(&vault, &Passphrase::from_str_for_tests(PASSPHRASE)).unwrap();
    let mut session = created.session;
    clients::add(&mut session, ClientDetails::named("Wilhelmina", "Toft")).unwrap();
    session.lock().unwrap();

    let app = App::launch(&vault, &[]).await;
    // The passphrase field has the focus on the lock screen: type, then Enter.
    app.wait_for("lock-screen").await;
    focus_is_on(&app, "unlock-passphrase").await;
    app.type_keys(PASSPHRASE).await;
    app.press(Key::Enter).await;
    app.wait_for("home").await;

    // To the client's file by keyboard: Clients in the bar, then the client's row.
    tab_to(&app, "nav-clients").await;
    app.press(Key::Enter).await;
    app.wait_for("open-client-C-0001").await;
    tab_to(&app, "open-client-C-0001").await;
    app.press(Key::Enter).await;
    wait_for_text_containing(&app, "client-file-name", "Wilhelmina Toft").await;
    app.wait_for("new-note").await;

    // Every control of the file, from the top of the page.
    app.client
        .execute(
            "document.activeElement && document.activeElement.blur(); return null;",
            vec![],
        )
        .await
        .unwrap();
    tab_through(&app, "main", "the client file").await;
    app.shot("kb-01-client-file").await;

    // A new note: Enter on New note puts the focus in the editor.
    tab_to(&app, "new-note").await;
    app.press(Key::Enter).await;
    app.wait_for("note-editor").await;
    focus_is_on(&app, "note-kind").await;
    // One step back out of the editor, then through it with Tab.
    let back = KeyActions::new("keyboard".to_owned())
        .then(KeyAction::Down {
            value: Key::Shift.into(),
        })
        .then(KeyAction::Down {
            value: Key::Tab.into(),
        })
        .then(KeyAction::Up {
            value: Key::Tab.into(),
        })
        .then(KeyAction::Up {
            value: Key::Shift.into(),
        });
    app.client.perform_actions(back).await.unwrap();
    tab_through(&app, "[data-testid='note-editor']", "the note editor").await;

    // Write and sign it with the keyboard only.
    tab_to(&app, "note-body").await;
    app.type_keys("spoke about the quince tree and the long winter")
        .await;
    wait_for_text_containing(&app, "note-save-status", "Draft saved").await;
    app.shot("kb-02-note-written").await;
    tab_to(&app, "note-sign").await;
    app.press(Key::Enter).await;
    // The confirmation takes the focus, on its Sign button.
    focus_is_on(&app, "note-sign-confirm").await;
    app.shot("kb-03-sign-confirm").await;
    app.press(Key::Enter).await;
    let signed = app.wait_for_text("note-signed").await;
    assert!(signed.starts_with("Signed"), "{signed}");
    // The focus comes back to New note, above the note just signed.
    focus_is_on(&app, "new-note").await;
    assert!(app
        .text_of("note-html")
        .await
        .contains("spoke about the quince tree"));
    app.shot("kb-04-signed").await;
    app.audit_a11y("the client file after signing by keyboard")
        .await;

    // The audit can fail: a field with no label is one of its serious findings.
    app.client
        .execute(
            "const i = document.createElement('input'); i.id = 'e2e-unlabelled'; document.querySelector('main').append(i); return null;",
            vec![],
        )
        .await
        .unwrap();
    let (serious, _) = app.a11y_findings("a page with an unlabelled field").await;
    assert!(
        serious
            .iter()
            .any(|f| f.contains("] label (") && f.contains("#e2e-unlabelled")),
        "axe-core missed an unlabelled field: {serious:?}"
    );
    app.quit().await;

    let session = super::reopen(&vault);
    let client = clients::id_for(&session, "C-0001").unwrap();
    let notes = casenotes::domain::notes::for_client(&session, client).unwrap();
    assert_eq!(notes.len(), 1);
    assert!(notes[0].signature_holds());
}
