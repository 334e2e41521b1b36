//! `casenotes export-sar`, `casenotes bundle verify` and `casenotes supervision-extract`: thin
//! wrappers over `casenotes::export::sar` and `casenotes::export::supervision`.
//!
//! `--withhold NOTE_ID --reason R [--note TEXT]` may be given many times; each `--reason` and
//! `--note` belongs to the `--withhold` before it, so the review can be scripted.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use casenotes::domain::clients;
use casenotes::export::sar::{
    self, BundleKey, Exported, Protection, SarProgress, SarStage, Withhold, WithholdReason,
    WithholdTarget,
};
use casenotes::export::supervision;
use casenotes::secret::Passphrase;
use casenotes::vault::Session;
use clap::{Args, Subcommand};
use serde_json::json;
use zeroize::Zeroizing;

use crate::{secrets_input, CliError};

#[derive(Args)]
pub struct ExportSarArgs {
    /// The client's case reference
    pub case_ref: String,
    /// The number of the client's access or portability request this copy answers (from the
    /// requests register); it is marked completed once the copy is made
    #[arg(long, value_name = "ID")]
    pub request: i64,
    /// The bundle file to write (it must not exist)
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "plaintext_folder"
    )]
    pub out: Option<PathBuf>,
    /// Encrypt the bundle to the passphrase in this file (asked twice if neither this nor --recipient is given)
    #[arg(long, value_name = "FILE", conflicts_with_all = ["recipient", "plaintext_folder"])]
    pub bundle_passphrase_file: Option<PathBuf>,
    /// Encrypt the bundle to this age recipient key (age1…) instead of a passphrase
    #[arg(long, value_name = "AGE1…", conflicts_with = "plaintext_folder")]
    pub recipient: Option<String>,
    /// Write an UNENCRYPTED copy into this new or empty folder instead of an encrypted file
    #[arg(long, value_name = "DIR", conflicts_with = "out")]
    pub plaintext_folder: Option<PathBuf>,
    /// Withhold this note (with its addenda and attachments); follow it with --reason
    #[arg(long, value_name = "NOTE_ID")]
    pub withhold: Vec<i64>,
    /// Withhold this disclosure (an entry of the disclosures record); follow it with --reason
    #[arg(long, value_name = "DISCLOSURE_ID")]
    pub withhold_disclosure: Vec<i64>,
    /// Why the note (or disclosure) before it is withheld: third_party, serious_harm or legal_privilege
    #[arg(long, value_name = "REASON")]
    pub reason: Vec<String>,
    /// Your own words on why (kept in the vault, never put in the bundle)
    #[arg(long, value_name = "TEXT")]
    pub note: Vec<String>,
}

#[derive(Subcommand)]
pub enum BundleCommand {
    /// Decrypt a subject-access bundle in memory and check every file against its manifest
    Verify {
        file: PathBuf,
        /// Read the bundle's passphrase from this file
        #[arg(long, value_name = "FILE", conflicts_with = "identity_file")]
        bundle_passphrase_file: Option<PathBuf>,
        /// Open a bundle encrypted to a recipient key with this age identity file
        #[arg(long, value_name = "FILE")]
        identity_file: Option<PathBuf>,
    },
}

#[derive(Args)]
pub struct SupervisionArgs {
    /// The client's case reference
    pub case_ref: String,
    /// The notes to include, by id: 1,2,3
    #[arg(long, value_name = "IDS", value_delimiter = ',', required = true)]
    pub notes: Vec<i64>,
    /// The HTML file to write (it must not exist)
    #[arg(long, value_name = "FILE.html")]
    pub out: PathBuf,
    /// Places to replace with "[place]" as well: "Leeds,Harrogate"
    #[arg(long, value_name = "PLACES", value_delimiter = ',')]
    pub also_remove: Vec<String>,
}

/// Pairs each --reason and --note with the --withhold before it, from the command line as typed.
fn decisions(args: &ExportSarArgs, raw: &[OsString]) -> Result<Vec<Withhold>, CliError> {
    let mut out: Vec<(WithholdTarget, Option<String>, Option<String>)> = Vec::new();
    let mut it = raw.iter().map(|a| a.to_string_lossy().into_owned());
    let usage = |m: &str| CliError::Usage(m.to_owned());
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = || inline.clone().or_else(|| it.next());
        match flag.as_str() {
            "--withhold" => {
                let v = value().ok_or_else(|| usage("--withhold needs a note id"))?;
                let id = v
                    .parse()
                    .map_err(|_| usage("--withhold takes a note id (a number)"))?;
                out.push((WithholdTarget::Note { note_id: id }, None, None));
            }
            "--withhold-disclosure" => {
                let v =
                    value().ok_or_else(|| usage("--withhold-disclosure needs a disclosure id"))?;
                let id = v
                    .parse()
                    .map_err(|_| usage("--withhold-disclosure takes a disclosure id (a number)"))?;
                out.push((WithholdTarget::Disclosure { disclosure_id: id }, None, None));
            }
            "--reason" => {
                let v = value().ok_or_else(|| usage("--reason needs a reason"))?;
                let last = out
                    .last_mut()
                    .ok_or_else(|| usage("Give --reason after the --withhold it explains."))?;
                last.1 = Some(v);
            }
            "--note" => {
                let v = value().ok_or_else(|| usage("--note needs text"))?;
                let last = out
                    .last_mut()
                    .ok_or_else(|| usage("Give --note after the --withhold it explains."))?;
                last.2 = Some(v);
            }
            _ => {}
        }
    }
    if out.len() != args.withhold.len() + args.withhold_disclosure.len() {
        return Err(usage(
            "Each --withhold takes one note id, and each --withhold-disclosure one disclosure id.",
        ));
    }
    out.into_iter()
        .map(|(target, reason, comment)| {
            let reason = reason.ok_or_else(|| {
                let (what, flag, id) = match &target {
                    WithholdTarget::Disclosure { disclosure_id } => {
                        ("disclosure", "--withhold-disclosure", *disclosure_id)
                    }
                    WithholdTarget::Note { note_id } => ("note", "--withhold", *note_id),
                    _ => ("item", "--withhold", 0),
                };
                CliError::Usage(format!(
                    "Say why {what} {id} is withheld: {flag} {id} --reason third_party|serious_harm|legal_privilege"
                ))
            })?;
            Ok(Withhold {
                target,
                reason: WithholdReason::parse(&reason)?,
                comment,
            })
        })
        .collect()
}

fn kilobytes(bytes: u64) -> String {
    if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1_000_000.0)
    } else {
        format!("{:.1} KB", bytes as f64 / 1000.0)
    }
}

fn withheld_sentence(w: &[sar::WithheldCount]) -> String {
    if w.is_empty() {
        return "Nothing was withheld.".to_owned();
    }
    let parts: Vec<String> = w
        .iter()
        .map(|c| {
            let mut items = Vec::new();
            for (n, one, many) in [
                (c.notes, "note", "notes"),
                (c.addenda, "addendum", "addenda"),
                (c.passages, "passage", "passages"),
                (c.attachments, "attachment", "attachments"),
                (c.disclosures, "disclosure", "disclosures"),
            ] {
                if n > 0 {
                    items.push(format!("{n} {}", if n == 1 { one } else { many }));
                }
            }
            format!("{} ({})", items.join(", "), c.reason_in_words)
        })
        .collect();
    format!("Withheld: {}.", parts.join("; "))
}

/// `casenotes export-sar`, inside an unlocked session. The bundle passphrase is read before.
pub fn export(
    session: &mut Session,
    args: &ExportSarArgs,
    bundle_passphrase: Option<&Passphrase>,
    json: bool,
) -> Result<(), CliError> {
    let raw: Vec<OsString> = std::env::args_os().collect();
    let withhold = decisions(args, &raw)?;
    let client_id = clients::id_for(session, &args.case_ref)?;
    let (protection, out): (Protection<'_>, &Path) = match (
        &args.plaintext_folder,
        &args.recipient,
        bundle_passphrase,
        &args.out,
    ) {
        (Some(dir), _, _, _) => (Protection::PlaintextFolder, dir),
        (None, Some(r), _, Some(out)) => (Protection::Recipient(r), out),
        (None, None, Some(p), Some(out)) => (Protection::Passphrase(p), out),
        _ => {
            return Err(CliError::Usage(
                "Say where the bundle goes: --out FILE".to_owned(),
            ))
        }
    };
    let request = sar::ExportRequest {
        client_id,
        request_id: args.request,
        withhold: &withhold,
        protection,
        out,
    };
    let mut last = None;
    let made: Exported = sar::export(session, &request, &mut |p: SarProgress| {
        if json || p.stage != SarStage::Writing || last == Some(p.done) {
            return;
        }
        last = Some(p.done);
        if p.done == p.total || p.done % 10 == 0 {
            eprintln!(
                "casenotes: subject-access copy: {} of {} files written",
                p.done, p.total
            );
        }
    })?;
    if made.protection == "plaintext_folder" {
        eprintln!(
            "casenotes: WARNING: {} is NOT encrypted. Anyone who can open this computer's files can read it. Hand it over securely, then delete it.",
            made.path.display()
        );
    }
    if json {
        println!("{}", json!(made));
    } else {
        let how = match made.protection.as_str() {
            "passphrase" => "encrypted to the bundle passphrase",
            "recipient" => "encrypted to the recipient key",
            _ => "NOT encrypted",
        };
        println!(
            "Wrote the subject-access copy for {} (request {}) to {}, {how}: {} files, {}. {}",
            made.case_reference,
            made.request_reference,
            made.path.display(),
            made.files,
            kilobytes(made.bytes),
            withheld_sentence(&made.withheld)
        );
        match &made.request_not_completed {
            None => println!(
                "Request {} marked complete in the requests register.",
                made.request_reference
            ),
            Some(why) => println!(
                "Request {} was NOT marked complete: {why} The copy was made; update the request in the register yourself.",
                made.request_reference
            ),
        }
    }
    Ok(())
}

/// Reads the bundle passphrase: from its file, or typed twice.
pub fn bundle_passphrase(args: &ExportSarArgs) -> Result<Option<Passphrase>, CliError> {
    if args.plaintext_folder.is_some() || args.recipient.is_some() {
        return Ok(None);
    }
    Ok(Some(secrets_input::new_passphrase_for(
        args.bundle_passphrase_file.as_deref(),
        "Bundle passphrase",
    )?))
}

/// `casenotes bundle verify FILE`: needs no vault.
pub fn verify(command: &BundleCommand, json: bool) -> Result<(), CliError> {
    let BundleCommand::Verify {
        file,
        bundle_passphrase_file,
        identity_file,
    } = command;
    let verified = match identity_file {
        Some(k) => {
            let text = Zeroizing::new(std::fs::read_to_string(k).map_err(|e| {
                CliError::Usage(format!(
                    "Could not read the identity file {}: {e}",
                    k.display()
                ))
            })?);
            let identity = sar::verify::parse_identity_file(&text)?;
            sar::verify(file, &BundleKey::Identity(&identity))?
        }
        None => {
            let p = secrets_input::passphrase_for(
                bundle_passphrase_file.as_deref(),
                "Bundle passphrase: ",
            )?;
            sar::verify(file, &BundleKey::Passphrase(&p))?
        }
    };
    if json {
        println!("{}", json!(verified));
    } else {
        println!(
            "{} is sound: {} files, every one matching its SHA-256 in the manifest. It is the copy for {} (request {}), made by casenotes {} ({}). {}",
            file.display(),
            verified.files,
            verified.case_reference,
            verified.request_reference,
            verified.generator_version,
            verified.build_commit,
            withheld_sentence(&verified.withheld)
        );
    }
    Ok(())
}

/// `casenotes supervision-extract`, inside an unlocked session.
pub fn supervision(session: &Session, args: &SupervisionArgs, json: bool) -> Result<(), CliError> {
    let places: Vec<String> = args
        .also_remove
        .iter()
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect();
    let made = supervision::write(session, &args.case_ref, &args.notes, &places, &args.out)?;
    if json {
        println!("{}", json!(made));
    } else {
        println!(
            "Wrote a supervision extract of {} {} from the file of {} to {} ({} names, contacts, dates and places replaced). Read it through before you share it.",
            made.notes,
            if made.notes == 1 { "note" } else { "notes" },
            made.case_reference,
            made.path,
            made.replaced
        );
    }
    Ok(())
}
