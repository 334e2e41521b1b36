//! The requests register: what a client asked under their UK GDPR rights (access,
//! rectification, erasure, restriction, portability, objection), and the statutory clock.
//!
//! Owns `rights_requests` and `rights_request_addenda`. The clock starts at the later of the day
//! the request was received and the day the client's identity was checked; until the identity is
//! checked the due date is not known, and the register says so rather than guessing. The due
//! date follows the ICO's rule: the same date next month, or the last day of that month when it
//! has no such date (31 January → 28 or 29 February, 31 March → 30 April). One extension of one
//! or two further months may be recorded, with the day the client was told and why; it is
//! counted on from the original due date, which is never later than counting from the start.
//!
//! Each step (identity checked, extension, decision, completion) is recorded once and then never
//! changes, here and in the database. A granted restriction marks the client's record as
//! restricted, after which notes and details refuse edits ([`refuse_if_restricted`]); a
//! rectification is an addendum linked to its request; a granted erasure is carried out through
//! retention's destruction path. Audit entries hold ids only, and errors never quote what a
//! client asked or why.

use chrono::{Datelike, NaiveDate, SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{self, Action};
use crate::domain::clients;
use crate::domain::notes::{self, Addendum};
use crate::error::{Error, Result};
use crate::retention::Certificate;
use crate::vault::Session;

/// Offered as the reason when an erasure request is refused, as it usually is for health records.
pub const ERASURE_EXEMPT_WORDING: &str = "These are health records, which I must keep for the period my professional body and insurer require, for the establishment, exercise or defence of legal claims (UK GDPR Article 17(3)(e)). They will be securely destroyed when that period ends.";

/// How many days ahead Home looks for requests falling due.
pub const DUE_SOON_DAYS: i64 = 7;

/// The longest free text accepted in a request (what was asked, a reason).
const MAX_TEXT: usize = 4000;

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    Access,
    Rectification,
    Erasure,
    Restriction,
    Portability,
    Objection,
}

impl RequestKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Access => "access",
            RequestKind::Rectification => "rectification",
            RequestKind::Erasure => "erasure",
            RequestKind::Restriction => "restriction",
            RequestKind::Portability => "portability",
            RequestKind::Objection => "objection",
        }
    }

    pub fn parse(text: &str) -> Result<Self> {
        Ok(match text.trim() {
            "access" => RequestKind::Access,
            "rectification" => RequestKind::Rectification,
            "erasure" => RequestKind::Erasure,
            "restriction" => RequestKind::Restriction,
            "portability" => RequestKind::Portability,
            "objection" => RequestKind::Objection,
            _ => {
                return Err(Error::rule(
                    format!("'{text}' is not a kind of request."),
                    "Use access, rectification, erasure, restriction, portability or objection.",
                ))
            }
        })
    }

    /// In words, for messages and printed lists.
    pub fn label(self) -> &'static str {
        match self {
            RequestKind::Access => "access",
            RequestKind::Rectification => "rectification",
            RequestKind::Erasure => "erasure",
            RequestKind::Restriction => "restriction of processing",
            RequestKind::Portability => "data portability",
            RequestKind::Objection => "objection to processing",
        }
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Granted,
    Refused,
    Partly,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Granted => "granted",
            Outcome::Refused => "refused",
            Outcome::Partly => "partly",
        }
    }

    pub fn parse(text: &str) -> Result<Self> {
        Ok(match text.trim() {
            "granted" => Outcome::Granted,
            "refused" => Outcome::Refused,
            "partly" => Outcome::Partly,
            _ => {
                return Err(Error::rule(
                    format!("'{text}' is not a decision."),
                    "Use granted, refused or partly.",
                ))
            }
        })
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extension {
    pub months: u32,
    pub told_on: NaiveDate,
    pub reason: String,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub outcome: Outcome,
    pub reason: String,
    pub decided_on: NaiveDate,
}

/// A request as stored, with its clock worked out.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Request {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub client_id: i64,
    pub case_ref: String,
    pub kind: RequestKind,
    pub received_on: NaiveDate,
    pub identity_checked_on: Option<NaiveDate>,
    /// What was asked, in the practitioner's words.
    pub details: Option<String>,
    /// The later of received and identity checked; `None` until the identity is checked.
    pub clock_starts_on: Option<NaiveDate>,
    /// One calendar month from the clock's start (ICO rule); `None` until identity is checked.
    pub original_due_on: Option<NaiveDate>,
    /// The due date in force: the original, or the extended one.
    pub due_on: Option<NaiveDate>,
    pub extension: Option<Extension>,
    pub decision: Option<Decision>,
    pub completed_on: Option<NaiveDate>,
    /// Rectification: the addenda made for this request.
    #[cfg_attr(feature = "ts", ts(type = "Array<number>"))]
    pub addendum_ids: Vec<i64>,
    pub recorded_at: String,
    pub updated_at: String,
}

impl Request {
    pub fn is_open(&self) -> bool {
        self.completed_on.is_none()
    }

    /// The due date in words: "3 March 2026", or why it is not known yet.
    pub fn due_in_words(&self) -> String {
        match self.due_on {
            Some(d) => day(d),
            None => "not known until the client's identity is checked".to_owned(),
        }
    }
}

/// A request for Home: due within [`DUE_SOON_DAYS`] days, or overdue.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueRequest {
    pub request: Request,
    /// For the practitioner's screen only.
    pub client_name: String,
    pub due_on: NaiveDate,
    /// Days from `as_of` to the due date: 0 due today, negative overdue.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub days_left: i64,
}

/// What is recorded when a request arrives.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRequest {
    pub kind: RequestKind,
    pub received_on: NaiveDate,
    pub identity_checked_on: Option<NaiveDate>,
    pub details: Option<String>,
}

/// Why a client's record is restricted, when it is.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Restriction {
    /// The restriction request that was granted, if the restriction came from one (it may also
    /// have been set by hand on the client's details).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub request_id: Option<i64>,
}

// ---- the clock ----------------------------------------------------------------------------

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// The same date `months` calendar months on, or the last day of that month when it has no
/// such date (the ICO's rule; 31 January + 1 is 28 or 29 February).
pub fn add_calendar_months(date: NaiveDate, months: u32) -> NaiveDate {
    let total = i64::from(date.year()) * 12 + i64::from(date.month0()) + i64::from(months);
    let Ok(year) = i32::try_from(total.div_euclid(12)) else {
        return NaiveDate::MAX;
    };
    let month = total.rem_euclid(12) as u32 + 1;
    let day = date.day().min(days_in_month(year, month));
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(NaiveDate::MAX)
}

/// When the clock starts: the later of received and identity checked; `None` until checked.
pub fn clock_start(
    received_on: NaiveDate,
    identity_checked_on: Option<NaiveDate>,
) -> Option<NaiveDate> {
    identity_checked_on.map(|checked| checked.max(received_on))
}

/// The original due date: one calendar month from the clock's start.
pub fn due_on(clock_starts_on: NaiveDate) -> NaiveDate {
    add_calendar_months(clock_starts_on, 1)
}

/// The due date after an extension of `months` (1 or 2) further months.
pub fn extended_due_on(original_due_on: NaiveDate, months: u32) -> NaiveDate {
    add_calendar_months(original_due_on, months)
}

// ---- helpers ------------------------------------------------------------------------------

fn day(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn tidy(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

fn check_text(text: &str, what: &str) -> Result<()> {
    if text.chars().count() > MAX_TEXT {
        return Err(Error::rule(
            format!("The {what} is too long (at most {MAX_TEXT} characters)."),
            "Shorten it; a longer account belongs in a note or a letter. Nothing was saved.",
        ));
    }
    Ok(())
}

fn required(text: &str, rule: &str, advice: &str) -> Result<String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(Error::rule(rule, advice));
    }
    Ok(t.to_owned())
}

fn not_future(d: NaiveDate, what: &str) -> Result<()> {
    if d > today() {
        return Err(Error::rule(
            format!("The {what} date is in the future."),
            "Record it once it has happened.",
        ));
    }
    Ok(())
}

fn date_col(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<NaiveDate>> {
    let text: Option<String> = r.get(i)?;
    Ok(text.and_then(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok()))
}

const COLUMNS: &str = "r.id, r.client_id, c.case_ref, r.kind, r.received_on, r.identity_checked_on,
    r.details, r.extended_months, r.extension_told_on, r.extension_reason, r.outcome,
    r.decision_reason, r.decided_on, r.completed_on, r.recorded_at, r.updated_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Request> {
    let kind: String = r.get(3)?;
    // CHECK constraints allow only the values these parse.
    let kind = RequestKind::parse(&kind).unwrap_or(RequestKind::Access);
    let received_on = date_col(r, 4)?.unwrap_or(NaiveDate::MIN);
    let identity_checked_on = date_col(r, 5)?;
    let months: Option<u32> = r.get(7)?;
    let extension = match (months, date_col(r, 8)?, r.get::<_, Option<String>>(9)?) {
        (Some(months), Some(told_on), Some(reason)) => Some(Extension {
            months,
            told_on,
            reason,
        }),
        _ => None,
    };
    let outcome: Option<String> = r.get(10)?;
    let decision = match (outcome, r.get::<_, Option<String>>(11)?, date_col(r, 12)?) {
        (Some(o), Some(reason), Some(decided_on)) => Some(Decision {
            outcome: Outcome::parse(&o).unwrap_or(Outcome::Refused),
            reason,
            decided_on,
        }),
        _ => None,
    };
    let clock_starts_on = clock_start(received_on, identity_checked_on);
    let original_due_on = clock_starts_on.map(due_on);
    let due = original_due_on.map(|d| match &extension {
        Some(e) => extended_due_on(d, e.months),
        None => d,
    });
    Ok(Request {
        id: r.get(0)?,
        client_id: r.get(1)?,
        case_ref: r.get(2)?,
        kind,
        received_on,
        identity_checked_on,
        details: r.get(6)?,
        clock_starts_on,
        original_due_on,
        due_on: due,
        extension,
        decision,
        completed_on: date_col(r, 13)?,
        addendum_ids: Vec::new(),
        recorded_at: r.get(14)?,
        updated_at: r.get(15)?,
    })
}

fn addenda_of(conn: &Connection, request_id: i64) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT addendum_id FROM rights_request_addenda WHERE request_id = ?1 ORDER BY addendum_id",
    )?;
    let ids = stmt
        .query_map([request_id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    Ok(ids)
}

fn load(conn: &Connection, id: i64) -> Result<Request> {
    let mut req = conn
        .query_row(
            &format!(
                "SELECT {COLUMNS} FROM rights_requests r JOIN clients c ON c.id = r.client_id
                 WHERE r.id = ?1"
            ),
            [id],
            from_row,
        )
        .optional()?
        .ok_or(Error::NotFound {
            what: "request",
            id: id.to_string(),
        })?;
    req.addendum_ids = addenda_of(conn, id)?;
    Ok(req)
}

fn query(conn: &Connection, filter: &str, param: Option<i64>) -> Result<Vec<Request>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM rights_requests r JOIN clients c ON c.id = r.client_id
         WHERE {filter} ORDER BY r.received_on DESC, r.id DESC"
    ))?;
    let mut out = match param {
        Some(p) => stmt
            .query_map([p], from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?,
        None => stmt
            .query_map([], from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?,
    };
    for r in &mut out {
        r.addendum_ids = addenda_of(conn, r.id)?;
    }
    Ok(out)
}

fn completed_refusal(req: &Request) -> Error {
    Error::rule(
        format!(
            "Request {} was completed on {}, and a completed request is not changed.",
            req.id,
            req.completed_on.map(day).unwrap_or_default()
        ),
        "Record a new request if the client has asked again.",
    )
}

// ---- reading ------------------------------------------------------------------------------

/// One request by id (for the bundle export and the screens).
pub fn get(session: &Session, id: i64) -> Result<Request> {
    load(session.conn()?, id)
}

/// A client's requests, newest first.
pub fn for_client(session: &Session, client_id: i64) -> Result<Vec<Request>> {
    query(session.conn()?, "r.client_id = ?1", Some(client_id))
}

/// Every request in the practice, newest first.
pub fn list(session: &Session) -> Result<Vec<Request>> {
    query(session.conn()?, "1", None)
}

/// Open requests due within [`DUE_SOON_DAYS`] days of `as_of`, and those overdue, soonest
/// first. A request whose identity is not yet checked has no due date and is not listed.
pub fn due_soon(session: &Session, as_of: NaiveDate) -> Result<Vec<DueRequest>> {
    let conn = session.conn()?;
    let open = query(conn, "r.completed_on IS NULL", None)?;
    let mut out = Vec::new();
    for request in open {
        let Some(due) = request.due_on else { continue };
        let days_left = (due - as_of).num_days();
        if days_left > DUE_SOON_DAYS {
            continue;
        }
        let client_name: String = conn.query_row(
            "SELECT coalesce(nullif(preferred_name, ''), given_name) || ' ' || family_name
             FROM clients WHERE id = ?1",
            [request.client_id],
            |r| r.get(0),
        )?;
        out.push(DueRequest {
            request,
            client_name,
            due_on: due,
            days_left,
        });
    }
    out.sort_by(|a, b| {
        a.due_on
            .cmp(&b.due_on)
            .then(a.request.id.cmp(&b.request.id))
    });
    Ok(out)
}

// ---- restriction --------------------------------------------------------------------------

fn restriction_on(conn: &Connection, client_id: i64) -> Result<Option<Restriction>> {
    let reason: Option<Option<String>> = conn
        .query_row(
            "SELECT restricted_reason FROM clients WHERE id = ?1",
            [client_id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(reason) = reason else {
        return Err(Error::NotFound {
            what: "client",
            id: client_id.to_string(),
        });
    };
    if reason.is_none() {
        return Ok(None);
    }
    let request_id: Option<i64> = conn
        .query_row(
            "SELECT id FROM rights_requests
             WHERE client_id = ?1 AND kind = 'restriction' AND outcome IN ('granted', 'partly')
             ORDER BY decided_on DESC, id DESC LIMIT 1",
            [client_id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(Some(Restriction { request_id }))
}

/// Whether processing of the client's record is restricted (by a granted restriction request,
/// or by hand on the client's details).
pub fn is_restricted(session: &Session, client_id: i64) -> Result<bool> {
    Ok(restriction_on(session.conn()?, client_id)?.is_some())
}

/// The restriction on a client's record, if there is one, and which request set it.
pub fn restriction(session: &Session, client_id: i64) -> Result<Option<Restriction>> {
    restriction_on(session.conn()?, client_id)
}

/// Refuses a change to a restricted client's notes or details, saying by which request.
/// Called by the note and client modules before every change.
pub(crate) fn refuse_if_restricted(conn: &Connection, client_id: i64) -> Result<()> {
    let Some(r) = restriction_on(conn, client_id)? else {
        return Ok(());
    };
    let case_ref: String = conn.query_row(
        "SELECT case_ref FROM clients WHERE id = ?1",
        [client_id],
        |r| r.get(0),
    )?;
    let by = match r.request_id {
        Some(id) => format!("by restriction request {id}"),
        None => "on the client's details".to_owned(),
    };
    Err(Error::rule(
        format!(
            "Processing of {case_ref}'s record is restricted ({by}), so its notes and details cannot be changed."
        ),
        "Lift the restriction on the client's details first, if it no longer applies. Nothing was changed.",
    ))
}

// ---- recording ----------------------------------------------------------------------------

/// Records a request as it arrives; returns it with its due date (or none until identity is
/// checked).
pub fn add(session: &mut Session, client_id: i64, new: NewRequest) -> Result<Request> {
    not_future(new.received_on, "received")?;
    if let Some(checked) = new.identity_checked_on {
        not_future(checked, "identity checked")?;
        if checked < new.received_on {
            return Err(Error::rule(
                "The identity cannot have been checked before the request was received.",
                "Check the two dates; if the identity was checked earlier for another reason, use the day the request was received.",
            ));
        }
    }
    let details = tidy(new.details.as_deref());
    if let Some(d) = &details {
        check_text(d, "description of the request")?;
    }
    let at = now();
    let tx = session.conn_mut()?.transaction()?;
    clients::ensure_exists(&tx, client_id)?;
    tx.execute(
        "INSERT INTO rights_requests (client_id, kind, received_on, identity_checked_on, details,
             recorded_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![
            client_id,
            new.kind.as_str(),
            new.received_on.to_string(),
            new.identity_checked_on.map(|d| d.to_string()),
            details,
            at
        ],
    )?;
    let id = tx.last_insert_rowid();
    audit::append(
        &tx,
        Action::RequestRecorded,
        Some(&id.to_string()),
        json!({ "client_id": client_id, "kind": new.kind.as_str() }),
    )?;
    tx.commit()?;
    get(session, id)
}

/// Records the day the client's identity was checked, which starts the clock (once).
pub fn identity_checked(session: &mut Session, id: i64, on: NaiveDate) -> Result<Request> {
    let req = get(session, id)?;
    if !req.is_open() {
        return Err(completed_refusal(&req));
    }
    if let Some(d) = req.identity_checked_on {
        return Err(Error::rule(
            format!(
                "The identity for request {id} was already recorded as checked on {}.",
                day(d)
            ),
            "Nothing needs doing.",
        ));
    }
    not_future(on, "identity checked")?;
    if on < req.received_on {
        return Err(Error::rule(
            "The identity cannot have been checked before the request was received.",
            "Use the day the request was received or later.",
        ));
    }
    let tx = session.conn_mut()?.transaction()?;
    tx.execute(
        "UPDATE rights_requests SET identity_checked_on = ?1, updated_at = ?2 WHERE id = ?3",
        params![on.to_string(), now(), id],
    )?;
    audit::append(
        &tx,
        Action::RequestIdentityChecked,
        Some(&id.to_string()),
        json!({ "client_id": req.client_id }),
    )?;
    tx.commit()?;
    get(session, id)
}

/// Extends the time to respond by one or two further months (once), recording the day the
/// client was told, which must be within the first month, and why.
pub fn extend(
    session: &mut Session,
    id: i64,
    months: u32,
    told_on: NaiveDate,
    reason: &str,
) -> Result<Request> {
    let req = get(session, id)?;
    if !req.is_open() {
        return Err(completed_refusal(&req));
    }
    if let Some(e) = &req.extension {
        return Err(Error::rule(
            format!(
                "Request {id} has already been extended by {} month{}; a request may be extended only once.",
                e.months,
                if e.months == 1 { "" } else { "s" }
            ),
            "The time to respond can be extended once, by at most two further months in all.",
        ));
    }
    if !(1..=2).contains(&months) {
        return Err(Error::rule(
            "An extension is one or two further months.",
            "The time to respond can be extended by at most two further months.",
        ));
    }
    let Some(original) = req.original_due_on else {
        return Err(Error::rule(
            format!(
                "Request {id} has no due date yet: the client's identity has not been checked."
            ),
            "Record the day the identity was checked first; the clock starts then.",
        ));
    };
    let reason = required(
        reason,
        "An extension needs a reason (for example, the request is complex or one of several).",
        "Write the reason you gave the client.",
    )?;
    check_text(&reason, "reason")?;
    not_future(told_on, "client told")?;
    if told_on < req.received_on {
        return Err(Error::rule(
            "The client cannot have been told of the extension before the request arrived.",
            "Check the date.",
        ));
    }
    if told_on > original {
        return Err(Error::rule(
            format!(
                "The client must be told of an extension within the first month, by {}.",
                day(original)
            ),
            "If that day has passed, the request is overdue: respond as soon as you can.",
        ));
    }
    let tx = session.conn_mut()?.transaction()?;
    tx.execute(
        "UPDATE rights_requests SET extended_months = ?1, extension_told_on = ?2,
             extension_reason = ?3, updated_at = ?4 WHERE id = ?5",
        params![months, told_on.to_string(), reason, now(), id],
    )?;
    audit::append(
        &tx,
        Action::RequestExtended,
        Some(&id.to_string()),
        json!({ "client_id": req.client_id, "months": months }),
    )?;
    tx.commit()?;
    get(session, id)
}

/// Records the decision and its reason (once). A granted (or partly granted) restriction
/// marks the client's record as restricted from now on.
pub fn decide(
    session: &mut Session,
    id: i64,
    outcome: Outcome,
    reason: &str,
    on: NaiveDate,
) -> Result<Request> {
    let req = get(session, id)?;
    if !req.is_open() {
        return Err(completed_refusal(&req));
    }
    if let Some(d) = &req.decision {
        return Err(Error::rule(
            format!(
                "Request {id} was already decided on {} ({}).",
                day(d.decided_on),
                d.outcome.as_str()
            ),
            "A decision is recorded once; record a new request if the client asks again.",
        ));
    }
    let reason = required(
        reason,
        "A decision needs a reason.",
        "Say briefly why, in words you could show the client.",
    )?;
    check_text(&reason, "reason")?;
    not_future(on, "decision")?;
    if on < req.received_on {
        return Err(Error::rule(
            "A request cannot be decided before it was received.",
            "Check the date.",
        ));
    }
    let restricts = req.kind == RequestKind::Restriction && outcome != Outcome::Refused;
    let at = now();
    let tx = session.conn_mut()?.transaction()?;
    tx.execute(
        "UPDATE rights_requests SET outcome = ?1, decision_reason = ?2, decided_on = ?3,
             updated_at = ?4 WHERE id = ?5",
        params![outcome.as_str(), reason, on.to_string(), at, id],
    )?;
    if restricts {
        tx.execute(
            "UPDATE clients SET restricted_reason = ?1, updated_at = ?2 WHERE id = ?3",
            params![
                format!("Restriction request {id} granted on {}", day(on)),
                at,
                req.client_id
            ],
        )?;
    }
    audit::append(
        &tx,
        Action::RequestDecided,
        Some(&id.to_string()),
        json!({
            "client_id": req.client_id,
            "outcome": outcome.as_str(),
            "restricted": restricts,
        }),
    )?;
    tx.commit()?;
    get(session, id)
}

/// Marks a request completed on `on` (once). The subject-access bundle export calls this when
/// the bundle is made.
pub fn complete(session: &mut Session, id: i64, on: NaiveDate) -> Result<Request> {
    let req = get(session, id)?;
    if !req.is_open() {
        return Err(completed_refusal(&req));
    }
    not_future(on, "completion")?;
    if on < req.received_on {
        return Err(Error::rule(
            "A request cannot be completed before it was received.",
            "Check the date.",
        ));
    }
    let tx = session.conn_mut()?.transaction()?;
    tx.execute(
        "UPDATE rights_requests SET completed_on = ?1, updated_at = ?2 WHERE id = ?3",
        params![on.to_string(), now(), id],
    )?;
    audit::append(
        &tx,
        Action::RequestCompleted,
        Some(&id.to_string()),
        json!({
            "client_id": req.client_id,
            "late": req.due_on.is_some_and(|d| on > d),
        }),
    )?;
    tx.commit()?;
    get(session, id)
}

/// Rectification: adds an addendum with a reason to one of the client's signed notes, linked
/// to the rectification request. Allowed while the record is restricted: correcting it is
/// what the restriction waits for.
pub fn rectify(
    session: &mut Session,
    request_id: i64,
    note_id: i64,
    reason: &str,
    body: &str,
) -> Result<Addendum> {
    let req = get(session, request_id)?;
    if req.kind != RequestKind::Rectification {
        return Err(Error::rule(
            format!("Request {request_id} is not a rectification request."),
            "Link corrections to the client's rectification request.",
        ));
    }
    if !req.is_open() {
        return Err(completed_refusal(&req));
    }
    let note = notes::get(session, note_id)?;
    if note.client_id != req.client_id {
        return Err(Error::rule(
            format!("Note {note_id} is not one of this client's notes."),
            "Choose a note from the same client's file.",
        ));
    }
    if reason.trim().is_empty() {
        return Err(Error::rule(
            "A correction needs a reason.",
            "Say briefly what the client asked to be corrected.",
        ));
    }
    // The addendum says which request it answers, wherever it is read.
    let reason = format!("Rectification request {request_id}: {}", reason.trim());
    let tx = session.conn_mut()?.transaction()?;
    let addendum = notes::insert_addendum(&tx, &note, &reason, body)?;
    tx.execute(
        "INSERT INTO rights_request_addenda (request_id, addendum_id) VALUES (?1, ?2)",
        params![request_id, addendum.id],
    )?;
    audit::append(
        &tx,
        Action::RequestRectified,
        Some(&request_id.to_string()),
        json!({ "client_id": req.client_id, "note_id": note_id, "addendum_id": addendum.id }),
    )?;
    tx.commit()?;
    Ok(addendum)
}

/// Carries out a granted erasure: the client's whole record (this register's entries with it)
/// is destroyed through retention's destruction path, which refuses a record on legal hold and
/// writes a certificate whose reason names the request. Returns the certificate.
pub fn carry_out_erasure(session: &mut Session, request_id: i64) -> Result<Certificate> {
    let req = get(session, request_id)?;
    if req.kind != RequestKind::Erasure {
        return Err(Error::rule(
            format!("Request {request_id} is not an erasure request."),
            "Only a granted erasure request destroys a record this way.",
        ));
    }
    let Some(decision) = &req.decision else {
        return Err(Error::rule(
            format!("Erasure request {request_id} has not been decided."),
            "Record the decision first; health records are usually exempt from erasure.",
        ));
    };
    if decision.outcome != Outcome::Granted {
        return Err(Error::rule(
            format!(
                "Erasure request {request_id} was {}, so nothing is erased.",
                if decision.outcome == Outcome::Refused {
                    "refused"
                } else {
                    "only partly granted"
                }
            ),
            "A partly granted erasure is carried out by hand (an addendum, or removing an attachment); only a fully granted one destroys the whole record.",
        ));
    }
    if !req.is_open() {
        return Err(completed_refusal(&req));
    }
    crate::retention::destroy::erase_for_request(
        session,
        req.client_id,
        request_id,
        decision.decided_on,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_ico_rule() {
        assert_eq!(due_on(d(2026, 1, 31)), d(2026, 2, 28));
        assert_eq!(due_on(d(2028, 1, 31)), d(2028, 2, 29));
        assert_eq!(due_on(d(2026, 3, 31)), d(2026, 4, 30));
        assert_eq!(due_on(d(2026, 9, 3)), d(2026, 10, 3));
        assert_eq!(due_on(d(2026, 12, 31)), d(2027, 1, 31));
        assert_eq!(extended_due_on(d(2026, 2, 28), 2), d(2026, 4, 28));
        assert_eq!(clock_start(d(2026, 1, 5), None), None);
        assert_eq!(
            clock_start(d(2026, 1, 5), Some(d(2026, 1, 9))),
            Some(d(2026, 1, 9))
        );
        assert!(RequestKind::parse("deletion").is_err());
    }
}
