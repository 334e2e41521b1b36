//! The `casenotes` command line: a scriptable front door to the core.
//!
//! Exit codes: 0 ok, 1 other failure, 2 usage, 3 wrong passphrase or recovery key, 4 no vault
//! there / not a vault / a vault already exists, 5 integrity failure. With `--json`, results go
//! to standard output as JSON and errors to standard error as `{"error": {kind, message}}`.

/// Memory is zeroed as it is freed, so text from a note does not linger in the process.
#[global_allocator]
static ALLOCATOR: casenotes::memory::WipeOnFree = casenotes::memory::WipeOnFree;

mod backups;
mod cases;
mod measures;
mod records;
mod report;
mod retention;
mod rights;
mod risk;
mod sar;
mod secrets_input;

use std::path::PathBuf;
use std::process::ExitCode;

use casenotes::audit;
use casenotes::db;
use casenotes::vault::{Unlock, Vault};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "casenotes", version = concat!(env!("CARGO_PKG_VERSION"), " (", env!("CASENOTES_GIT_COMMIT"), ")"), about = "Encrypted client records for therapists and counsellors")]
struct Cli {
    /// The vault folder [default: $CASENOTES_VAULT, then this computer's app-data folder]
    #[arg(long, global = true, value_name = "DIR", env = "CASENOTES_VAULT")]
    vault: Option<PathBuf>,

    /// Read the passphrase from this file (its content as is, less one trailing newline)
    #[arg(long, global = true, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,

    /// Print results as JSON
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new vault and show its recovery key once
    Init,
    /// Unlock the vault, show what it holds, and lock it again
    Status,
    /// Change the passphrase (only the passphrase key file is rewritten)
    ChangePassphrase {
        /// Read the new passphrase from this file
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
    },
    /// Set a new passphrase using the recovery key
    Recover {
        /// Read the recovery key from this file
        #[arg(long, value_name = "FILE")]
        recovery_key_file: Option<PathBuf>,
        /// Read the new passphrase from this file
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
    },
    /// Change the master key itself: every key file rewritten, a new recovery key shown once
    Rekey {
        /// Read the new passphrase from this file
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
    },
    /// Check or list the audit log
    Audit {
        #[command(subcommand)]
        action: AuditCommand,
    },
    /// Add, list and show clients
    Client {
        #[command(subcommand)]
        action: records::ClientCommand,
    },
    /// Write, sign and correct notes
    Note {
        #[command(subcommand)]
        action: records::NoteCommand,
    },
    /// Search notes, addenda and client names
    Search { query: String },
    /// Write a verified, encrypted backup of the vault into a folder; or verify or list backups
    #[command(args_conflicts_with_subcommands = true)]
    Backup {
        #[command(subcommand)]
        action: Option<backups::BackupCommand>,
        /// The folder to write the backup into (a removable drive is fine)
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Keep only the newest N backups of this vault in that folder
        #[arg(long, value_name = "N", default_value_t = casenotes::export::backup::DEFAULT_KEEP)]
        keep: u32,
    },
    /// Restore a backup into a new folder (or, with --replace, in place of a vault, which is moved aside)
    Restore {
        file: PathBuf,
        /// Where the restored vault goes: a new or empty folder
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
        /// If --to holds a vault, move it aside (never deleted) and restore in its place
        #[arg(long)]
        replace: bool,
        /// Open the backup with the recovery key in this file instead of a passphrase
        #[arg(long, value_name = "FILE")]
        recovery_key_file: Option<PathBuf>,
    },
    /// Retention: what is due, destruction, the destruction register, the policy
    Retention {
        #[command(subcommand)]
        action: retention::RetentionCommand,
    },
    /// Fill the vault with an invented practice, for trying casenotes out
    Demo {
        #[arg(long, default_value_t = 40)]
        clients: u32,
        #[arg(long, default_value_t = 3)]
        years: u32,
        /// The same seed makes the same practice
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Notes of 300-3,000 characters of varied prose, with letters and scans attached
        /// (the practice the benchmarks measure)
        #[arg(long)]
        realistic: bool,
        /// With --realistic: attachment kilobytes per note on average (0 for none)
        #[arg(long, default_value_t = 10, requires = "realistic")]
        attachment_kb_per_note: u64,
    },
    /// Outcome measures (PHQ-9, GAD-7, CORE-10): record, list, mark entered in error
    Measure {
        #[command(subcommand)]
        action: measures::MeasureCommand,
    },
    /// Export upcoming appointments to a calendar file (case references and times only)
    Calendar {
        #[command(subcommand)]
        action: measures::CalendarCommand,
    },
    /// Risk assessments: write, sign, correct by addendum, list, and see reviews due
    Risk {
        #[command(subcommand)]
        action: risk::RiskCommand,
    },
    /// The client's safety plan: save a new version, show one, print a copy for the client
    SafetyPlan {
        #[command(subcommand)]
        action: risk::SafetyPlanCommand,
    },
    /// Capacity assessments and best-interest decisions (Mental Capacity Act 2005)
    Capacity {
        #[command(subcommand)]
        action: risk::CapacityCommand,
    },
    /// The client's wishes about their records after their death
    Wishes {
        #[command(subcommand)]
        action: risk::WishesCommand,
    },
    /// Clients' requests under their data rights (access, erasure…), with the statutory clock
    Request {
        #[command(subcommand)]
        action: rights::RequestCommand,
    },
    /// Record and withdraw a client's consents
    Consent {
        #[command(subcommand)]
        action: rights::ConsentCommand,
    },
    /// Record a disclosure of a client's information (final once recorded)
    Disclosure {
        #[command(subcommand)]
        action: rights::DisclosureCommand,
    },
    /// The practice's breach register and the ICO's 72-hour clock
    Breach {
        #[command(subcommand)]
        action: rights::BreachCommand,
    },
    /// Make a client's subject-access copy: one encrypted bundle, after withholding what must be
    ExportSar(Box<sar::ExportSarArgs>),
    /// Check a subject-access bundle (needs its passphrase or identity, not the vault)
    Bundle {
        #[command(subcommand)]
        action: sar::BundleCommand,
    },
    /// Write chosen notes, with names, contacts and places replaced, as HTML for supervision
    SupervisionExtract(sar::SupervisionArgs),
    /// Couple and family cases and their joint notes
    Case {
        #[command(subcommand)]
        action: cases::CaseCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check that no entry has been altered, removed or reordered, and that the database is sound
    Verify,
    /// List audit entries, oldest first
    List {
        /// Show only the newest N entries
        #[arg(long, value_name = "N")]
        limit: Option<u32>,
    },
}

/// Errors of the command line itself, or of the core.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Core(#[from] casenotes::Error),
}

impl CliError {
    fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => 2,
            // Exit codes are 0-5 by construction.
            CliError::Core(e) => u8::try_from(e.exit_code()).unwrap_or(1),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            CliError::Usage(_) => "usage",
            CliError::Core(e) => e.kind(),
        }
    }
}

fn main() -> ExitCode {
    process_hygiene();
    let cli = Cli::parse();
    let json = cli.json;
    match std::panic::catch_unwind(|| run(cli)) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        // The hook below has already said what happened.
        Err(_) => ExitCode::from(1),
        Ok(Err(e)) => {
            if json {
                let payload =
                    serde_json::json!({ "error": { "kind": e.kind(), "message": e.to_string() } });
                eprintln!("{payload}");
            } else {
                eprintln!("casenotes: {e}");
            }
            ExitCode::from(e.exit_code())
        }
    }
}

/// No core dumps (they would hold the master key), and panics reported as a plain sentence with
/// a source location only: a panic's own message could quote data, so it is never printed.
fn process_hygiene() {
    casenotes::memory::wipe_sqlite_memory_on_free();
    casenotes::process::forbid_core_dumps();
    casenotes::process::install_quiet_panic_hook();
}

fn vault_dir(cli: &Cli) -> Result<PathBuf, CliError> {
    if let Some(dir) = &cli.vault {
        return Ok(dir.clone());
    }
    directories::ProjectDirs::from("uk", "casenotes", "casenotes")
        .map(|d| d.data_dir().join("vault"))
        .ok_or_else(|| {
            CliError::Usage(
                "Could not find this computer's app-data folder; use --vault DIR.".to_owned(),
            )
        })
}

/// Unlocks, runs `f`, and locks again whether or not `f` succeeded.
fn with_session(
    dir: &std::path::Path,
    pass_file: Option<&std::path::Path>,
    f: impl FnOnce(&mut casenotes::vault::Session) -> Result<(), CliError>,
) -> Result<(), CliError> {
    let vault = Vault::open(dir)?;
    let mut session = vault.unlock(Unlock::Passphrase(&secrets_input::passphrase(pass_file)?))?;
    report::interrupted_rekey(&session);
    let result = f(&mut session);
    let locked = session.lock();
    result?;
    Ok(locked?)
}

fn run(cli: Cli) -> Result<(), CliError> {
    let dir = vault_dir(&cli)?;
    let pass_file = cli.passphrase_file.as_deref();
    match &cli.command {
        Command::Init => {
            let passphrase = secrets_input::new_passphrase(pass_file)?;
            let created = Vault::create(&dir, &passphrase)?;
            let vault_id = created.session.vault().meta().vault_id.to_string();
            created.session.lock()?;
            report::created(cli.json, &dir, &vault_id, &created.recovery_key);
        }
        Command::Status => {
            let vault = Vault::open(&dir)?;
            let session =
                vault.unlock(Unlock::Passphrase(&secrets_input::passphrase(pass_file)?))?;
            report::interrupted_rekey(&session);
            let status = session.status()?;
            session.lock()?;
            report::status(cli.json, &status);
        }
        Command::ChangePassphrase {
            new_passphrase_file,
        } => {
            let vault = Vault::open(&dir)?;
            let old = secrets_input::passphrase(pass_file)?;
            let new = secrets_input::new_passphrase(new_passphrase_file.as_deref())?;
            vault.change_passphrase(&old, &new)?.lock()?;
            report::message(
                cli.json,
                "passphrase_changed",
                "Passphrase changed. Use the new one from now on.",
            );
        }
        Command::Recover {
            recovery_key_file,
            new_passphrase_file,
        } => {
            let vault = Vault::open(&dir)?;
            let key = secrets_input::recovery_key(recovery_key_file.as_deref())?;
            let new = secrets_input::new_passphrase(new_passphrase_file.as_deref())?;
            vault.recover(&key, &new)?.lock()?;
            report::message(
                cli.json,
                "recovered",
                "The vault is recovered and has a new passphrase. Your recovery key still works: keep it safe.",
            );
        }
        Command::Rekey {
            new_passphrase_file,
        } => {
            let vault = Vault::open(&dir)?;
            let current = secrets_input::passphrase(pass_file)?;
            let new = secrets_input::new_passphrase(new_passphrase_file.as_deref())?;
            // Before the unlock's scrypt: a weak passphrase is refused at once.
            new.check_strength()?;
            let mut session = vault.unlock(Unlock::Passphrase(&current))?;
            let result = session.rekey(&new);
            let locked = session.lock();
            let recovery_key = result?;
            report::rekeyed(cli.json, &dir, &recovery_key);
            locked?;
        }
        Command::Client { action } => {
            with_session(&dir, pass_file, |s| records::client(s, action, cli.json))?
        }
        Command::Note { action } => {
            with_session(&dir, pass_file, |s| records::note(s, action, cli.json))?
        }
        Command::Backup { action, out, keep } => match action {
            Some(backups::BackupCommand::Verify {
                file,
                recovery_key_file,
            }) => {
                let secret = backups::Secret::read(pass_file, recovery_key_file.as_deref())?;
                let live = Vault::open(&dir).ok();
                backups::verify(file, &secret, live.as_ref(), cli.json)?
            }
            Some(backups::BackupCommand::List { dir: folder }) => backups::list(folder, cli.json)?,
            None => {
                let Some(out) = out else {
                    return Err(CliError::Usage(
                        "Say where the backup goes: casenotes backup --out DIR".to_owned(),
                    ));
                };
                with_session(&dir, pass_file, |s| backups::make(s, out, *keep, cli.json))?
            }
        },
        Command::Restore {
            file,
            to,
            replace,
            recovery_key_file,
        } => {
            let secret = backups::Secret::read(pass_file, recovery_key_file.as_deref())?;
            backups::restore(file, &secret, to, *replace, cli.json)?
        }
        Command::Retention { action } => {
            with_session(&dir, pass_file, |s| retention::run(s, action, cli.json))?
        }
        Command::Search { query } => {
            with_session(&dir, pass_file, |s| records::search(s, query, cli.json))?
        }
        Command::Demo {
            clients,
            years,
            seed,
            realistic,
            attachment_kb_per_note,
        } => with_session(&dir, pass_file, |s| {
            let options = casenotes::demo::DemoOptions {
                clients: *clients,
                years: *years,
                seed: *seed,
            };
            let mut progress = |done: u32, total: u32| {
                if done % 10 == 0 || done == total {
                    eprintln!("casenotes: demo practice: {done} of {total} clients written");
                }
            };
            let (summary, extra) = if *realistic {
                let r = casenotes::demo::generate_realistic(
                    s,
                    casenotes::demo::RealisticOptions {
                        practice: options,
                        attachment_bytes_per_note: attachment_kb_per_note.saturating_mul(1024),
                    },
                    &mut progress,
                )?;
                (r.practice.clone(), Some(r))
            } else {
                (casenotes::demo::generate(s, options, &mut progress)?, None)
            };
            // One merge of the index after the bulk load keeps searches quick.
            casenotes::search::optimize(s)?;
            if cli.json {
                match &extra {
                    Some(r) => println!("{}", serde_json::json!(r)),
                    None => println!("{}", serde_json::json!(summary)),
                }
            } else {
                println!(
                    "Added an invented practice: {} clients ({} under 18, {} ended), {} appointments, {} signed notes.",
                    summary.clients, summary.minors, summary.ended, summary.appointments, summary.notes
                );
                if let Some(r) = &extra {
                    println!(
                        "The notes hold {} characters of text; {} letters and scans attached ({:.1} MB).",
                        r.note_chars,
                        r.attachments,
                        r.attachment_bytes as f64 / 1_048_576.0
                    );
                }
            }
            Ok(())
        })?,
        Command::ExportSar(args) => {
            // The bundle's passphrase first, so a weak one is refused before the vault's scrypt.
            let bundle = sar::bundle_passphrase(args)?;
            if let Some(p) = &bundle {
                p.check_strength()?;
            }
            with_session(&dir, pass_file, |s| {
                sar::export(s, args, bundle.as_ref(), cli.json)
            })?
        }
        Command::Bundle { action } => sar::verify(action, cli.json)?,
        Command::SupervisionExtract(args) => {
            with_session(&dir, pass_file, |s| sar::supervision(s, args, cli.json))?
        }
        Command::Audit { action } => {
            let vault = Vault::open(&dir)?;
            let session =
                vault.unlock(Unlock::Passphrase(&secrets_input::passphrase(pass_file)?))?;
            report::interrupted_rekey(&session);
            let conn = session.conn()?;
            match action {
                AuditCommand::Verify => {
                    let verified = session.verify_audit()?;
                    db::integrity_check(conn)?;
                    session.lock()?;
                    report::verified(cli.json, &verified);
                }
                AuditCommand::List { limit } => {
                    let entries = audit::list(conn, *limit)?;
                    session.lock()?;
                    report::entries(cli.json, &entries);
                }
            }
        }
        Command::Measure { action } => {
            with_session(&dir, pass_file, |s| measures::run(s, action, cli.json))?
        }
        Command::Calendar { action } => {
            with_session(&dir, pass_file, |s| measures::calendar(s, action, cli.json))?
        }
        // A blank form needs no vault.
        Command::Risk {
            action: risk::RiskCommand::Template,
        } => risk::print_template(),
        Command::Risk { action } => {
            with_session(&dir, pass_file, |s| risk::risk(s, action, cli.json))?
        }
        Command::SafetyPlan { action } => {
            with_session(&dir, pass_file, |s| risk::safety_plan(s, action, cli.json))?
        }
        Command::Capacity { action } => {
            with_session(&dir, pass_file, |s| risk::capacity(s, action, cli.json))?
        }
        Command::Wishes { action } => {
            with_session(&dir, pass_file, |s| risk::wishes(s, action, cli.json))?
        }
        Command::Request { action } => {
            with_session(&dir, pass_file, |s| rights::request(s, action, cli.json))?
        }
        Command::Consent { action } => {
            with_session(&dir, pass_file, |s| rights::consent(s, action, cli.json))?
        }
        Command::Disclosure { action } => {
            with_session(&dir, pass_file, |s| rights::disclosure(s, action, cli.json))?
        }
        Command::Breach { action } => {
            with_session(&dir, pass_file, |s| rights::breach(s, action, cli.json))?
        }
        Command::Case { action } => {
            with_session(&dir, pass_file, |s| cases::run(s, action, cli.json))?
        }
    }
    Ok(())
}
