//! The Tauri commands, one module per domain. Each is a thin wrapper: it turns IPC arguments into
//! core types, calls the core, and turns the answer into an IPC type. No SQL, no cryptography.
//!
//! Every command takes at most one argument, named `args`, whose type is generated into
//! TypeScript together with the result type (see `bindings.rs`).

pub mod appointments;
pub mod attachments;
pub mod backups;
pub mod breaches;
pub mod cases;
pub mod clients;
pub mod measures;
pub mod notes;
pub mod retention;
pub mod rights;
pub mod risk;
pub mod sar;
pub mod search;
pub mod settings;
pub mod supervision;
pub mod today;
pub mod vault;
