//! `casenotes measure …`: outcome measures (PHQ-9, GAD-7, CORE-10) from the command line, and
//! `casenotes calendar export`: upcoming appointments as an `.ics` file (case references and
//! times only). Each opens the vault, does one thing, and locks it again.

use std::path::PathBuf;

use casenotes::domain::clients;
use casenotes::domain::measures::{self, Measure, MeasureKind};
use casenotes::export::calendar;
use casenotes::vault::Session;
use chrono::{Local, NaiveDate};
use clap::Subcommand;
use serde_json::json;

use crate::CliError;

#[derive(Subcommand)]
pub enum MeasureCommand {
    /// Record a measure the client completed, from its item scores in the order of the form
    Add {
        case_ref: String,
        /// phq9, gad7 or core10
        #[arg(long)]
        kind: String,
        /// Item scores separated by commas, as scored on the form (CORE-10: the number printed
        /// beside the ticked box, so items 2 and 3 are entered as printed, already reversed)
        #[arg(long, allow_hyphen_values = true)]
        items: String,
        /// The day the client completed it, YYYY-MM-DD [default: today]
        #[arg(long, value_name = "YYYY-MM-DD")]
        on: Option<String>,
    },
    /// List a client's measures: totals, bands, cut-off, change since the first score, alerts
    List { case_ref: String },
    /// Mark a measure as entered in error (it is kept, and left out of every figure)
    Error {
        measure_id: i64,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand)]
pub enum CalendarCommand {
    /// Write upcoming appointments to an .ics file: case reference, time and way of meeting,
    /// never a name or contact details. The file is NOT encrypted.
    Export {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// How many days ahead, from today
        #[arg(long, value_name = "N", default_value_t = calendar::DEFAULT_DAYS)]
        days: u32,
    },
}

fn day(text: Option<&str>) -> Result<NaiveDate, CliError> {
    match text {
        None => Ok(Local::now().date_naive()),
        Some(t) => NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").map_err(|_| {
            CliError::Core(casenotes::Error::rule(
                format!("The date '{t}' is not a date."),
                "Write dates as YYYY-MM-DD, for example 2026-03-03.",
            ))
        }),
    }
}

/// One line of `measure list`: the figures in words.
fn line(m: &Measure) -> String {
    let mut parts = vec![
        format!("{:<6}", m.id),
        format!("{:<8}", m.kind.name()),
        m.taken_on.format("%-d %B %Y").to_string(),
    ];
    if let Some(e) = &m.entered_in_error {
        parts.push(format!(
            "ENTERED IN ERROR (total {} not counted): {}",
            m.total, e.reason
        ));
        return parts.join("  ");
    }
    parts.push(format!("total {} of {}", m.total, m.kind.max_total()));
    parts.push(m.band.to_lowercase());
    parts.push(if m.above_cut_off {
        format!("at or above the cut-off ({})", m.kind.cut_off())
    } else {
        format!("below the cut-off ({})", m.kind.cut_off())
    });
    if let Some(change) = m.change {
        parts.push(match m.change_points {
            Some(p) => format!("{} ({p:+} since the first)", change.words()),
            None => change.words().to_owned(),
        });
    }
    if let Some(a) = m.alert {
        parts.push(format!("ALERT: item {} scored {}", a.item, a.score));
    }
    parts.join("  ")
}

pub fn run(session: &mut Session, command: &MeasureCommand, json: bool) -> Result<(), CliError> {
    match command {
        MeasureCommand::Add {
            case_ref,
            kind,
            items,
            on,
        } => {
            let kind = MeasureKind::parse(kind)?;
            let items = measures::parse_items(items)?;
            // Checked before the client is looked up, so a typing slip is named first.
            kind.total_of(&items)?;
            let taken_on = day(on.as_deref())?;
            let client_id = clients::id_for(session, case_ref)?;
            let m = measures::add(session, client_id, kind, taken_on, &items)?;
            if json {
                println!("{}", json!(m));
            } else {
                println!("{}", line(&m));
            }
        }
        MeasureCommand::List { case_ref } => {
            let client_id = clients::id_for(session, case_ref)?;
            let summary = measures::summary(session, client_id)?;
            if json {
                println!("{}", json!(summary));
                return Ok(());
            }
            if summary.measures.is_empty() {
                println!("No measures recorded for {}.", case_ref.trim());
            }
            for a in &summary.alerts {
                println!("ALERT: {} (measure {}).", a.words(), a.measure_id);
            }
            for m in &summary.measures {
                println!("{}", line(m));
            }
        }
        MeasureCommand::Error { measure_id, reason } => {
            let m = measures::mark_entered_in_error(session, *measure_id, reason)?;
            if json {
                println!("{}", json!(m));
            } else {
                println!(
                    "Measure {} is marked as entered in error. It is kept, and no longer counted.",
                    m.id
                );
            }
        }
    }
    Ok(())
}

pub fn calendar(
    session: &mut Session,
    command: &CalendarCommand,
    json: bool,
) -> Result<(), CliError> {
    match command {
        CalendarCommand::Export { out, days } => {
            let done = calendar::export(session, out, *days)?;
            if json {
                println!("{}", json!(done));
            } else {
                println!(
                    "Wrote {} appointment{} over the next {} days to {}. The file is not encrypted: it holds case references and times only.",
                    done.appointments,
                    if done.appointments == 1 { "" } else { "s" },
                    done.days,
                    done.path
                );
            }
        }
    }
    Ok(())
}
