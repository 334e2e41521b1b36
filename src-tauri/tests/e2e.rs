//! End-to-end tests: the real, built app driven through WebDriver (tauri-driver in front of
//! WebKitWebDriver), under Xvfb. Run by `scripts/test-desktop.sh`, which builds the UI first, starts
//! the virtual display, and passes `--ignored` (these tests need all of that, so a plain
//! `cargo test` skips them).
//!
//! Each test gets its own temporary vault folder, handed to the app through `CASENOTES_VAULT`
//! (the app inherits tauri-driver's environment), and its own tauri-driver on free ports. A
//! screenshot of each screen goes to the folder printed at the start of each test.
//!
//! This file is only the shared harness (starting the app and tauri-driver, [`App`] and its
//! helpers, temporary vaults); the tests live in `e2e/<concern>.rs`, one module per kind of
//! record or part of the app, each listed in the `#[path] mod` block below.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use casenotes::secret::Passphrase;
use casenotes::vault::{Unlock, Vault};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

const PASSPHRASE: &str = "marmalade tugboat orchard velvet";
const WRONG: &str = "marmalade tugboat orchard violet";
const WAIT: Duration = Duration::from_secs(15);

#[path = "e2e/appointments.rs"]
mod appointments;
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
#[path = "e2e/keyboard.rs"]
mod keyboard;
#[path = "e2e/measures.rs"]
mod measures;
#[path = "e2e/notes.rs"]
mod notes;
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
#[path = "e2e/vault.rs"]
mod vault;

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

    /// Runs the axe-core accessibility checks on the page as it is now, and fails the test with
    /// every serious or critical finding: its rule, what it asks for, and the elements it found.
    /// Moderate and minor findings are printed but do not fail.
    ///
    /// axe-core is a dev dependency of the UI (`ui/node_modules/axe-core`), read here and injected
    /// through WebDriver: the app's bundle never holds it. Injecting it needs nothing from the
    /// page's CSP (`script-src 'self'`, no 'unsafe-eval'): WebKitWebDriver runs an Execute Script
    /// body as the automation's own script, not as a `<script>` element or through `eval`, so the
    /// 640 kB of axe sent as the body of one Execute Script defines `window.axe` like any other
    /// test script. (A `<script>` element with the source inline would be refused by the CSP.)
    /// Locking reloads the page, so axe is injected again whenever it is missing.
    pub(crate) async fn audit_a11y(&self, screen: &str) {
        let (serious, others) = self.a11y_findings(screen).await;
        for line in &others {
            println!("a11y {screen}: {line}");
        }
        println!(
            "a11y {screen}: {} finding(s), {} serious or critical",
            serious.len() + others.len(),
            serious.len()
        );
        if !serious.is_empty() {
            self.fail(&format!(
                "axe-core found {} serious or critical accessibility problem(s) on {screen}:\n{}",
                serious.len(),
                serious.join("\n")
            ))
            .await;
        }
    }

    /// axe-core's findings on the page as it is now, one line each (impact, rule, what it asks
    /// for, the elements): the serious and critical ones, then the rest.
    pub(crate) async fn a11y_findings(&self, screen: &str) -> (Vec<String>, Vec<String>) {
        let loaded = self
            .client
            .execute("return typeof window.axe === 'object';", vec![])
            .await
            .unwrap();
        if loaded != json!(true) {
            let injected = self
                .client
                .execute(
                    &format!("{}\n;return typeof window.axe;", axe_source()),
                    vec![],
                )
                .await;
            match injected {
                Ok(v) if v == json!("object") => {}
                other => {
                    self.fail(&format!("axe-core could not be injected: {other:?}"))
                        .await
                }
            }
        }
        // Two animation frames first, so that axe sees what is on screen.
        let answer = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 requestAnimationFrame(() => requestAnimationFrame(() => {
                   window.axe.run(document, { resultTypes: ['violations'] }).then(
                     (r) => done({ ok: r.violations.map((v) => ({
                       id: v.id, impact: v.impact, help: v.help,
                       nodes: v.nodes.map((n) => n.target.join(' ') + (n.failureSummary ? ' — ' + n.failureSummary.replace(/\\s+/g, ' ') : '')),
                     })), passed: r.passes.length }),
                     (e) => done({ err: String(e) }));
                 }));",
                vec![],
            )
            .await
            .unwrap();
        let Some(violations) = answer["ok"].as_array() else {
            self.fail(&format!("axe-core did not run on {screen}: {answer}"))
                .await
        };
        println!(
            "a11y {screen}: axe-core {} rule(s) passed",
            answer["passed"].as_u64().unwrap_or(0)
        );
        let (mut serious, mut others) = (Vec::new(), Vec::new());
        for v in violations {
            let impact = v["impact"].as_str().unwrap_or("unknown");
            let line = format!(
                "[{impact}] {} ({}): {}",
                v["id"].as_str().unwrap_or("?"),
                v["help"].as_str().unwrap_or("?"),
                v["nodes"]
                    .as_array()
                    .map(|n| n
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join("; "))
                    .unwrap_or_default()
            );
            if matches!(impact, "serious" | "critical") {
                serious.push(line);
            } else {
                others.push(line);
            }
        }
        (serious, others)
    }

    /// Presses and releases one key as the keyboard would, on whatever has the focus (WebDriver
    /// actions: the key goes where focus is, nothing is focused for it first).
    pub(crate) async fn press(&self, key: Key) {
        let keys = KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value: key.into() })
            .then(KeyAction::Up { value: key.into() });
        self.client.perform_actions(keys).await.unwrap();
    }

    /// Types text as key presses on whatever has the focus.
    pub(crate) async fn type_keys(&self, text: &str) {
        let mut keys = KeyActions::new("keyboard".to_owned());
        for c in text.chars() {
            keys = keys
                .then(KeyAction::Down { value: c })
                .then(KeyAction::Up { value: c });
        }
        self.client.perform_actions(keys).await.unwrap();
    }
}

/// axe-core's source, read once from the UI's dev dependencies.
fn axe_source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/node_modules/axe-core/axe.min.js");
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (axe-core is a dev dependency of the UI: cd ui && npm ci)",
                path.display()
            )
        })
    })
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
