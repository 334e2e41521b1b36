//! casenotes-desktop: the Tauri shell over the `casenotes` core.
//!
//! - [`state`]: the one piece of shared state (the open session, if any);
//! - [`lock`]: every way the vault locks, and the idle watcher;
//! - [`commands`]: the IPC surface, one module per domain, each command a thin wrapper;
//! - [`error`]: the `{kind, message}` error every command returns;
//! - `bindings` (tests only): writes the TypeScript types the UI compiles against.
//!
//! The shell holds no SQL and no cryptography: both live in the core.

pub mod commands;
pub mod error;
pub mod lock;
pub mod state;

mod command_names;
pub use command_names::COMMAND_NAMES;

#[cfg(test)]
mod bindings;

use std::path::PathBuf;
use std::time::Duration;

use tauri::{Manager, RunEvent, WindowEvent};

use crate::state::{AppState, LockReason};

/// The vault folder: `CASENOTES_VAULT`, else the same platform data folder the CLI uses, so the
/// app and the CLI open the same vault.
pub fn vault_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CASENOTES_VAULT").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("uk", "casenotes", "casenotes")
        .map(|d| d.data_dir().join("vault"))
}

/// Debug builds only: `CASENOTES_IDLE_SECONDS` shortens the idle lock, for the end-to-end tests.
/// Release builds ignore it, so nobody can lengthen a practitioner's idle lock from outside.
fn idle_override() -> Option<Duration> {
    if cfg!(debug_assertions) {
        std::env::var("CASENOTES_IDLE_SECONDS")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .filter(|s| *s > 0)
            .map(Duration::from_secs)
    } else {
        None
    }
}

/// Keeps secrets out of core dumps (this process's and those of WebKit's processes, which inherit
/// `RLIMIT_CORE` 0) and away from other processes of the same user that would attach with ptrace
/// (Linux: `PR_SET_DUMPABLE` 0); a panic prints a sentence and a source location, never its
/// message, which could quote a note. Runs before any secret exists.
fn harden_process() {
    casenotes::process::forbid_core_dumps();
    casenotes::process::install_quiet_panic_hook();
}

/// Logging out, shutting down or `kill` send SIGTERM (SIGHUP, SIGINT from a terminal): lock
/// first, so the audit entry is written and the database closed cleanly, then quit.
#[cfg(unix)]
fn lock_and_exit_on_termination_signals(app: tauri::AppHandle) {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = match signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP]) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("casenotes: could not watch for termination signals ({e}); quitting from the window still locks");
            return;
        }
    };
    let spawned = std::thread::Builder::new()
        .name("signals".to_owned())
        .spawn(move || {
            if signals.forever().next().is_some() {
                let _ = lock::lock_after_saving(&app, LockReason::Closing);
                app.exit(0);
            }
        });
    if let Err(e) = spawned {
        eprintln!("casenotes: could not watch for termination signals ({e}); quitting from the window still locks");
    }
}

/// Whether the web view may go to `url`: only the app's own origin on this platform, where Tauri
/// serves the pages from inside the binary: `tauri://localhost` on Linux and macOS, and
/// `http://tauri.localhost` on Windows and Android (Tauri 2's default, `useHttpsScheme` off). No
/// port, no user, no other scheme or host: a link or a script sending the window anywhere else,
/// the other platform's origin included, is refused.
pub fn is_app_url(url: &tauri::Url) -> bool {
    const SCHEME: &str = if cfg!(any(windows, target_os = "android")) {
        "http"
    } else {
        "tauri"
    };
    const HOST: &str = if cfg!(any(windows, target_os = "android")) {
        "tauri.localhost"
    } else {
        "localhost"
    };
    url.scheme() == SCHEME
        && url.host_str() == Some(HOST)
        && url.port().is_none()
        && url.username().is_empty()
        && url.password().is_none()
}

fn navigation_guard<R: tauri::Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri::plugin::Builder::new("navigation-guard")
        .on_navigation(|_, url| is_app_url(url))
        .build()
}

pub fn run() {
    harden_process();
    let Some(dir) = vault_dir() else {
        eprintln!("casenotes: could not find this computer's app-data folder; set CASENOTES_VAULT to a folder for the vault.");
        std::process::exit(1);
    };
    let app = tauri::Builder::default()
        .plugin(navigation_guard())
        // Native open/save dialogs for attachments, shown from Rust only: the window is granted
        // none of the plugin's commands (capabilities/main.json).
        .plugin(tauri_plugin_dialog::init())
        .manage(AppState::new(dir, idle_override()))
        .manage(lock::DraftsSaved::default())
        .invoke_handler(tauri::generate_handler![
            commands::vault::vault_state,
            commands::vault::create_vault,
            commands::vault::recovery_key_stored,
            commands::vault::unlock,
            commands::vault::recover,
            commands::vault::unlock_with_keychain,
            commands::vault::lock,
            commands::vault::drafts_saved,
            commands::vault::change_passphrase,
            commands::vault::change_master_key,
            commands::vault::note_activity,
            commands::vault::vault_status,
            commands::today::today,
            commands::vault::about,
            commands::settings::get_settings,
            commands::settings::set_idle_lock_minutes,
            commands::settings::set_lock_on_minimise,
            commands::settings::set_keychain_unlock,
            commands::clients::list_clients,
            commands::clients::add_client,
            commands::clients::update_client,
            commands::clients::open_client_file,
            commands::notes::create_note,
            commands::notes::save_draft,
            commands::notes::sign_note,
            commands::notes::add_addendum,
            commands::notes::set_note_third_party,
            commands::notes::link_note_appointment,
            commands::search::search,
            commands::appointments::day_appointments,
            commands::appointments::add_appointment,
            commands::appointments::update_appointment,
            commands::attachments::add_attachment,
            commands::attachments::open_attachment,
            commands::attachments::save_attachment_copy,
            commands::backups::backup_status,
            commands::backups::set_backup_settings,
            commands::backups::choose_backup_folder,
            commands::backups::back_up_now,
            commands::backups::list_backups,
            commands::backups::backup_running,
            commands::backups::choose_backup_file,
            commands::backups::restore_backup,
            commands::retention::retention_policy,
            commands::retention::set_retention_policy,
            commands::retention::retention_due,
            commands::retention::destroy_records,
            commands::retention::destruction_register,
            commands::retention::save_register_report,
            commands::retention::backups_holding_destroyed,
            commands::retention::replace_backups_holding_destroyed,
            commands::risk::client_risk,
            commands::risk::create_risk_assessment,
            commands::risk::save_risk_draft,
            commands::risk::sign_risk_assessment,
            commands::risk::add_risk_addendum,
            commands::risk::save_safety_plan,
            commands::risk::save_safety_plan_copy,
            commands::risk::add_capacity_decision,
            commands::risk::set_after_death_wishes,
            commands::risk::risk_reviews_due,
            commands::rights::client_rights,
            commands::rights::add_consent,
            commands::rights::withdraw_consent,
            commands::rights::add_disclosure,
            commands::rights::add_request,
            commands::rights::request_identity_checked,
            commands::rights::extend_request,
            commands::rights::decide_request,
            commands::rights::complete_request,
            commands::rights::carry_out_erasure,
            commands::rights::rights_due,
            commands::breaches::list_breaches,
            commands::breaches::add_breach,
            commands::breaches::decide_breach,
            commands::breaches::breach_told,
            commands::measures::measure_forms,
            commands::measures::client_measures,
            commands::measures::record_measure,
            commands::measures::mark_measure_entered_in_error,
            commands::measures::recent_measure_alerts,
            commands::measures::save_calendar_export,
            commands::sar::sar_review,
            commands::sar::export_sar,
            commands::rights::rectify_request,
            commands::cases::create_case,
            commands::cases::list_cases,
            commands::cases::client_cases,
            commands::cases::case_joint_notes,
            commands::cases::client_joint_notes,
            commands::cases::create_joint_note,
            commands::cases::save_joint_draft,
            commands::cases::sign_joint_note,
            commands::cases::add_joint_addendum,
            commands::cases::sar_joint_note_candidates,
            commands::supervision::save_supervision_extract,
        ])
        .setup(|app| {
            commands::attachments::keep_chosen_files_out_of_recent_files();
            // After a backup was restored into another folder, start on that folder.
            app.state::<AppState>().follow_remembered_vault_location();
            // A keychain secret left by a run that crashed goes before anything can use it.
            lock::forget_keychain(&app.state::<AppState>());
            lock::spawn_idle_watcher(app.handle().clone());
            #[cfg(unix)]
            lock_and_exit_on_termination_signals(app.handle().clone());
            Ok(())
        })
        // Window events arrive on the main thread, which also delivers the page's "drafts saved"
        // answer, so the save-then-lock runs on a thread of its own.
        .on_window_event(|window, event| match event {
            WindowEvent::Resized(_) => {
                let app = window.app_handle();
                if app.state::<AppState>().lock_on_minimise() && lock::window_minimised(app) {
                    lock::lock_after_saving_in_background(app, LockReason::Minimised, |_| {});
                }
            }
            WindowEvent::CloseRequested { api, .. } => {
                let app = window.app_handle();
                if app.state::<AppState>().is_unlocked() {
                    // Close once the draft is saved and the vault locked.
                    api.prevent_close();
                    let label = window.label().to_owned();
                    lock::lock_after_saving_in_background(app, LockReason::Closing, move |app| {
                        if let Some(w) = app.get_webview_window(&label) {
                            let _ = w.destroy();
                        }
                    });
                }
            }
            WindowEvent::Destroyed => {
                let _ = lock::lock(window.app_handle(), LockReason::Closing);
            }
            _ => {}
        })
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            eprintln!("casenotes: the window could not be started: {e}");
            std::process::exit(1);
        }
    };
    app.run(|app, event| {
        if let RunEvent::Exit | RunEvent::ExitRequested { .. } = event {
            // Quitting locks: the audit entry is written and the connection closed cleanly.
            let _ = lock::lock(app, LockReason::Closing);
            if let RunEvent::Exit = event {
                lock::forget_keychain(&app.state::<AppState>());
            }
        }
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_the_apps_own_pages_may_load() {
        let own = if cfg!(any(windows, target_os = "android")) {
            "http://tauri.localhost"
        } else {
            "tauri://localhost"
        };
        for ok in [format!("{own}/"), format!("{own}/index.html")] {
            assert!(super::is_app_url(&ok.parse().unwrap()), "{ok}");
        }
        let other = if cfg!(any(windows, target_os = "android")) {
            "tauri://localhost/"
        } else {
            "http://tauri.localhost/"
        };
        for no in [
            "https://example.com/",
            "http://localhost:5173/",
            "https://tauri.localhost/",
            "tauri://localhost:8080/",
            "tauri://user@localhost/",
            "file:///etc/passwd",
            "tauri://evil.example/",
            "data:text/html,hi",
            other,
        ] {
            assert!(!super::is_app_url(&no.parse().unwrap()), "{no}");
        }
    }
}
