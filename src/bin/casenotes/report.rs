//! What the CLI prints on success: plain sentences for people, JSON for scripts.
//! Times are shown in local time as day month year, 24-hour clock.

use std::path::Path;

use casenotes::audit::{Entry, Verified};
use casenotes::domain::clients::Client;
use casenotes::domain::notes::Note;
use casenotes::secret::RecoveryKey;
use casenotes::vault::{Session, Status};
use chrono::{DateTime, Local};
use serde_json::json;

/// "23 November 2026 at 18:04", or the text as given if it is not a timestamp.
pub fn local_time(rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            t.with_timezone(&Local)
                .format("%-d %B %Y at %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| rfc3339.to_owned())
}

pub fn created(json: bool, dir: &Path, vault_id: &str, recovery_key: &RecoveryKey) {
    if json {
        println!(
            "{}",
            json!({ "vault_dir": dir, "vault_id": vault_id, "recovery_key": recovery_key.expose() })
        );
        return;
    }
    println!(
        "Created a new casenotes vault in {}.

YOUR RECOVERY KEY (shown this once, and never stored anywhere):

    {}

Print this or write it down now, and keep it somewhere safe away from this computer,
such as a locked drawer. If you ever forget your passphrase, this key is the only way
back into your records:

    casenotes recover --recovery-key-file FILE

Anyone who has both this key and a copy of your vault can read your records.",
        dir.display(),
        recovery_key.expose()
    );
}

/// After `rekey`: the new recovery key, once, and what still opens the old backups.
pub fn rekeyed(json: bool, dir: &Path, recovery_key: &RecoveryKey) {
    let backups = "Backups made before now still open only with your OLD passphrase and OLD recovery key: keep those with the backups, or make a fresh backup now (casenotes backup --out DIR) and then delete the old ones.";
    if json {
        println!(
            "{}",
            json!({
                "result": "rekeyed",
                "vault_dir": dir,
                "recovery_key": recovery_key.expose(),
                "message": format!("The master key has been changed. Use your new passphrase and new recovery key from now on. {backups}"),
            })
        );
        return;
    }
    println!(
        "Changed the master key of the vault in {}: every page of the database is now
encrypted with a new key, and your old passphrase and old recovery key no longer open it.

YOUR NEW RECOVERY KEY (shown this once, and never stored anywhere):

    {}

Print this or write it down now, and keep it somewhere safe away from this computer.
Your old recovery key no longer opens this vault.

{backups}",
        dir.display(),
        recovery_key.expose()
    );
}

/// Said once, on standard error, by whatever command unlocked the vault.
pub fn interrupted_rekey(session: &Session) {
    if let Some(notice) = session.interrupted_rekey() {
        eprintln!("casenotes: {notice}");
    }
}

pub fn status(json: bool, status: &Status) {
    if json {
        println!("{}", json!({ "locked": true, "status": status }));
        return;
    }
    println!("Vault: {}", status.vault_dir.display());
    println!("Vault id: {}", status.vault_id);
    println!("Created: {}", local_time(&status.created_at));
    println!(
        "Format {}, schema version {}",
        status.format_version, status.schema_version
    );
    println!("Audit log: {} entries", status.audit_entries);
    if let Some(at) = &status.last_unlocked_at {
        println!("Last unlocked before this: {}", local_time(at));
    }
    if let Some(warning) = &status.audit_rollback {
        println!("WARNING: {warning}");
    }
    let failed = &status.failed_unlocks_before_this_one;
    match (failed.count, &failed.last_at) {
        (0, _) => println!("No failed unlock attempts since you last unlocked."),
        (n, Some(last)) => println!(
            "{n} failed unlock attempt{} since you last unlocked (the last on {}).",
            if n == 1 { "" } else { "s" },
            local_time(&last.to_rfc3339())
        ),
        (n, None) => println!("{n} failed unlock attempts since you last unlocked."),
    }
    println!("The vault is locked again.");
}

pub fn message(json: bool, kind: &str, text: &str) {
    if json {
        println!("{}", json!({ "result": kind, "message": text }));
    } else {
        println!("{text}");
    }
}

pub fn verified(json: bool, verified: &Verified) {
    if json {
        println!(
            "{}",
            json!({ "intact": true, "entries": verified.entries, "head_hash": verified.head_hash })
        );
    } else {
        println!(
            "The audit log is intact: {} entries, the last with hash {}.\nThe database passed its integrity check.",
            verified.entries, verified.head_hash
        );
    }
}

pub fn entries(json: bool, entries: &[Entry]) {
    if json {
        println!("{}", json!(entries));
        return;
    }
    for e in entries {
        let subject = e
            .subject
            .as_deref()
            .map(|s| format!(" {s}"))
            .unwrap_or_default();
        let detail = match &e.detail {
            serde_json::Value::Object(m) if m.is_empty() => String::new(),
            other => format!(" {other}"),
        };
        println!(
            "{:>6}  {}  {}{subject}{detail}",
            e.seq,
            local_time(&e.at),
            e.action
        );
    }
}

/// A client's file as text: details, then notes newest first with their addenda.
pub fn client_file(client: &Client, notes: &[Note]) {
    let d = &client.details;
    println!("{}  {}", client.case_ref, client.display_name());
    let dob = d.date_of_birth.map(|x| x.format("%-d %B %Y").to_string());
    for (label, value) in [
        ("Status", Some(d.status.as_str().to_owned())),
        ("Pronouns", d.pronouns.clone()),
        ("Date of birth", dob),
        ("Email", d.email.clone()),
        ("Phone", d.phone.clone()),
        (
            "Therapy started",
            d.therapy_started_on
                .map(|x| x.format("%-d %B %Y").to_string()),
        ),
        (
            "Therapy ended",
            d.therapy_ended_on
                .map(|x| x.format("%-d %B %Y").to_string()),
        ),
        ("Legal hold", d.legal_hold_reason.clone()),
        ("Processing restricted", d.restricted_reason.clone()),
    ] {
        if let Some(v) = value {
            println!("  {label}: {v}");
        }
    }
    for n in notes {
        let state = match &n.signed_at {
            Some(at) => format!("signed {}", local_time(at)),
            None => "draft".to_owned(),
        };
        println!(
            "\nNote {} ({} note, {}, {state})",
            n.id,
            n.kind.as_str(),
            n.template.as_str()
        );
        println!("{}", n.body.trim_end());
        for a in &n.addenda {
            println!(
                "  Addendum {} ({}), reason: {}",
                a.id,
                local_time(&a.created_at),
                a.reason
            );
            println!("  {}", a.body.trim_end().replace('\n', "\n  "));
        }
    }
}
