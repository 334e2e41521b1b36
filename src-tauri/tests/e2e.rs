//! End-to-end tests: the real, built app driven through WebDriver (tauri-driver in front of
//! WebKitWebDriver), under Xvfb. Run by `scripts/test-desktop.sh`, which builds the UI first, starts
//! the virtual display, and passes `--ignored` (these tests need all of that, so a plain
//! `cargo test` skips them).
//!
//! Each test gets its own temporary vault folder, handed to the app through `CASENOTES_VAULT`
//! (the app inherits tauri-driver's environment), and its own tauri-driver on free ports. A
//! screenshot of each screen goes to the folder printed at the start of each test.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use casenotes::secret::Passphrase;
use casenotes::vault::{Unlock, Vault};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

const PASSPHRASE: &str = "marmalade tugboat orchard velvet";
const WRONG: &str = "marmalade tugboat orchard violet";
const WAIT: Duration = Duration::from_secs(15);

#[path = "e2e/attachments.rs"]
mod attachments;
#[path = "e2e/backups.rs"]
mod backups;
#[path = "e2e/canary.rs"]
mod canary;
#[path = "e2e/clients.rs"]
mod clients;
#[path = "e2e/hardening.rs"]
mod hardening;
#[path = "e2e/joint.rs"]
mod joint;
#[path = "e2e/measures.rs"]
mod measures;
#[path = "e2e/retention.rs"]
mod retention;
#[path = "e2e/rights.rs"]
mod rights;
#[path = "e2e/risk.rs"]
mod risk;
#[path = "e2e/sar.rs"]
mod sar;
#[path = "e2e/today.rs"]
mod today;

/// tauri-driver, stopped with SIGTERM so that it stops WebKitWebDriver and the app too.
struct Driver {
    child: Child,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // SAFETY: kill(2) on our own child's pid; no memory is touched.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn shots_dir() -> PathBuf {
    let dir = std::env::var_os("CASENOTES_E2E_SHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("e2e-screenshots"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The app under test and the driver in front of it.
struct App {
    client: Client,
    _driver: Driver,
}

impl App {
    async fn launch(vault: &Path, env: &[(&str, &str)]) -> App {
        println!("screenshots: {}", shots_dir().display());
        let port = free_port();
        let native_port = free_port();
        let mut cmd = Command::new(
            std::env::var("TAURI_DRIVER").unwrap_or_else(|_| "tauri-driver".to_owned()),
        );
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ])
        .env("CASENOTES_VAULT", vault)
        .env("NO_AT_BRIDGE", "1")
        .env_remove("CASENOTES_IDLE_SECONDS")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let driver = Driver {
            child: cmd
                .spawn()
                .expect("tauri-driver runs (scripts/install-deps.sh installs it)"),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "tauri-driver did not answer on port {port}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert(
            "tauri:options".into(),
            json!({ "application": env!("CARGO_BIN_EXE_casenotes-desktop") }),
        );
        let client = ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a WebDriver session with the app");
        App {
            client,
            _driver: driver,
        }
    }

    async fn wait_for(&self, testid: &str) -> Element {
        let found = self
            .client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(&format!("[data-testid='{testid}']")))
            .await;
        match found {
            Ok(element) => element,
            Err(e) => {
                self.fail(&format!("no [data-testid='{testid}'] within {WAIT:?}: {e}"))
                    .await
            }
        }
    }

    /// Keeps a screenshot of the failing screen (named FAILED-…), then fails the test.
    async fn fail(&self, why: &str) -> ! {
        // The test harness names each test's thread after the test.
        let name = format!("FAILED-{}", std::thread::current().name().unwrap_or("test"));
        let kept = match self.try_shot(&name).await {
            Ok(()) => format!("screenshot {}/{name}.png", shots_dir().display()),
            Err(e) => format!("no screenshot: {e}"),
        };
        panic!("{why} ({kept})");
    }

    async fn present(&self, testid: &str) -> bool {
        self.client
            .find(Locator::Css(&format!("[data-testid='{testid}']")))
            .await
            .is_ok()
    }

    /// From the lock screen of an existing vault to the home screen, with the test passphrase.
    async fn unlock_to_home(&self) {
        self.wait_for("lock-screen").await;
        self.unlock_with(PASSPHRASE).await;
        self.wait_for("home").await;
    }

    async fn type_into(&self, testid: &str, text: &str) {
        let field = self.wait_for(testid).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    async fn click(&self, testid: &str) {
        self.wait_for(testid).await.click().await.unwrap();
    }

    async fn text_of(&self, testid: &str) -> String {
        self.wait_for(testid).await.text().await.unwrap()
    }

    /// Waits until the element's text is not empty, and returns it.
    async fn wait_for_text(&self, testid: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let text = self.text_of(testid).await;
            if !text.trim().is_empty() {
                return text;
            }
            if Instant::now() >= deadline {
                self.fail(&format!("[data-testid='{testid}'] stayed empty"))
                    .await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Saves a screenshot, after two animation frames so that it shows the current DOM.
    async fn shot(&self, name: &str) {
        self.try_shot(name).await.unwrap();
    }

    async fn try_shot(&self, name: &str) -> Result<(), Box<dyn std::error::Error>> {
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(null)));",
                vec![],
            )
            .await?;
        let png = self.client.screenshot().await?;
        std::fs::write(shots_dir().join(format!("{name}.png")), png)?;
        Ok(())
    }

    /// Calls a command the way the page does, to see what the Rust side answers.
    async fn invoke(&self, command: &str) -> Value {
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 window.__TAURI_INTERNALS__.invoke(arguments[0], {})
                   .then((ok) => done({ ok }), (err) => done({ err }));",
                vec![json!(command)],
            )
            .await
            .unwrap()
    }

    /// Calls a command with its `args`, the way the page does.
    async fn invoke_with(&self, command: &str, args: Value) -> Value {
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 window.__TAURI_INTERNALS__.invoke(arguments[0], { args: arguments[1] })
                   .then((ok) => done({ ok }), (err) => done({ err }));",
                vec![json!(command), args],
            )
            .await
            .unwrap()
    }

    /// Everything a person or a script could read from the page: markup, text and field values.
    async fn page_contents(&self) -> String {
        let v = self
            .client
            .execute(
                "const values = [...document.querySelectorAll('input, textarea')].map((e) => e.value);
                 return document.documentElement.outerHTML + '\\n' + document.body.innerText + '\\n' + values.join('\\n');",
                vec![],
            )
            .await
            .unwrap();
        v.as_str().unwrap().to_owned()
    }

    /// Marks the current page, so that [`App::wait_for_reloaded_lock_screen`] can tell a reload.
    async fn mark_page(&self) {
        self.client
            .execute("window.__casenotesE2eMark = true; return null;", vec![])
            .await
            .unwrap();
    }

    /// Waits for the lock screen on a *reloaded* page: locking must throw the old page away.
    async fn wait_for_reloaded_lock_screen(&self) {
        let deadline = Instant::now() + WAIT;
        loop {
            let ready = self
                .client
                .execute(
                    "return window.__casenotesE2eMark === undefined
                       && document.querySelector(\"[data-testid='lock-screen']\") !== null;",
                    vec![],
                )
                .await;
            if let Ok(Value::Bool(true)) = ready {
                return;
            }
            if Instant::now() >= deadline {
                self.fail(&format!("no reloaded lock screen within {WAIT:?}"))
                    .await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn assert_nothing_left_after_lock(&self, secrets: &[&str]) {
        let page = self.page_contents().await;
        assert!(
            page.contains("casenotes is locked"),
            "the lock screen is showing"
        );
        for s in secrets {
            assert!(
                !page.contains(s),
                "the locked page still holds practitioner data"
            );
        }
        let stored = self
            .client
            .execute(
                "return localStorage.length + sessionStorage.length;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(stored, json!(0), "the page keeps nothing in web storage");
        let answer = self.invoke("vault_status").await;
        assert_eq!(
            answer["err"]["kind"], "locked",
            "the Rust side still had a session: {answer}"
        );
    }

    async fn unlock_with(&self, passphrase: &str) {
        self.type_into("unlock-passphrase", passphrase).await;
        self.click("unlock-submit").await;
    }

    async fn quit(self) {
        let _ = self.client.close().await;
    }
}

/// The titles of the top-level windows on the (virtual) display, as the window manager sees them.
fn window_titles() -> Vec<String> {
    let out = Command::new("xwininfo")
        .args(["-root", "-tree"])
        .output()
        .expect("xwininfo runs (x11-utils; scripts/install-deps.sh installs it)");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| line.split('"').nth(1).map(str::to_owned))
        .collect()
}

/// Waits until a window with exactly this title is on the display.
async fn wait_for_window_title(title: &str) {
    let deadline = Instant::now() + WAIT;
    while !window_titles().iter().any(|t| t == title) {
        assert!(
            Instant::now() < deadline,
            "no window titled {title:?}: {:?}",
            window_titles()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn temp_vault() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let vault = tmp.path().join("vault");
    (tmp, vault)
}

pub(crate) fn xdotool(args: &[&str]) -> String {
    let out = Command::new("xdotool")
        .args(args)
        .output()
        .expect("xdotool runs (scripts/install-deps.sh installs it)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The X window ids of visible windows with exactly this title.
pub(crate) fn windows_titled(title: &str) -> Vec<String> {
    let pattern = format!("^{}$", regex_escape(title));
    xdotool(&["search", "--onlyvisible", "--name", &pattern])
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

/// xdotool's --name takes a regular expression; titles here hold only `'` and spaces besides
/// letters, but escape anyway so a changed title cannot silently match something else.
fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let special = "\\.^$|?*+()[]{}".contains(c);
            special.then_some('\\').into_iter().chain([c])
        })
        .collect()
}

/// The vault opened by the core after the app has quit, to check what the app stored.
fn reopen(vault: &Path) -> casenotes::vault::Session {
    Vault::open(vault)
        .unwrap()
        .unlock(Unlock::Passphrase(&Passphrase::from_str_for_tests(
            PASSPHRASE,
        )))
        .unwrap()
}

/// A vault made by the core, locked, as the app finds it on any start after the first.
fn existing_vault() -> (tempfile::TempDir, PathBuf) {
    let (tmp, vault) = temp_vault();
    let created = Vault::create(&vault, &Passphrase::from_str_for_tests(PASSPHRASE)).unwrap();
    created.session.lock().unwrap();
    (tmp, vault)
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn first_run_creates_a_vault_and_shows_the_recovery_key_once() {
    let (_tmp, vault) = temp_vault();
    let app = App::launch(&vault, &[]).await;

    app.wait_for("first-run").await;
    app.shot("01-first-run").await;
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

/// The pid of the app this test started: the casenotes-desktop process given this vault folder.
fn app_pid(vault: &Path) -> Option<i32> {
    let wanted = format!("CASENOTES_VAULT={}", vault.display());
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let pid: i32 = entry.file_name().to_str()?.parse().ok()?;
            let exe = std::fs::read_link(entry.path().join("exe")).ok()?;
            if !exe.to_string_lossy().ends_with("casenotes-desktop") {
                return None;
            }
            let environ = std::fs::read(entry.path().join("environ")).ok()?;
            environ
                .split(|b| *b == 0)
                .any(|v| v == wanted.as_bytes())
                .then_some(pid)
        })
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

/// Presses a key with Ctrl held on whatever has the focus (Ctrl+L, Ctrl+K).
async fn press_ctrl(app: &App, key: char) {
    app.client
        .active_element()
        .await
        .unwrap()
        .send_keys(&format!(
            "{}{key}{}",
            char::from(Key::Control),
            char::from(Key::Null)
        ))
        .await
        .unwrap();
}

/// Waits until the element's text contains `wanted`.
async fn wait_for_text_containing(app: &App, testid: &str, wanted: &str) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let text = app.text_of(testid).await;
        if text.contains(wanted) {
            return text;
        }
        if Instant::now() >= deadline {
            app.fail(&format!(
                "[data-testid='{testid}'] never contained {wanted:?}; it says {text:?}"
            ))
            .await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn add_a_client_write_sign_and_amend_a_soap_note_and_find_it() {
    let (_tmp, vault) = existing_vault();
    let app = App::launch(&vault, &[]).await;
    app.unlock_to_home().await;

    // Add a client; the core's validation message shows next to the form.
    app.click("nav-clients").await;
    app.wait_for("no-clients").await;
    app.click("add-client-open").await;
    app.type_into("client-given", "Philippa").await;
    app.type_into("client-family", "Quernmoor").await;
    app.type_into("client-email", "not an address").await;
    app.click("client-form-submit").await;
    let error = app.wait_for_text("client-form-error").await;
    assert!(error.contains("not a valid address"), "{error}");
    app.shot("20-add-client-error").await;
    app.type_into("client-email", "pq@example.org").await;
    app.click("client-form-submit").await;
    let name = wait_for_text_containing(&app, "client-file-name", "Philippa Quernmoor").await;
    assert!(name.contains("C-0001"), "the first case reference: {name}");
    app.click("back-to-clients").await;
    app.type_into("client-filter", "quern").await;
    app.wait_for("open-client-C-0001").await;
    app.shot("21-client-list").await;
    app.type_into("client-filter", "nobody-like-this").await;
    app.wait_for("no-clients").await;
    app.type_into("client-filter", "C-0001").await;
    app.wait_for("status-filter")
        .await
        .select_by_value("ended")
        .await
        .unwrap();
    app.wait_for("no-clients").await;
    app.wait_for("status-filter")
        .await
        .select_by_value("enquiry")
        .await
        .unwrap();
    app.click("open-client-C-0001").await;
    app.wait_for("timeline-empty").await;

    // A SOAP note: the template fills the text with its four sections.
    app.click("new-note").await;
    app.wait_for("note-template")
        .await
        .select_by_value("soap")
        .await
        .unwrap();
    let body = app.wait_for("note-body").await;
    let deadline = Instant::now() + WAIT;
    while !body
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
        .contains("## Plan")
    {
        assert!(
            Instant::now() < deadline,
            "the SOAP skeleton never appeared"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let skeleton = body.prop("value").await.unwrap().unwrap_or_default();
    assert!(skeleton.starts_with("## Subjective"), "{skeleton:?}");
    // Write under "Subjective", as a practitioner would: caret after the first heading.
    app.client
        .execute(
            "const t = document.querySelector(\"[data-testid='note-body']\");
             t.focus(); const i = t.value.indexOf('\\n\\n') + 2; t.setSelectionRange(i, i); return null;",
            vec![],
        )
        .await
        .unwrap();
    body.send_keys("Spoke about the allotment and the zephyrine kettle.")
        .await
        .unwrap();
    wait_for_text_containing(&app, "note-save-status", "Draft saved").await;
    app.shot("22-note-editor").await;
    app.click("note-sign").await;
    app.wait_for("note-sign-confirm").await;
    app.shot("23-sign-confirm").await;
    app.click("note-sign-confirm").await;
    app.wait_for("note-signed").await;
    let html = app.text_of("note-html").await;
    let (subjective, kettle, objective) = (
        html.find("Subjective"),
        html.find("zephyrine kettle"),
        html.find("Objective"),
    );
    assert!(
        subjective.is_some() && subjective < kettle && kettle < objective,
        "the text sits under Subjective: {html}"
    );
    assert!(
        !app.present("note-continue").await,
        "a signed note offers no editing"
    );
    // And the Rust side refuses an edit sent past the UI.
    let note_id: i64 = app
        .wait_for("timeline-note")
        .await
        .attr("data-note-id")
        .await
        .unwrap()
        .unwrap()
        .parse()
        .unwrap();
    let refused = app
        .invoke_with("save_draft", json!({ "id": note_id, "body": "rewritten" }))
        .await;
    assert_eq!(refused["err"]["kind"], "record_rule", "{refused}");

    // An addendum, with its reason, under the signed note.
    app.click("addendum-open").await;
    app.type_into("addendum-reason", "Wrong day recorded").await;
    app.type_into(
        "addendum-body",
        "The session was on the Tuesday, with a wintergreen plan.",
    )
    .await;
    app.click("addendum-submit").await;
    let addendum = wait_for_text_containing(&app, "addendum", "Wrong day recorded").await;
    assert!(addendum.contains("wintergreen"), "{addendum}");
    app.shot("24-client-file").await;

    // Ctrl+K finds the note and the addendum; Enter opens the client's file.
    app.click("nav-clients").await;
    app.wait_for("clients").await;
    press_ctrl(&app, 'k').await;
    app.type_into("search-input", "zephyrine").await;
    let snippet = app.wait_for_text("search-snippet").await;
    assert!(snippet.contains("zephyrine"), "{snippet}");
    assert!(app.text_of("search-hit").await.contains("C-0001"));
    let marked = app
        .wait_for("search-snippet")
        .await
        .find(Locator::Css("mark"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(marked.to_lowercase(), "zephyrine");
    app.shot("25-search").await;
    // Enter on a note opens the client's file with that note in view and focused.
    app.wait_for("search-input")
        .await
        .send_keys(&char::from(Key::Enter).to_string())
        .await
        .unwrap();
    wait_for_text_containing(&app, "client-file-name", "C-0001").await;
    let deadline = Instant::now() + WAIT;
    loop {
        let focused = app
            .client
            .active_element()
            .await
            .unwrap()
            .attr("data-note-id")
            .await
            .unwrap();
        if focused == Some(note_id.to_string()) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the found note never had the focus: {focused:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.click("nav-clients").await;
    app.wait_for("clients").await;
    press_ctrl(&app, 'k').await;
    app.type_into("search-input", "wintergr").await;
    wait_for_text_containing(&app, "search-snippet", "wintergreen").await;
    app.wait_for("search-input")
        .await
        .send_keys(&char::from(Key::Enter).to_string())
        .await
        .unwrap();
    wait_for_text_containing(&app, "client-file-name", "C-0001").await;
    assert!(!app.present("search-dialog").await, "the search closed");

    app.mark_page().await;
    press_ctrl(&app, 'l').await;
    app.wait_for_reloaded_lock_screen().await;
    app.assert_nothing_left_after_lock(&["Quernmoor", "zephyrine", "wintergreen", PASSPHRASE])
        .await;
    app.quit().await;

    // The vault agrees: one signed note whose signature holds, with its addendum.
    let session = Vault::open(&vault)
        .unwrap()
        .unlock(Unlock::Passphrase(&Passphrase::from_str_for_tests(
            PASSPHRASE,
        )))
        .unwrap();
    let client = casenotes::domain::clients::id_for(&session, "C-0001").unwrap();
    let notes = casenotes::domain::notes::for_client(&session, client).unwrap();
    assert_eq!(notes.len(), 1);
    assert!(notes[0].signature_holds());
    assert_eq!(notes[0].addenda.len(), 1);
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn locking_mid_draft_keeps_every_word() {
    let (_tmp, vault) = temp_vault();
    let created = Vault::create(&vault, &Passphrase::from_str_for_tests(PASSPHRASE)).unwrap();
    let mut session = created.session;
    casenotes::domain::clients::add(
        &mut session,
        casenotes::domain::clients::ClientDetails::named("Oswin", "Harrowgate"),
    )
    .unwrap();
    session.lock().unwrap();

    let app = App::launch(&vault, &[]).await;
    app.unlock_to_home().await;
    app.click("nav-clients").await;
    app.click("open-client-C-0001").await;
    app.click("new-note").await;
    let words = "Mid-sentence when the doorbell rang about the pelargonium";
    // Ctrl+L straight after the last keystroke: well inside the autosave pause.
    app.mark_page().await;
    app.wait_for("note-body")
        .await
        .send_keys(&format!(
            "{words}{}l{}",
            char::from(Key::Control),
            char::from(Key::Null)
        ))
        .await
        .unwrap();
    app.wait_for_reloaded_lock_screen().await;
    app.shot("26-locked-mid-draft").await;
    app.assert_nothing_left_after_lock(&["Harrowgate", "Oswin", "pelargonium", PASSPHRASE])
        .await;

    app.unlock_with(PASSPHRASE).await;
    app.wait_for("home").await;
    app.click("nav-clients").await;
    app.click("open-client-C-0001").await;
    app.wait_for("note-draft").await;
    assert_eq!(app.text_of("note-html").await.trim(), words);
    app.click("note-continue").await;
    let body = app.wait_for("note-body").await;
    assert_eq!(body.prop("value").await.unwrap().as_deref(), Some(words));
    app.shot("27-draft-after-unlock").await;
    app.quit().await;
}

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
    app.click("day-next").await;
    app.wait_for("day-empty").await;
    app.click("day-previous").await;
    app.wait_for("day-appointment").await;
    app.quit().await;
}
