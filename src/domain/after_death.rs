//! The client's wishes about their records after their death.
//!
//! Owns `after_death_wishes`. The practitioner records, in the client's words, what they want
//! to happen to their records, who may see them and who may not, and the day the wishes were
//! recorded. Wishes are never edited in place: recording new wishes adds a version, the newest
//! is the one shown, and earlier ones are kept. Errors never quote what the wishes say.

use chrono::NaiveDate;
use rusqlite::{params, Row};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{self, Action};
use crate::domain::clients;
use crate::domain::notes::{check_length, now};
use crate::error::{Error, Result};
use crate::vault::Session;

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WishesDetails {
    /// What the client wants to happen to their records, in their words.
    pub wishes: String,
    #[serde(default)]
    pub who_may_see: String,
    #[serde(default)]
    pub who_may_not_see: String,
    pub recorded_on: NaiveDate,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AfterDeathWishes {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub client_id: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub version: i64,
    pub details: WishesDetails,
    pub created_at: String,
}

/// Records the client's wishes as a new version, as of `today`, and returns it.
pub fn set(
    session: &mut Session,
    client_id: i64,
    mut details: WishesDetails,
    today: NaiveDate,
) -> Result<AfterDeathWishes> {
    for text in [
        &mut details.wishes,
        &mut details.who_may_see,
        &mut details.who_may_not_see,
    ] {
        check_length(text, "record of wishes")?;
        *text = text.trim().to_owned();
    }
    if details.wishes.is_empty() {
        return Err(Error::rule(
            "The client's wishes are empty.",
            "Write what the client wants to happen to their records after their death.",
        ));
    }
    if details.recorded_on > today {
        return Err(Error::rule(
            "The date the wishes were recorded is in the future.",
            "Use the day the client told you, today or earlier.",
        ));
    }
    let tx = session.conn_mut()?.transaction()?;
    clients::ensure_exists(&tx, client_id)?;
    let version: i64 = tx.query_row(
        "SELECT COALESCE(MAX(version), 0) + 1 FROM after_death_wishes WHERE client_id = ?1",
        [client_id],
        |r| r.get(0),
    )?;
    tx.execute(
        "INSERT INTO after_death_wishes (client_id, version, wishes, who_may_see, who_may_not_see, recorded_on, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            client_id,
            version,
            details.wishes,
            details.who_may_see,
            details.who_may_not_see,
            details.recorded_on.to_string(),
            now()
        ],
    )?;
    let id = tx.last_insert_rowid();
    audit::append(
        &tx,
        Action::AfterDeathWishesRecorded,
        Some(&id.to_string()),
        json!({ "client_id": client_id, "version": version }),
    )?;
    tx.commit()?;
    history(session, client_id)?
        .into_iter()
        .next()
        .ok_or(Error::NotFound {
            what: "record of wishes",
            id: id.to_string(),
        })
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<AfterDeathWishes> {
    let recorded_on: String = r.get(6)?;
    Ok(AfterDeathWishes {
        id: r.get(0)?,
        client_id: r.get(1)?,
        version: r.get(2)?,
        details: WishesDetails {
            wishes: r.get(3)?,
            who_may_see: r.get(4)?,
            who_may_not_see: r.get(5)?,
            // Written by this module as YYYY-MM-DD.
            recorded_on: recorded_on.parse().unwrap_or_default(),
        },
        created_at: r.get(7)?,
    })
}

/// Every recorded version, newest first; the first is the one in force.
pub fn history(session: &Session, client_id: i64) -> Result<Vec<AfterDeathWishes>> {
    let conn = session.conn()?;
    let mut stmt = conn.prepare_cached(
        "SELECT id, client_id, version, wishes, who_may_see, who_may_not_see, recorded_on, created_at
         FROM after_death_wishes WHERE client_id = ?1 ORDER BY version DESC",
    )?;
    let list = stmt
        .query_map([client_id], from_row)?
        .collect::<Result<_, _>>()?;
    Ok(list)
}

/// The wishes in force: the newest version, if any were recorded.
pub fn latest(session: &Session, client_id: i64) -> Result<Option<AfterDeathWishes>> {
    Ok(history(session, client_id)?.into_iter().next())
}
