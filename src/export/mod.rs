//! What leaves the vault: backups, subject-access bundles and supervision extracts.
//!
//! Everything written here is encrypted (with the vault's master key, or with age) unless the
//! practitioner explicitly asks for a plaintext copy. No module here writes clinical text to a
//! temporary file, a log or an error message.

pub mod backup;
pub mod sar;
pub mod supervision;
