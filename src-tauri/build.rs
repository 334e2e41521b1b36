//! Declares the app's own commands to Tauri so that each gets its own `allow-<name>` permission,
//! which `capabilities/main.json` then grants to the main window one by one.

include!("src/command_names.rs");

fn main() {
    // tauri-build names the files it watches, which turns off cargo's "rerun when any file
    // changes": without this line a command added to the list would keep a stale permission set.
    println!("cargo:rerun-if-changed=src/command_names.rs");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMAND_NAMES)),
    )
    .expect("the Tauri build step failed");
}
