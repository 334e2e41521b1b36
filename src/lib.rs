//! casenotes: the headless core of an encrypted, local-first record system for UK therapists
//! and counsellors in sole practice.
//!
//! Layers, from the disk up:
//! - [`fsutil`]: atomic, owner-only writes for the vault's small files;
//! - [`secret`]: the master key, passphrases and recovery key, wiped on drop;
//! - [`vault`]: the vault folder, its age key slots, unlock, lock, passphrase change, recovery;
//! - [`db`]: the SQLCipher connection, its pragmas and the migrations;
//! - [`audit`]: the hash-chained audit log;
//! - [`domain`]: the records, one kind per module;
//! - [`search`]: full-text search inside the encrypted database;
//! - [`retention`]: retention policies, what is due, destruction and its register;
//! - [`export`]: what leaves the vault (backups), always encrypted unless asked otherwise;
//! - [`demo`], [`corpus`]: invented practices for trying casenotes out and for the benchmarks;
//! - [`markdown`]: the one Markdown renderer, for the app and for exports;
//! - [`memory`]: freed memory is wiped (SQLite's allocator, and a global allocator for binaries).
//!
//! The core knows nothing of Tauri or of any UI: the CLI and the desktop shell are thin layers
//! over it. Nothing here logs, and no error message carries clinical text or a secret.

#![forbid(unsafe_op_in_unsafe_fn)]

pub mod audit;
pub mod build_info;
pub mod corpus;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod export;
pub mod fsutil;
pub mod markdown;
pub mod memory;
pub mod process;
pub mod retention;
pub mod search;
pub mod secret;
pub mod vault;

pub use error::{Error, ErrorPayload, Result};

#[cfg(all(test, feature = "ts"))]
mod ts_tests {
    use ts_rs::TS;

    #[test]
    fn ids_are_numbers_in_typescript() {
        let decl = crate::domain::notes::Note::decl();
        assert!(decl.contains("id: number"), "{decl}");
        assert!(decl.contains("appointment_id: number | null"), "{decl}");
        let client = crate::domain::clients::Client::decl();
        assert!(client.contains("details: ClientDetails"), "{client}");
        let details = crate::domain::clients::ClientDetails::decl();
        assert!(
            details.contains("date_of_birth: string | null"),
            "{details}"
        );
    }
}
