//! Retention policies as data: for each category of record, what starts the clock, for how
//! long, and the rule for clients who were children. Two presets ship ("UK counselling", the
//! default, and the NHS Records Management Code for mental health); the practitioner may choose
//! one and edit its periods in Settings. The policy lives in the vault's settings as JSON; every
//! change is audited.
//!
//! Date arithmetic never shortens a period: a date that does not exist in the target month
//! (29 February in a common year, 31 August + 6 months) moves to the next day that does.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::domain::settings;
use crate::error::{Error, Result};
use crate::vault::Session;

const SETTING: &str = "retention_policy";

/// The categories of record that retention rules apply to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// A client's whole record: details, notes, addenda, appointments, attachments.
    ClientRecord,
    /// An enquiry that never became therapy.
    Enquiry,
    /// Appointments and fees, kept for tax, of a client whose record is still kept.
    Appointments,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::ClientRecord => "client_record",
            Category::Enquiry => "enquiry",
            Category::Appointments => "appointments",
        }
    }

    pub fn parse(text: &str) -> Option<Category> {
        match text {
            "client_record" => Some(Category::ClientRecord),
            "enquiry" => Some(Category::Enquiry),
            "appointments" => Some(Category::Appointments),
            _ => None,
        }
    }

    /// In the practitioner's words.
    pub fn label(self) -> &'static str {
        match self {
            Category::ClientRecord => "client record",
            Category::Enquiry => "enquiry",
            Category::Appointments => "appointments and fees",
        }
    }
}

/// Which preset a policy started from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    UkCounselling,
    NhsMentalHealth,
}

impl Preset {
    pub fn label(self) -> &'static str {
        match self {
            Preset::UkCounselling => "UK counselling",
            Preset::NhsMentalHealth => "NHS Records Management Code (mental health)",
        }
    }
}

/// A retention policy: the periods for each category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Policy {
    pub preset: Preset,
    /// Client records: years after therapy ended.
    pub client_record_years: u32,
    /// For a client under 18 when therapy ended: kept at least until this birthday…
    pub minor_until_birthday: u32,
    /// …or this one if they were 17 when it ended.
    pub minor_at_17_until_birthday: u32,
    /// Enquiries that never became therapy: months after first contact.
    pub enquiry_months: u32,
    /// Appointments and fees: years after the appointment.
    pub appointment_years: u32,
}

impl Policy {
    pub fn preset(preset: Preset) -> Policy {
        match preset {
            Preset::UkCounselling => Policy {
                preset,
                client_record_years: 7,
                minor_until_birthday: 25,
                minor_at_17_until_birthday: 26,
                enquiry_months: 6,
                appointment_years: 7,
            },
            Preset::NhsMentalHealth => Policy {
                preset,
                client_record_years: 20,
                minor_until_birthday: 25,
                minor_at_17_until_birthday: 26,
                enquiry_months: 6,
                appointment_years: 7,
            },
        }
    }

    /// Refuses periods that make no sense or that would destroy records sooner than any UK
    /// professional body allows.
    pub fn validate(&self) -> Result<()> {
        let bad = |rule: &str| Err(Error::rule(rule, "Choose a period in that range."));
        if !(1..=100).contains(&self.client_record_years) {
            return bad("Client records must be kept for 1 to 100 years after therapy ends.");
        }
        if !(18..=100).contains(&self.minor_until_birthday)
            || self.minor_at_17_until_birthday < self.minor_until_birthday
            || self.minor_at_17_until_birthday > 100
        {
            return bad("A child's record must be kept at least until their 18th birthday (and the birthday for those who were 17 no earlier than the other).");
        }
        if !(1..=120).contains(&self.enquiry_months) {
            return bad("Enquiries must be kept for 1 to 120 months.");
        }
        if !(1..=100).contains(&self.appointment_years) {
            return bad("Appointments and fees must be kept for 1 to 100 years.");
        }
        Ok(())
    }

    /// The rule for a category, in words, as it appears in the due list and on certificates.
    pub fn rule_text(&self, category: Category, minor: Option<u32>) -> String {
        let base = match category {
            Category::ClientRecord => {
                format!("{} years after therapy ended", self.client_record_years)
            }
            Category::Enquiry => format!("{} months after first contact", self.enquiry_months),
            Category::Appointments => {
                format!("{} years after the appointment", self.appointment_years)
            }
        };
        let base = match minor {
            Some(birthday) => format!(
                "{base}, or the client's {} birthday if later (under 18 when therapy ended)",
                ordinal(birthday)
            ),
            None => base,
        };
        format!("{base} ({})", self.preset.label())
    }
}

fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// The day `months` months after `date`; a day that does not exist in the target month moves
/// forward to the first day of the next month (31 August + 6 months is 1 March).
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    let total = date.year() * 12 + date.month0() as i32 + months as i32;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12) as u32);
    NaiveDate::from_ymd_opt(year, month0 + 1, date.day()).unwrap_or_else(|| {
        let (ny, nm) = if month0 == 11 {
            (year + 1, 1)
        } else {
            (year, month0 + 2)
        };
        // The first of a month always exists within chrono's range for these dates.
        NaiveDate::from_ymd_opt(ny, nm, 1).unwrap_or(NaiveDate::MAX)
    })
}

/// The day `years` years after `date` (29 February becomes 1 March in a common year).
pub fn add_years(date: NaiveDate, years: u32) -> NaiveDate {
    add_months(date, years * 12)
}

/// Full years between a date of birth and a later day.
pub fn age_on(date_of_birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - date_of_birth.year();
    if (on.month(), on.day()) < (date_of_birth.month(), date_of_birth.day()) {
        age -= 1;
    }
    age
}

/// The policy in force (the default preset until the practitioner chooses).
pub fn current(session: &Session) -> Result<Policy> {
    match settings::get(session, SETTING)? {
        Some(json) => serde_json::from_str(&json).map_err(|_| Error::IntegrityCheckFailed {
            detail: "the stored retention policy could not be read".to_owned(),
        }),
        None => Ok(Policy::preset(Preset::UkCounselling)),
    }
}

/// Saves a policy (validated; the change is audited by the settings module).
pub fn set(session: &mut Session, policy: &Policy) -> Result<()> {
    policy.validate()?;
    let json = serde_json::to_string(policy).map_err(|e| Error::Encryption(e.to_string()))?;
    settings::set(session, SETTING, &json)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates_that_do_not_exist_move_forward_never_back() {
        assert_eq!(add_years(d(2020, 2, 29), 7), d(2027, 3, 1));
        assert_eq!(add_years(d(2020, 2, 29), 4), d(2024, 2, 29));
        assert_eq!(add_months(d(2026, 8, 31), 6), d(2027, 3, 1));
        assert_eq!(add_months(d(2026, 1, 31), 1), d(2026, 3, 1));
        assert_eq!(
            add_months(d(2026, 12, 31), 2),
            d(2027, 3, 3).pred_opt().unwrap().pred_opt().unwrap()
        );
        assert_eq!(add_months(d(2026, 7, 15), 6), d(2027, 1, 15));
    }

    #[test]
    fn ages_count_whole_years() {
        assert_eq!(age_on(d(2008, 2, 29), d(2026, 2, 28)), 17);
        assert_eq!(age_on(d(2008, 2, 29), d(2026, 3, 1)), 18);
        assert_eq!(age_on(d(2000, 6, 1), d(2026, 6, 1)), 26);
    }

    #[test]
    fn presets_validate_and_silly_periods_do_not() {
        Policy::preset(Preset::UkCounselling).validate().unwrap();
        Policy::preset(Preset::NhsMentalHealth).validate().unwrap();
        let mut p = Policy::preset(Preset::UkCounselling);
        p.minor_until_birthday = 16;
        assert!(p.validate().is_err());
        p = Policy::preset(Preset::UkCounselling);
        p.client_record_years = 0;
        assert!(p.validate().is_err());
    }

    #[test]
    fn rules_read_as_words() {
        let p = Policy::preset(Preset::UkCounselling);
        assert_eq!(
            p.rule_text(Category::ClientRecord, Some(26)),
            "7 years after therapy ended, or the client's 26th birthday if later (under 18 when therapy ended) (UK counselling)"
        );
    }
}
