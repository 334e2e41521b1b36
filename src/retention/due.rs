//! What is due for destruction, for whom, under which rule, since when, and what holds it back.
//!
//! [`assess`] is the rule itself, a pure function of a client's dates, so it can be tested
//! against an independent formulation; [`list`] reads the vault and applies it. Nothing here
//! destroys anything: the practitioner appraises the list and decides.

use chrono::NaiveDate;
use rusqlite::params;
use serde::Serialize;

use super::policy::{add_months, add_years, age_on, Category, Policy};
use crate::domain::clients::ClientStatus;
use crate::error::Result;
use crate::vault::Session;

/// The dates of a client that retention depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientDates {
    pub status: ClientStatus,
    pub date_of_birth: Option<NaiveDate>,
    /// First contact, or the day the record was made when none was recorded.
    pub first_contact_on: NaiveDate,
    pub therapy_ended_on: Option<NaiveDate>,
    /// The latest appointment or note dated after therapy ended: the client came back.
    pub returned_on: Option<NaiveDate>,
    pub legal_hold: bool,
}

/// Why a record that would be due is not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Hold {
    /// A legal hold is set on the client's file.
    LegalHold { reason: String },
    /// The client came back after therapy ended; the clock restarted from that day.
    Returned { on: NaiveDate, due_on: NaiveDate },
}

/// The rule's answer for one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub category: Category,
    pub trigger_on: NaiveDate,
    pub due_on: NaiveDate,
    /// The birthday that set the date for a client who was a child, if it did.
    pub minor_birthday: Option<u32>,
    pub legal_hold: bool,
}

/// When a client's record (or enquiry) may be destroyed under `policy`; `None` when it never
/// becomes due as things stand (therapy has not ended, or no end date is recorded).
pub fn assess(policy: &Policy, c: &ClientDates) -> Option<Assessment> {
    match c.status {
        ClientStatus::Enquiry => Some(Assessment {
            category: Category::Enquiry,
            trigger_on: c.first_contact_on,
            due_on: add_months(c.first_contact_on, policy.enquiry_months),
            minor_birthday: None,
            legal_hold: c.legal_hold,
        }),
        ClientStatus::Active => None,
        ClientStatus::Ended => {
            let ended = c.therapy_ended_on?;
            // A client who came back restarts the clock from their return.
            let trigger = c.returned_on.filter(|r| *r > ended).unwrap_or(ended);
            let mut due_on = add_years(trigger, policy.client_record_years);
            let mut minor_birthday = None;
            if let Some(dob) = c.date_of_birth {
                let age = age_on(dob, trigger);
                if age < 18 {
                    let birthday = if age == 17 {
                        policy.minor_at_17_until_birthday
                    } else {
                        policy.minor_until_birthday
                    };
                    let kept_until = add_years(dob, birthday);
                    if kept_until > due_on {
                        due_on = kept_until;
                    }
                    minor_birthday = Some(birthday);
                }
            }
            Some(Assessment {
                category: Category::ClientRecord,
                trigger_on: trigger,
                due_on,
                minor_birthday,
                legal_hold: c.legal_hold,
            })
        }
    }
}

/// How many records of each kind an item covers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ItemCounts {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub notes: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub addenda: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub appointments: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub attachments: i64,
}

/// One line of the due list: a record whose retention date has passed, due or held back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DueItem {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub client_id: i64,
    pub case_ref: String,
    /// For the practitioner's screen only; never written on a certificate.
    pub name: String,
    pub category: Category,
    /// The rule, in words.
    pub rule: String,
    /// The day the clock started (therapy ended, first contact, the newest appointment).
    pub trigger_on: NaiveDate,
    /// Due since this day.
    pub due_on: NaiveDate,
    /// True when it may be destroyed now; false when something holds it back.
    pub due: bool,
    pub held_by: Option<Hold>,
    pub counts: ItemCounts,
    /// Appointments only: those that started before this day are covered.
    pub appointments_before: Option<NaiveDate>,
}

/// A client row with what retention needs.
struct Row {
    id: i64,
    case_ref: String,
    name: String,
    dates: ClientDates,
    hold_reason: Option<String>,
}

fn date(text: Option<String>) -> Option<NaiveDate> {
    text.and_then(|t| NaiveDate::parse_from_str(t.get(..10)?, "%Y-%m-%d").ok())
}

fn rows(session: &Session) -> Result<Vec<Row>> {
    let conn = session.conn()?;
    let mut stmt = conn.prepare(
        "SELECT c.id, c.case_ref, coalesce(nullif(c.preferred_name, ''), c.given_name) || ' ' || c.family_name,
                c.status, c.date_of_birth, coalesce(c.first_contact_on, substr(c.created_at, 1, 10)),
                c.therapy_ended_on, c.legal_hold_reason,
                max((SELECT max(substr(a.starts_at, 1, 10)) FROM appointments a
                     WHERE a.client_id = c.id AND substr(a.starts_at, 1, 10) > c.therapy_ended_on),
                    (SELECT max(substr(n.created_at, 1, 10)) FROM notes n
                     WHERE n.client_id = c.id AND substr(n.created_at, 1, 10) > c.therapy_ended_on))
         FROM clients c ORDER BY c.id",
    )?;
    let out = stmt
        .query_map([], |r| {
            let status: String = r.get(3)?;
            let hold: Option<String> = r.get(7)?;
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                status,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
                hold,
                r.get::<_, Option<String>>(8)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut rows = Vec::new();
    for (id, case_ref, name, status, dob, first, ended, hold, returned) in out {
        let Ok(status) = ClientStatus::parse(&status) else {
            continue;
        };
        let Some(first_contact_on) = date(first) else {
            continue;
        };
        rows.push(Row {
            id,
            case_ref,
            name,
            dates: ClientDates {
                status,
                date_of_birth: date(dob),
                first_contact_on,
                therapy_ended_on: date(ended),
                returned_on: date(returned),
                legal_hold: hold.is_some(),
            },
            hold_reason: hold,
        });
    }
    Ok(rows)
}

pub(crate) fn record_counts(session: &Session, client_id: i64) -> Result<ItemCounts> {
    let conn = session.conn()?;
    Ok(conn.query_row(
        "SELECT (SELECT count(*) FROM notes WHERE client_id = ?1),
                (SELECT count(*) FROM note_addenda WHERE note_id IN (SELECT id FROM notes WHERE client_id = ?1)),
                (SELECT count(*) FROM appointments WHERE client_id = ?1),
                (SELECT count(*) FROM attachments WHERE client_id = ?1)",
        params![client_id],
        |r| {
            Ok(ItemCounts {
                notes: r.get(0)?,
                addenda: r.get(1)?,
                appointments: r.get(2)?,
                attachments: r.get(3)?,
            })
        },
    )?)
}

/// Appointments of a client that started before `before` and that no note records (a note's
/// link to its appointment is part of the signed note, so those stay with the note).
pub(crate) const OLD_APPOINTMENTS: &str = "FROM appointments a
     WHERE a.client_id = ?1 AND substr(a.starts_at, 1, 10) < ?2
       AND NOT EXISTS (SELECT 1 FROM notes n WHERE n.appointment_id = a.id)";

/// Everything whose retention date has passed by `as_of`: due, or held back (and why), oldest
/// due date first.
pub fn list(session: &Session, policy: &Policy, as_of: NaiveDate) -> Result<Vec<DueItem>> {
    let mut items = Vec::new();
    for row in rows(session)? {
        let assessed = assess(policy, &row.dates);
        let mut record_listed = false;
        if let Some(a) = &assessed {
            // Had the client not come back, when would the record have been due?
            let without_return = assess(
                policy,
                &ClientDates {
                    returned_on: None,
                    ..row.dates.clone()
                },
            );
            let returned = row
                .dates
                .returned_on
                .filter(|_| a.category == Category::ClientRecord)
                .filter(|r| row.dates.therapy_ended_on.is_some_and(|e| *r > e));
            let passed = a.due_on <= as_of;
            let would_have_passed = without_return.as_ref().is_some_and(|w| w.due_on <= as_of);
            if passed || (returned.is_some() && would_have_passed) {
                let held_by = if let (Some(on), false) = (returned, passed) {
                    Some(Hold::Returned {
                        on,
                        due_on: a.due_on,
                    })
                } else if a.legal_hold {
                    Some(Hold::LegalHold {
                        reason: row.hold_reason.clone().unwrap_or_default(),
                    })
                } else {
                    None
                };
                items.push(DueItem {
                    client_id: row.id,
                    case_ref: row.case_ref.clone(),
                    name: row.name.clone(),
                    category: a.category,
                    rule: policy.rule_text(a.category, a.minor_birthday),
                    trigger_on: a.trigger_on,
                    due_on: if passed {
                        a.due_on
                    } else {
                        without_return.map(|w| w.due_on).unwrap_or(a.due_on)
                    },
                    due: passed && held_by.is_none(),
                    held_by,
                    counts: record_counts(session, row.id)?,
                    appointments_before: None,
                });
                record_listed = true;
            }
        }
        if record_listed {
            continue;
        }
        // Appointments and fees kept for tax, for a client whose record is still kept.
        let cutoff = years_before(as_of, policy.appointment_years);
        let (count, newest): (i64, Option<String>) = session.conn()?.query_row(
            &format!("SELECT count(*), max(substr(a.starts_at, 1, 10)) {OLD_APPOINTMENTS}"),
            params![row.id, cutoff.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if let (true, Some(newest)) = (count > 0, date(newest)) {
            let held_by = row
                .hold_reason
                .clone()
                .map(|reason| Hold::LegalHold { reason });
            items.push(DueItem {
                client_id: row.id,
                case_ref: row.case_ref.clone(),
                name: row.name.clone(),
                category: Category::Appointments,
                rule: policy.rule_text(Category::Appointments, None),
                trigger_on: newest,
                due_on: add_years(newest, policy.appointment_years),
                due: held_by.is_none(),
                held_by,
                counts: ItemCounts {
                    appointments: count,
                    ..ItemCounts::default()
                },
                appointments_before: Some(cutoff),
            });
        }
    }
    items.sort_by(|a, b| a.due_on.cmp(&b.due_on).then(a.case_ref.cmp(&b.case_ref)));
    Ok(items)
}

/// The earliest day D such that an appointment on any day before D is past its period on
/// `as_of`: appointments on day X are due when add_years(X, years) <= as_of.
fn years_before(as_of: NaiveDate, years: u32) -> NaiveDate {
    // add_years is monotonic, so search forward from the naive answer a few days back.
    let mut d = NaiveDate::from_ymd_opt(chrono::Datelike::year(&as_of) - years as i32, 1, 1)
        .unwrap_or(NaiveDate::MIN);
    while add_years(d, years) <= as_of {
        d = d.succ_opt().unwrap_or(NaiveDate::MAX);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retention::policy::Preset;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn ended(end: NaiveDate, dob: Option<NaiveDate>) -> ClientDates {
        ClientDates {
            status: ClientStatus::Ended,
            date_of_birth: dob,
            first_contact_on: d(2010, 1, 1),
            therapy_ended_on: Some(end),
            returned_on: None,
            legal_hold: false,
        }
    }

    #[test]
    fn the_uk_preset_on_adults_and_children() {
        let p = Policy::preset(Preset::UkCounselling);
        let adult = assess(&p, &ended(d(2019, 3, 10), Some(d(1980, 5, 5)))).unwrap();
        assert_eq!(adult.due_on, d(2026, 3, 10));
        // 15 when therapy ended in 2020: 7 years is 2027, the 25th birthday 2030.
        let child = assess(&p, &ended(d(2020, 6, 1), Some(d(2005, 1, 1)))).unwrap();
        assert_eq!(
            (child.due_on, child.minor_birthday),
            (d(2030, 1, 1), Some(25))
        );
        // 17 when it ended: the 26th birthday.
        let seventeen = assess(&p, &ended(d(2020, 6, 1), Some(d(2003, 2, 28)))).unwrap();
        assert_eq!(seventeen.due_on, d(2029, 2, 28));
        // Born on 29 February: the birthday in a common year is 1 March, never 28 February.
        let leap = assess(&p, &ended(d(2020, 6, 1), Some(d(2004, 2, 29)))).unwrap();
        assert_eq!(leap.due_on, d(2029, 3, 1));
    }

    #[test]
    fn a_return_restarts_the_clock_and_no_end_date_is_never_due() {
        let p = Policy::preset(Preset::UkCounselling);
        let mut c = ended(d(2015, 1, 10), None);
        c.returned_on = Some(d(2018, 4, 2));
        assert_eq!(assess(&p, &c).unwrap().due_on, d(2025, 4, 2));
        c.therapy_ended_on = None;
        assert_eq!(assess(&p, &c), None);
        c.status = ClientStatus::Active;
        assert_eq!(assess(&p, &c), None);
    }

    #[test]
    fn appointment_cutoff_is_exact() {
        let as_of = d(2026, 3, 1);
        let cut = years_before(as_of, 7);
        assert!(add_years(cut.pred_opt().unwrap(), 7) <= as_of);
        assert!(add_years(cut, 7) > as_of);
    }
}
