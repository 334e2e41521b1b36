//! `casenotes case …`: couple and family cases and their joint notes from the command line.
//! Each opens the vault, does one thing, and locks it again. Note text is read from a file and
//! never printed back except by `case show`.

use std::path::PathBuf;

use casenotes::domain::cases;
use casenotes::domain::clients;
use casenotes::domain::notes::{NoteKind, Template};
use casenotes::vault::Session;
use clap::Subcommand;
use serde_json::json;

use crate::CliError;

#[derive(Subcommand)]
pub enum CaseCommand {
    /// Open a couple or family case linking two or more clients; prints its J-NNNN reference
    Add {
        /// The members' case references: C-0001,C-0002
        #[arg(long, value_name = "REF,REF", value_delimiter = ',', required = true)]
        members: Vec<String>,
        /// A label for the case, such as "couple work"
        #[arg(long)]
        name: Option<String>,
    },
    /// List every case with its members
    List,
    /// Show a case's joint notes, newest first
    Show { case_ref: String },
    /// Joint notes: write, edit, sign and add to them
    Note {
        #[command(subcommand)]
        action: JointNoteCommand,
    },
}

#[derive(Subcommand)]
pub enum JointNoteCommand {
    /// Write a joint note for a case from a file, and print its id
    Add {
        /// The case's reference, J-NNNN
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
    },
    /// Replace a joint draft's text (refused once the note is signed)
    Edit {
        note_id: i64,
        #[arg(long, value_name = "FILE")]
        body_file: PathBuf,
    },
    /// Sign a joint draft; it can never be changed afterwards
    Sign { note_id: i64 },
    /// Add a correction or addition to a signed joint note
    Addendum {
        note_id: i64,
        #[arg(long)]
        reason: String,
        #[arg(long, value_name = "FILE")]
        body_file: PathBuf,
    },
}

fn read_body(path: &std::path::Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|e| {
        CliError::Usage(format!(
            "Could not read the note file {}: {e}",
            path.display()
        ))
    })
}

fn members_text(case: &cases::Case) -> String {
    case.members
        .iter()
        .map(|m| {
            m.client_case_ref
                .clone()
                .unwrap_or_else(|| "(former member, record destroyed)".to_owned())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn run(session: &mut Session, command: &CaseCommand, json: bool) -> Result<(), CliError> {
    match command {
        CaseCommand::Add { members, name } => {
            let mut ids = Vec::new();
            for r in members.iter().map(|r| r.trim()).filter(|r| !r.is_empty()) {
                ids.push(clients::id_for(session, r)?);
            }
            let case = cases::create(session, &ids, name.as_deref())?;
            if json {
                println!(
                    "{}",
                    json!({ "case_ref": case.case_ref, "case_id": case.id })
                );
            } else {
                println!("{}", case.case_ref);
            }
        }
        CaseCommand::List => {
            let list = cases::list(session)?;
            if json {
                println!("{}", json!(list));
            } else {
                for c in &list {
                    println!(
                        "{:<8} {:<30} {}",
                        c.case_ref,
                        c.name.as_deref().unwrap_or(""),
                        members_text(c)
                    );
                }
            }
        }
        CaseCommand::Show { case_ref } => {
            let case = cases::get(session, cases::id_for(session, case_ref)?)?;
            let notes = cases::notes_for_case(session, case.id)?;
            if json {
                println!("{}", json!({ "case": case, "joint_notes": notes }));
            } else {
                println!(
                    "Case {}{} — members: {}",
                    case.case_ref,
                    case.name
                        .as_deref()
                        .map(|n| format!(" ({n})"))
                        .unwrap_or_default(),
                    members_text(&case)
                );
                for n in &notes {
                    println!(
                        "\n# Joint note {} ({}, {}) {}",
                        n.id,
                        n.kind.as_str(),
                        n.created_at,
                        match &n.signed_at {
                            Some(at) => format!("signed {at}"),
                            None => "draft".to_owned(),
                        }
                    );
                    println!("{}", n.body);
                    for a in &n.addenda {
                        println!(
                            "\n## Addendum {} ({}) — reason: {}",
                            a.id, a.created_at, a.reason
                        );
                        println!("{}", a.body);
                    }
                }
            }
        }
        CaseCommand::Note { action } => note(session, action, json)?,
    }
    Ok(())
}

fn note(session: &mut Session, command: &JointNoteCommand, json: bool) -> Result<(), CliError> {
    let note = match command {
        JointNoteCommand::Add {
            case_ref,
            kind,
            template,
            body_file,
            sign,
        } => {
            let (kind, template) = (NoteKind::parse(kind)?, Template::parse(template)?);
            let body = read_body(body_file)?;
            let case_id = cases::id_for(session, case_ref)?;
            let note = cases::create_note(session, case_id, kind, template, &body)?;
            if *sign {
                cases::sign_note(session, note.id)?
            } else {
                note
            }
        }
        JointNoteCommand::Edit { note_id, body_file } => {
            let body = read_body(body_file)?;
            cases::save_note_draft(session, *note_id, &body)?
        }
        JointNoteCommand::Sign { note_id } => cases::sign_note(session, *note_id)?,
        JointNoteCommand::Addendum {
            note_id,
            reason,
            body_file,
        } => {
            let body = read_body(body_file)?;
            let addendum = cases::add_note_addendum(session, *note_id, reason, &body)?;
            if json {
                println!(
                    "{}",
                    json!({ "addendum_id": addendum.id, "joint_note_id": addendum.note_id })
                );
            } else {
                println!(
                    "Addendum {} added to joint note {}.",
                    addendum.id, addendum.note_id
                );
            }
            return Ok(());
        }
    };
    if json {
        println!(
            "{}",
            json!({ "joint_note_id": note.id, "case_ref": note.case_ref, "signed": note.is_signed(), "content_sha256": note.content_sha256 })
        );
    } else {
        println!("{}", note.id);
    }
    Ok(())
}
