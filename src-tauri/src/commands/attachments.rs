//! Attachment commands: add a file the practitioner picks, show an image from memory, and save an
//! unencrypted copy where the practitioner chooses. Thin wrappers over
//! `casenotes::domain::attachments`, which checks the 25 MB limit, stores the content inside the
//! encrypted database and writes the audit entries.
//!
//! The native "open" and "save" dialogs are shown from here, in Rust, so the page never receives
//! a file-system permission, a path to read, or a way to write one: it can only ask for a dialog,
//! and only the practitioner's choice in that dialog names a file. No dialog plugin command is
//! granted to the window (see `capabilities/main.json`).
//!
//! Nothing here writes a temporary file. An image for viewing goes to the page as raw bytes over
//! IPC and is shown from a `blob:` URL the page revokes when the viewer closes or the vault locks.
//!
//! The dialogs are shown without holding the session's mutex, so the idle lock keeps running
//! while a dialog is open; a file chosen after the vault has locked is refused as `locked`.

use std::path::{Path, PathBuf};

use casenotes::domain::attachments::{self, AttachmentInfo};
use serde::Deserialize;
use tauri::ipc::Response;
use tauri::{AppHandle, Manager, State};
use tauri_plugin_dialog::{DialogExt, FileDialogBuilder};
use ts_rs::TS;

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

#[derive(Deserialize, TS)]
pub struct AddAttachmentArgs {
    #[ts(type = "number")]
    pub client_id: i64,
    /// `null` attaches the file to the client rather than to one of their notes.
    #[ts(type = "number | null")]
    pub note_id: Option<i64>,
}

#[derive(Deserialize, TS)]
pub struct AttachmentIdArgs {
    #[ts(type = "number")]
    pub id: i64,
}

/// The media types the window shows as an image. The core sniffs these from the content's first
/// bytes, never from the file name, so a renamed file cannot pass for an image.
pub const VIEWABLE: &[&str] = &["image/png", "image/jpeg", "image/gif", "image/webp"];

pub fn is_viewable(media_type: &str) -> bool {
    VIEWABLE.contains(&media_type)
}

/// Shows the native "open file" dialog over the main window and lets the practitioner pick a
/// file, then adds it through the core (which checks the size before reading it). `null` when
/// they cancel.
#[tauri::command]
pub async fn add_attachment(
    app: AppHandle,
    state: State<'_, AppState>,
    args: AddAttachmentArgs,
) -> IpcResult<Option<AttachmentInfo>> {
    if !state.is_unlocked() {
        return Err(IpcError::locked());
    }
    let dialog = file_dialog(&app).set_title("Add a file to the client's record");
    let Some(path) = show(dialog, FileDialogBuilder::blocking_pick_file).await? else {
        return Ok(None);
    };
    add_from(&state, args.client_id, args.note_id, &path).map(Some)
}

/// The image's bytes, in memory, as a raw binary answer (no JSON, no temporary file). Opening is
/// recorded in the audit log by the core. Anything but an image is refused: the window only
/// shows images; other files can only be saved out.
#[tauri::command]
pub async fn open_attachment(
    state: State<'_, AppState>,
    args: AttachmentIdArgs,
) -> IpcResult<Response> {
    image_bytes(&state, args.id).map(Response::new)
}

/// Shows the native "save file" dialog, then writes an unencrypted copy where the practitioner
/// chose (the core refuses to overwrite a file and records the export). Answers where the copy
/// went, or `null` when they cancel. The page warns before calling this.
#[tauri::command]
pub async fn save_attachment_copy(
    app: AppHandle,
    state: State<'_, AppState>,
    args: AttachmentIdArgs,
) -> IpcResult<Option<String>> {
    let info = state.with_session(|s| attachments::info(s, args.id))?;
    let dialog = file_dialog(&app)
        .set_title("Save an unencrypted copy")
        .set_file_name(&info.file_name);
    let Some(path) = show(dialog, FileDialogBuilder::blocking_save_file).await? else {
        return Ok(None);
    };
    save_copy_to(&state, args.id, &path).map(|()| Some(path.display().to_string()))
}

/// GTK's file dialogs add every file chosen in them, a saved copy included, to the desktop's
/// "recent files" list (`~/.local/share/recently-used.xbel`), where anyone at this computer would
/// see the names of client documents. Turns that off for this process. Runs on the main thread,
/// once GTK is up (the app's `setup`).
pub fn keep_chosen_files_out_of_recent_files() {
    #[cfg(target_os = "linux")]
    {
        use gtk::prelude::GtkSettingsExt;
        if let Some(settings) = gtk::Settings::default() {
            settings.set_gtk_recent_files_enabled(false);
        }
    }
}

/// A file dialog that belongs to the main window (so it stays in front of it) and starts in the
/// practitioner's Documents folder (else their home folder), not wherever the app was started.
pub(crate) fn file_dialog(app: &AppHandle) -> FileDialogBuilder<tauri::Wry> {
    let mut builder = app.dialog().file();
    if let Some(dirs) = directories::UserDirs::new() {
        let start = dirs.document_dir().unwrap_or(dirs.home_dir());
        if start.is_dir() {
            builder = builder.set_directory(start);
        }
    }
    match app.get_webview_window("main") {
        Some(window) => builder.set_parent(&window),
        None => builder,
    }
}

/// Runs a blocking dialog off the main thread (which must stay free to draw it) and off the async
/// runtime's workers; `None` when the practitioner cancels.
pub(crate) async fn show(
    dialog: FileDialogBuilder<tauri::Wry>,
    pick: fn(FileDialogBuilder<tauri::Wry>) -> Option<tauri_plugin_dialog::FilePath>,
) -> IpcResult<Option<PathBuf>> {
    let chosen = tauri::async_runtime::spawn_blocking(move || pick(dialog))
        .await
        .map_err(|_| {
            IpcError::internal("The file dialog closed unexpectedly. Please try again.")
        })?;
    chosen
        .map(|p| {
            p.into_path().map_err(|_| {
                IpcError::internal("casenotes can only use files on this computer's own disks.")
            })
        })
        .transpose()
}

/// The part of `add_attachment` after the dialog.
pub fn add_from(
    state: &AppState,
    client_id: i64,
    note_id: Option<i64>,
    path: &Path,
) -> IpcResult<AttachmentInfo> {
    state.with_session(|s| attachments::add_file(s, client_id, note_id, path))
}

/// The part of `open_attachment` that asks the core: refuses what the window cannot show before
/// anything is read or recorded.
pub fn image_bytes(state: &AppState, id: i64) -> IpcResult<Vec<u8>> {
    state.with_session(|s| {
        let info = attachments::info(s, id)?;
        if !is_viewable(&info.media_type) {
            return Err(casenotes::Error::rule(
                format!("{} is not an image casenotes can show.", info.file_name),
                "Save a copy to open it in another program.",
            ));
        }
        let (_, mut content) = attachments::open(s, id)?;
        // Hand the bytes over without another copy; what is left behind is wiped.
        Ok(std::mem::take(&mut *content))
    })
}

/// The part of `save_attachment_copy` after the dialog.
pub fn save_copy_to(state: &AppState, id: i64, path: &Path) -> IpcResult<()> {
    state.with_session(|s| attachments::save_copy(s, id, path).map(|_| ()))
}

#[cfg(test)]
mod tests {
    use casenotes::audit;
    use casenotes::domain::clients::{self, ClientDetails};
    use casenotes::secret::Passphrase;
    use casenotes::vault::Vault;

    use super::*;

    /// A valid 3 x 2 PNG image.
    fn png() -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, 3, 2);
        encoder.set_color(png::ColorType::Rgb);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&[200; 3 * 2 * 3]).unwrap();
        writer.finish().unwrap();
        out
    }

    /// An unlocked state holding one client; answers the client's id.
    fn unlocked(dir: &Path) -> (AppState, i64) {
        let mut session = Vault::create(
            &dir.join("vault"),
            &Passphrase::from_str_for_tests("twelve chars or more"),
        )
        .unwrap()
        .session;
        let client = clients::add(&mut session, ClientDetails::named("Ann", "Example")).unwrap();
        let state = AppState::new(dir.join("vault"), None);
        state.open(session, true).unwrap();
        (state, client.id)
    }

    fn actions(state: &AppState) -> Vec<String> {
        state
            .with_session(|s| audit::list(s.conn()?, None))
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect()
    }

    #[test]
    fn only_images_the_core_recognised_are_viewable() {
        for t in ["image/png", "image/jpeg", "image/gif", "image/webp"] {
            assert!(is_viewable(t), "{t}");
        }
        for t in [
            "application/pdf",
            "text/plain",
            "application/octet-stream",
            "image/svg+xml",
        ] {
            assert!(!is_viewable(t), "{t}");
        }
    }

    #[test]
    fn an_image_added_from_a_file_is_shown_and_saved_out_with_audit_entries() {
        let tmp = tempfile::tempdir().unwrap();
        let (state, client) = unlocked(tmp.path());
        let picked = tmp.path().join("consent form.png");
        let image = png();
        std::fs::write(&picked, &image).unwrap();

        let info = add_from(&state, client, None, &picked).unwrap();
        assert_eq!(
            (info.file_name.as_str(), info.media_type.as_str()),
            ("consent form.png", "image/png")
        );
        assert_eq!(image_bytes(&state, info.id).unwrap(), image);

        let copy = tmp.path().join("copy.png");
        save_copy_to(&state, info.id, &copy).unwrap();
        assert_eq!(std::fs::read(&copy).unwrap(), image);
        let refused = save_copy_to(&state, info.id, &copy).unwrap_err();
        assert_eq!(refused.kind, "record_rule", "never overwrites: {refused:?}");

        let actions = actions(&state);
        assert!(actions.contains(&"attachment_added".to_owned()));
        assert!(actions.contains(&"attachment_opened".to_owned()));
        assert_eq!(
            actions
                .iter()
                .filter(|a| *a == "attachment_saved_out")
                .count(),
            1
        );
    }

    #[test]
    fn a_letter_is_not_sent_to_the_window_and_its_refusal_is_not_an_opening() {
        let tmp = tempfile::tempdir().unwrap();
        let (state, client) = unlocked(tmp.path());
        let letter = tmp.path().join("referral.pdf");
        std::fs::write(&letter, b"%PDF-1.7 a referral letter").unwrap();
        let info = add_from(&state, client, None, &letter).unwrap();

        let refused = image_bytes(&state, info.id).unwrap_err();
        assert_eq!(refused.kind, "record_rule");
        assert!(refused.message.contains("Save a copy"), "{refused:?}");
        assert!(!actions(&state).contains(&"attachment_opened".to_owned()));
    }

    #[test]
    fn a_file_over_25_mb_is_refused_and_nothing_is_added() {
        let tmp = tempfile::tempdir().unwrap();
        let (state, client) = unlocked(tmp.path());
        let big = tmp.path().join("scan.pdf");
        let file = std::fs::File::create(&big).unwrap();
        // Sparse: the size is what counts, and the core checks it before reading.
        file.set_len(attachments::MAX_BYTES as u64 + 1).unwrap();

        let refused = add_from(&state, client, None, &big).unwrap_err();
        assert_eq!(refused.kind, "record_rule");
        assert!(refused.message.contains("at most 25 MB"), "{refused:?}");
        assert!(state
            .with_session(|s| attachments::for_client(s, client))
            .unwrap()
            .is_empty());
    }

    #[test]
    fn every_attachment_command_body_answers_locked_on_a_locked_vault() {
        let tmp = tempfile::tempdir().unwrap();
        let state = AppState::new(tmp.path().join("vault"), None);
        let path = tmp.path().join("anything.png");
        assert_eq!(add_from(&state, 1, None, &path).unwrap_err().kind, "locked");
        assert_eq!(image_bytes(&state, 1).unwrap_err().kind, "locked");
        assert_eq!(save_copy_to(&state, 1, &path).unwrap_err().kind, "locked");
        assert!(!path.exists());
    }
}
