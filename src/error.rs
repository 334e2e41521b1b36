//! The one error type of the core.
//!
//! Every variant has a stable machine `kind` (for the CLI's `--json`, and for the desktop shell,
//! which sends errors across IPC as `{kind, message}`), a process exit code, and a message written
//! for a therapist rather than a programmer. Messages never carry clinical text or secrets: they name
//! folders, entry numbers and record ids only.

use std::path::PathBuf;

use serde::Serialize;

/// Shortest passphrase accepted for a new vault or a changed passphrase.
pub const MIN_PASSPHRASE_CHARS: usize = 12;

/// Anything that can go wrong in the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("There is no casenotes vault in {}. Create one with `casenotes init`, or choose another folder with --vault.", .dir.display())]
    NoVault { dir: PathBuf },

    #[error("{} is not a casenotes vault: {reason}", .dir.display())]
    NotAVault { dir: PathBuf, reason: String },

    #[error("A vault already exists in {}. Nothing was changed.", .dir.display())]
    VaultExists { dir: PathBuf },

    #[error("The folder {} already holds other files. Choose an empty or new folder for the vault.", .dir.display())]
    FolderNotEmpty { dir: PathBuf },

    #[error("This vault was made by a newer version of casenotes (format {found}); this version understands format {supported}. Please update casenotes.")]
    UnsupportedFormat { found: u32, supported: u32 },

    #[error("That passphrase does not open this vault.")]
    WrongPassphrase,

    #[error("That recovery key does not open this vault.")]
    WrongRecoveryKey,

    #[error("That is not a recovery key. A recovery key starts with AGE-SECRET-KEY-1 and is 74 characters long.")]
    MalformedRecoveryKey,

    #[error("The passphrase must be at least {min} characters long. A few unrelated words make a strong passphrase that is easy to remember.")]
    PassphraseTooShort { min: usize },

    /// zxcvbn scored the new passphrase under 3 of 4. `why` and `advice` are fixed wording
    /// chosen from zxcvbn's feedback, never the passphrase itself.
    #[error("This passphrase would be guessed quickly: {why} {advice}")]
    PassphraseTooWeak { why: String, advice: String },

    /// A crash interrupted a change of master key, and the secret given belongs to the other
    /// side of it. `advice` says which secret opens the vault now.
    #[error("casenotes stopped part way through changing this vault's master key. {advice}")]
    RekeyInterrupted { advice: String },

    #[error("The new passphrase and its confirmation do not match.")]
    PassphraseMismatch,

    #[error("The vault is locked. Unlock it to continue.")]
    Locked,

    #[error("{rule} {advice}")]
    RecordRule { rule: String, advice: String },

    #[error("There is no {what} {id} in this vault.")]
    NotFound { what: &'static str, id: String },

    #[error("Unlocking with this computer's keychain is not switched on for this vault. Use your passphrase.")]
    KeychainNotEnabled,

    #[error("This computer's keychain could not be used ({detail}). Use your passphrase.")]
    KeychainUnavailable { detail: String },

    #[error("The audit log has been tampered with: entry {seq} {reason}.")]
    AuditChainBroken { seq: i64, reason: String },

    #[error("{detail} The finding is recorded in the audit log.")]
    AuditRolledBack { detail: String },

    #[error("The vault's database failed its integrity check: {detail}")]
    IntegrityCheckFailed { detail: String },

    #[error(
        "A key file in this vault is damaged or does not belong to this vault's database: {detail}"
    )]
    DamagedKeySlot { detail: String },

    #[error("The backup {} cannot be used: {detail}. Nothing was changed.", .file.display())]
    BackupDamaged { file: PathBuf, detail: String },

    #[error("The backup folder {} cannot be found. If it is on a removable drive, plug the drive in and try again.", .dir.display())]
    BackupFolderMissing { dir: PathBuf },

    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },

    #[error("The vault's database reported an error: {0}")]
    Database(#[from] rusqlite::Error),

    #[error("The vault's database could not be brought up to date: {0}")]
    Migration(#[from] rusqlite_migration::Error),

    #[error("Encryption failed: {0}")]
    Encryption(String),

    #[error("The subject-access bundle {} cannot be trusted: {detail}.", .file.display())]
    BundleDamaged { file: PathBuf, detail: String },

    #[error("That {secret} does not open the subject-access bundle {}. Check it with whoever made the bundle.", .file.display())]
    WrongBundleSecret { file: PathBuf, secret: &'static str },
}

/// The shape in which an error leaves the core for the CLI's JSON output and the desktop's IPC.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ErrorPayload {
    pub kind: String,
    pub message: String,
}

impl Error {
    /// A stable, machine-readable name for the error. Never change one once released.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::NoVault { .. } => "no_vault",
            Error::NotAVault { .. } => "not_a_vault",
            Error::VaultExists { .. } => "vault_exists",
            Error::FolderNotEmpty { .. } => "folder_not_empty",
            Error::UnsupportedFormat { .. } => "unsupported_format",
            Error::WrongPassphrase => "wrong_passphrase",
            Error::WrongRecoveryKey => "wrong_recovery_key",
            Error::MalformedRecoveryKey => "malformed_recovery_key",
            Error::PassphraseTooShort { .. } => "passphrase_too_short",
            Error::PassphraseTooWeak { .. } => "passphrase_too_weak",
            Error::RekeyInterrupted { .. } => "rekey_interrupted",
            Error::PassphraseMismatch => "passphrase_mismatch",
            Error::Locked => "locked",
            Error::RecordRule { .. } => "record_rule",
            Error::NotFound { .. } => "not_found",
            Error::KeychainNotEnabled => "keychain_not_enabled",
            Error::KeychainUnavailable { .. } => "keychain_unavailable",
            Error::AuditChainBroken { .. } => "audit_chain_broken",
            Error::AuditRolledBack { .. } => "audit_rolled_back",
            Error::IntegrityCheckFailed { .. } => "integrity_check_failed",
            Error::DamagedKeySlot { .. } => "damaged_key_slot",
            Error::BackupDamaged { .. } => "backup_damaged",
            Error::BackupFolderMissing { .. } => "backup_folder_missing",
            Error::Io { .. } => "io",
            Error::Database(_) => "database",
            Error::Migration(_) => "migration",
            Error::Encryption(_) => "encryption",
            Error::BundleDamaged { .. } => "bundle_damaged",
            Error::WrongBundleSecret { .. } => "wrong_bundle_secret",
        }
    }

    /// The CLI's exit code: 1 other failure, 3 wrong secret, 4 vault presence, 5 integrity,
    /// 6 a record rule (such as editing a signed note).
    /// (0 is success and 2 is a usage error, which clap reports before the core is reached.)
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::WrongPassphrase
            | Error::WrongRecoveryKey
            | Error::MalformedRecoveryKey
            | Error::RekeyInterrupted { .. }
            | Error::WrongBundleSecret { .. } => 3,
            Error::NoVault { .. }
            | Error::NotAVault { .. }
            | Error::VaultExists { .. }
            | Error::FolderNotEmpty { .. } => 4,
            Error::AuditChainBroken { .. }
            | Error::AuditRolledBack { .. }
            | Error::IntegrityCheckFailed { .. }
            | Error::DamagedKeySlot { .. }
            | Error::BackupDamaged { .. }
            | Error::BundleDamaged { .. } => 5,
            Error::PassphraseTooShort { .. }
            | Error::PassphraseTooWeak { .. }
            | Error::PassphraseMismatch => 2,
            Error::RecordRule { .. } => 6,
            _ => 1,
        }
    }

    pub fn payload(&self) -> ErrorPayload {
        ErrorPayload {
            kind: self.kind().to_owned(),
            message: self.to_string(),
        }
    }

    /// A broken record rule: what the rule is, and what to do instead.
    pub fn rule(rule: impl Into<String>, advice: impl Into<String>) -> Error {
        Error::RecordRule {
            rule: rule.into(),
            advice: advice.into(),
        }
    }

    /// Wraps an I/O error with a plain description of what was being done.
    pub fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
        let what = what.into();
        move |source| Error::Io { what, source }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
