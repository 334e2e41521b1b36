//! `casenotes risk …`, `casenotes safety-plan …`, `casenotes capacity …` and
//! `casenotes wishes …`: risk formulation, the safety plan, capacity decisions and after-death
//! wishes from the command line. Content goes in as a JSON file (never on the command line, where
//! other users of the computer could see it in the process list); `risk template` prints a blank
//! assessment to fill in. Each command opens the vault, does one thing, and locks it again.

use std::path::{Path, PathBuf};

use casenotes::domain::after_death::{self, WishesDetails};
use casenotes::domain::capacity::{self, CapacityDetails};
use casenotes::domain::clients;
use casenotes::domain::risk::{self, DomainStatus, RiskAssessment, RiskContent};
use casenotes::domain::safety_plan::{self, SafetyPlanContent};
use casenotes::vault::Session;
use chrono::NaiveDate;
use clap::Subcommand;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::report::local_time;
use crate::CliError;

#[derive(Subcommand)]
pub enum RiskCommand {
    /// Print a blank assessment as JSON, to fill in and pass to `risk new --file`
    Template,
    /// Start an assessment for a client from a JSON file (see `risk template`); prints its id
    New {
        case_ref: String,
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
        /// Sign it straight away
        #[arg(long)]
        sign: bool,
    },
    /// Replace a draft assessment's content (refused, exit 6, once it is signed)
    Edit {
        id: i64,
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
    },
    /// Sign a draft; it can never be changed afterwards
    Sign { id: i64 },
    /// Add a correction or addition to a signed assessment
    Addendum {
        id: i64,
        #[arg(long)]
        reason: String,
        #[arg(long, value_name = "FILE")]
        body_file: PathBuf,
    },
    /// List a client's assessments, newest first
    List { case_ref: String },
    /// Show one assessment with its addenda
    Show { id: i64 },
    /// Risk and capacity reviews due within N days, overdue ones included
    Due {
        #[arg(long, value_name = "DAYS", default_value_t = 7)]
        within: u32,
    },
}

#[derive(Subcommand)]
pub enum SafetyPlanCommand {
    /// Save a new version of a client's safety plan from a JSON file (sections left out are
    /// empty, except the crisis lines, which start with the UK's free lines)
    Save {
        case_ref: String,
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
    },
    /// Show the current plan (or one version); --html writes a printable copy for the client
    Show {
        case_ref: String,
        #[arg(long, value_name = "N")]
        version: Option<i64>,
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
    },
    /// List every version, newest first
    Versions { case_ref: String },
}

#[derive(Subcommand)]
pub enum CapacityCommand {
    /// Record a capacity assessment and any best-interest decision from a JSON file
    Add {
        case_ref: String,
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
    },
    /// List a client's capacity decisions, newest first
    List { case_ref: String },
}

#[derive(Subcommand)]
pub enum WishesCommand {
    /// Record the client's wishes about their records after their death (a new version)
    Set {
        case_ref: String,
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
    },
    /// Show the wishes in force (--all: every version, newest first)
    Show {
        case_ref: String,
        #[arg(long)]
        all: bool,
    },
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn day(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// Reads a JSON file. The error names the file and the place, never what it holds.
fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Usage(format!("Could not read {}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| {
        CliError::Usage(format!(
            "{} is not in the expected shape (line {}, column {}: {}).",
            path.display(),
            e.line(),
            e.column(),
            match e.classify() {
                serde_json::error::Category::Syntax | serde_json::error::Category::Eof =>
                    "not valid JSON",
                _ => "a field is missing or has the wrong kind of value",
            }
        ))
    })
}

fn print_json(value: impl serde::Serialize) {
    println!("{}", json!(value));
}

fn summary_line(a: &RiskAssessment) -> String {
    let state = match &a.signed_at {
        Some(at) => format!("signed {}", local_time(at)),
        None => "draft".to_owned(),
    };
    let review = a
        .content
        .review_on
        .map(|d| format!("review by {}", day(d)))
        .unwrap_or_else(|| "no review date".to_owned());
    format!("{:<6} {:<40} {}", a.id, state, review)
}

fn print_assessment(a: &RiskAssessment) {
    println!(
        "Risk assessment {}, started {}",
        a.id,
        local_time(&a.created_at)
    );
    match &a.signed_at {
        Some(at) => println!(
            "Signed {}{}",
            local_time(at),
            if a.signature_holds {
                ""
            } else {
                " (WARNING: the text no longer matches its signature)"
            }
        ),
        None => println!("Draft (not signed)"),
    }
    for d in &a.content.domains {
        println!("\n{}: {}", d.domain.label(), d.status.label());
        if d.status != DomainStatus::NotAssessed {
            for (label, text) in [
                ("Current thoughts and plans", &d.current),
                ("History", &d.history),
                ("Protective factors", &d.protective_factors),
                ("Actions taken", &d.actions),
            ] {
                if !text.is_empty() {
                    println!("  {label}: {text}");
                }
            }
        }
    }
    let c = &a.content;
    println!("\nProtective factors: {}", c.protective_factors);
    println!("Actions: {}", c.actions);
    println!("Overall concern: {}", c.overall_concern);
    match c.review_on {
        Some(r) if r < today() && a.is_signed() => println!("Review by: {} (OVERDUE)", day(r)),
        Some(r) => println!("Review by: {}", day(r)),
        None => println!("Review by: not set"),
    }
    for ad in &a.addenda {
        println!(
            "\nAddendum, {} (reason: {})\n{}",
            local_time(&ad.created_at),
            ad.reason,
            ad.body
        );
    }
}

/// A blank assessment, pretty-printed for a person to fill in.
pub fn print_template() {
    println!(
        "{}",
        serde_json::to_string_pretty(&RiskContent::default()).unwrap_or_default()
    );
}

pub fn risk(session: &mut Session, command: &RiskCommand, json: bool) -> Result<(), CliError> {
    let done = match command {
        RiskCommand::Template => {
            print_template();
            return Ok(());
        }
        RiskCommand::New {
            case_ref,
            file,
            sign,
        } => {
            let content: RiskContent = read_json(file)?;
            let client_id = clients::id_for(session, case_ref)?;
            let a = risk::create(session, client_id, content)?;
            if *sign {
                risk::sign(session, a.id, today())?
            } else {
                a
            }
        }
        RiskCommand::Edit { id, file } => {
            let content: RiskContent = read_json(file)?;
            risk::save_draft(session, *id, content)?
        }
        RiskCommand::Sign { id } => risk::sign(session, *id, today())?,
        RiskCommand::Addendum {
            id,
            reason,
            body_file,
        } => {
            let body = std::fs::read_to_string(body_file).map_err(|e| {
                CliError::Usage(format!("Could not read {}: {e}", body_file.display()))
            })?;
            let ad = risk::add_addendum(session, *id, reason, &body)?;
            if json {
                print_json(json!({ "addendum_id": ad.id, "assessment_id": ad.assessment_id }));
            } else {
                println!(
                    "Addendum {} added to risk assessment {}.",
                    ad.id, ad.assessment_id
                );
            }
            return Ok(());
        }
        RiskCommand::List { case_ref } => {
            let client_id = clients::id_for(session, case_ref)?;
            let list = risk::for_client(session, client_id)?;
            if json {
                print_json(&list);
            } else if list.is_empty() {
                println!("No risk assessments for {case_ref}.");
            } else {
                for a in &list {
                    println!("{}", summary_line(a));
                }
            }
            return Ok(());
        }
        RiskCommand::Show { id } => {
            let a = risk::get(session, *id)?;
            if json {
                print_json(&a);
            } else {
                print_assessment(&a);
            }
            return Ok(());
        }
        RiskCommand::Due { within } => {
            let due = risk::reviews_due(session, today(), *within)?;
            let cap = capacity::reviews_due(session, today(), *within)?;
            if json {
                print_json(json!({ "risk": due, "capacity": cap }));
            } else if due.is_empty() && cap.is_empty() {
                println!("No risk or capacity reviews due in the next {within} days.");
            } else {
                for r in &due {
                    println!(
                        "{:<10} risk assessment {:<6} review {} {}",
                        r.case_ref,
                        r.assessment_id,
                        if r.overdue { "OVERDUE since" } else { "due by" },
                        day(r.review_on)
                    );
                }
                for r in &cap {
                    println!(
                        "{:<10} capacity decision {:<4} review {} {}",
                        r.case_ref,
                        r.decision_id,
                        if r.overdue { "OVERDUE since" } else { "due by" },
                        day(r.review_on)
                    );
                }
            }
            return Ok(());
        }
    };
    if json {
        print_json(json!({
            "assessment_id": done.id,
            "signed": done.is_signed(),
            "content_sha256": done.content_sha256,
        }));
    } else {
        println!("{}", done.id);
    }
    Ok(())
}

pub fn safety_plan(
    session: &mut Session,
    command: &SafetyPlanCommand,
    json: bool,
) -> Result<(), CliError> {
    match command {
        SafetyPlanCommand::Save { case_ref, file } => {
            let content: SafetyPlanContent = read_json(file)?;
            let client_id = clients::id_for(session, case_ref)?;
            let v = safety_plan::save(session, client_id, content)?;
            if json {
                print_json(json!({ "version": v.version, "saved_at": v.saved_at }));
            } else {
                println!(
                    "Safety plan version {} saved for {case_ref} ({}).",
                    v.version,
                    local_time(&v.saved_at)
                );
            }
        }
        SafetyPlanCommand::Show {
            case_ref,
            version,
            html,
        } => {
            let client = clients::get(session, clients::id_for(session, case_ref)?)?;
            let plan = match version {
                Some(n) => safety_plan::get(session, client.id, *n)?,
                None => safety_plan::current(session, client.id)?.ok_or_else(|| {
                    casenotes::Error::rule(
                        format!("{case_ref} has no safety plan yet."),
                        format!(
                            "Save one with: casenotes safety-plan save {case_ref} --file F.json"
                        ),
                    )
                })?,
            };
            if let Some(path) = html {
                let d = &client.details;
                let name = d
                    .preferred_name
                    .as_deref()
                    .filter(|p| !p.is_empty())
                    .unwrap_or(&d.given_name);
                let page = safety_plan::printable_html(&plan, name);
                casenotes::fsutil::write_atomic(path, page.as_bytes())?;
                safety_plan::record_printed(session, &plan)?;
                if json {
                    print_json(json!({ "version": plan.version, "html": path }));
                } else {
                    println!(
                        "Wrote a printable copy of version {} to {}.",
                        plan.version,
                        path.display()
                    );
                }
            } else if json {
                print_json(&plan);
            } else {
                println!(
                    "Safety plan for {case_ref}, version {}, saved {}",
                    plan.version,
                    local_time(&plan.saved_at)
                );
                for (heading, _, text) in plan.content.sections() {
                    println!("\n{heading}");
                    for line in text.lines() {
                        println!("  - {line}");
                    }
                }
            }
        }
        SafetyPlanCommand::Versions { case_ref } => {
            let client_id = clients::id_for(session, case_ref)?;
            let list = safety_plan::versions(session, client_id)?;
            if json {
                print_json(&list);
            } else if list.is_empty() {
                println!("{case_ref} has no safety plan yet.");
            } else {
                for (i, v) in list.iter().enumerate() {
                    println!(
                        "version {:<4} saved {}{}",
                        v.version,
                        local_time(&v.saved_at),
                        if i == 0 { " (current)" } else { "" }
                    );
                }
            }
        }
    }
    Ok(())
}

pub fn capacity(
    session: &mut Session,
    command: &CapacityCommand,
    json: bool,
) -> Result<(), CliError> {
    match command {
        CapacityCommand::Add { case_ref, file } => {
            let details: CapacityDetails = read_json(file)?;
            let client_id = clients::id_for(session, case_ref)?;
            let c = capacity::add(session, client_id, details, today())?;
            if json {
                print_json(json!({ "decision_id": c.id, "review_on": c.details.review_on }));
            } else {
                println!(
                    "{} (review by {})",
                    c.id,
                    c.details.review_on.map(day).unwrap_or_default()
                );
            }
        }
        CapacityCommand::List { case_ref } => {
            let client_id = clients::id_for(session, case_ref)?;
            let list = capacity::for_client(session, client_id)?;
            if json {
                print_json(&list);
            } else if list.is_empty() {
                println!("No capacity decisions recorded for {case_ref}.");
            } else {
                for c in &list {
                    let d = &c.details;
                    println!(
                        "{:<6} assessed {}: {}. {} Review by {}.",
                        c.id,
                        day(d.assessed_on),
                        d.decision,
                        d.outcome.label(),
                        d.review_on.map(day).unwrap_or_default()
                    );
                }
            }
        }
    }
    Ok(())
}

pub fn wishes(session: &mut Session, command: &WishesCommand, json: bool) -> Result<(), CliError> {
    match command {
        WishesCommand::Set { case_ref, file } => {
            let details: WishesDetails = read_json(file)?;
            let client_id = clients::id_for(session, case_ref)?;
            let w = after_death::set(session, client_id, details, today())?;
            if json {
                print_json(json!({ "version": w.version }));
            } else {
                println!("Recorded version {} of {case_ref}'s wishes.", w.version);
            }
        }
        WishesCommand::Show { case_ref, all } => {
            let client_id = clients::id_for(session, case_ref)?;
            let history = after_death::history(session, client_id)?;
            if json {
                if *all {
                    print_json(&history);
                } else {
                    print_json(history.first());
                }
            } else if history.is_empty() {
                println!("No wishes about records after death are recorded for {case_ref}.");
            } else {
                let shown = if *all { &history[..] } else { &history[..1] };
                for w in shown {
                    let d = &w.details;
                    println!(
                        "Version {}, recorded {}\nWishes: {}\nWho may see the records: {}\nWho may not: {}\n",
                        w.version,
                        day(d.recorded_on),
                        d.wishes,
                        if d.who_may_see.is_empty() { "not stated" } else { d.who_may_see.as_str() },
                        if d.who_may_not_see.is_empty() { "not stated" } else { d.who_may_not_see.as_str() },
                    );
                }
            }
        }
    }
    Ok(())
}
