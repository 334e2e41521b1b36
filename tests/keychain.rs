//! "Unlock with this computer's keychain" against a real Secret Service: gnome-keyring in a
//! private D-Bus session, started by the test itself. `secret-tool` (an independent client)
//! confirms that the secret really reached the keychain and really left it.

mod common;

use std::process::Command;

use casenotes::vault::{Unlock, Vault, KEYCHAIN_SERVICE};
use casenotes::Error;
use common::*;

const CHILD_ENV: &str = "CASENOTES_KEYCHAIN_CHILD";

/// Runs this file's `keychain_child` inside a fresh D-Bus session with an unlocked gnome-keyring.
#[test]
fn keychain_slot_round_trip_through_a_real_secret_service() {
    let exe = std::env::current_exe().unwrap();
    let inner = format!(
        "echo -n test-login | gnome-keyring-daemon --unlock --components=secrets >/dev/null && \
         exec '{}' --exact keychain_child --include-ignored --nocapture --test-threads=1",
        exe.display()
    );
    let out = Command::new("dbus-run-session")
        .args(["--", "sh", "-c", &inner])
        .env(CHILD_ENV, "1")
        .output()
        .expect("dbus-run-session (make test installs dbus and gnome-keyring)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("test keychain_child ... ok"),
        "stdout: {text}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn secret_tool_has(vault_id: &str) -> bool {
    Command::new("secret-tool")
        .args(["lookup", "service", KEYCHAIN_SERVICE, "username", vault_id])
        .output()
        .map(|o| o.status.success() && !o.stdout.is_empty())
        .unwrap_or(false)
}

#[test]
#[ignore = "child process of keychain_slot_round_trip_through_a_real_secret_service"]
fn keychain_child() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    let v = TestVault::empty();
    v.init();
    let vault = Vault::open(&v.dir).unwrap();
    let id = vault.meta().vault_id.to_string();
    assert!(!vault.keychain_enabled());
    assert!(matches!(
        vault.unlock_with_keychain(),
        Err(Error::KeychainNotEnabled)
    ));

    let mut session = vault
        .unlock(Unlock::Passphrase(&passphrase(PASSPHRASE)))
        .unwrap();
    session.enable_keychain().unwrap();
    session.lock().unwrap();
    assert!(vault.keychain_enabled());
    assert!(v.dir.join("keys/keychain.age").exists());
    assert!(secret_tool_has(&id), "the secret is in the Secret Service");

    // Unlocks with no passphrase at all.
    vault.unlock_with_keychain().unwrap().lock().unwrap();

    // Changing the passphrase removes both halves.
    vault
        .change_passphrase(&passphrase(PASSPHRASE), &passphrase(NEW_PASSPHRASE))
        .unwrap()
        .lock()
        .unwrap();
    assert!(!vault.keychain_enabled());
    assert!(!secret_tool_has(&id), "the secret left the Secret Service");
    assert!(matches!(
        vault.unlock_with_keychain(),
        Err(Error::KeychainNotEnabled)
    ));

    // Switched on again, then off by hand.
    let mut session = vault
        .unlock(Unlock::Passphrase(&passphrase(NEW_PASSPHRASE)))
        .unwrap();
    session.enable_keychain().unwrap();
    session.disable_keychain().unwrap();
    session.lock().unwrap();
    assert!(!vault.keychain_enabled() && !secret_tool_has(&id));

    // Forgotten while locked (the desktop app at start-up and at quit): both halves go.
    let mut session = vault
        .unlock(Unlock::Passphrase(&passphrase(NEW_PASSPHRASE)))
        .unwrap();
    session.enable_keychain().unwrap();
    session.lock().unwrap();
    assert!(vault.keychain_enabled() && secret_tool_has(&id));
    vault.forget_keychain().unwrap();
    assert!(!vault.keychain_enabled() && !secret_tool_has(&id));
    vault.forget_keychain().unwrap();

    // A keychain entry that has gone missing is reported, and the passphrase still works.
    let mut session = vault
        .unlock(Unlock::Passphrase(&passphrase(NEW_PASSPHRASE)))
        .unwrap();
    session.enable_keychain().unwrap();
    session.lock().unwrap();
    assert!(Command::new("secret-tool")
        .args(["clear", "service", KEYCHAIN_SERVICE, "username", &id])
        .status()
        .unwrap()
        .success());
    assert!(matches!(
        vault.unlock_with_keychain(),
        Err(Error::KeychainNotEnabled)
    ));
    vault
        .unlock(Unlock::Passphrase(&passphrase(NEW_PASSPHRASE)))
        .unwrap()
        .lock()
        .unwrap();
}
