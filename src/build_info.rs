//! What build this is, stamped by `build.rs`: shown in About and written into exports.

/// The crate version, such as "0.1.0".
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The git commit the build was made from, or "unknown" outside a git checkout.
pub const GIT_COMMIT: &str = env!("CASENOTES_GIT_COMMIT");

/// "casenotes 0.1.0 (abc123def456)".
pub fn describe() -> String {
    format!("casenotes {VERSION} ({GIT_COMMIT})")
}
