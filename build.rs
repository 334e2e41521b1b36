//! Stamps the git commit into the core (for About and for exports), and rebuilds when a
//! migration changes, since migrations are embedded.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
    println!("cargo:rerun-if-env-changed=CASENOTES_GIT_COMMIT");
    let commit = std::env::var("CASENOTES_GIT_COMMIT")
        .ok()
        .unwrap_or_else(|| {
            Command::new("git")
                .args(["rev-parse", "--short=12", "HEAD"])
                .output()
                .ok()
                .filter(|o| o.status.success())
                .and_then(|o| String::from_utf8(o.stdout).ok())
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "unknown".to_owned())
        });
    println!("cargo:rustc-env=CASENOTES_GIT_COMMIT={commit}");
}
