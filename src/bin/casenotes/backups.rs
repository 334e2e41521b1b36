//! `casenotes backup`, `backup verify`, `backup list` and `restore`: thin wrappers over
//! `casenotes::export::backup`, printing sentences for people and JSON for scripts.

use std::path::{Path, PathBuf};

use casenotes::export::backup::{self, BackupInfo, Counts, Progress, Stage};
use casenotes::secret::{Passphrase, RecoveryKey};
use casenotes::vault::{Unlock, Vault};
use clap::Subcommand;
use serde_json::json;

use crate::report::local_time;
use crate::{secrets_input, CliError};

#[derive(Subcommand)]
pub enum BackupCommand {
    /// Open a backup with its passphrase (or --recovery-key-file) and check every part of it
    Verify {
        file: PathBuf,
        /// Open the backup with the recovery key in this file instead of a passphrase
        #[arg(long, value_name = "FILE")]
        recovery_key_file: Option<PathBuf>,
    },
    /// List the backups in a folder, newest first (needs no passphrase)
    List { dir: PathBuf },
}

/// The passphrase or recovery key a backup is opened with.
pub enum Secret {
    Passphrase(Passphrase),
    RecoveryKey(RecoveryKey),
}

impl Secret {
    pub fn read(
        pass_file: Option<&Path>,
        recovery_key_file: Option<&Path>,
    ) -> Result<Secret, CliError> {
        Ok(match recovery_key_file {
            Some(k) => Secret::RecoveryKey(secrets_input::recovery_key(Some(k))?),
            None => Secret::Passphrase(secrets_input::passphrase(pass_file)?),
        })
    }

    pub fn unlock(&self) -> Unlock<'_> {
        match self {
            Secret::Passphrase(p) => Unlock::Passphrase(p),
            Secret::RecoveryKey(k) => Unlock::RecoveryKey(k),
        }
    }
}

/// Progress on standard error, a line per stage and every tenth of the way.
pub fn progress_printer(quiet: bool) -> impl FnMut(Progress) {
    let mut last: Option<(Stage, u64)> = None;
    move |p: Progress| {
        if quiet || p.total == 0 {
            return;
        }
        let tenth = p.done * 10 / p.total;
        if last == Some((p.stage, tenth)) {
            return;
        }
        last = Some((p.stage, tenth));
        let what = match p.stage {
            Stage::Snapshot => "taking a snapshot",
            Stage::Writing => "writing",
            Stage::Verifying => "checking",
            Stage::Restoring => "reading and checking",
        };
        eprintln!("casenotes: backup: {what} {}%", tenth * 10);
    }
}

fn counts_sentence(c: &Counts) -> String {
    format!(
        "{} clients, {} notes, {} addenda, {} appointments, {} attachments, {} audit entries",
        c.clients, c.notes, c.addenda, c.appointments, c.attachments, c.audit_entries
    )
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

/// `casenotes backup --out DIR [--keep N]`, inside an unlocked session.
pub fn make(
    session: &mut casenotes::vault::Session,
    out: &Path,
    keep: u32,
    json: bool,
) -> Result<(), CliError> {
    let made = session.back_up(out, keep, &mut progress_printer(json))?;
    if json {
        println!("{}", json!(made));
    } else {
        println!(
            "Backed up to {} ({}), and checked by opening it again: {}.",
            made.path,
            megabytes(made.bytes),
            counts_sentence(&made.counts)
        );
        if !made.removed.is_empty() {
            println!(
                "Removed {} older backup{} to keep the newest {keep}: {}.",
                made.removed.len(),
                if made.removed.len() == 1 { "" } else { "s" },
                made.removed.join(", ")
            );
        }
    }
    Ok(())
}

pub fn verify(
    file: &Path,
    secret: &Secret,
    live_vault: Option<&Vault>,
    json: bool,
) -> Result<(), CliError> {
    let verified = backup::verify(
        file,
        secret.unlock(),
        live_vault,
        &mut progress_printer(json),
    )?;
    if json {
        println!("{}", json!({ "intact": true, "backup": verified }));
    } else {
        let info = &verified.info;
        println!(
            "The backup {} is sound: made {}, every file matches its SHA-256, the database passed SQLCipher's and SQLite's integrity checks, and its audit log is intact.",
            info.file_name,
            local_time(&info.created_at)
        );
        println!("It holds {}.", counts_sentence(&info.counts));
        if verified.recorded_in_vault {
            println!("The check is recorded in the vault's audit log.");
        }
    }
    Ok(())
}

pub fn list(dir: &Path, json: bool) -> Result<(), CliError> {
    let backups: Vec<BackupInfo> = backup::list(dir)?;
    if json {
        println!("{}", json!(backups));
        return Ok(());
    }
    if backups.is_empty() {
        println!("There are no casenotes backups in {}.", dir.display());
    }
    for b in &backups {
        println!(
            "{}  {}  {}  {}",
            b.file_name,
            local_time(&b.created_at),
            megabytes(b.bytes),
            counts_sentence(&b.counts)
        );
    }
    Ok(())
}

pub fn restore(
    file: &Path,
    secret: &Secret,
    to: &Path,
    replace: bool,
    json: bool,
) -> Result<(), CliError> {
    let (restored, session) = backup::restore(
        file,
        secret.unlock(),
        to,
        replace,
        &mut progress_printer(json),
    )?;
    session.lock()?;
    if json {
        println!("{}", json!(restored));
    } else {
        println!(
            "Restored the backup made {} into {}: {}.",
            local_time(&restored.backup_created_at),
            restored.vault_dir,
            counts_sentence(&restored.counts)
        );
        if let Some(aside) = &restored.moved_aside {
            println!("The vault that was there has been moved, not deleted, to {aside}.");
        }
        if !restored.destroyed_again.is_empty() {
            println!(
                "{} record{} destroyed after this backup was made {} destroyed again, as the destruction register requires:",
                restored.destroyed_again.len(),
                if restored.destroyed_again.len() == 1 { "" } else { "s" },
                if restored.destroyed_again.len() == 1 { "was" } else { "were" }
            );
            for c in &restored.destroyed_again {
                println!(
                    "  {} ({}), destroyed {}",
                    c.case_ref,
                    c.category.label(),
                    local_time(&c.destroyed_at)
                );
            }
        }
        for w in &restored.warnings {
            println!("Warning: {w}");
        }
        println!("Unlock it with the passphrase that was in use when the backup was made, or with your recovery key.");
    }
    Ok(())
}
