//! `casenotes request …`, `consent …`, `disclosure …` and `breach …`: clients' rights and the
//! breach register from the command line. Each opens the vault, does one thing, and locks it
//! again. Dates are YYYY-MM-DD; the moments of a breach are local times, YYYY-MM-DD HH:MM.

use std::path::PathBuf;

use casenotes::domain::breaches::{self, BreachDecision, BreachTold, NewBreach};
use casenotes::domain::clients;
use casenotes::domain::consents::{self, ConsentKind, NewConsent};
use casenotes::domain::disclosures::{self, ClientTold, LegalBasis, NewDisclosure, Recipient};
use casenotes::domain::requests::{self, NewRequest, Outcome, Request, RequestKind};
use casenotes::vault::Session;
use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, TimeZone, Utc};
use clap::{Args, Subcommand};
use serde_json::json;

use crate::CliError;

#[derive(Subcommand)]
pub enum RequestCommand {
    /// Record a request from a client; prints its id and due date
    Add {
        case_ref: String,
        /// access, rectification, erasure, restriction, portability or objection
        #[arg(long)]
        kind: String,
        /// The day the request was received, YYYY-MM-DD
        #[arg(long)]
        received: String,
        /// The day the client's identity was checked, YYYY-MM-DD (the clock starts at the later)
        #[arg(long)]
        identity_checked: Option<String>,
        /// What was asked, in a few words
        #[arg(long)]
        details: Option<String>,
    },
    /// Record the day the client's identity was checked (starts the clock)
    Identity {
        id: i64,
        #[arg(long)]
        on: String,
    },
    /// Extend the time to respond, once, by one or two further months
    Extend {
        id: i64,
        /// The day the client was told of the extension, YYYY-MM-DD
        #[arg(long)]
        told: String,
        #[arg(long)]
        reason: String,
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=2))]
        months: u32,
    },
    /// Record the decision and its reason
    Decide {
        id: i64,
        /// granted, refused or partly
        #[arg(long)]
        outcome: String,
        /// The reason, in words you could show the client
        #[arg(long, required_unless_present = "health_records_exempt")]
        reason: Option<String>,
        /// Refuse an erasure with the usual wording: health records are kept for the period required
        #[arg(long, conflicts_with = "reason")]
        health_records_exempt: bool,
        /// The day of the decision [default: today]
        #[arg(long)]
        on: Option<String>,
    },
    /// Mark a request completed
    Complete {
        id: i64,
        /// The day it was completed [default: today]
        #[arg(long)]
        on: Option<String>,
    },
    /// Rectification: add an addendum to a signed note, linked to the request
    Rectify {
        id: i64,
        #[arg(long = "note")]
        note_id: i64,
        #[arg(long)]
        reason: String,
        #[arg(long, value_name = "FILE")]
        body_file: PathBuf,
    },
    /// Carry out a granted erasure: the client's whole record is destroyed (not if on legal hold)
    Erase { id: i64 },
    /// List requests (every client's, or one client's), with their due dates
    List {
        #[arg(long = "ref")]
        case_ref: Option<String>,
        /// Only those due within 7 days, and those overdue
        #[arg(long)]
        due_soon: bool,
    },
}

#[derive(Subcommand)]
pub enum ConsentCommand {
    /// Record a consent the client has given; prints its id
    Add {
        case_ref: String,
        /// treatment_contract, contact_email, contact_phone, contact_text, share_with_gp,
        /// session_recording, research or joint_notes_release
        #[arg(long)]
        kind: String,
        /// The day consent was given, YYYY-MM-DD
        #[arg(long)]
        given: String,
        /// What the consent covers, in words
        #[arg(long)]
        scope: Option<String>,
        /// The id of one of the client's attachments holding the evidence (a signed form)
        #[arg(long)]
        evidence: Option<i64>,
        /// Session recording: the day by which the recording must be destroyed, YYYY-MM-DD
        #[arg(long)]
        destroy_recording_by: Option<String>,
    },
    /// Record that a consent was withdrawn (it stays in the history)
    Withdraw {
        id: i64,
        #[arg(long)]
        on: String,
    },
    /// A client's consents, withdrawn ones included
    List { case_ref: String },
}

#[derive(Subcommand)]
pub enum DisclosureCommand {
    /// Record a disclosure (final once recorded); prints its id
    Add(Box<DisclosureArgs>),
    /// A client's disclosures
    List { case_ref: String },
}

#[derive(Args)]
pub struct DisclosureArgs {
    case_ref: String,
    /// The day of the disclosure, YYYY-MM-DD
    #[arg(long)]
    on: String,
    /// Who received it
    #[arg(long)]
    to: String,
    #[arg(long)]
    role: Option<String>,
    #[arg(long)]
    organisation: Option<String>,
    /// What was shared, in words
    #[arg(long)]
    what: String,
    /// client_consent, safeguarding_child, safeguarding_adult, court_order, serious_harm,
    /// terrorism_serious_crime or statutory_duty
    #[arg(long)]
    basis: String,
    /// Why you decided to share it
    #[arg(long)]
    rationale: String,
    /// The day the client was told, YYYY-MM-DD
    #[arg(long, required_unless_present = "not_told_because")]
    told_on: Option<String>,
    /// Why the client was not told
    #[arg(long, conflicts_with = "told_on")]
    not_told_because: Option<String>,
    /// This entry corrects an earlier disclosure (give its id and a note)
    #[arg(long, requires = "correction_note")]
    corrects: Option<i64>,
    #[arg(long)]
    correction_note: Option<String>,
}

#[derive(Subcommand)]
pub enum BreachCommand {
    /// Record a breach as soon as it is found; prints its id and the ICO deadline
    Add {
        /// What happened, without clients' names
        #[arg(long)]
        what: String,
        /// When it was found, YYYY-MM-DD HH:MM (local time) [default: now]
        #[arg(long)]
        found: Option<String>,
        /// When it happened, if known, YYYY-MM-DD HH:MM
        #[arg(long)]
        happened: Option<String>,
        /// Who was affected: case references or a count
        #[arg(long)]
        who: String,
        /// Which records were affected
        #[arg(long)]
        records: String,
        /// The risk to clients, in words
        #[arg(long)]
        risk: String,
    },
    /// Decide whether the breach must be reported to the ICO
    Decide {
        id: i64,
        /// yes or no
        #[arg(long)]
        reportable: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        told: ToldArgs,
    },
    /// Record that the ICO or the clients were told
    Told {
        id: i64,
        #[command(flatten)]
        told: ToldArgs,
    },
    /// The breach register, with the 72-hour clock of any not yet decided
    List,
}

#[derive(Args)]
pub struct ToldArgs {
    /// When the ICO was told, YYYY-MM-DD HH:MM
    #[arg(long)]
    ico_told: Option<String>,
    /// The ICO's reference
    #[arg(long)]
    ico_reference: Option<String>,
    /// When the clients were told, YYYY-MM-DD HH:MM
    #[arg(long)]
    clients_told: Option<String>,
    /// Why the clients were not told
    #[arg(long)]
    clients_not_told_because: Option<String>,
}

fn rule(rule: String, advice: &str) -> CliError {
    CliError::Core(casenotes::Error::rule(rule, advice))
}

fn date(text: &str, what: &str) -> Result<NaiveDate, CliError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        rule(
            format!("The {what} '{text}' is not a date."),
            "Write dates as YYYY-MM-DD, for example 2026-03-03.",
        )
    })
}

fn opt_date(text: Option<&str>, what: &str) -> Result<Option<NaiveDate>, CliError> {
    text.map(|t| date(t, what)).transpose()
}

/// A local time typed as YYYY-MM-DD HH:MM (or with a T), as UTC.
fn moment(text: &str, what: &str) -> Result<DateTime<Utc>, CliError> {
    let t = text.trim();
    let naive = ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
        .ok_or_else(|| {
            rule(
                format!("The time {what} '{text}' is not a date and time."),
                "Write it as YYYY-MM-DD HH:MM in the 24-hour clock, for example 2026-03-03 14:30.",
            )
        })?;
    Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|l| l.with_timezone(&Utc))
        .ok_or_else(|| {
            rule(
                format!("The time {what} '{text}' does not exist here (the clocks went forward)."),
                "Use a time an hour later.",
            )
        })
}

fn opt_moment(text: Option<&str>, what: &str) -> Result<Option<DateTime<Utc>>, CliError> {
    text.map(|t| moment(t, what)).transpose()
}

fn day(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

fn local(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local)
        .format("%-d %B %Y at %H:%M")
        .to_string()
}

fn today() -> NaiveDate {
    Local::now().date_naive()
}

fn request_json(r: &Request) -> serde_json::Value {
    json!({
        "id": r.id,
        "case_ref": r.case_ref,
        "kind": r.kind,
        "received_on": r.received_on,
        "identity_checked_on": r.identity_checked_on,
        "due_on": r.due_on,
        "due": r.due_in_words(),
        "extension": r.extension,
        "decision": r.decision,
        "completed_on": r.completed_on,
        "addendum_ids": r.addendum_ids,
    })
}

fn request_line(r: &Request) -> String {
    let state = match (&r.completed_on, &r.decision) {
        (Some(d), _) => format!("completed {}", day(*d)),
        (None, Some(d)) => format!("decided ({}), open", d.outcome.as_str()),
        (None, None) => "open".to_owned(),
    };
    let extended = r
        .extension
        .as_ref()
        .map(|e| {
            format!(
                " (extended by {} month{})",
                e.months,
                if e.months == 1 { "" } else { "s" }
            )
        })
        .unwrap_or_default();
    format!(
        "{:<5} {:<10} {:<14} received {}  due {}{}  {}",
        r.id,
        r.case_ref,
        r.kind.as_str(),
        day(r.received_on),
        r.due_in_words(),
        extended,
        state
    )
}

fn print_request(r: &Request, json: bool) {
    if json {
        println!("{}", request_json(r));
    } else {
        println!("{}", request_line(r));
    }
}

pub fn request(
    session: &mut Session,
    command: &RequestCommand,
    json: bool,
) -> Result<(), CliError> {
    match command {
        RequestCommand::Add {
            case_ref,
            kind,
            received,
            identity_checked,
            details,
        } => {
            let new = NewRequest {
                kind: RequestKind::parse(kind)?,
                received_on: date(received, "received date")?,
                identity_checked_on: opt_date(
                    identity_checked.as_deref(),
                    "identity-checked date",
                )?,
                details: details.clone(),
            };
            let client_id = clients::id_for(session, case_ref)?;
            let r = requests::add(session, client_id, new)?;
            if json {
                println!("{}", request_json(&r));
            } else {
                println!("{} due {}", r.id, r.due_in_words());
            }
        }
        RequestCommand::Identity { id, on } => {
            let r = requests::identity_checked(session, *id, date(on, "identity-checked date")?)?;
            print_request(&r, json);
        }
        RequestCommand::Extend {
            id,
            told,
            reason,
            months,
        } => {
            let r = requests::extend(session, *id, *months, date(told, "told date")?, reason)?;
            print_request(&r, json);
        }
        RequestCommand::Decide {
            id,
            outcome,
            reason,
            health_records_exempt,
            on,
        } => {
            let reason = if *health_records_exempt {
                requests::ERASURE_EXEMPT_WORDING.to_owned()
            } else {
                reason.clone().unwrap_or_default()
            };
            let on = opt_date(on.as_deref(), "decision date")?.unwrap_or_else(today);
            let r = requests::decide(session, *id, Outcome::parse(outcome)?, &reason, on)?;
            print_request(&r, json);
        }
        RequestCommand::Complete { id, on } => {
            let on = opt_date(on.as_deref(), "completion date")?.unwrap_or_else(today);
            let r = requests::complete(session, *id, on)?;
            print_request(&r, json);
        }
        RequestCommand::Rectify {
            id,
            note_id,
            reason,
            body_file,
        } => {
            let body = std::fs::read_to_string(body_file).map_err(|e| {
                CliError::Usage(format!(
                    "Could not read the addendum file {}: {e}",
                    body_file.display()
                ))
            })?;
            let a = requests::rectify(session, *id, *note_id, reason, &body)?;
            if json {
                println!(
                    "{}",
                    json!({ "addendum_id": a.id, "note_id": a.note_id, "request_id": id })
                );
            } else {
                println!(
                    "Addendum {} added to note {} for request {id}.",
                    a.id, a.note_id
                );
            }
        }
        RequestCommand::Erase { id } => {
            let cert = requests::carry_out_erasure(session, *id)?;
            if json {
                println!("{}", json!(cert));
            } else {
                println!(
                    "{} erased (certificate {} in the destruction register).",
                    cert.case_ref, cert.seq
                );
            }
        }
        RequestCommand::List { case_ref, due_soon } => {
            if *due_soon {
                let due = requests::due_soon(session, today())?;
                if json {
                    println!("{}", json!(due));
                    return Ok(());
                }
                if due.is_empty() {
                    println!("No request is due within 7 days or overdue.");
                }
                for d in &due {
                    let when = match d.days_left {
                        n if n < 0 => {
                            format!("overdue by {} day{}", -n, if n == -1 { "" } else { "s" })
                        }
                        0 => "due today".to_owned(),
                        n => format!("{n} day{} left", if n == 1 { "" } else { "s" }),
                    };
                    println!("{}  ({when})", request_line(&d.request));
                }
                return Ok(());
            }
            let list = match case_ref {
                Some(r) => {
                    let id = clients::id_for(session, r)?;
                    requests::for_client(session, id)?
                }
                None => requests::list(session)?,
            };
            if json {
                println!(
                    "{}",
                    json!(list.iter().map(request_json).collect::<Vec<_>>())
                );
            } else {
                if list.is_empty() {
                    println!("No requests recorded.");
                }
                for r in &list {
                    println!("{}", request_line(r));
                }
            }
        }
    }
    Ok(())
}

pub fn consent(
    session: &mut Session,
    command: &ConsentCommand,
    json: bool,
) -> Result<(), CliError> {
    match command {
        ConsentCommand::Add {
            case_ref,
            kind,
            given,
            scope,
            evidence,
            destroy_recording_by,
        } => {
            let new = NewConsent {
                kind: ConsentKind::parse(kind)?,
                given_on: date(given, "date consent was given")?,
                scope: scope.clone(),
                evidence_attachment_id: *evidence,
                destroy_recording_by: opt_date(
                    destroy_recording_by.as_deref(),
                    "recording destruction date",
                )?,
            };
            let client_id = clients::id_for(session, case_ref)?;
            let c = consents::add(session, client_id, new)?;
            if json {
                println!("{}", json!(c));
            } else {
                println!("{}", c.id);
            }
        }
        ConsentCommand::Withdraw { id, on } => {
            let c = consents::withdraw(session, *id, date(on, "withdrawal date")?)?;
            if json {
                println!("{}", json!(c));
            } else {
                println!(
                    "Consent {} ({}) withdrawn on {}.",
                    c.id,
                    c.kind.label(),
                    c.withdrawn_on.map(day).unwrap_or_default()
                );
            }
        }
        ConsentCommand::List { case_ref } => {
            let client_id = clients::id_for(session, case_ref)?;
            let list = consents::history(session, client_id)?;
            if json {
                println!("{}", json!(list));
                return Ok(());
            }
            if list.is_empty() {
                println!("No consents recorded.");
            }
            for c in &list {
                let state = match c.withdrawn_on {
                    Some(w) => format!("withdrawn {}", day(w)),
                    None => "current".to_owned(),
                };
                let destroy = c
                    .destroy_recording_by
                    .map(|d| format!("  recording destroyed by {}", day(d)))
                    .unwrap_or_default();
                println!(
                    "{:<5} {:<26} given {}  {state}{destroy}",
                    c.id,
                    c.kind.label(),
                    day(c.given_on)
                );
            }
        }
    }
    Ok(())
}

pub fn disclosure(
    session: &mut Session,
    command: &DisclosureCommand,
    json: bool,
) -> Result<(), CliError> {
    match command {
        DisclosureCommand::Add(a) => {
            let client_told = match (&a.told_on, &a.not_told_because) {
                (Some(on), _) => ClientTold::Yes {
                    on: date(on, "date the client was told")?,
                },
                (None, Some(reason)) => ClientTold::No {
                    reason: reason.clone(),
                },
                (None, None) => {
                    return Err(CliError::Usage(
                        "Say whether the client was told: --told-on YYYY-MM-DD or --not-told-because TEXT."
                            .to_owned(),
                    ))
                }
            };
            let new = NewDisclosure {
                disclosed_on: date(&a.on, "disclosure date")?,
                recipient: Recipient {
                    name: a.to.clone(),
                    role: a.role.clone(),
                    organisation: a.organisation.clone(),
                },
                what_shared: a.what.clone(),
                legal_basis: LegalBasis::parse(&a.basis)?,
                client_told,
                rationale: a.rationale.clone(),
                corrects_id: a.corrects,
                correction_note: a.correction_note.clone(),
            };
            let client_id = clients::id_for(session, &a.case_ref)?;
            let d = disclosures::add(session, client_id, new)?;
            if json {
                println!("{}", json!(d));
            } else {
                println!("{}", d.id);
            }
        }
        DisclosureCommand::List { case_ref } => {
            let client_id = clients::id_for(session, case_ref)?;
            let list = disclosures::for_client(session, client_id)?;
            if json {
                println!("{}", json!(list));
                return Ok(());
            }
            if list.is_empty() {
                println!("No disclosures recorded.");
            }
            for d in &list {
                let told = match &d.client_told {
                    ClientTold::Yes { on } => format!("client told {}", day(*on)),
                    ClientTold::No { .. } => "client not told".to_owned(),
                };
                let to = [
                    Some(d.recipient.name.as_str()),
                    d.recipient.role.as_deref(),
                    d.recipient.organisation.as_deref(),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ");
                let corrects = d
                    .corrects_id
                    .map(|c| format!("  (corrects {c})"))
                    .unwrap_or_default();
                println!(
                    "{:<5} {}  to {to}  {}  {told}{corrects}",
                    d.id,
                    day(d.disclosed_on),
                    d.legal_basis.label()
                );
            }
        }
    }
    Ok(())
}

fn told(args: &ToldArgs) -> Result<BreachTold, CliError> {
    Ok(BreachTold {
        ico_told_at: opt_moment(args.ico_told.as_deref(), "the ICO was told")?,
        ico_reference: args.ico_reference.clone(),
        clients_told_at: opt_moment(args.clients_told.as_deref(), "the clients were told")?,
        clients_not_told_reason: args.clients_not_told_because.clone(),
    })
}

fn clock_words(hours: i64) -> String {
    match hours {
        h if h < 0 => format!(
            "{} hour{} past the 72-hour deadline",
            -h,
            if h == -1 { "" } else { "s" }
        ),
        h => format!(
            "{h} hour{} left to decide and report",
            if h == 1 { "" } else { "s" }
        ),
    }
}

pub fn breach(session: &mut Session, command: &BreachCommand, json: bool) -> Result<(), CliError> {
    let b = match command {
        BreachCommand::Add {
            what,
            found,
            happened,
            who,
            records,
            risk,
        } => {
            let new = NewBreach {
                what_happened: what.clone(),
                happened_at: opt_moment(happened.as_deref(), "the breach happened")?,
                discovered_at: opt_moment(found.as_deref(), "the breach was found")?
                    .unwrap_or_else(Utc::now),
                who_affected: who.clone(),
                records_affected: records.clone(),
                risk: risk.clone(),
            };
            let b = breaches::add(session, new)?;
            if json {
                println!("{}", json!(b));
            } else {
                println!(
                    "{}  decide, and report if it is reportable, by {}",
                    b.id,
                    local(b.ico_deadline)
                );
            }
            return Ok(());
        }
        BreachCommand::Decide {
            id,
            reportable,
            reason,
            told: t,
        } => {
            let reportable = match reportable.trim() {
                "yes" => true,
                "no" => false,
                other => {
                    return Err(rule(
                        format!("'{other}' is not yes or no."),
                        "Use --reportable yes or --reportable no.",
                    ))
                }
            };
            let t = told(t)?;
            breaches::decide(
                session,
                *id,
                BreachDecision {
                    reportable,
                    reason: reason.clone(),
                    ico_told_at: t.ico_told_at,
                    ico_reference: t.ico_reference,
                    clients_told_at: t.clients_told_at,
                    clients_not_told_reason: t.clients_not_told_reason,
                },
            )?
        }
        BreachCommand::Told { id, told: t } => breaches::record_told(session, *id, told(t)?)?,
        BreachCommand::List => {
            let list = breaches::list(session)?;
            let now = Utc::now();
            if json {
                let rows: Vec<_> = list
                    .iter()
                    .map(|b| {
                        json!({
                            "breach": b,
                            "hours_left": b.reportable.is_none().then(|| breaches::hours_left(b.ico_deadline, now)),
                        })
                    })
                    .collect();
                println!("{}", json!(rows));
                return Ok(());
            }
            if list.is_empty() {
                println!("No breaches recorded.");
            }
            for b in &list {
                let state = match b.reportable {
                    None => clock_words(breaches::hours_left(b.ico_deadline, now)),
                    Some(true) => match b.ico_told_at {
                        Some(t) => format!("reportable; ICO told {}", local(t)),
                        None => "reportable; ICO not yet told".to_owned(),
                    },
                    Some(false) => "not reportable".to_owned(),
                };
                println!("{:<5} found {}  {state}", b.id, local(b.discovered_at));
            }
            return Ok(());
        }
    };
    if json {
        println!("{}", json!(b));
    } else {
        let state = match b.reportable {
            Some(true) => "reportable",
            Some(false) => "not reportable",
            None => "not yet decided",
        };
        println!("Breach {}: {state}.", b.id);
    }
    Ok(())
}
