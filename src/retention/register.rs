//! The destruction register: a certificate for every record destroyed, kept after the record is
//! gone. Hash-chained like the audit log, and tied to it: each destruction writes an audit entry
//! carrying the certificate's hash, so a certificate edited, removed, reordered or cut from the
//! end is reported by `audit verify`. Certificates hold a case reference, initials, counts, the
//! rule, the dates and the practitioner's reason: never clinical text, never a name.

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::due::ItemCounts;
use super::policy::Category;
use crate::audit::GENESIS_HASH;
use crate::error::{Error, Result};

/// What a certificate says was destroyed, beyond the counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Scope {
    #[serde(flatten)]
    pub counts: ItemCounts,
    /// Appointments only: those that started before this day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appointments_before: Option<NaiveDate>,
}

/// One certificate of destruction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Certificate {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seq: i64,
    /// UTC, RFC 3339.
    pub destroyed_at: String,
    pub case_ref: String,
    pub initials: String,
    /// When the client's record was first made: with the case reference, it names the record
    /// in older backups, so a restore can destroy it again.
    pub client_created_at: String,
    pub category: Category,
    pub counts: ItemCounts,
    pub appointments_before: Option<NaiveDate>,
    pub rule: String,
    pub trigger_on: NaiveDate,
    pub due_on: NaiveDate,
    pub reason: String,
    /// Set when the destruction was carried over into a vault restored from a backup.
    pub reapplied_from: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl Certificate {
    /// Names one destruction across vaults and backups (the chain hashes differ after a
    /// re-application; this does not).
    pub fn identity(&self) -> (String, String, Category, String) {
        (
            self.case_ref.to_uppercase(),
            self.client_created_at.clone(),
            self.category,
            self.destroyed_at.clone(),
        )
    }

    fn scope_json(&self) -> String {
        serde_json::to_string(&Scope {
            counts: self.counts.clone(),
            appointments_before: self.appointments_before,
        })
        .unwrap_or_default()
    }

    fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        let seq = self.seq.to_string();
        let trigger = self.trigger_on.to_string();
        let due = self.due_on.to_string();
        let scope = self.scope_json();
        for field in [
            seq.as_str(),
            &self.destroyed_at,
            &self.case_ref,
            &self.initials,
            &self.client_created_at,
            self.category.as_str(),
            &scope,
            &self.rule,
            &trigger,
            &due,
            &self.reason,
            self.reapplied_from.as_deref().unwrap_or("\u{0}"),
            &self.prev_hash,
        ] {
            h.update((field.len() as u64).to_be_bytes());
            h.update(field.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

/// Appends a certificate (seq, prev_hash and hash are filled in). Call inside the destruction's
/// transaction.
pub(crate) fn append(conn: &Connection, mut cert: Certificate) -> Result<Certificate> {
    let last: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM destruction_register ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (seq, prev) = last.unwrap_or((0, GENESIS_HASH.to_owned()));
    cert.seq = seq + 1;
    cert.prev_hash = prev;
    cert.hash = cert.compute_hash();
    conn.execute(
        "INSERT INTO destruction_register (seq, destroyed_at, case_ref, initials, client_created_at,
             category, counts, rule, trigger_on, due_on, reason, reapplied_from, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            cert.seq,
            cert.destroyed_at,
            cert.case_ref,
            cert.initials,
            cert.client_created_at,
            cert.category.as_str(),
            cert.scope_json(),
            cert.rule,
            cert.trigger_on.to_string(),
            cert.due_on.to_string(),
            cert.reason,
            cert.reapplied_from,
            cert.prev_hash,
            cert.hash
        ],
    )?;
    Ok(cert)
}

/// Every certificate, oldest first.
pub fn list(conn: &Connection) -> Result<Vec<Certificate>> {
    let mut stmt = conn.prepare(
        "SELECT seq, destroyed_at, case_ref, initials, client_created_at, category, counts, rule,
                trigger_on, due_on, reason, reapplied_from, prev_hash, hash
         FROM destruction_register ORDER BY seq",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, String>(7)?,
            r.get::<_, String>(8)?,
            r.get::<_, String>(9)?,
            r.get::<_, String>(10)?,
            r.get::<_, Option<String>>(11)?,
            r.get::<_, String>(12)?,
            r.get::<_, String>(13)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (
            seq,
            at,
            case_ref,
            initials,
            created,
            category,
            scope,
            rule,
            trigger,
            due,
            reason,
            from,
            prev,
            hash,
        ) = row?;
        let broken = |what: &str| Error::AuditChainBroken {
            seq,
            reason: format!("of the destruction register {what}"),
        };
        let scope: Scope =
            serde_json::from_str(&scope).map_err(|_| broken("has unreadable counts"))?;
        let day = |t: &str| {
            NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| broken("has an unreadable date"))
        };
        out.push(Certificate {
            seq,
            destroyed_at: at,
            case_ref,
            initials,
            client_created_at: created,
            category: Category::parse(&category)
                .ok_or_else(|| broken("has an unknown category"))?,
            counts: scope.counts,
            appointments_before: scope.appointments_before,
            rule,
            trigger_on: day(&trigger)?,
            due_on: day(&due)?,
            reason,
            reapplied_from: from,
            prev_hash: prev,
            hash,
        });
    }
    Ok(out)
}

/// Walks the register's chain and checks it against the audit log's `record_destroyed` entries.
/// Returns how many certificates it holds.
pub fn verify(conn: &Connection) -> Result<i64> {
    let certs = list(conn)?;
    let mut prev = GENESIS_HASH.to_owned();
    for (i, c) in certs.iter().enumerate() {
        let broken = |reason: &str| Error::AuditChainBroken {
            seq: c.seq,
            reason: format!("of the destruction register {reason}"),
        };
        if c.seq != i as i64 + 1 {
            return Err(broken(
                "is out of place (certificates were removed or reordered)",
            ));
        }
        if c.prev_hash != prev {
            return Err(broken("does not follow the certificate before it"));
        }
        if c.compute_hash() != c.hash {
            return Err(broken("has been altered since it was written"));
        }
        prev = c.hash.clone();
    }
    let mut stmt = conn.prepare(
        "SELECT json_extract(detail, '$.certificate_hash') FROM audit_log
         WHERE action IN ('record_destroyed', 'destruction_reapplied') ORDER BY seq",
    )?;
    let logged: Vec<Option<String>> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let registered: Vec<Option<String>> = certs.iter().map(|c| Some(c.hash.clone())).collect();
    if logged != registered {
        let at = logged
            .iter()
            .zip(&registered)
            .position(|(a, b)| a != b)
            .unwrap_or(logged.len().min(registered.len()));
        return Err(Error::AuditChainBroken {
            seq: at as i64 + 1,
            reason: "of the destruction register does not match the audit log (certificates were removed or added outside casenotes)".to_owned(),
        });
    }
    Ok(certs.len() as i64)
}

/// The register as a self-contained, printable HTML page (no script, no remote resources).
pub fn report_html(certs: &[Certificate], practice: &str, generated: &str) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let day = |d: NaiveDate| d.format("%-d %B %Y").to_string();
    let mut rows = String::new();
    for c in certs {
        let when = chrono::DateTime::parse_from_rfc3339(&c.destroyed_at)
            .map(|t| {
                t.with_timezone(&chrono::Local)
                    .format("%-d %B %Y at %H:%M")
                    .to_string()
            })
            .unwrap_or_else(|_| c.destroyed_at.clone());
        let counts = format!(
            "{} notes, {} addenda, {} appointments, {} attachments",
            c.counts.notes, c.counts.addenda, c.counts.appointments, c.counts.attachments
        );
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>\n",
            c.seq,
            esc(&when),
            esc(&c.case_ref),
            esc(&c.initials),
            esc(c.category.label()),
            esc(&counts),
            esc(&c.rule),
            esc(&format!("{} (clock from {})", day(c.due_on), day(c.trigger_on))),
            esc(&match &c.reapplied_from {
                Some(from) => format!("{} (carried over after restoring a backup: {from})", c.reason),
                None => c.reason.clone(),
            }),
            esc(&c.hash[..16]),
        ));
    }
    format!(
        "<!doctype html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>Destruction register</title>\n<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse;width:100%}}th,td{{border:1px solid #444;padding:4px 6px;text-align:left;vertical-align:top;font-size:0.9em}}@media print{{body{{margin:0}}}}</style></head>\n<body><h1>Destruction register</h1>\n<p>{}. Printed {}. {} certificate{}. Each certificate records a record destroyed under the practice's retention policy; no clinical content is kept.</p>\n<table><thead><tr><th>No.</th><th>Destroyed</th><th>Case reference</th><th>Initials</th><th>What</th><th>How many</th><th>Rule</th><th>Due</th><th>Reason</th><th>Certificate hash</th></tr></thead>\n<tbody>\n{}</tbody></table></body></html>\n",
        esc(practice),
        esc(generated),
        certs.len(),
        if certs.len() == 1 { "" } else { "s" },
        rows
    )
}
