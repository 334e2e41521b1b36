//! Attachments: letters, signed forms, PDFs and images, stored inside the encrypted database.
//!
//! Owns `attachments`. Content never touches the disk in the clear: adding reads the file into
//! memory and writes it into the database; viewing hands the bytes back in memory; only
//! `save_copy`, which the practitioner must ask for explicitly, writes a plaintext copy, to the
//! place they chose, and that is recorded in the audit log.

use std::path::Path;

use chrono::{SecondsFormat, Utc};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::audit::{self, Action};
use crate::error::{Error, Result};
use crate::fsutil;
use crate::vault::Session;

/// The largest attachment accepted: 25 MB.
pub const MAX_BYTES: usize = 25 * 1024 * 1024;

/// An attachment's description, without its content.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentInfo {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub client_id: i64,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub note_id: Option<i64>,
    pub file_name: String,
    pub media_type: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub size_bytes: i64,
    pub sha256: String,
    pub added_at: String,
}

/// The media type from the content's first bytes, falling back to the name's extension.
pub fn media_type(file_name: &str, content: &[u8]) -> &'static str {
    let sniffed = [
        (&b"%PDF-"[..], "application/pdf"),
        (&b"\x89PNG\r\n\x1a\n"[..], "image/png"),
        (&b"\xff\xd8\xff"[..], "image/jpeg"),
        (&b"GIF8"[..], "image/gif"),
    ];
    if let Some((_, t)) = sniffed.iter().find(|(magic, _)| content.starts_with(magic)) {
        return t;
    }
    if content.len() > 12 && &content[..4] == b"RIFF" && &content[8..12] == b"WEBP" {
        return "image/webp";
    }
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "txt" | "md" => "text/plain",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "doc" => "application/msword",
        "odt" => "application/vnd.oasis.opendocument.text",
        _ => "application/octet-stream",
    }
}

/// The size rounded up to a tenth, so a file just over the limit reads "25.1 MB", never "25.0 MB".
fn too_big(bytes: u64) -> String {
    let mb = (bytes as f64 / (1024.0 * 1024.0) * 10.0).ceil() / 10.0;
    format!("The file is {mb:.1} MB; an attachment can be at most 25 MB.")
}

/// Adds bytes already in memory (the desktop's file picker and the CLI both end here).
pub fn add(
    session: &mut Session,
    client_id: i64,
    note_id: Option<i64>,
    file_name: &str,
    content: &[u8],
) -> Result<AttachmentInfo> {
    if content.len() > MAX_BYTES {
        return Err(Error::rule(
            too_big(content.len() as u64),
            "Attach a smaller copy, for example a scan at a lower resolution.",
        ));
    }
    if content.is_empty() {
        return Err(Error::rule("The file is empty.", "Choose the file again."));
    }
    let file_name = Path::new(file_name)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "attachment".to_owned());
    let media = media_type(&file_name, content);
    let sha = hex::encode(Sha256::digest(content));
    let at = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
    let tx = session.conn_mut()?.transaction()?;
    if let Some(n) = note_id {
        let owner: Option<i64> = tx
            .query_row("SELECT client_id FROM notes WHERE id = ?1", [n], |r| {
                r.get(0)
            })
            .optional()?;
        if owner != Some(client_id) {
            return Err(Error::rule(
                format!("Note {n} does not belong to this client."),
                "Attach the file to one of this client's notes, or to the client.",
            ));
        }
    }
    tx.execute(
        "INSERT INTO attachments (client_id, note_id, file_name, media_type, size_bytes, sha256, content, added_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![client_id, note_id, file_name, media, content.len() as i64, sha, content, at],
    )
    .map_err(|e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => Error::NotFound {
            what: "client",
            id: client_id.to_string(),
        },
        _ => e.into(),
    })?;
    let id = tx.last_insert_rowid();
    audit::append(
        &tx,
        Action::AttachmentAdded,
        Some(&id.to_string()),
        json!({ "client_id": client_id, "note_id": note_id, "sha256": sha, "size_bytes": content.len() }),
    )?;
    tx.commit()?;
    info(session, id)
}

/// Reads a file the practitioner picked and adds it. Only an ordinary file is accepted (not a
/// device, a pipe or a folder), its size is checked before reading, and it is read through a cap,
/// so a file that grows while it is read cannot exhaust memory. Errors never name the file: its
/// name or folder may be a client's name.
pub fn add_file(
    session: &mut Session,
    client_id: i64,
    note_id: Option<i64>,
    path: &Path,
) -> Result<AttachmentInfo> {
    use std::io::Read;
    let unreadable = || Error::io("Could not read the chosen file");
    let file = std::fs::File::open(path).map_err(unreadable())?;
    let meta = file.metadata().map_err(unreadable())?;
    if !meta.is_file() {
        return Err(Error::rule(
            "Only an ordinary file can be attached (this is a folder, a device or a link to one).",
            "Choose a document, a scan or a photo.",
        ));
    }
    let too_large = |size: u64| {
        Error::rule(
            too_big(size),
            "Attach a smaller copy, for example a scan at a lower resolution.",
        )
    };
    if meta.len() > MAX_BYTES as u64 {
        return Err(too_large(meta.len()));
    }
    let mut content = zeroize::Zeroizing::new(Vec::with_capacity(meta.len() as usize));
    file.take(MAX_BYTES as u64 + 1)
        .read_to_end(&mut content)
        .map_err(unreadable())?;
    if content.len() > MAX_BYTES {
        return Err(too_large(content.len() as u64));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    add(session, client_id, note_id, &name, &content)
}

const INFO: &str = "SELECT id, client_id, note_id, file_name, media_type, size_bytes, sha256, added_at FROM attachments";

fn info_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AttachmentInfo> {
    Ok(AttachmentInfo {
        id: r.get(0)?,
        client_id: r.get(1)?,
        note_id: r.get(2)?,
        file_name: r.get(3)?,
        media_type: r.get(4)?,
        size_bytes: r.get(5)?,
        sha256: r.get(6)?,
        added_at: r.get(7)?,
    })
}

pub fn info(session: &Session, id: i64) -> Result<AttachmentInfo> {
    session
        .conn()?
        .query_row(&format!("{INFO} WHERE id = ?1"), [id], info_row)
        .optional()?
        .ok_or(Error::NotFound {
            what: "attachment",
            id: id.to_string(),
        })
}

pub fn for_client(session: &Session, client_id: i64) -> Result<Vec<AttachmentInfo>> {
    let conn = session.conn()?;
    let mut stmt = conn.prepare_cached(&format!(
        "{INFO} WHERE client_id = ?1 ORDER BY added_at, id"
    ))?;
    let rows = stmt.query_map([client_id], info_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The content, in memory, for showing inside the app. Recorded as an opening.
pub fn open(session: &Session, id: i64) -> Result<(AttachmentInfo, zeroize::Zeroizing<Vec<u8>>)> {
    let meta = info(session, id)?;
    let conn = session.conn()?;
    let content: Vec<u8> =
        conn.query_row("SELECT content FROM attachments WHERE id = ?1", [id], |r| {
            r.get(0)
        })?;
    audit::append(
        conn,
        Action::AttachmentOpened,
        Some(&id.to_string()),
        json!({ "client_id": meta.client_id }),
    )?;
    Ok((meta, zeroize::Zeroizing::new(content)))
}

/// The content, in memory, for a subject-access bundle; the export as a whole is audited.
pub fn content_for_export(session: &Session, id: i64) -> Result<zeroize::Zeroizing<Vec<u8>>> {
    let content: Vec<u8> = session
        .conn()?
        .query_row("SELECT content FROM attachments WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?
        .ok_or(Error::NotFound {
            what: "attachment",
            id: id.to_string(),
        })?;
    Ok(zeroize::Zeroizing::new(content))
}

/// Writes an unencrypted copy where the practitioner chose, and records the export in the audit
/// log. Never overwrites a file, even one that appears while the copy is written: the copy goes
/// to a new temporary file beside it and is then linked to the name, which fails if the name is
/// taken. Errors never name the file.
pub fn save_copy(session: &Session, id: i64, destination: &Path) -> Result<AttachmentInfo> {
    let exists = || {
        Error::rule(
            "A file with that name already exists there.",
            "Choose a new file name; casenotes never overwrites a file.",
        )
    };
    if destination.symlink_metadata().is_ok() {
        return Err(exists());
    }
    let (meta, content) = open(session, id)?;
    let unwritable = || Error::io("Could not write the copy where you chose");
    let dir = fsutil::parent_folder(destination);
    let temp = dir.join(format!(".casenotes-copy-{}-{id}.tmp", std::process::id()));
    let _ = std::fs::remove_file(&temp);
    let written = (|| {
        use std::io::Write;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        let mut f = options.open(&temp).map_err(unwritable())?;
        f.write_all(&content)
            .and_then(|()| f.sync_all())
            .map_err(unwritable())?;
        match std::fs::hard_link(&temp, destination) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(exists()),
            Err(e) => Err(unwritable()(e)),
        }
    })();
    let _ = std::fs::remove_file(&temp);
    written?;
    fsutil::sync_dir(dir)?;
    audit::append(
        session.conn()?,
        Action::AttachmentSavedOut,
        Some(&id.to_string()),
        json!({ "client_id": meta.client_id, "sha256": meta.sha256 }),
    )?;
    Ok(meta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_just_over_the_limit_never_reads_as_25_mb() {
        assert_eq!(
            too_big(MAX_BYTES as u64 + 1),
            "The file is 25.1 MB; an attachment can be at most 25 MB."
        );
        assert!(too_big(31 * 1024 * 1024).starts_with("The file is 31.0 MB"));
    }

    #[test]
    fn media_types_come_from_content_first() {
        assert_eq!(media_type("letter.txt", b"%PDF-1.7 ..."), "application/pdf");
        assert_eq!(
            media_type("scan.PNG", b"\x89PNG\r\n\x1a\n...."),
            "image/png"
        );
        assert_eq!(media_type("notes.TXT", b"hello"), "text/plain");
        assert_eq!(media_type("unknown", b"hello"), "application/octet-stream");
    }
}
