//! Disclosures: each time something about a client was shared without it being routine care
//! (safeguarding, a court order, serious harm, the client's own consent…): when, to whom, what,
//! on which legal basis, whether and when the client was told (or why not), and why.
//!
//! Owns `disclosures`. A disclosure is final once recorded, here and in the database (a trigger
//! refuses any change). A correction, or telling the client later, is a later entry linked to
//! the one it corrects, with a note saying what it corrects. Audit entries hold ids only;
//! errors never quote what was shared.

use chrono::{NaiveDate, SecondsFormat, Utc};
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{self, Action};
use crate::domain::clients;
use crate::error::{Error, Result};
use crate::vault::Session;

const MAX_TEXT: usize = 8000;

/// The lawful bases a practitioner discloses on, as a fixed list.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalBasis {
    ClientConsent,
    SafeguardingChild,
    SafeguardingAdult,
    CourtOrder,
    SeriousHarm,
    TerrorismSeriousCrime,
    StatutoryDuty,
}

impl LegalBasis {
    pub const ALL: [LegalBasis; 7] = [
        LegalBasis::ClientConsent,
        LegalBasis::SafeguardingChild,
        LegalBasis::SafeguardingAdult,
        LegalBasis::CourtOrder,
        LegalBasis::SeriousHarm,
        LegalBasis::TerrorismSeriousCrime,
        LegalBasis::StatutoryDuty,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LegalBasis::ClientConsent => "client_consent",
            LegalBasis::SafeguardingChild => "safeguarding_child",
            LegalBasis::SafeguardingAdult => "safeguarding_adult",
            LegalBasis::CourtOrder => "court_order",
            LegalBasis::SeriousHarm => "serious_harm",
            LegalBasis::TerrorismSeriousCrime => "terrorism_serious_crime",
            LegalBasis::StatutoryDuty => "statutory_duty",
        }
    }

    pub fn parse(text: &str) -> Result<Self> {
        let t = text.trim().replace('-', "_");
        LegalBasis::ALL
            .into_iter()
            .find(|b| b.as_str() == t)
            .ok_or_else(|| {
                Error::rule(
                    format!("'{text}' is not one of the legal bases."),
                    "Use client_consent, safeguarding_child, safeguarding_adult, court_order, serious_harm, terrorism_serious_crime or statutory_duty.",
                )
            })
    }

    pub fn label(self) -> &'static str {
        match self {
            LegalBasis::ClientConsent => "The client's consent",
            LegalBasis::SafeguardingChild => "Safeguarding a child",
            LegalBasis::SafeguardingAdult => "Safeguarding an adult at risk",
            LegalBasis::CourtOrder => "Court order",
            LegalBasis::SeriousHarm => "Serious harm to self or others",
            LegalBasis::TerrorismSeriousCrime => "Terrorism or serious crime",
            LegalBasis::StatutoryDuty => "Statutory duty",
        }
    }
}

/// Who received the information.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    pub name: String,
    pub role: Option<String>,
    pub organisation: Option<String>,
}

/// Whether the client was told, and when, or why not.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "told", rename_all = "snake_case")]
pub enum ClientTold {
    Yes { on: NaiveDate },
    No { reason: String },
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDisclosure {
    pub disclosed_on: NaiveDate,
    pub recipient: Recipient,
    pub what_shared: String,
    pub legal_basis: LegalBasis,
    pub client_told: ClientTold,
    pub rationale: String,
    /// A later entry correcting (or completing) an earlier one of the same client.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub corrects_id: Option<i64>,
    pub correction_note: Option<String>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disclosure {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub client_id: i64,
    pub disclosed_on: NaiveDate,
    pub recipient: Recipient,
    pub what_shared: String,
    pub legal_basis: LegalBasis,
    pub client_told: ClientTold,
    pub rationale: String,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub corrects_id: Option<i64>,
    pub correction_note: Option<String>,
    /// Later entries that correct this one.
    #[cfg_attr(feature = "ts", ts(type = "Array<number>"))]
    pub corrected_by: Vec<i64>,
    pub recorded_at: String,
}

fn tidy(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

fn need(text: &str, rule: &str, advice: &str) -> Result<String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(Error::rule(rule, advice));
    }
    if t.chars().count() > MAX_TEXT {
        return Err(Error::rule(
            format!("A field of this disclosure is too long (at most {MAX_TEXT} characters)."),
            "Shorten it, and keep a copy of what was sent as an attachment. Nothing was saved.",
        ));
    }
    Ok(t.to_owned())
}

/// Records a disclosure; it is final from now on.
pub fn add(session: &mut Session, client_id: i64, new: NewDisclosure) -> Result<Disclosure> {
    let today = chrono::Local::now().date_naive();
    if new.disclosed_on > today {
        return Err(Error::rule(
            "The disclosure date is in the future.",
            "Record a disclosure once it has been made.",
        ));
    }
    let name = need(
        &new.recipient.name,
        "A disclosure needs the name of who received the information.",
        "Give their name (and their role and organisation if there is one).",
    )?;
    let role = tidy(new.recipient.role.as_deref());
    let organisation = tidy(new.recipient.organisation.as_deref());
    let what = need(
        &new.what_shared,
        "A disclosure needs a description of what was shared.",
        "Say in a few words what information was passed on.",
    )?;
    let rationale = need(
        &new.rationale,
        "A disclosure needs its rationale.",
        "Say why you decided to share it, and what you weighed.",
    )?;
    let (told, told_on, not_told) = match &new.client_told {
        ClientTold::Yes { on } => {
            if *on > today {
                return Err(Error::rule(
                    "The day the client was told is in the future.",
                    "Record it once they have been told; until then say why not yet.",
                ));
            }
            (true, Some(on.to_string()), None)
        }
        ClientTold::No { reason } => (
            false,
            None,
            Some(need(
                reason,
                "When the client was not told, say why not.",
                "For example: telling them would put a child at risk.",
            )?),
        ),
    };
    let note = tidy(new.correction_note.as_deref());
    let tx = session.conn_mut()?.transaction()?;
    clients::ensure_exists(&tx, client_id)?;
    match (new.corrects_id, &note) {
        (Some(earlier), Some(_)) => {
            let owner: Option<i64> = tx
                .query_row(
                    "SELECT client_id FROM disclosures WHERE id = ?1",
                    [earlier],
                    |r| r.get(0),
                )
                .optional()?;
            if owner != Some(client_id) {
                return Err(Error::rule(
                    format!("Disclosure {earlier} is not one of this client's disclosures."),
                    "A correcting entry must correct one of the same client's disclosures.",
                ));
            }
        }
        (Some(_), None) => {
            return Err(Error::rule(
                "A correcting entry needs a note saying what it corrects.",
                "For example: the client was told on a later day.",
            ))
        }
        (None, Some(_)) => {
            return Err(Error::rule(
                "A correction note belongs only to an entry that corrects another.",
                "Choose the disclosure it corrects, or leave the note out.",
            ))
        }
        (None, None) => {}
    }
    tx.execute(
        "INSERT INTO disclosures (client_id, disclosed_on, recipient_name, recipient_role,
             recipient_organisation, what_shared, legal_basis, client_told, client_told_on,
             not_told_reason, rationale, corrects_id, correction_note, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            client_id,
            new.disclosed_on.to_string(),
            name,
            role,
            organisation,
            what,
            new.legal_basis.as_str(),
            told,
            told_on,
            not_told,
            rationale,
            new.corrects_id,
            note,
            Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
        ],
    )?;
    let id = tx.last_insert_rowid();
    audit::append(
        &tx,
        Action::DisclosureRecorded,
        Some(&id.to_string()),
        json!({
            "client_id": client_id,
            "legal_basis": new.legal_basis.as_str(),
            "corrects_id": new.corrects_id,
        }),
    )?;
    tx.commit()?;
    get(session, id)
}

const COLUMNS: &str = "id, client_id, disclosed_on, recipient_name, recipient_role,
    recipient_organisation, what_shared, legal_basis, client_told, client_told_on,
    not_told_reason, rationale, corrects_id, correction_note, recorded_at";

fn date(text: String) -> NaiveDate {
    NaiveDate::parse_from_str(&text, "%Y-%m-%d").unwrap_or(NaiveDate::MIN)
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Disclosure> {
    let basis: String = r.get(7)?;
    let told: bool = r.get(8)?;
    let client_told = if told {
        ClientTold::Yes {
            on: date(r.get::<_, Option<String>>(9)?.unwrap_or_default()),
        }
    } else {
        ClientTold::No {
            reason: r.get::<_, Option<String>>(10)?.unwrap_or_default(),
        }
    };
    Ok(Disclosure {
        id: r.get(0)?,
        client_id: r.get(1)?,
        disclosed_on: date(r.get(2)?),
        recipient: Recipient {
            name: r.get(3)?,
            role: r.get(4)?,
            organisation: r.get(5)?,
        },
        what_shared: r.get(6)?,
        // The CHECK constraint allows only the values this parses.
        legal_basis: LegalBasis::parse(&basis).unwrap_or(LegalBasis::StatutoryDuty),
        client_told,
        rationale: r.get(11)?,
        corrects_id: r.get(12)?,
        correction_note: r.get(13)?,
        corrected_by: Vec::new(),
        recorded_at: r.get(14)?,
    })
}

fn with_corrections(conn: &rusqlite::Connection, mut d: Disclosure) -> Result<Disclosure> {
    let mut stmt =
        conn.prepare_cached("SELECT id FROM disclosures WHERE corrects_id = ?1 ORDER BY id")?;
    d.corrected_by = stmt
        .query_map([d.id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    Ok(d)
}

pub fn get(session: &Session, id: i64) -> Result<Disclosure> {
    let conn = session.conn()?;
    let d = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM disclosures WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional()?
        .ok_or(Error::NotFound {
            what: "disclosure",
            id: id.to_string(),
        })?;
    with_corrections(conn, d)
}

/// A client's disclosures, newest first, each with the entries that correct it.
pub fn for_client(session: &Session, client_id: i64) -> Result<Vec<Disclosure>> {
    let conn = session.conn()?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM disclosures WHERE client_id = ?1 ORDER BY disclosed_on DESC, id DESC"
    ))?;
    let rows = stmt
        .query_map([client_id], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|d| with_corrections(conn, d))
        .collect()
}
