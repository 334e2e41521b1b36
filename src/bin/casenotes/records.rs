//! `casenotes client …`, `casenotes note …` and `casenotes search`: the clinical file from the
//! command line. Each opens the vault, does one thing, and locks it again.

use std::path::{Path, PathBuf};

use casenotes::domain::clients::{self, ClientDetails, ClientStatus};
use casenotes::domain::notes::{self, NoteKind, Template};
use casenotes::search;
use casenotes::vault::Session;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use serde_json::json;

use crate::report;
use crate::CliError;

#[derive(Subcommand)]
pub enum ClientCommand {
    /// Add a client and print the case reference
    Add(Box<ClientArgs>),
    /// List clients
    List {
        /// Only clients with this status: enquiry, active or ended
        #[arg(long)]
        status: Option<String>,
    },
    /// Show a client's file (recorded in the audit log as a view)
    Show { case_ref: String },
}

#[derive(Args)]
pub struct ClientArgs {
    #[arg(long)]
    given: String,
    #[arg(long)]
    family: String,
    /// Case reference; the next free C-NNNN when left out
    #[arg(long = "ref")]
    case_ref: Option<String>,
    #[arg(long)]
    preferred: Option<String>,
    #[arg(long)]
    pronouns: Option<String>,
    /// Date of birth, YYYY-MM-DD
    #[arg(long)]
    dob: Option<String>,
    #[arg(long)]
    email: Option<String>,
    #[arg(long)]
    phone: Option<String>,
    /// enquiry (the default), active or ended
    #[arg(long, default_value = "enquiry")]
    status: String,
    /// First contact, YYYY-MM-DD
    #[arg(long)]
    first_contact: Option<String>,
    /// Therapy start, YYYY-MM-DD
    #[arg(long)]
    started: Option<String>,
    /// Therapy end, YYYY-MM-DD
    #[arg(long)]
    ended: Option<String>,
    #[arg(long)]
    referral_source: Option<String>,
    #[arg(long)]
    address: Option<String>,
    /// Emergency contact's name
    #[arg(long)]
    emergency_name: Option<String>,
    /// Emergency contact's relationship to the client
    #[arg(long)]
    emergency_relationship: Option<String>,
    #[arg(long)]
    emergency_phone: Option<String>,
    #[arg(long)]
    gp_name: Option<String>,
    #[arg(long)]
    gp_practice: Option<String>,
    /// The GP practice's phone or address
    #[arg(long)]
    gp_contact: Option<String>,
    /// Put the record on legal hold, with this reason (kept past its destruction date)
    #[arg(long, value_name = "REASON")]
    legal_hold: Option<String>,
    /// Restrict processing, with this reason (the client asked you to limit the use of their data)
    #[arg(long, value_name = "REASON")]
    restricted: Option<String>,
}

#[derive(Subcommand)]
pub enum NoteCommand {
    /// Write a note for a client from a file, and print its id
    Add {
        case_ref: String,
        /// session, process, contact, supervision or letter
        #[arg(long, default_value = "session")]
        kind: String,
        /// free, soap, dap or birp
        #[arg(long, default_value = "free")]
        template: String,
        #[arg(long, value_name = "FILE")]
        body_file: PathBuf,
        /// Sign the note straight away
        #[arg(long)]
        sign: bool,
        /// The note holds information about someone other than the client
        #[arg(long)]
        third_party: bool,
    },
    /// Replace a draft's text (refused once the note is signed)
    Edit {
        note_id: i64,
        #[arg(long, value_name = "FILE")]
        body_file: PathBuf,
    },
    /// Sign a draft; it can never be changed afterwards
    Sign { note_id: i64 },
    /// Add a correction or addition to a signed note
    Addendum {
        note_id: i64,
        #[arg(long)]
        reason: String,
        #[arg(long, value_name = "FILE")]
        body_file: PathBuf,
    },
}

fn date(text: Option<&str>, what: &str) -> Result<Option<NaiveDate>, CliError> {
    text.map(|t| {
        NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").map_err(|_| {
            CliError::Core(casenotes::Error::rule(
                format!("The {what} '{t}' is not a date."),
                "Write dates as YYYY-MM-DD, for example 2026-03-03.",
            ))
        })
    })
    .transpose()
}

fn read_body(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|e| {
        CliError::Usage(format!(
            "Could not read the note file {}: {e}",
            path.display()
        ))
    })
}

pub fn client(session: &mut Session, command: &ClientCommand, json: bool) -> Result<(), CliError> {
    match command {
        ClientCommand::Add(a) => {
            let mut d = ClientDetails::named(&a.given, &a.family);
            d.case_ref = a.case_ref.clone();
            d.preferred_name = a.preferred.clone();
            d.pronouns = a.pronouns.clone();
            d.date_of_birth = date(a.dob.as_deref(), "date of birth")?;
            d.email = a.email.clone();
            d.phone = a.phone.clone();
            d.status = ClientStatus::parse(&a.status)?;
            d.first_contact_on = date(a.first_contact.as_deref(), "first contact date")?;
            d.therapy_started_on = date(a.started.as_deref(), "therapy start date")?;
            d.therapy_ended_on = date(a.ended.as_deref(), "therapy end date")?;
            d.referral_source = a.referral_source.clone();
            d.address = a.address.clone();
            d.emergency_name = a.emergency_name.clone();
            d.emergency_relationship = a.emergency_relationship.clone();
            d.emergency_phone = a.emergency_phone.clone();
            d.gp_name = a.gp_name.clone();
            d.gp_practice = a.gp_practice.clone();
            d.gp_contact = a.gp_contact.clone();
            d.legal_hold_reason = a.legal_hold.clone();
            d.restricted_reason = a.restricted.clone();
            let client = clients::add(session, d)?;
            if json {
                println!(
                    "{}",
                    json!({ "case_ref": client.case_ref, "client_id": client.id })
                );
            } else {
                println!("{}", client.case_ref);
            }
        }
        ClientCommand::List { status } => {
            let status = status.as_deref().map(ClientStatus::parse).transpose()?;
            let list = clients::list(session, status)?;
            if json {
                println!("{}", json!(list));
            } else {
                for c in &list {
                    println!(
                        "{:<10} {:<8} {}",
                        c.case_ref,
                        c.details.status.as_str(),
                        c.display_name()
                    );
                }
            }
        }
        ClientCommand::Show { case_ref } => {
            let client = clients::open_file(session, case_ref)?;
            let notes = notes::for_client(session, client.id)?;
            if json {
                println!("{}", json!({ "client": client, "notes": notes }));
            } else {
                report::client_file(&client, &notes);
            }
        }
    }
    Ok(())
}

pub fn note(session: &mut Session, command: &NoteCommand, json: bool) -> Result<(), CliError> {
    let note = match command {
        NoteCommand::Add {
            case_ref,
            kind,
            template,
            body_file,
            sign,
            third_party,
        } => {
            let (kind, template) = (NoteKind::parse(kind)?, Template::parse(template)?);
            let body = read_body(body_file)?;
            let client_id = clients::id_for(session, case_ref)?;
            let note = notes::create(session, client_id, kind, template, &body, *third_party)?;
            if *sign {
                notes::sign(session, note.id)?
            } else {
                note
            }
        }
        NoteCommand::Edit { note_id, body_file } => {
            let body = read_body(body_file)?;
            notes::save_draft(session, *note_id, &body)?
        }
        NoteCommand::Sign { note_id } => notes::sign(session, *note_id)?,
        NoteCommand::Addendum {
            note_id,
            reason,
            body_file,
        } => {
            let body = read_body(body_file)?;
            let addendum = notes::add_addendum(session, *note_id, reason, &body)?;
            if json {
                println!(
                    "{}",
                    json!({ "addendum_id": addendum.id, "note_id": addendum.note_id })
                );
            } else {
                println!(
                    "Addendum {} added to note {}.",
                    addendum.id, addendum.note_id
                );
            }
            return Ok(());
        }
    };
    if json {
        println!(
            "{}",
            json!({ "note_id": note.id, "signed": note.is_signed(), "content_sha256": note.content_sha256 })
        );
    } else {
        println!("{}", note.id);
    }
    Ok(())
}

pub fn search(session: &Session, query: &str, json: bool) -> Result<(), CliError> {
    let hits = search::search(session, query)?;
    if json {
        println!("{}", json!(hits));
        return Ok(());
    }
    if hits.is_empty() {
        println!("Nothing found.");
    }
    for h in &hits {
        let place = match h.kind {
            search::HitKind::Note => format!("note {}", h.record_id),
            search::HitKind::Addendum => format!("addendum {}", h.record_id),
            search::HitKind::Client => "client".to_owned(),
        };
        println!(
            "{:<10} {:<14} {}",
            h.case_ref,
            place,
            h.snippet.replace('\n', " ")
        );
    }
    Ok(())
}
