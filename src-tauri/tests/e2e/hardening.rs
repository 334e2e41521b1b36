//! End-to-end: what the hardening work shows in the window. An older copy of the vault folder put
//! back is reported on Home after unlocking, with when the vault was last unlocked; the keychain
//! is never offered after a lock casenotes made itself; the master key is changed in Settings
//! with the new recovery key shown once.

use std::ffi::OsString;
use std::path::Path;
use std::time::{Duration, Instant};

use casenotes::domain::clients;
use casenotes::secret::{Passphrase, RecoveryKey};
use casenotes::vault::{Unlock, Vault};

use super::{app_pid, reopen, temp_vault, App, PASSPHRASE, WAIT};

/// Points this test process's core at a config folder of the test's own (the anchors in it), and
/// puts the old value back when dropped. The e2e tests run one at a time (`--test-threads=1`).
struct ConfigDir {
    old: Option<OsString>,
}

impl ConfigDir {
    fn set(dir: &Path) -> ConfigDir {
        let old = std::env::var_os(casenotes::audit::anchor::CONFIG_DIR_ENV);
        std::env::set_var(casenotes::audit::anchor::CONFIG_DIR_ENV, dir);
        ConfigDir { old }
    }
}

impl Drop for ConfigDir {
    fn drop(&mut self) {
        match &self.old {
            Some(v) => std::env::set_var(casenotes::audit::anchor::CONFIG_DIR_ENV, v),
            None => std::env::remove_var(casenotes::audit::anchor::CONFIG_DIR_ENV),
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.path().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// Waits until the app given this vault folder has exited.
async fn wait_for_exit(vault: &Path) {
    let deadline = Instant::now() + WAIT;
    while app_pid(vault).is_some() {
        assert!(Instant::now() < deadline, "the app did not quit");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_until(what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !ok() {
        assert!(Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn an_older_copy_of_the_vault_put_back_is_shown_on_home_after_unlocking() {
    let (tmp, vault) = temp_vault();
    let config = tmp.path().join("config");
    let _config = ConfigDir::set(&config);
    let created = Vault::create(&vault, &Passphrase::from_str_for_tests(PASSPHRASE)).unwrap();
    created.session.lock().unwrap();
    let older = tmp.path().join("older-copy");
    copy_dir(&vault, &older);

    // Work goes on after the copy (as the CLI would do it, with the same config folder)...
    let mut session = reopen(&vault);
    clients::add(
        &mut session,
        clients::ClientDetails::named("Perpetua", "Quennell"),
    )
    .unwrap();
    session.lock().unwrap();
    // ...then the older copy is put back in its place.
    std::fs::remove_dir_all(&vault).unwrap();
    copy_dir(&older, &vault);

    let app = App::launch(
        &vault,
        &[("CASENOTES_CONFIG_DIR", config.to_str().unwrap())],
    )
    .await;
    app.wait_for("lock-screen").await;
    app.unlock_with(PASSPHRASE).await;
    let alert = app.wait_for("home-rollback").await;
    assert_eq!(alert.attr("role").await.unwrap().as_deref(), Some("alert"));
    let text = alert.text().await.unwrap();
    assert!(
        text.starts_with("An older copy of your vault has been put back since you last used it"),
        "{text}"
    );
    assert!(text.contains("audit log"), "{text}");
    let last = app.wait_for_text("home-last-unlocked").await;
    let year = chrono::Local::now().format("%Y").to_string();
    assert!(
        last.starts_with("Last unlocked on ") && last.contains(&year) && last.contains(" at "),
        "{last}"
    );
    app.shot("30-home-rollback").await;
    app.quit().await;
    wait_for_exit(&vault).await;

    // The finding is in the log, and the next unlock (the anchors now agree) reports nothing.
    let session = reopen(&vault);
    assert_eq!(session.audit_rollback(), None);
    let actions: Vec<String> = casenotes::audit::list(session.conn().unwrap(), None)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        actions.iter().any(|a| a == "audit_rollback_detected"),
        "{actions:?}"
    );
    session.lock().unwrap();
}

/// Needs a Secret Service (see `keychain_unlock_works_only_after_the_passphrase_in_the_same_run`).
#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn the_keychain_is_not_offered_after_an_idle_lock() {
    let (_tmp, vault) = super::existing_vault();
    let app = App::launch(&vault, &[("CASENOTES_IDLE_SECONDS", "4")]).await;
    app.unlock_to_home().await;
    app.click("nav-settings").await;
    app.click("keychain-unlock").await;
    wait_until("the keychain slot was not written", || {
        Vault::open(&vault).unwrap().keychain_enabled()
    })
    .await;
    let hint = app.text_of("keychain-hint").await;
    assert!(
        hint.contains("never offered after casenotes locked itself"),
        "{hint}"
    );

    // Nobody touches anything: the idle lock. The keychain is not offered, and refused if asked.
    app.mark_page().await;
    app.wait_for_reloaded_lock_screen().await;
    app.wait_for("unlock-passphrase").await;
    assert!(
        !app.present("unlock-keychain").await,
        "keychain offered after an idle lock"
    );
    let refused = app.invoke("unlock_with_keychain").await;
    assert_eq!(refused["err"]["kind"], "passphrase_required", "{refused}");
    assert!(
        refused["err"]["message"]
            .as_str()
            .unwrap()
            .contains("locked itself"),
        "{refused}"
    );
    assert!(
        !Vault::open(&vault).unwrap().keychain_enabled(),
        "the idle lock took the keychain secret away"
    );
    app.shot("31-lock-screen-after-idle-no-keychain").await;

    // The passphrase makes a fresh slot; a lock the person makes offers it.
    app.unlock_with(PASSPHRASE).await;
    app.wait_for("home").await;
    assert!(Vault::open(&vault).unwrap().keychain_enabled());
    app.mark_page().await;
    app.click("lock-button").await;
    app.wait_for_reloaded_lock_screen().await;
    app.click("unlock-keychain").await;
    app.wait_for("home").await;
    app.quit().await;
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn changing_the_master_key_in_settings_shows_the_new_recovery_key_once() {
    let (_tmp, vault) = super::existing_vault();
    let new_passphrase = "lantern pebble harbour quince";
    let app = App::launch(&vault, &[]).await;
    app.unlock_to_home().await;
    app.click("nav-settings").await;
    app.click("rekey-open").await;
    app.type_into("rekey-current", super::WRONG).await;
    app.type_into("rekey-passphrase", new_passphrase).await;
    app.type_into("rekey-confirmation", new_passphrase).await;
    app.click("rekey-submit").await;
    assert_eq!(
        app.wait_for_text("rekey-error").await,
        "That passphrase does not open this vault."
    );
    app.type_into("rekey-current", PASSPHRASE).await;
    app.click("rekey-submit").await;
    let recovery_key = app.wait_for_text("recovery-key").await;
    assert!(
        recovery_key.starts_with("AGE-SECRET-KEY-1"),
        "{recovery_key}"
    );
    app.shot("32-settings-new-recovery-key").await;
    app.click("recovery-stored").await;
    app.type_into("recovery-last-six", &recovery_key[recovery_key.len() - 6..])
        .await;
    app.click("recovery-continue").await;
    let done = app.wait_for_text("rekey-done").await;
    assert!(
        done.contains("old passphrase and the old recovery key"),
        "{done}"
    );
    assert!(!app.present("recovery-key").await, "shown once");

    app.mark_page().await;
    app.click("lock-button").await;
    app.wait_for_reloaded_lock_screen().await;
    app.unlock_with(new_passphrase).await;
    app.wait_for("home").await;
    app.quit().await;
    wait_for_exit(&vault).await;

    let opened = Vault::open(&vault).unwrap();
    assert!(opened
        .unlock(Unlock::Passphrase(&Passphrase::from_str_for_tests(
            PASSPHRASE
        )))
        .is_err());
    let key = RecoveryKey::parse(&recovery_key).unwrap();
    opened
        .unlock(Unlock::RecoveryKey(&key))
        .unwrap()
        .lock()
        .unwrap();
}
