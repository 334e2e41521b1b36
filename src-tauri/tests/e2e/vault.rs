//! The vault itself, end to end: first run and the recovery key, the lock screen (wrong
//! passphrase, Lock button, Ctrl+L, idle lock), the keychain, recovery with the recovery key,
//! quitting on SIGTERM, and Settings (idle time, changing the passphrase).

use std::time::{Duration, Instant};

use casenotes::secret::Passphrase;
use casenotes::vault::{Unlock, Vault};
use fantoccini::key::Key;

use super::{
    app_pid, existing_vault, temp_vault, wait_for_window_title, App, PASSPHRASE, WAIT, WRONG,
};

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn first_run_creates_a_vault_and_shows_the_recovery_key_once() {
    let (_tmp, vault) = temp_vault();
    let app = App::launch(&vault, &[]).await;

    app.wait_for("first-run").await;
    app.shot("01-first-run").await;
    app.audit_a11y("first run").await;
    app.type_into("create-passphrase", "too short").await;
    app.type_into("create-confirmation", "too short").await;
    app.click("create-submit").await;
    assert!(app
        .wait_for_text("create-error")
        .await
        .contains("at least 12 characters"));
    assert!(
        !vault.join("vault.toml").exists(),
        "no vault from a refused passphrase"
    );

    app.type_into("create-passphrase", PASSPHRASE).await;
    assert!(app
        .wait_for_text("create-strength")
        .await
        .starts_with("Strength: "));
    app.type_into("create-confirmation", PASSPHRASE).await;
    app.shot("02-first-run-filled").await;
    app.click("create-submit").await;

    let key = app.wait_for_text("recovery-key").await;
    assert!(
        key.starts_with("AGE-SECRET-KEY-1") && key.len() == 74,
        "a recovery key is shown"
    );
    app.shot("03-recovery-key").await;
    app.audit_a11y("the recovery key step").await;
    let continue_button = app.wait_for("recovery-continue").await;
    assert!(
        !continue_button.is_enabled().await.unwrap(),
        "cannot continue before confirming"
    );
    app.click("recovery-stored").await;
    app.type_into("recovery-last-six", "ZZZZZZ").await;
    assert!(
        !continue_button.is_enabled().await.unwrap(),
        "wrong characters do not pass"
    );
    app.type_into("recovery-last-six", &key[key.len() - 6..])
        .await;
    assert!(continue_button.is_enabled().await.unwrap());
    app.click("recovery-continue").await;

    app.wait_for("home").await;
    assert!(
        !app.page_contents().await.contains(&key),
        "the recovery key is gone from the page"
    );
    app.shot("04-home").await;
    app.audit_a11y("Home").await;
    app.quit().await;

    // The vault on disk opens with both secrets the practitioner was given.
    let opened = Vault::open(&vault).unwrap();
    opened
        .unlock(Unlock::Passphrase(&Passphrase::from_str_for_tests(
            PASSPHRASE,
        )))
        .unwrap()
        .lock()
        .unwrap();
    let recovery = casenotes::secret::RecoveryKey::parse(&key).unwrap();
    opened
        .unlock(Unlock::RecoveryKey(&recovery))
        .unwrap()
        .lock()
        .unwrap();
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn wrong_passphrase_stays_locked_then_unlock_and_lock_by_button_and_shortcut() {
    let (_tmp, vault) = existing_vault();
    let app = App::launch(&vault, &[]).await;

    app.wait_for("lock-screen").await;
    wait_for_window_title("casenotes (locked)").await;
    app.shot("05-lock-screen").await;
    app.audit_a11y("the lock screen").await;
    let home = app.client.current_url().await.unwrap();
    app.client
        .execute(
            "location.href = 'https://example.com/'; return null;",
            vec![],
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        app.client.current_url().await.unwrap(),
        home,
        "the window left the app"
    );
    app.wait_for("lock-screen").await;
    assert_eq!(app.invoke("vault_status").await["err"]["kind"], "locked");

    app.unlock_with(WRONG).await;
    let error = app.wait_for_text("unlock-error").await;
    assert_eq!(error, "That passphrase does not open this vault.");
    assert!(
        app.present("lock-screen").await && !app.present("home").await,
        "still locked"
    );
    assert!(app
        .wait_for_text("failed-attempts")
        .await
        .contains("1 failed attempt"));
    app.shot("06-wrong-passphrase").await;
    app.audit_a11y("the lock screen after a wrong passphrase")
        .await;

    app.unlock_with(PASSPHRASE).await;
    app.wait_for("home").await;
    assert!(app
        .wait_for_text("failed-before-unlock")
        .await
        .contains("1 failed attempt"));
    let vault_id = app.wait_for_text("vault-id").await;
    assert_eq!(
        vault_id,
        Vault::open(&vault).unwrap().meta().vault_id.to_string()
    );
    app.shot("07-unlocked").await;
    wait_for_window_title("casenotes").await;

    app.mark_page().await;
    app.click("lock-button").await;
    app.wait_for_reloaded_lock_screen().await;
    app.shot("08-locked-by-button").await;
    wait_for_window_title("casenotes (locked)").await;
    app.assert_nothing_left_after_lock(&[&vault_id, PASSPHRASE])
        .await;
    assert!(
        !app.present("failed-attempts").await,
        "the count was cleared by the unlock"
    );

    // Ctrl+L locks too.
    app.unlock_with(PASSPHRASE).await;
    app.wait_for("home").await;
    app.wait_for_text("vault-id").await;
    app.mark_page().await;
    app.client
        .active_element()
        .await
        .unwrap()
        .send_keys(&format!(
            "{}l{}",
            char::from(Key::Control),
            char::from(Key::Null)
        ))
        .await
        .unwrap();
    app.wait_for_reloaded_lock_screen().await;
    app.assert_nothing_left_after_lock(&[&vault_id, PASSPHRASE])
        .await;
    app.quit().await;
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn locks_itself_after_the_idle_time() {
    let (_tmp, vault) = existing_vault();
    let app = App::launch(&vault, &[("CASENOTES_IDLE_SECONDS", "4")]).await;

    app.unlock_to_home().await;
    let vault_id = app.wait_for_text("vault-id").await;
    let unlocked_at = Instant::now();
    assert_eq!(
        app.invoke("vault_status").await["ok"]["vault_id"],
        vault_id.as_str()
    );

    // Nobody touches anything: the lock screen comes back on its own, on a reloaded page.
    app.mark_page().await;
    app.wait_for_reloaded_lock_screen().await;
    let idle = unlocked_at.elapsed();
    assert!(
        idle >= Duration::from_secs(3),
        "locked after {idle:?}, sooner than the idle time"
    );
    app.shot("09-locked-when-idle").await;
    app.assert_nothing_left_after_lock(&[&vault_id, PASSPHRASE])
        .await;
    app.quit().await;
}

/// Needs a Secret Service: scripts/test-desktop.sh runs the tests inside `dbus-run-session` with
/// an unlocked gnome-keyring, so this is the real keychain, not a stand-in. The slot is made after
/// the passphrase, offered after the Lock button, and gone when the app quits; the next run asks
/// for the passphrase and then makes a fresh one.
#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn keychain_unlock_works_only_after_the_passphrase_in_the_same_run() {
    let (_tmp, vault) = existing_vault();
    let app = App::launch(&vault, &[]).await;

    app.wait_for("lock-screen").await;
    assert!(
        !app.present("unlock-keychain").await,
        "no keychain slot yet"
    );
    app.unlock_with(PASSPHRASE).await;
    app.wait_for("home").await;
    app.click("nav-settings").await;
    app.wait_for("about-commit").await;
    assert_eq!(
        app.text_of("about-version").await,
        env!("CARGO_PKG_VERSION")
    );
    let keychain = app.wait_for("keychain-unlock").await;
    assert!(!keychain.is_selected().await.unwrap(), "off by default");
    keychain.click().await.unwrap();
    let deadline = Instant::now() + WAIT;
    while !Vault::open(&vault).unwrap().keychain_enabled() {
        assert!(
            Instant::now() < deadline,
            "the keychain slot was not written"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.shot("10-settings-keychain-on").await;

    app.mark_page().await;
    app.click("lock-button").await;
    app.wait_for_reloaded_lock_screen().await;
    app.shot("11-lock-screen-with-keychain").await;
    app.click("unlock-keychain").await;
    app.wait_for("home").await;
    app.wait_for_text("vault-id").await;
    // A crash (SIGKILL) leaves the slot behind, until the next start removes it.
    let pid = app_pid(&vault).expect("the app's process");
    // SAFETY: kill(2) on the app this test started; no memory is touched.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGKILL) }, 0);
    let deadline = Instant::now() + WAIT;
    while app_pid(&vault).is_some() {
        assert!(Instant::now() < deadline, "the app did not stop");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.quit().await;
    assert!(Vault::open(&vault).unwrap().keychain_enabled());

    // After a restart of the app the passphrase is required again: the start removed the
    // keychain secret. The passphrase makes a fresh one, as the setting is still on.
    let app = App::launch(&vault, &[]).await;
    app.wait_for("lock-screen").await;
    assert!(
        !Vault::open(&vault).unwrap().keychain_enabled(),
        "the keychain slot outlived the app's run"
    );
    assert!(
        !app.present("unlock-keychain").await,
        "keychain offered before the passphrase"
    );
    assert_eq!(
        app.invoke("unlock_with_keychain").await["err"]["kind"],
        "passphrase_required"
    );
    app.unlock_with(PASSPHRASE).await;
    app.wait_for("home").await;
    assert!(Vault::open(&vault).unwrap().keychain_enabled());
    app.click("nav-settings").await;
    let keychain = app.wait_for("keychain-unlock").await;
    assert!(keychain.is_selected().await.unwrap(), "still on");

    // Quitting (SIGTERM, as at logout) removes it too.
    let pid = app_pid(&vault).expect("the app's process");
    // SAFETY: kill(2) on the app this test started; no memory is touched.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let deadline = Instant::now() + WAIT;
    while app_pid(&vault).is_some() {
        assert!(Instant::now() < deadline, "the app did not quit on SIGTERM");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.quit().await;
    assert!(
        !Vault::open(&vault).unwrap().keychain_enabled(),
        "quitting left the keychain slot"
    );
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn recovery_key_unlocks_and_sets_a_new_passphrase() {
    let (_tmp, vault) = temp_vault();
    let created = Vault::create(&vault, &Passphrase::from_str_for_tests(PASSPHRASE)).unwrap();
    let recovery_key = created.recovery_key.expose().to_owned();
    created.session.lock().unwrap();
    let new_passphrase = "lantern pebble harbour quince";

    let app = App::launch(&vault, &[]).await;
    app.wait_for("lock-screen").await;
    app.click("show-recovery").await;
    app.type_into("recover-key", "AGE-SECRET-KEY-1NOTAKEY")
        .await;
    app.type_into("recover-passphrase", new_passphrase).await;
    app.type_into("recover-confirmation", new_passphrase).await;
    app.click("recover-submit").await;
    assert!(app
        .wait_for_text("recover-error")
        .await
        .starts_with("That is not a recovery key."));
    app.type_into("recover-key", &recovery_key).await;
    app.shot("12-recovery").await;
    app.audit_a11y("recovery with the recovery key").await;
    app.click("recover-submit").await;
    app.wait_for("home").await;
    app.quit().await;

    let opened = Vault::open(&vault).unwrap();
    let old = Passphrase::from_str_for_tests(PASSPHRASE);
    assert!(
        opened.unlock(Unlock::Passphrase(&old)).is_err(),
        "the old passphrase no longer opens it"
    );
    let new = Passphrase::from_str_for_tests(new_passphrase);
    opened
        .unlock(Unlock::Passphrase(&new))
        .unwrap()
        .lock()
        .unwrap();
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn quitting_on_sigterm_locks_the_vault_cleanly() {
    let (_tmp, vault) = existing_vault();
    let app = App::launch(&vault, &[]).await;
    app.unlock_to_home().await;
    app.wait_for_text("vault-id").await;

    let pid = app_pid(&vault).expect("the app's process");
    // SAFETY: kill(2) on the app this test started; no memory is touched.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let deadline = Instant::now() + WAIT;
    while app_pid(&vault).is_some() {
        assert!(Instant::now() < deadline, "the app did not quit on SIGTERM");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.quit().await;
    assert!(
        !vault.join("casenotes.db-wal").exists()
            || std::fs::metadata(vault.join("casenotes.db-wal"))
                .unwrap()
                .len()
                == 0,
        "the database was closed cleanly (WAL checkpointed)"
    );

    // The app's unlock is followed by its lock, written as it quit.
    let session = Vault::open(&vault)
        .unwrap()
        .unlock(Unlock::Passphrase(&Passphrase::from_str_for_tests(
            PASSPHRASE,
        )))
        .unwrap();
    let actions: Vec<String> = casenotes::audit::list(session.conn().unwrap(), Some(3))
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        ["vault_unlocked", "vault_locked", "vault_unlocked"]
    );
    session.verify_audit().unwrap();
    session.lock().unwrap();
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn settings_keep_the_idle_time_and_change_the_passphrase() {
    let (_tmp, vault) = existing_vault();
    let app = App::launch(&vault, &[]).await;
    app.unlock_to_home().await;
    app.click("nav-settings").await;
    app.wait_for("about-commit").await;

    app.type_into("idle-minutes", "61").await;
    app.click("idle-save").await;
    assert!(app
        .wait_for_text("idle-error")
        .await
        .contains("between 1 and 60 minutes"));
    app.type_into("idle-minutes", "12").await;
    app.click("idle-save").await;
    assert_eq!(app.wait_for_text("idle-saved").await, "Saved.");

    let new_passphrase = "lantern pebble harbour quince";
    app.type_into("change-current", WRONG).await;
    app.type_into("change-passphrase", new_passphrase).await;
    app.type_into("change-confirmation", new_passphrase).await;
    app.click("change-submit").await;
    assert_eq!(
        app.wait_for_text("change-error").await,
        "That passphrase does not open this vault."
    );
    app.type_into("change-current", PASSPHRASE).await;
    app.type_into("change-passphrase", new_passphrase).await;
    app.type_into("change-confirmation", new_passphrase).await;
    app.click("change-submit").await;
    assert_eq!(
        app.wait_for_text("change-message").await,
        "Your passphrase has been changed."
    );
    app.shot("13-settings-passphrase-changed").await;
    app.audit_a11y("Settings").await;

    app.mark_page().await;
    app.click("lock-button").await;
    app.wait_for_reloaded_lock_screen().await;
    app.unlock_with(PASSPHRASE).await;
    assert_eq!(
        app.wait_for_text("unlock-error").await,
        "That passphrase does not open this vault."
    );
    app.unlock_with(new_passphrase).await;
    app.wait_for("home").await;
    app.click("nav-settings").await;
    let idle = app.wait_for("idle-minutes").await;
    assert_eq!(idle.prop("value").await.unwrap().as_deref(), Some("12"));
    app.quit().await;
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn idle_lock_waits_until_the_recovery_key_is_stored() {
    let (_tmp, vault) = temp_vault();
    let app = App::launch(&vault, &[("CASENOTES_IDLE_SECONDS", "2")]).await;
    app.wait_for("first-run").await;
    app.type_into("create-passphrase", PASSPHRASE).await;
    app.type_into("create-confirmation", PASSPHRASE).await;
    app.click("create-submit").await;
    let key = app.wait_for_text("recovery-key").await;

    // Copying the key onto paper moves no mouse: well past the idle time, it is still shown.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(
        app.present("recovery-step").await,
        "the key was taken off screen"
    );
    assert!(app.invoke("vault_status").await["ok"].is_object());

    app.click("recovery-stored").await;
    app.type_into("recovery-last-six", &key[key.len() - 6..])
        .await;
    app.mark_page().await;
    app.click("recovery-continue").await;
    // From here the idle clock runs.
    app.wait_for_reloaded_lock_screen().await;
    app.assert_nothing_left_after_lock(&[&key, PASSPHRASE])
        .await;
    app.quit().await;
}
