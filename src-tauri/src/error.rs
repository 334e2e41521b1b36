//! The one error type that crosses IPC: `{kind, message}`.
//!
//! `kind` is a stable machine string (the core's `Error::kind`, or one of the shell's own kinds
//! below); `message` is plain English for a therapist. Never put a secret or clinical text in one.

use serde::Serialize;
use ts_rs::TS;

/// An error as the UI receives it.
#[derive(Debug, Clone, Serialize, TS, PartialEq, Eq)]
pub struct IpcError {
    /// A stable name: the core's kinds (`wrong_passphrase`, `locked`, …) plus the shell's own
    /// `invalid_setting`, `passphrase_required` and `internal`.
    pub kind: String,
    pub message: String,
}

impl IpcError {
    /// Every command on a locked vault answers with this; the UI then shows the lock screen.
    pub fn locked() -> Self {
        casenotes::Error::Locked.into()
    }

    /// A command's new session arrived after a lock: it was locked at once (see `state.rs`).
    pub fn locked_meanwhile() -> Self {
        Self {
            kind: "locked".to_owned(),
            message: "casenotes locked while this was under way, and it stays locked. Unlock to carry on.".to_owned(),
        }
    }

    pub fn invalid_setting(message: impl Into<String>) -> Self {
        Self {
            kind: "invalid_setting".to_owned(),
            message: message.into(),
        }
    }

    /// Keychain unlock is refused until the passphrase has been typed once in this run of the app.
    pub fn passphrase_required() -> Self {
        Self {
            kind: "passphrase_required".to_owned(),
            message: "Type your passphrase: the keychain can only unlock the vault after the passphrase has been used once since casenotes started.".to_owned(),
        }
    }

    /// Keychain unlock is refused after a lock casenotes made itself (idle, minimise, quitting):
    /// the person may not be at the computer, so the passphrase is needed.
    pub fn keychain_not_offered() -> Self {
        Self {
            kind: "passphrase_required".to_owned(),
            message: "Type your passphrase: casenotes locked itself, and the keychain is offered only after you lock casenotes yourself.".to_owned(),
        }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self {
            kind: "internal".to_owned(),
            message: message.into(),
        }
    }
}

impl From<casenotes::Error> for IpcError {
    fn from(e: casenotes::Error) -> Self {
        let p = e.payload();
        Self {
            kind: p.kind,
            message: p.message,
        }
    }
}

pub type IpcResult<T> = Result<T, IpcError>;
