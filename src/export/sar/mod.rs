//! Subject-access bundles: everything held about one client, for the client, after the
//! practitioner's review.
//!
//! A bundle holds `index.html` (readable and printable, self-contained), `data.json` (the same
//! records for a computer, versioned), `schema/data.schema.json` (its JSON Schema), the client's
//! documents under `attachments/`, and last `manifest.json` (each file's SHA-256, which casenotes
//! made it, the request reference, when, and what was withheld and why, by count and reason).
//! It is one file: a tar stream encrypted with age to a passphrase or to a recipient key, written
//! straight into the encryptor. A plain folder is made only when explicitly asked for.
//!
//! The parts: `review` (candidates, withholdings, passages to byte ranges), `gather` (records to
//! [`data::BundleData`], leaving out what is withheld, and the check that nothing withheld
//! remains), `html`, `data` (with the schema), `manifest`, `container` (tar in age, or a folder),
//! `verify`. The log of each export and its withholdings (ids, ranges and reasons, never text) is
//! kept in the vault (`sar_exports`, `sar_withholdings`, `sar_withheld_disclosures`,
//! `sar_withheld_joint_notes`) and in the audit log. Joint notes of couple and family cases are
//! given only with every other member's recorded consent; otherwise withheld automatically.
//!
//! Must never: write a plaintext temporary file, put withheld text into any file of the bundle,
//! or put note text into an error or the audit log.

pub mod container;
pub mod data;
pub mod gather;
pub mod html;
pub mod manifest;
pub mod review;
pub mod verify;

use std::path::{Path, PathBuf};

use chrono::{SecondsFormat, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use serde_json::json;
use zeroize::Zeroizing;

use crate::audit::{self, Action};
use crate::domain::{clients, notes};
use crate::error::{Error, Result};
use crate::secret::Passphrase;
use crate::vault::Session;

pub use data::{schema_json, BundleData, WithheldCount, SCHEMA_VERSION};
pub use review::{
    disclosure_candidates, joint_note_candidates, review_candidates, CandidateWhy,
    JointNoteCandidate, ReviewCandidate, Withhold, WithholdReason, WithholdTarget,
};
pub use verify::{verify, BundleKey, Verified};

/// Withheld texts at least this long are also searched for, byte by byte, in every file.
const MIN_BYTE_CHECK: usize = 12;

/// How the bundle is protected.
pub enum Protection<'a> {
    /// age's scrypt recipient, work factor 2^18; the passphrase must pass the vault's strength check.
    Passphrase(&'a Passphrase),
    /// An `age1…` recipient key: only its identity opens the bundle.
    Recipient(&'a str),
    /// Not encrypted: a folder of plain files, only when the practitioner asks for it.
    PlaintextFolder,
}

impl Protection<'_> {
    fn as_str(&self) -> &'static str {
        match self {
            Protection::Passphrase(_) => "passphrase",
            Protection::Recipient(_) => "recipient",
            Protection::PlaintextFolder => "plaintext_folder",
        }
    }
}

/// What to export, for whom, and where.
pub struct ExportRequest<'a> {
    pub client_id: i64,
    /// The requests register's id of the access request this answers.
    pub request_id: i64,
    pub withhold: &'a [Withhold],
    pub protection: Protection<'a>,
    /// The bundle file (or, for a plaintext copy, the new or empty folder).
    pub out: &'a Path,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SarStage {
    Gathering,
    Writing,
    Done,
}

/// Progress of an export: `done` of `total` files written.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SarProgress {
    pub stage: SarStage,
    pub done: u32,
    pub total: u32,
}

/// A finished export.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct Exported {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub export_id: i64,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub path: PathBuf,
    /// passphrase, recipient or plaintext_folder.
    pub protection: String,
    pub files: u32,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub bytes: u64,
    pub manifest_sha256: String,
    pub case_reference: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub request_reference: i64,
    pub withheld: Vec<WithheldCount>,
    /// Whether the request was marked completed in the requests register.
    pub request_completed: bool,
    /// Why it was not, in the register's words (no clinical text), if it was not.
    pub request_not_completed: Option<String>,
}

/// The request must be in the register, for this client, a request for a copy (access or
/// portability), and from someone whose identity has been checked: a copy of a clinical record
/// given to the wrong person is itself a breach.
fn check_request(session: &Session, client_id: i64, request_id: i64) -> Result<()> {
    use crate::domain::requests::{self, RequestKind};
    let advice = "Give the number of this client's access (or portability) request from the requests register; record the request there first if it is not.";
    let req = match requests::get(session, request_id) {
        Ok(r) => r,
        Err(Error::NotFound { .. }) => {
            return Err(Error::rule(
                format!("There is no request {request_id} in the requests register."),
                advice,
            ))
        }
        Err(e) => return Err(e),
    };
    if req.client_id != client_id {
        return Err(Error::rule(
            format!("Request {request_id} is another client's request."),
            advice,
        ));
    }
    if !matches!(req.kind, RequestKind::Access | RequestKind::Portability) {
        return Err(Error::rule(
            format!(
                "Request {request_id} is a request for {}, not for a copy of the records.",
                req.kind.label().to_lowercase()
            ),
            advice,
        ));
    }
    if req.identity_checked_on.is_none() {
        return Err(Error::rule(
            format!("The identity of whoever made request {request_id} has not been checked."),
            format!("A copy goes only to someone whose identity you have checked. Check it, record the day in the requests register (casenotes request identity {request_id} --on YYYY-MM-DD, or \"Identity checked\" on the client's file), then make the copy. Nothing was written."),
        ));
    }
    Ok(())
}

/// The client's requests a subject-access copy can answer: access and portability requests not
/// yet completed whose requester's identity has been checked, oldest first.
pub fn open_copy_requests(
    session: &Session,
    client_id: i64,
) -> Result<Vec<crate::domain::requests::Request>> {
    use crate::domain::requests::{self, RequestKind};
    let mut list: Vec<_> = requests::for_client(session, client_id)?
        .into_iter()
        .filter(|r| {
            r.is_open()
                && r.identity_checked_on.is_some()
                && matches!(r.kind, RequestKind::Access | RequestKind::Portability)
        })
        .collect();
    list.sort_by_key(|a| (a.received_on, a.id));
    Ok(list)
}

/// Makes the bundle, writes it, and records the export and every withholding in the vault and
/// the audit log.
pub fn export(
    session: &mut Session,
    request: &ExportRequest<'_>,
    progress: &mut dyn FnMut(SarProgress),
) -> Result<Exported> {
    if request.request_id <= 0 {
        return Err(Error::rule(
            "A subject-access copy needs the reference of the request it answers.",
            "Give the request's number from the requests register.",
        ));
    }
    check_request(session, request.client_id, request.request_id)?;
    match &request.protection {
        Protection::Passphrase(p) => p.check_strength()?,
        Protection::Recipient(r) => {
            container::parse_recipient(r)?;
        }
        Protection::PlaintextFolder => {}
    }
    progress(SarProgress {
        stage: SarStage::Gathering,
        done: 0,
        total: 0,
    });
    let client = clients::get(session, request.client_id)?;
    let mut client_notes = notes::for_client(session, client.id)?;
    client_notes.reverse(); // oldest first
    let client_disclosures = crate::domain::disclosures::for_client(session, client.id)?;
    let disclosure_ids: Vec<i64> = client_disclosures.iter().map(|d| d.id).collect();
    // Joint notes: listed in the review, and withheld automatically unless every other member
    // of the case has consented to their release.
    let joint_candidates = review::joint_note_candidates(session, client.id)?;
    let joint_ids: Vec<i64> = joint_candidates.iter().map(|c| c.note.id).collect();
    let mut resolved =
        review::resolve_with_joint(&client_notes, &disclosure_ids, &joint_ids, request.withhold)?;
    review::withhold_joint_notes_without_consent(&joint_candidates, &mut resolved);
    let joint_notes: Vec<crate::domain::cases::JointNote> =
        joint_candidates.into_iter().map(|c| c.note).collect();
    let now = Utc::now();
    let created_at = now.to_rfc3339_opts(SecondsFormat::Secs, true);
    let gathered = gather::gather(
        session,
        &client,
        &client_notes,
        &client_disclosures,
        &joint_notes,
        &resolved,
        request.request_id,
        &created_at,
    )?;
    let mut withheld_texts = gather::withheld_texts(&client_notes, &resolved);
    // A withheld joint note's words must be in no file either: not in a note given (the same
    // words copied into the client's own note would give them away), nor anywhere else.
    let joint_withheld = gather::withheld_joint_texts(&joint_notes, &resolved);
    gather::check_nothing_withheld_remains(&gathered.data, &joint_withheld)?;
    withheld_texts.extend(joint_withheld);
    gather::check_nothing_withheld_remains(&gathered.data, &withheld_texts)?;
    // A withheld disclosure's own words must be in no file either (checked byte by byte below).
    for d in client_disclosures
        .iter()
        .filter(|d| resolved.disclosures.contains_key(&d.id))
    {
        withheld_texts.push((0, d.what_shared.as_str()));
        withheld_texts.push((0, d.rationale.as_str()));
    }

    let index = Zeroizing::new(html::render(&gathered.data).into_bytes());
    let data_json = Zeroizing::new(
        serde_json::to_vec_pretty(&gathered.data)
            .map_err(|e| Error::Encryption(format!("data.json: {e}")))?,
    );
    let schema = Zeroizing::new(schema_json().into_bytes());
    let total = 3 + gathered.attachment_files.len() as u32 + 1;

    // Every withheld text, in the forms it would take in HTML and in JSON, must be in no file.
    // (Short texts, a name for instance, are checked above as whole words in the notes; as raw
    // bytes they would be found inside longer words and refuse bundles for nothing.)
    let forbidden: Vec<Vec<u8>> = withheld_texts
        .iter()
        .filter(|(_, t)| t.trim().len() >= MIN_BYTE_CHECK)
        .flat_map(|(_, t)| {
            let t = t.trim();
            let json_form = serde_json::to_string(t).unwrap_or_default();
            let json_form = json_form.trim_matches('"').to_owned();
            [t.to_owned(), html::escape(t), json_form]
        })
        .filter(|t| !t.is_empty())
        .map(String::into_bytes)
        .collect();
    let leak_check = |path: &str, bytes: &[u8]| -> Result<()> {
        if forbidden
            .iter()
            .any(|f| bytes.windows(f.len()).any(|w| w == &f[..]))
        {
            return Err(Error::rule(
                format!("Withheld text would appear in {path} of the bundle."),
                "Withhold that document, or the passage wherever else it appears. Nothing was written.",
            ));
        }
        Ok(())
    };
    leak_check("index.html", &index)?;
    leak_check("data.json", &data_json)?;

    let session_ref: &Session = session;
    let mut attachments = gathered.attachment_files.iter();
    let mut fixed = vec![
        ("index.html".to_owned(), index),
        ("data.json".to_owned(), data_json),
        ("schema/data.schema.json".to_owned(), schema),
    ]
    .into_iter();
    let mut files = std::iter::from_fn(|| {
        if let Some((path, bytes)) = fixed.next() {
            return Some(Ok((path, bytes)));
        }
        let (id, path) = attachments.next()?;
        Some(
            crate::domain::attachments::content_for_export(session_ref, *id).and_then(|bytes| {
                leak_check(path, &bytes)?;
                Ok((path.clone(), bytes))
            }),
        )
    });
    let manifest = manifest::Manifest {
        format: manifest::FORMAT_NAME.to_owned(),
        format_version: manifest::FORMAT_VERSION,
        generator_version: crate::build_info::VERSION.to_owned(),
        build_commit: crate::build_info::GIT_COMMIT.to_owned(),
        request_reference: request.request_id,
        case_reference: client.case_ref.clone(),
        created_at: created_at.clone(),
        files: Vec::new(),
        withheld: gathered.data.withheld.clone(),
    };
    let mut on_file = |done: u32| {
        progress(SarProgress {
            stage: SarStage::Writing,
            done,
            total,
        })
    };
    let mtime = u64::try_from(now.timestamp()).unwrap_or(0);
    let (listed, manifest_sha256, bytes) = match &request.protection {
        Protection::PlaintextFolder => {
            let mut sink = container::PlainFolder::create(request.out)?;
            let (listed, sha) =
                container::write_files(&mut sink, &mut files, manifest, &mut on_file)?;
            let bytes = listed.iter().map(|f| f.bytes).sum();
            (listed, sha, bytes)
        }
        Protection::Passphrase(p) => {
            let recipient = container::passphrase_recipient(p);
            write_encrypted(
                request.out,
                &recipient,
                mtime,
                &mut files,
                manifest,
                &mut on_file,
            )?
        }
        Protection::Recipient(r) => {
            let recipient = container::parse_recipient(r)?;
            write_encrypted(
                request.out,
                &recipient,
                mtime,
                &mut files,
                manifest,
                &mut on_file,
            )?
        }
    };

    let recorded = record(
        session,
        &client,
        request,
        &resolved,
        &created_at,
        listed.len() as u32 + 1,
        &manifest_sha256,
    );
    let export_id = match recorded {
        Ok(id) => id,
        Err(e) => {
            // An export not in the log must not exist: remove what was written.
            if matches!(request.protection, Protection::PlaintextFolder) {
                let _ = std::fs::remove_dir_all(request.out);
            } else {
                let _ = std::fs::remove_file(request.out);
            }
            return Err(e);
        }
    };
    // The request is answered: mark it completed. If the register refuses (a request already
    // completed, say), the copy still stands and the refusal is passed on to be shown.
    let today = chrono::Local::now().date_naive();
    let request_not_completed =
        match crate::domain::requests::complete(session, request.request_id, today) {
            Ok(_) => None,
            Err(Error::RecordRule { rule, .. }) => Some(rule),
            Err(e) => Some(e.to_string()),
        };
    progress(SarProgress {
        stage: SarStage::Done,
        done: total,
        total,
    });
    Ok(Exported {
        request_completed: request_not_completed.is_none(),
        request_not_completed,
        export_id,
        path: request.out.to_owned(),
        protection: request.protection.as_str().to_owned(),
        files: listed.len() as u32 + 1,
        bytes,
        manifest_sha256,
        case_reference: client.case_ref,
        request_reference: request.request_id,
        withheld: gathered.data.withheld,
    })
}

type Files<'a> = dyn Iterator<Item = Result<(String, Zeroizing<Vec<u8>>)>> + 'a;

fn write_encrypted(
    out: &Path,
    recipient: &dyn age::Recipient,
    mtime: u64,
    files: &mut Files<'_>,
    manifest: manifest::Manifest,
    on_file: &mut dyn FnMut(u32),
) -> Result<(Vec<manifest::ManifestFile>, String, u64)> {
    let mut sink = container::AgeTar::create(out, recipient, mtime)?;
    match container::write_files(&mut sink, files, manifest, on_file) {
        Ok((listed, sha)) => {
            let bytes = sink.finish()?;
            Ok((listed, sha, bytes))
        }
        Err(e) => {
            sink.abandon();
            Err(e)
        }
    }
}

/// The export and its withholdings, in one transaction with the audit entry (ids, reason codes
/// and counts only).
fn record(
    session: &mut Session,
    client: &clients::Client,
    request: &ExportRequest<'_>,
    resolved: &review::Resolved,
    created_at: &str,
    files: u32,
    manifest_sha256: &str,
) -> Result<i64> {
    let tx = session.conn_mut()?.transaction()?;
    tx.execute(
        "INSERT INTO sar_exports (client_id, request_id, created_at, protection, files, manifest_sha256)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            client.id,
            request.request_id,
            created_at,
            request.protection.as_str(),
            files,
            manifest_sha256
        ],
    )?;
    let export_id = tx.last_insert_rowid();
    let mut logged = Vec::new();
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO sar_withholdings (export_id, item, note_id, addendum_id, range_start, range_end, reason, comment)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for (note_id, (reason, comment)) in &resolved.notes {
            insert.execute(params![
                export_id,
                "note",
                note_id,
                None::<i64>,
                None::<i64>,
                None::<i64>,
                reason.as_str(),
                comment
            ])?;
            logged.push(json!({ "item": "note", "note_id": note_id, "reason": reason.as_str() }));
        }
        for (addendum_id, (note_id, reason, comment)) in &resolved.addenda {
            insert.execute(params![
                export_id,
                "addendum",
                note_id,
                addendum_id,
                None::<i64>,
                None::<i64>,
                reason.as_str(),
                comment
            ])?;
            logged.push(json!({ "item": "addendum", "note_id": note_id, "addendum_id": addendum_id, "reason": reason.as_str() }));
        }
        for cut in &resolved.cuts {
            let addendum_id = match cut.place {
                review::Place::Addendum(a) => Some(a),
                review::Place::Body(_) => None,
            };
            insert.execute(params![
                export_id,
                "passage",
                cut.note_id,
                addendum_id,
                cut.start as i64,
                cut.end as i64,
                cut.reason.as_str(),
                cut.comment
            ])?;
            logged.push(json!({ "item": "passage", "note_id": cut.note_id, "addendum_id": addendum_id, "reason": cut.reason.as_str() }));
        }
        let mut insert = tx.prepare_cached(
            "INSERT INTO sar_withheld_disclosures (export_id, disclosure_id, reason, comment)
             VALUES (?1, ?2, ?3, ?4)",
        )?;
        for (disclosure_id, (reason, comment)) in &resolved.disclosures {
            insert.execute(params![export_id, disclosure_id, reason.as_str(), comment])?;
            logged.push(json!({ "item": "disclosure", "disclosure_id": disclosure_id, "reason": reason.as_str() }));
        }
        let mut insert = tx.prepare_cached(
            "INSERT INTO sar_withheld_joint_notes (export_id, joint_note_id, reason, automatic, comment)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for (joint_note_id, (reason, comment, automatic)) in &resolved.joint_notes {
            insert.execute(params![
                export_id,
                joint_note_id,
                reason.as_str(),
                automatic,
                comment
            ])?;
            logged.push(json!({ "item": "joint_note", "joint_note_id": joint_note_id, "reason": reason.as_str(), "automatic": automatic }));
        }
    }
    audit::append(
        &tx,
        Action::SarExported,
        Some(&client.case_ref),
        json!({
            "client_id": client.id,
            "export_id": export_id,
            "request_id": request.request_id,
            "protection": request.protection.as_str(),
            "files": files,
            "manifest_sha256": manifest_sha256,
            "withheld": logged,
        }),
    )?;
    tx.commit()?;
    Ok(export_id)
}

/// One logged withholding, as the vault keeps it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoggedWithholding {
    pub item: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub note_id: i64,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub addendum_id: Option<i64>,
    pub range: Option<(u32, u32)>,
    pub reason: WithholdReason,
    pub comment: Option<String>,
}

/// One export of a client's records, with what it withheld.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoggedExport {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub request_id: i64,
    pub created_at: String,
    pub protection: String,
    pub files: u32,
    pub manifest_sha256: String,
    pub withheld: Vec<LoggedWithholding>,
    /// Disclosures withheld whole.
    pub withheld_disclosures: Vec<LoggedDisclosureWithholding>,
    /// Joint notes withheld whole.
    pub withheld_joint_notes: Vec<LoggedJointNoteWithholding>,
}

/// One joint note withheld from an export, as the vault keeps it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoggedJointNoteWithholding {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub joint_note_id: i64,
    pub reason: WithholdReason,
    /// Withheld because not every other member of the case had consented.
    pub automatic: bool,
    pub comment: Option<String>,
}

/// One disclosure withheld from an export, as the vault keeps it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoggedDisclosureWithholding {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub disclosure_id: i64,
    pub reason: WithholdReason,
    pub comment: Option<String>,
}

/// A client's exports, newest first, each with its withholdings.
pub fn exports_for_client(session: &Session, client_id: i64) -> Result<Vec<LoggedExport>> {
    let conn = session.conn()?;
    let mut stmt = conn.prepare_cached(
        "SELECT id, request_id, created_at, protection, files, manifest_sha256 FROM sar_exports
         WHERE client_id = ?1 ORDER BY created_at DESC, id DESC",
    )?;
    let mut exports: Vec<LoggedExport> = stmt
        .query_map([client_id], |r| {
            Ok(LoggedExport {
                id: r.get(0)?,
                request_id: r.get(1)?,
                created_at: r.get(2)?,
                protection: r.get(3)?,
                files: r.get(4)?,
                manifest_sha256: r.get(5)?,
                withheld: Vec::new(),
                withheld_disclosures: Vec::new(),
                withheld_joint_notes: Vec::new(),
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut items = conn.prepare_cached(
        "SELECT item, note_id, addendum_id, range_start, range_end, reason, comment
         FROM sar_withholdings WHERE export_id = ?1 ORDER BY id",
    )?;
    for e in &mut exports {
        e.withheld = items
            .query_map([e.id], |r| {
                let reason: String = r.get(5)?;
                let start: Option<u32> = r.get(3)?;
                let end: Option<u32> = r.get(4)?;
                Ok(LoggedWithholding {
                    item: r.get(0)?,
                    note_id: r.get(1)?,
                    addendum_id: r.get(2)?,
                    range: start.zip(end),
                    // The CHECK constraint allows only the three reasons.
                    reason: WithholdReason::parse(&reason).unwrap_or(WithholdReason::ThirdParty),
                    comment: r.get(6)?,
                })
            })?
            .collect::<Result<_, _>>()?;
    }
    let mut withheld_disclosures = conn.prepare_cached(
        "SELECT disclosure_id, reason, comment FROM sar_withheld_disclosures
         WHERE export_id = ?1 ORDER BY id",
    )?;
    for e in &mut exports {
        e.withheld_disclosures = withheld_disclosures
            .query_map([e.id], |r| {
                let reason: String = r.get(1)?;
                Ok(LoggedDisclosureWithholding {
                    disclosure_id: r.get(0)?,
                    // The CHECK constraint allows only the three reasons.
                    reason: WithholdReason::parse(&reason).unwrap_or(WithholdReason::ThirdParty),
                    comment: r.get(2)?,
                })
            })?
            .collect::<Result<_, _>>()?;
    }
    let mut withheld_joint = conn.prepare_cached(
        "SELECT joint_note_id, reason, automatic, comment FROM sar_withheld_joint_notes
         WHERE export_id = ?1 ORDER BY id",
    )?;
    for e in &mut exports {
        e.withheld_joint_notes = withheld_joint
            .query_map([e.id], |r| {
                let reason: String = r.get(1)?;
                Ok(LoggedJointNoteWithholding {
                    joint_note_id: r.get(0)?,
                    // The CHECK constraint allows only the three reasons.
                    reason: WithholdReason::parse(&reason).unwrap_or(WithholdReason::ThirdParty),
                    automatic: r.get(2)?,
                    comment: r.get(3)?,
                })
            })?
            .collect::<Result<_, _>>()?;
    }
    Ok(exports)
}
