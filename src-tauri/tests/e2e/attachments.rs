//! End-to-end: attachments through the real window and the real native (GTK) file dialogs, which
//! the test drives with `xdotool` as a practitioner would with the keyboard: an image is added,
//! shown from memory and saved out after the warning; a file over 25 MB is refused.
//!
//! There is no window manager under Xvfb, so the test finds each dialog by its title and gives it
//! the keyboard focus itself (`xdotool windowfocus`) before typing into it.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use casenotes::domain::{attachments, clients};
use casenotes::secret::Passphrase;
use casenotes::vault::Vault;
use serde_json::{json, Value};

use super::{
    reopen, shots_dir, temp_vault, wait_for_text_containing, windows_titled, xdotool, App,
    PASSPHRASE, WAIT,
};

const ADD_TITLE: &str = "Add a file to the client's record";
const SAVE_TITLE: &str = "Save an unencrypted copy";

/// A valid PNG, `width` x `height`, in a colour of its own.
fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    let mut writer = encoder.write_header().unwrap();
    let pixels: Vec<u8> = (0..width * height)
        .flat_map(|i| [40, (i % 200) as u8, 120])
        .collect();
    writer.write_image_data(&pixels).unwrap();
    writer.finish().unwrap();
    out
}

/// Waits for the native dialog, gives it the keyboard focus, and answers its window id.
pub(super) async fn focus_dialog(app: &App, title: &str) -> String {
    let deadline = Instant::now() + WAIT;
    let id = loop {
        if let Some(id) = windows_titled(title).pop() {
            break id;
        }
        if Instant::now() >= deadline {
            app.fail(&format!("no native dialog titled {title:?}"))
                .await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    // GTK draws the chooser's contents a moment after the window is mapped.
    tokio::time::sleep(Duration::from_millis(500)).await;
    xdotool(&["windowfocus", "--sync", &id]);
    // The whole display, dialog included (WebDriver's screenshots show only the page).
    let shot = shots_dir().join(format!("native-{}.png", title.replace([' ', '\''], "-")));
    let _ = Command::new("import")
        .args(["-window", "root"])
        .arg(&shot)
        .status();
    id
}

pub(super) async fn wait_until_closed(app: &App, title: &str) {
    let deadline = Instant::now() + WAIT;
    while !windows_titled(title).is_empty() {
        if Instant::now() >= deadline {
            app.fail(&format!("the dialog {title:?} stayed open")).await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// In GTK's "open" dialog: Ctrl+L opens the location field; the full path and Return choose it.
async fn choose_file(app: &App, path: &Path) {
    focus_dialog(app, ADD_TITLE).await;
    xdotool(&["key", "--clearmodifiers", "ctrl+l"]);
    tokio::time::sleep(Duration::from_millis(200)).await;
    xdotool(&["type", "--delay", "15", &path.display().to_string()]);
    tokio::time::sleep(Duration::from_millis(200)).await;
    xdotool(&["key", "Return"]);
    wait_until_closed(app, ADD_TITLE).await;
}

/// In GTK's "save" dialog the name field has the focus, holding the suggested name: replace it
/// with the full path and press Return.
async fn choose_destination(app: &App, path: &Path) {
    focus_dialog(app, SAVE_TITLE).await;
    xdotool(&["key", "--clearmodifiers", "ctrl+a"]);
    xdotool(&["type", "--delay", "15", &path.display().to_string()]);
    tokio::time::sleep(Duration::from_millis(200)).await;
    xdotool(&["key", "Return"]);
    wait_until_closed(app, SAVE_TITLE).await;
}

/// Runs a script that resolves with a value (the last argument is the callback).
async fn run_async(app: &App, script: &str, args: Vec<Value>) -> Value {
    app.client.execute_async(script, args).await.unwrap()
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn add_view_and_save_out_an_image_through_the_native_dialogs() {
    let (tmp, vault) = temp_vault();
    let created = Vault::create(&vault, &Passphrase::from_str_for_tests(PASSPHRASE)).unwrap();
    let mut session = created.session;
    clients::add(
        &mut session,
        clients::ClientDetails::named("Oriel", "Vantongeren"),
    )
    .unwrap();
    session.lock().unwrap();

    let files = tmp.path().join("from the scanner");
    std::fs::create_dir_all(&files).unwrap();
    let image = png(40, 30);
    let picked = files.join("consent-form-scan.png");
    std::fs::write(&picked, &image).unwrap();
    // 30 MB, sparse, so the test writes nothing like that to disk (the core checks the size
    // before reading; the limit's edge is tested in the shell's unit tests).
    let too_big = files.join("whole-case-file.pdf");
    std::fs::File::create(&too_big)
        .unwrap()
        .set_len(30 * 1024 * 1024)
        .unwrap();
    let copy = tmp.path().join("copy-for-solicitor.png");

    // GTK would list chosen files here (XDG_DATA_HOME/recently-used.xbel); the app turns it off.
    let data_home = tmp.path().join("data-home");
    std::fs::create_dir_all(&data_home).unwrap();
    let app = App::launch(&vault, &[("XDG_DATA_HOME", data_home.to_str().unwrap())]).await;
    app.unlock_to_home().await;
    app.click("nav-clients").await;
    app.click("open-client-C-0001").await;
    app.wait_for("attachments-empty").await;

    // The page itself is granted none of the dialog plugin's commands.
    let refused = run_async(
        &app,
        "const done = arguments[arguments.length - 1];
         window.__TAURI_INTERNALS__.invoke('plugin:dialog|open', { options: {} })
           .then((ok) => done({ ok }), (err) => done({ err: String(err) }));",
        vec![],
    )
    .await;
    assert!(
        refused["err"]
            .as_str()
            .is_some_and(|e| e.contains("not allowed")),
        "the page opened a dialog by itself: {refused}"
    );

    // Add the image through the real "open" dialog.
    app.click("attachment-add").await;
    choose_file(&app, &picked).await;
    let name = wait_for_text_containing(&app, "attachment-name", "consent-form-scan.png").await;
    assert_eq!(name, "consent-form-scan.png");
    assert_eq!(app.text_of("attachment-type").await, "PNG image");
    let kb = (image.len() as f64 / 1024.0).round().max(1.0);
    assert_eq!(app.text_of("attachment-size").await, format!("{kb} KB"));
    let added = app.text_of("attachment-added").await;
    assert!(
        added.split(' ').count() == 3 && added.chars().last().is_some_and(|c| c.is_ascii_digit()),
        "a UK date such as 3 March 2026: {added:?}"
    );
    app.shot("60-attachment-added").await;

    // A file over 25 MB: the core's message, and nothing added.
    app.click("attachment-add").await;
    choose_file(&app, &too_big).await;
    let error = wait_for_text_containing(&app, "attachment-error", "at most 25 MB").await;
    assert!(
        error.contains("The file is 30.0 MB") && error.contains("smaller copy"),
        "{error}"
    );
    let rows = app
        .client
        .find_all(fantoccini::Locator::Css("[data-testid='attachment']"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "the big file was not added");
    app.shot("61-attachment-too-big").await;

    // View it: an <img> from a blob: URL, decoded, with the file name as its text alternative.
    app.click("attachment-view").await;
    let img = app.wait_for("attachment-image").await;
    let src = img.attr("src").await.unwrap().unwrap_or_default();
    assert!(src.starts_with("blob:"), "shown from memory: {src}");
    assert_eq!(
        img.attr("alt").await.unwrap().as_deref(),
        Some("consent-form-scan.png")
    );
    let deadline = Instant::now() + WAIT;
    loop {
        let width = app
            .client
            .execute(
                "const i = document.querySelector(\"[data-testid='attachment-image']\");
                 return i && i.complete ? i.naturalWidth : 0;",
                vec![],
            )
            .await
            .unwrap();
        if width == json!(40) {
            break;
        }
        if Instant::now() >= deadline {
            app.fail(&format!("the image never decoded: naturalWidth {width}"))
                .await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.shot("62-attachment-viewer").await;
    app.audit_a11y("the attachment viewer").await;

    // Close (from the keyboard: the focus is on Close); the blob: URL no longer loads.
    let close = app.wait_for("attachment-viewer-close").await;
    let focused = app.client.active_element().await.unwrap();
    assert_eq!(
        focused.attr("data-testid").await.unwrap().as_deref(),
        Some("attachment-viewer-close"),
        "the viewer's Close button has the focus"
    );
    close.click().await.unwrap();
    assert!(!app.present("attachment-viewer").await);
    let revoked = run_async(
        &app,
        "const done = arguments[arguments.length - 1];
         const i = new Image(); i.onload = () => done('loaded'); i.onerror = () => done('revoked');
         i.src = arguments[0];",
        vec![json!(src)],
    )
    .await;
    assert_eq!(revoked, json!("revoked"), "the blob: URL was revoked");

    // Save a copy: first the warning, then the real "save" dialog.
    app.click("attachment-save").await;
    let warning = app.text_of("attachment-save-warning").await;
    assert!(
        warning.contains("not be encrypted") && warning.contains("outside casenotes"),
        "{warning}"
    );
    app.shot("63-save-copy-warning").await;
    app.click("attachment-save-confirm").await;
    choose_destination(&app, &copy).await;
    let status = wait_for_text_containing(&app, "attachment-status", "unencrypted copy").await;
    assert!(
        status.contains(&copy.display().to_string()),
        "says where the copy went: {status}"
    );
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        image,
        "the copy is the image"
    );
    app.shot("64-saved-copy").await;

    // Open the viewer again and lock: the page keeps nothing.
    app.click("attachment-view").await;
    app.wait_for("attachment-image").await;
    app.mark_page().await;
    app.click("lock-button").await;
    app.wait_for_reloaded_lock_screen().await;
    app.assert_nothing_left_after_lock(&["consent-form-scan", "Vantongeren", "blob:"])
        .await;
    app.quit().await;

    // Nothing chosen in the dialogs went into the desktop's "recent files".
    let recent = std::fs::read_to_string(data_home.join("recently-used.xbel")).unwrap_or_default();
    assert!(
        !recent.contains("consent-form-scan") && !recent.contains("copy-for-solicitor"),
        "GTK listed a chosen file in recent files: {recent}"
    );

    // The vault holds one attachment, the image, and the audit log has the openings and the
    // copy saved out.
    let session = reopen(&vault);
    let client = clients::id_for(&session, "C-0001").unwrap();
    let stored = attachments::for_client(&session, client).unwrap();
    assert_eq!(stored.len(), 1);
    let (_, content) = attachments::open(&session, stored[0].id).unwrap();
    assert_eq!(&content[..], &image[..]);
    let actions: Vec<String> = casenotes::audit::list(session.conn().unwrap(), None)
        .unwrap()
        .into_iter()
        .filter(|e| e.subject.as_deref() == Some(&stored[0].id.to_string()))
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions.iter().filter(|a| *a == "attachment_added").count(),
        1,
        "{actions:?}"
    );
    assert!(
        actions.iter().any(|a| a == "attachment_opened"),
        "{actions:?}"
    );
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "attachment_saved_out")
            .count(),
        1,
        "{actions:?}"
    );
    session.lock().unwrap();
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn a_letter_is_attached_to_the_note_it_belongs_with() {
    let (tmp, vault) = temp_vault();
    let created = Vault::create(&vault, &Passphrase::from_str_for_tests(PASSPHRASE)).unwrap();
    let mut session = created.session;
    let client = clients::add(
        &mut session,
        clients::ClientDetails::named("Oriel", "Vantongeren"),
    )
    .unwrap();
    let note = casenotes::domain::notes::create(
        &mut session,
        client.id,
        casenotes::domain::notes::NoteKind::Contact,
        casenotes::domain::notes::Template::Free,
        "Phoned the GP surgery about the referral letter.",
        false,
    )
    .unwrap();
    casenotes::domain::notes::sign(&mut session, note.id).unwrap();
    session.lock().unwrap();
    let letter = tmp.path().join("referral-letter.pdf");
    std::fs::write(&letter, b"%PDF-1.4\n% a letter from the GP\n%%EOF\n").unwrap();

    let app = App::launch(&vault, &[]).await;
    app.unlock_to_home().await;
    app.click("nav-clients").await;
    app.click("open-client-C-0001").await;
    // A signed note still takes an attachment: the file is not part of what was signed.
    app.click("note-attach").await;
    choose_file(&app, &letter).await;
    let attached = app.wait_for_text("note-attachments").await;
    assert!(attached.contains("referral-letter.pdf"), "{attached}");
    assert_eq!(app.text_of("attachment-type").await, "PDF document");
    let with = app.text_of("attachment-with").await;
    assert!(with.starts_with("Contact note, "), "{with}");
    app.shot("65-letter-attached-to-note").await;
    app.quit().await;

    let session = reopen(&vault);
    let stored = attachments::for_client(&session, client.id).unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].note_id, Some(note.id));
    assert_eq!(stored[0].media_type, "application/pdf");
    session.lock().unwrap();
}
