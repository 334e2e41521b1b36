//! The rules a client's details must meet before they are stored. Errors name the field and
//! the rule, never the value given.

use chrono::NaiveDate;

use super::{ClientDetails, ClientStatus};
use crate::error::{Error, Result};

/// Trims text fields, turns empty ones into None, and checks the rules a therapist would.
pub(super) fn normalise(mut d: ClientDetails, today: NaiveDate) -> Result<ClientDetails> {
    fn tidy(field: &mut Option<String>) {
        if let Some(v) = field.take() {
            let v = v.trim().to_owned();
            if !v.is_empty() {
                *field = Some(v);
            }
        }
    }
    d.given_name = d.given_name.trim().to_owned();
    d.family_name = d.family_name.trim().to_owned();
    for f in [
        &mut d.case_ref,
        &mut d.preferred_name,
        &mut d.pronouns,
        &mut d.email,
        &mut d.phone,
        &mut d.address,
        &mut d.emergency_name,
        &mut d.emergency_relationship,
        &mut d.emergency_phone,
        &mut d.gp_name,
        &mut d.gp_practice,
        &mut d.gp_contact,
        &mut d.referral_source,
        &mut d.legal_hold_reason,
        &mut d.restricted_reason,
    ] {
        tidy(f);
    }
    if d.given_name.is_empty() || d.family_name.is_empty() {
        return Err(Error::rule(
            "A client needs a given name and a family name.",
            "Fill in both; use the preferred name field for what they like to be called.",
        ));
    }
    if let Some(r) = &d.case_ref {
        if r.chars().count() > 20 || !r.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(Error::rule(
                "A case reference may hold only letters, digits and hyphens, up to 20 characters.",
                "Use something like C-0042, and never the client's name or initials.",
            ));
        }
    }
    if let Some(dob) = d.date_of_birth {
        if dob > today {
            return Err(Error::rule(
                "The date of birth is in the future.",
                "Check the date of birth.",
            ));
        }
    }
    if let Some(email) = &d.email {
        if !looks_like_email(email) {
            return Err(Error::rule(
                "The email address is not a valid address.",
                "Check it, or leave it empty.",
            ));
        }
    }
    if let (Some(start), Some(end)) = (d.therapy_started_on, d.therapy_ended_on) {
        if end < start {
            return Err(Error::rule(
                "Therapy cannot end before it started.",
                "Check the therapy start and end dates.",
            ));
        }
    }
    if let (Some(first), Some(start)) = (d.first_contact_on, d.therapy_started_on) {
        if start < first {
            return Err(Error::rule(
                "Therapy cannot start before the first contact.",
                "Check the first-contact and therapy start dates.",
            ));
        }
    }
    for (date, what) in [
        (d.first_contact_on, "first contact"),
        (d.therapy_started_on, "therapy start"),
        (d.therapy_ended_on, "therapy end"),
    ] {
        if date.is_some_and(|x| x > today) {
            return Err(Error::rule(
                format!("The {what} date is in the future."),
                "Record dates once they have happened.",
            ));
        }
    }
    match d.status {
        ClientStatus::Active if d.therapy_started_on.is_none() => {
            return Err(Error::rule(
                "An active client needs the date therapy started.",
                "Add the therapy start date.",
            ))
        }
        ClientStatus::Active if d.therapy_ended_on.is_some() => {
            return Err(Error::rule(
                "An active client cannot have a therapy end date.",
                "Mark the client as ended, or clear the end date for a returning client.",
            ))
        }
        ClientStatus::Ended if d.therapy_started_on.is_some() && d.therapy_ended_on.is_none() => {
            return Err(Error::rule(
                "An ended client needs the date therapy ended.",
                "Add the therapy end date; retention is counted from it.",
            ))
        }
        _ => {}
    }
    Ok(d)
}

/// A plain check that catches typing slips; the address is not verified by sending to it.
fn looks_like_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn validation_names_the_rule() {
        let today = day("2026-11-23");
        let mut d = ClientDetails::named("Ann", "Example");
        d.date_of_birth = Some(day("2027-01-01"));
        assert!(normalise(d, today)
            .unwrap_err()
            .to_string()
            .contains("date of birth is in the future"));

        let mut d = ClientDetails::named("Ann", "Example");
        d.email = Some("ann at example".into());
        assert!(normalise(d, today)
            .unwrap_err()
            .to_string()
            .contains("email"));

        let mut d = ClientDetails::named("Ann", "Example");
        d.status = ClientStatus::Ended;
        d.therapy_started_on = Some(day("2025-05-01"));
        d.therapy_ended_on = Some(day("2025-04-01"));
        assert!(normalise(d, today)
            .unwrap_err()
            .to_string()
            .contains("cannot end before it started"));

        let mut d = ClientDetails::named("  Ann ", "Example");
        d.email = Some(" ann@example.org ".into());
        d.pronouns = Some("  ".into());
        let d = normalise(d, today).unwrap();
        assert_eq!(d.given_name, "Ann");
        assert_eq!(d.email.as_deref(), Some("ann@example.org"));
        assert_eq!(d.pronouns, None);

        assert!(normalise(ClientDetails::named("", "Example"), today).is_err());
    }

    #[test]
    fn emails() {
        for good in ["a@b.co", "first.last+tag@example.org.uk"] {
            assert!(looks_like_email(good), "{good}");
        }
        for bad in [
            "", "a", "a@b", "@b.co", "a@@b.co", "a b@c.co", "a@.co", "a@co.",
        ] {
            assert!(!looks_like_email(bad), "{bad}");
        }
    }
}
