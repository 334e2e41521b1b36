//! The practitioner's settings, kept inside the encrypted vault (the practice name is personal
//! data, and idle-lock preferences are nobody else's business).
//!
//! Values are text; typed accessors for each known setting sit beside the generic ones. Changes
//! are audited by key name only, never by value.

use chrono::{SecondsFormat, Utc};
use rusqlite::{params, OptionalExtension};
use serde_json::json;

use crate::audit::{self, Action};
use crate::error::Result;
use crate::vault::Session;

/// Minutes of inactivity before the vault locks itself.
pub const IDLE_LOCK_MINUTES: &str = "idle_lock_minutes";
/// The practitioner's name as it appears on exports.
pub const PRACTITIONER_NAME: &str = "practitioner_name";
/// The practice's name as it appears on exports.
pub const PRACTICE_NAME: &str = "practice_name";

pub fn get(session: &Session, key: &str) -> Result<Option<String>> {
    Ok(session
        .conn()?
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Sets a value and records the change, in one transaction.
pub fn set(session: &mut Session, key: &str, value: &str) -> Result<()> {
    let tx = session.conn_mut()?.transaction()?;
    tx.execute(
        "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        params![
            key,
            value,
            Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
        ],
    )?;
    audit::append(&tx, Action::SettingChanged, Some(key), json!({}))?;
    tx.commit()?;
    Ok(())
}
