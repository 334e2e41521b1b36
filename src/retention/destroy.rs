//! Appraisal and destruction. The practitioner chooses items from the due list and gives a
//! reason; everything chosen is checked first (due, not held), so a refusal changes nothing.
//! Then one transaction deletes every row of each record (notes, addenda, appointments,
//! attachments, the client, and through triggers their search-index entries), writes a
//! certificate and an audit entry for each; then the search index is merged, the WAL is
//! checkpointed and truncated, and the file is vacuumed, so no freed page, WAL frame or index
//! segment keeps the destroyed text. A crash before the commit destroys nothing; after it,
//! everything (the clean-up that follows only rewrites what is already gone).

use chrono::{NaiveDate, SecondsFormat, Utc};
use rusqlite::{params, Transaction};
use serde::Serialize;
use serde_json::json;

use super::due::{self, DueItem, Hold, OLD_APPOINTMENTS};
use super::policy::{Category, Policy};
use super::register::{self, Certificate};
use crate::audit::{self, Action};
use crate::error::{Error, Result};
use crate::vault::Session;

/// One thing to destroy: a client's record (or enquiry), or their old appointments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub case_ref: String,
    /// `None`: the client's record or enquiry, whichever is due.
    pub category: Option<Category>,
}

impl Target {
    /// `C-0042` or `C-0042:appointments`.
    pub fn parse(text: &str) -> Result<Target> {
        let (case_ref, category) = match text.split_once(':') {
            Some((r, c)) => (
                r,
                Some(Category::parse(c).ok_or_else(|| {
                    Error::rule(
                        format!("'{c}' is not a kind of record that is destroyed."),
                        "Use a case reference such as C-0042, or C-0042:appointments for old appointments only.",
                    )
                })?),
            ),
            None => (text, None),
        };
        Ok(Target {
            case_ref: case_ref.trim().to_owned(),
            category,
        })
    }
}

/// Progress of a destruction: `done` of `total` steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DestroyProgress {
    pub done: u32,
    pub total: u32,
}

fn day(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// Finds the due item a target names, or says plainly why it cannot be destroyed.
fn pick<'a>(
    items: &'a [DueItem],
    target: &Target,
    session: &Session,
    policy: &Policy,
) -> Result<&'a DueItem> {
    let wanted = |i: &&DueItem| {
        i.case_ref.eq_ignore_ascii_case(&target.case_ref)
            && match target.category {
                Some(c) => i.category == c,
                None => i.category != Category::Appointments,
            }
    };
    match items.iter().find(wanted) {
        Some(item) if item.due => Ok(item),
        Some(item) => Err(match &item.held_by {
            Some(Hold::LegalHold { reason }) => Error::rule(
                format!("{} is on legal hold ({reason}), so it cannot be destroyed.", item.case_ref),
                "Lift the hold on the client's file first, if it no longer applies.",
            ),
            Some(Hold::Returned { on, due_on }) => Error::rule(
                format!(
                    "{} came back on {}, which restarted the retention clock: the record is kept until {}.",
                    item.case_ref,
                    day(*on),
                    day(*due_on)
                ),
                "Nothing was destroyed.",
            ),
            None => Error::rule(format!("{} is not due.", item.case_ref), "Nothing was destroyed."),
        }),
        None => {
            let id = crate::domain::clients::id_for(session, &target.case_ref)?;
            let client = crate::domain::clients::get(session, id)?;
            let dates = due::ClientDates {
                status: client.details.status,
                date_of_birth: client.details.date_of_birth,
                first_contact_on: client.details.first_contact_on.unwrap_or_else(|| Utc::now().date_naive()),
                therapy_ended_on: client.details.therapy_ended_on,
                returned_on: None,
                legal_hold: false,
            };
            let when = match due::assess(policy, &dates) {
                Some(a) => format!("it is kept until {} ({})", day(a.due_on), policy.rule_text(a.category, a.minor_birthday)),
                None => "therapy has not ended (no end date is recorded), so it is not due at all".to_owned(),
            };
            Err(Error::rule(
                format!("{} is not due for destruction: {when}.", client.case_ref),
                "Nothing was destroyed.",
            ))
        }
    }
}

fn initials(given: &str, family: &str) -> String {
    [given, family]
        .iter()
        .filter_map(|n| n.trim().chars().next())
        .map(|c| format!("{}.", c.to_uppercase()))
        .collect()
}

/// Deletes one item's rows inside `tx` and writes its certificate and audit entry.
fn destroy_item(
    tx: &Transaction<'_>,
    item: &DueItem,
    reason: &str,
    destroyed_at: &str,
    reapplied_from: Option<&str>,
) -> Result<Certificate> {
    let (given, family, created): (String, String, String) = tx.query_row(
        "SELECT given_name, family_name, created_at FROM clients WHERE id = ?1",
        [item.client_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let id = item.client_id;
    let counts = match item.category {
        Category::Appointments => {
            let before = item
                .appointments_before
                .map(|d| d.to_string())
                .unwrap_or_default();
            let n = tx.execute(
                &format!("DELETE FROM appointments WHERE id IN (SELECT a.id {OLD_APPOINTMENTS})"),
                params![id, before],
            )?;
            due::ItemCounts {
                appointments: n as i64,
                ..Default::default()
            }
        }
        Category::ClientRecord | Category::Enquiry => {
            // Clients' rights records first: consents point at attachments, and rectification
            // links at addenda.
            tx.execute(
                "DELETE FROM rights_request_addenda WHERE request_id IN
                     (SELECT id FROM rights_requests WHERE client_id = ?1)",
                [id],
            )?;
            tx.execute("DELETE FROM rights_requests WHERE client_id = ?1", [id])?;
            tx.execute("DELETE FROM consents WHERE client_id = ?1", [id])?;
            tx.execute("DELETE FROM disclosures WHERE client_id = ?1", [id])?;
            // The log of subject-access exports and what each withheld (ids and reasons only).
            tx.execute(
                "DELETE FROM sar_withholdings WHERE export_id IN (SELECT id FROM sar_exports WHERE client_id = ?1)",
                [id],
            )?;
            tx.execute(
                "DELETE FROM sar_withheld_disclosures WHERE export_id IN (SELECT id FROM sar_exports WHERE client_id = ?1)",
                [id],
            )?;
            tx.execute(
                "DELETE FROM sar_withheld_joint_notes WHERE export_id IN (SELECT id FROM sar_exports WHERE client_id = ?1)",
                [id],
            )?;
            tx.execute("DELETE FROM sar_exports WHERE client_id = ?1", [id])?;
            // Joint work: a joint note is part of every member's record, so it stays while any
            // other member's record is kept. This member's place in each case stays, unlinked
            // and dated (so a remaining member's subject-access copy still withholds the joint
            // notes this person has not consented to, as no consent of theirs can be shown);
            // a case left with no kept record goes, with its notes, now.
            tx.execute(
                "UPDATE case_members SET client_id = NULL, record_destroyed_at = ?2 WHERE client_id = ?1",
                params![id, destroyed_at],
            )?;
            let orphaned = "SELECT id FROM cases c WHERE NOT EXISTS
                (SELECT 1 FROM case_members m WHERE m.case_id = c.id AND m.client_id IS NOT NULL)";
            tx.execute(
                &format!(
                    "DELETE FROM joint_note_addenda WHERE joint_note_id IN
                    (SELECT id FROM joint_notes WHERE case_id IN ({orphaned}))"
                ),
                [],
            )?;
            tx.execute(
                &format!("DELETE FROM joint_notes WHERE case_id IN ({orphaned})"),
                [],
            )?;
            tx.execute(
                &format!("DELETE FROM case_members WHERE case_id IN ({orphaned})"),
                [],
            )?;
            tx.execute(&format!("DELETE FROM cases WHERE id IN ({orphaned})"), [])?;
            let attachments = tx.execute("DELETE FROM attachments WHERE client_id = ?1", [id])?;
            let addenda = tx.execute(
                "DELETE FROM note_addenda WHERE note_id IN (SELECT id FROM notes WHERE client_id = ?1)",
                [id],
            )?;
            // Risk assessments, safety plans, capacity decisions and after-death wishes: not
            // counted on the certificate (its format is fixed), but gone with the record.
            tx.execute(
                "DELETE FROM risk_addenda WHERE assessment_id IN (SELECT id FROM risk_assessments WHERE client_id = ?1)",
                [id],
            )?;
            tx.execute("DELETE FROM risk_assessments WHERE client_id = ?1", [id])?;
            tx.execute(
                "DELETE FROM safety_plan_versions WHERE client_id = ?1",
                [id],
            )?;
            tx.execute("DELETE FROM capacity_decisions WHERE client_id = ?1", [id])?;
            tx.execute("DELETE FROM after_death_wishes WHERE client_id = ?1", [id])?;
            let notes = tx.execute("DELETE FROM notes WHERE client_id = ?1", [id])?;
            let appointments = tx.execute("DELETE FROM appointments WHERE client_id = ?1", [id])?;
            // Outcome measures go with the record (not counted: the certificate format is fixed).
            tx.execute("DELETE FROM measures WHERE client_id = ?1", [id])?;
            tx.execute("DELETE FROM clients WHERE id = ?1", [id])?;
            due::ItemCounts {
                notes: notes as i64,
                addenda: addenda as i64,
                appointments: appointments as i64,
                attachments: attachments as i64,
            }
        }
    };
    let cert = register::append(
        tx,
        Certificate {
            seq: 0,
            destroyed_at: destroyed_at.to_owned(),
            case_ref: item.case_ref.clone(),
            initials: initials(&given, &family),
            client_created_at: created,
            category: item.category,
            counts,
            appointments_before: item.appointments_before,
            rule: item.rule.clone(),
            trigger_on: item.trigger_on,
            due_on: item.due_on,
            reason: reason.to_owned(),
            reapplied_from: reapplied_from.map(str::to_owned),
            prev_hash: String::new(),
            hash: String::new(),
        },
    )?;
    audit::append(
        tx,
        if reapplied_from.is_some() {
            Action::DestructionReapplied
        } else {
            Action::RecordDestroyed
        },
        Some(&item.case_ref),
        json!({
            "category": item.category.as_str(),
            "certificate_seq": cert.seq,
            "certificate_hash": cert.hash,
        }),
    )?;
    Ok(cert)
}

/// Leaves no trace of deleted content on disk: merges the search index (dropping deleted
/// entries from its segments), checkpoints and truncates the WAL, and vacuums the file.
pub(crate) fn scrub(session: &Session) -> Result<()> {
    let conn = session.conn()?;
    conn.execute(
        "INSERT INTO search_index (search_index) VALUES ('optimize')",
        [],
    )?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    conn.execute_batch("VACUUM")?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}

/// Destroys the chosen items as of `as_of` (today or earlier), with the practitioner's reason.
/// Every item must be due and not held, or nothing at all is destroyed.
pub fn destroy(
    session: &mut Session,
    policy: &Policy,
    targets: &[Target],
    reason: &str,
    as_of: NaiveDate,
    progress: &mut dyn FnMut(DestroyProgress),
) -> Result<Vec<Certificate>> {
    let reason = reason.trim();
    if reason.chars().count() < 3 {
        return Err(Error::rule(
            "A destruction needs a reason (for example, the retention period has passed and the record was appraised).",
            "Write the reason and try again.",
        ));
    }
    if reason.chars().count() > 1000 {
        return Err(Error::rule(
            "The reason can be at most 1,000 characters.",
            "Shorten it.",
        ));
    }
    if targets.is_empty() {
        return Err(Error::rule(
            "Nothing was chosen to destroy.",
            "Choose at least one item from the due list.",
        ));
    }
    if as_of > Utc::now().date_naive() {
        return Err(Error::rule(
            "Records cannot be destroyed as of a future date.",
            "Leave out the date to use today.",
        ));
    }
    let items = due::list(session, policy, as_of)?;
    let mut chosen: Vec<DueItem> = Vec::new();
    for t in targets {
        let item = pick(&items, t, session, policy)?;
        if !chosen
            .iter()
            .any(|c| c.client_id == item.client_id && c.category == item.category)
        {
            chosen.push(item.clone());
        }
    }
    let total = chosen.len() as u32 + 1;
    progress(DestroyProgress { done: 0, total });
    let destroyed_at = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
    let tx = session.conn_mut()?.transaction()?;
    let mut certs = Vec::new();
    for (i, item) in chosen.iter().enumerate() {
        certs.push(destroy_item(&tx, item, reason, &destroyed_at, None)?);
        progress(DestroyProgress {
            done: i as u32 + 1,
            total,
        });
    }
    tx.commit()?;
    scrub(session)?;
    progress(DestroyProgress { done: total, total });
    Ok(certs)
}

/// Carries destructions recorded elsewhere (the vault a restore replaced, newer backups) into
/// this vault: each record still here is destroyed again, and every certificate not yet in this
/// register is copied in, marked with where it came from. Returns the certificates added.
pub fn reapply(
    session: &mut Session,
    source: &str,
    certs: &[Certificate],
) -> Result<Vec<Certificate>> {
    let have: Vec<_> = register::list(session.conn()?)?
        .iter()
        .map(Certificate::identity)
        .collect();
    let missing: Vec<&Certificate> = certs
        .iter()
        .filter(|c| !have.contains(&c.identity()))
        .collect();
    if missing.is_empty() {
        return Ok(Vec::new());
    }
    let tx = session.conn_mut()?.transaction()?;
    let mut added = Vec::new();
    for c in missing {
        let client: Option<i64> = tx
            .query_row(
                "SELECT id FROM clients WHERE case_ref = ?1 AND created_at = ?2",
                params![c.case_ref, c.client_created_at],
                |r| r.get(0),
            )
            .ok();
        let cert = match client {
            Some(client_id) => {
                let item = DueItem {
                    client_id,
                    case_ref: c.case_ref.clone(),
                    name: String::new(),
                    category: c.category,
                    rule: c.rule.clone(),
                    trigger_on: c.trigger_on,
                    due_on: c.due_on,
                    due: true,
                    held_by: None,
                    counts: c.counts.clone(),
                    appointments_before: c.appointments_before,
                };
                let mut cert = destroy_item(&tx, &item, &c.reason, &c.destroyed_at, Some(source))?;
                // The certificate states what the original destruction removed.
                cert.counts = c.counts.clone();
                cert
            }
            None => {
                // Already gone here (or never here): copy the certificate so the register is whole.
                let cert = register::append(
                    &tx,
                    Certificate {
                        reapplied_from: Some(source.to_owned()),
                        ..c.clone()
                    },
                )?;
                audit::append(
                    &tx,
                    Action::DestructionReapplied,
                    Some(&c.case_ref),
                    json!({
                        "category": c.category.as_str(),
                        "certificate_seq": cert.seq,
                        "certificate_hash": cert.hash,
                    }),
                )?;
                cert
            }
        };
        added.push(cert);
    }
    tx.commit()?;
    scrub(session)?;
    Ok(added)
}

/// Carries out a granted erasure request: the client's whole record is destroyed now, whether
/// or not its retention date has come, but never while it is on legal hold. The certificate's
/// rule and reason name the request; the destruction is audited as any other, and the request
/// is audited as carried out. `granted_on` is the day the erasure was decided.
pub(crate) fn erase_for_request(
    session: &mut Session,
    client_id: i64,
    request_id: i64,
    granted_on: NaiveDate,
) -> Result<Certificate> {
    let client = crate::domain::clients::get(session, client_id)?;
    if let Some(reason) = &client.details.legal_hold_reason {
        return Err(Error::rule(
            format!(
                "{} is on legal hold ({reason}), so it cannot be erased.",
                client.case_ref
            ),
            "Lift the hold on the client's file first, if it no longer applies; until then the erasure stays pending.",
        ));
    }
    let category = match client.details.status {
        crate::domain::clients::ClientStatus::Enquiry => Category::Enquiry,
        _ => Category::ClientRecord,
    };
    let item = DueItem {
        client_id,
        case_ref: client.case_ref.clone(),
        name: String::new(),
        category,
        rule: format!("Erasure granted on request {request_id} (UK GDPR Article 17)"),
        trigger_on: granted_on,
        due_on: granted_on,
        due: true,
        held_by: None,
        counts: due::record_counts(session, client_id)?,
        appointments_before: None,
    };
    let reason = format!(
        "Erasure request {request_id}, granted on {}: the client's record is erased at their request.",
        day(granted_on)
    );
    let destroyed_at = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
    let tx = session.conn_mut()?.transaction()?;
    let cert = destroy_item(&tx, &item, &reason, &destroyed_at, None)?;
    audit::append(
        &tx,
        Action::RequestErasureCarriedOut,
        Some(&request_id.to_string()),
        json!({ "client_id": client_id, "certificate_seq": cert.seq }),
    )?;
    tx.commit()?;
    scrub(session)?;
    Ok(cert)
}
