//! `casenotes retention due|destroy|register|policy`: thin wrappers over `casenotes::retention`.

use std::path::PathBuf;

use casenotes::domain::settings;
use casenotes::retention::{self, Category, Hold, Policy, Preset, Target};
use casenotes::vault::Session;
use chrono::{Local, NaiveDate};
use clap::{Subcommand, ValueEnum};
use serde_json::json;

use crate::report::local_time;
use crate::CliError;

#[derive(Subcommand)]
pub enum RetentionCommand {
    /// What is due for destruction, under which rule, since when, and what holds it back
    Due {
        /// Look as of this day (YYYY-MM-DD) instead of today
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
    },
    /// Destroy records that are due: every row, attachment and search entry; a certificate remains
    Destroy {
        /// Case references (C-0042), or C-0042:appointments for old appointments only
        #[arg(required = true, value_name = "REF")]
        refs: Vec<String>,
        /// Why (for example: retention period passed; appraised, no further need)
        #[arg(long)]
        reason: String,
        /// Destroy as of this day (YYYY-MM-DD, today or earlier) instead of today
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
    },
    /// The destruction register: a certificate for every record destroyed
    Register {
        /// Also write it as a printable HTML page
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
    },
    /// Show the retention policy, or choose a preset
    Policy {
        #[arg(long, value_enum)]
        preset: Option<PresetArg>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum PresetArg {
    /// UK counselling: 7 years after therapy ended (children: until 25, or 26 if 17 at the end)
    Uk,
    /// NHS Records Management Code, mental health: 20 years (children: as above if later)
    Nhs,
}

fn as_of(text: Option<&str>) -> Result<NaiveDate, CliError> {
    match text {
        None => Ok(Local::now().date_naive()),
        Some(t) => NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d")
            .map_err(|_| CliError::Usage(format!("'{t}' is not a date: write it as YYYY-MM-DD."))),
    }
}

fn day(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

pub fn run(s: &mut Session, action: &RetentionCommand, json: bool) -> Result<(), CliError> {
    match action {
        RetentionCommand::Due { as_of: when } => {
            let policy = retention::policy::current(s)?;
            let on = as_of(when.as_deref())?;
            let items = retention::due_list(s, &policy, on)?;
            if json {
                println!(
                    "{}",
                    json!({ "as_of": on, "policy": policy, "items": items })
                );
                return Ok(());
            }
            if items.is_empty() {
                println!("Nothing is due for destruction on {}.", day(on));
            }
            for i in &items {
                let what = match i.category {
                    Category::Appointments => {
                        format!("{} appointments and fees", i.counts.appointments)
                    }
                    c => format!(
                        "{} ({} notes, {} addenda, {} appointments, {} attachments)",
                        c.label(),
                        i.counts.notes,
                        i.counts.addenda,
                        i.counts.appointments,
                        i.counts.attachments
                    ),
                };
                let state = match &i.held_by {
                    None => format!("due since {}", day(i.due_on)),
                    Some(Hold::LegalHold { reason }) => {
                        format!("would be due since {}, but on legal hold: {reason}", day(i.due_on))
                    }
                    Some(Hold::Returned { on, due_on }) => format!(
                        "would have been due on {}, but the client came back on {}: now kept until {}",
                        day(i.due_on),
                        day(*on),
                        day(*due_on)
                    ),
                };
                println!(
                    "{}  {}  {what}\n    {state}\n    rule: {}",
                    i.case_ref, i.name, i.rule
                );
            }
        }
        RetentionCommand::Destroy {
            refs,
            reason,
            as_of: when,
        } => {
            let policy = retention::policy::current(s)?;
            let on = as_of(when.as_deref())?;
            let targets: Vec<Target> = refs
                .iter()
                .map(|r| Target::parse(r))
                .collect::<Result<_, _>>()?;
            let certs = retention::destroy(s, &policy, &targets, reason, on, &mut |p| {
                if !json {
                    eprintln!("casenotes: destruction: {} of {} steps", p.done, p.total);
                }
            })?;
            if json {
                println!("{}", json!({ "certificates": certs }));
            } else {
                for c in &certs {
                    println!(
                        "Destroyed {} ({}, {}): {} notes, {} addenda, {} appointments, {} attachments. Certificate {} is in the destruction register.",
                        c.case_ref,
                        c.initials,
                        c.category.label(),
                        c.counts.notes,
                        c.counts.addenda,
                        c.counts.appointments,
                        c.counts.attachments,
                        c.seq
                    );
                }
                let holding = casenotes::export::backup::holding_destroyed(s)?;
                if !holding.is_empty() {
                    println!(
                        "{} backup{} in your backup folder still hold{} these records: {}.\nMake a fresh backup and remove them when you are ready (the app offers to do both).",
                        holding.len(),
                        if holding.len() == 1 { "" } else { "s" },
                        if holding.len() == 1 { "s" } else { "" },
                        holding.iter().map(|b| b.file_name.as_str()).collect::<Vec<_>>().join(", ")
                    );
                }
            }
        }
        RetentionCommand::Register { html } => {
            let certs = retention::register::list(s.conn()?)?;
            retention::register::verify(s.conn()?)?;
            if let Some(path) = html {
                let practice = settings::get(s, settings::PRACTICE_NAME)?
                    .unwrap_or_else(|| "casenotes".to_owned());
                let page = retention::register::report_html(
                    &certs,
                    &practice,
                    &Local::now().format("%-d %B %Y at %H:%M").to_string(),
                );
                casenotes::fsutil::write_atomic(path, page.as_bytes())?;
            }
            if json {
                println!("{}", json!(certs));
                return Ok(());
            }
            if certs.is_empty() {
                println!("No records have been destroyed.");
            }
            for c in &certs {
                println!(
                    "{:>4}  {}  {} {}  {}: {} notes, {} addenda, {} appointments, {} attachments\n      rule: {}; due {}; reason: {}{}",
                    c.seq,
                    local_time(&c.destroyed_at),
                    c.case_ref,
                    c.initials,
                    c.category.label(),
                    c.counts.notes,
                    c.counts.addenda,
                    c.counts.appointments,
                    c.counts.attachments,
                    c.rule,
                    day(c.due_on),
                    c.reason,
                    c.reapplied_from
                        .as_deref()
                        .map(|f| format!(" (carried over after restoring a backup: {f})"))
                        .unwrap_or_default()
                );
            }
        }
        RetentionCommand::Policy { preset } => {
            if let Some(p) = preset {
                let chosen = match p {
                    PresetArg::Uk => Preset::UkCounselling,
                    PresetArg::Nhs => Preset::NhsMentalHealth,
                };
                retention::policy::set(s, &Policy::preset(chosen))?;
            }
            let policy = retention::policy::current(s)?;
            if json {
                println!("{}", json!(policy));
            } else {
                println!("Retention policy: {}", policy.preset.label());
                for c in [
                    Category::ClientRecord,
                    Category::Enquiry,
                    Category::Appointments,
                ] {
                    let minor =
                        (c == Category::ClientRecord).then_some(policy.minor_until_birthday);
                    println!("  {}: {}", c.label(), policy.rule_text(c, minor));
                }
            }
        }
    }
    Ok(())
}
