//! What leaves the vault: backups, subject-access bundles, supervision extracts, and a calendar
//! of upcoming appointments (case references and times only).
//!
//! Everything written here is encrypted (with the vault's master key, or with age) unless the
//! practitioner explicitly asks for a plaintext copy. No module here writes clinical text to a
//! temporary file, a log or an error message.

pub mod backup;
pub mod calendar;
pub mod sar;
pub mod supervision;
