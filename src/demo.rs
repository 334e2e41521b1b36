//! A demo practice: invented clients, appointments and signed notes, for trying casenotes and
//! for benchmarks. Every name and every sentence is made up; nothing here is real clinical data.
//!
//! Clients start therapy at random points over the chosen years; sessions are weekly with the
//! gaps of real life (holidays, cancellations, missed sessions); most clients finish after a
//! few months, some are still active, about one in ten is under 18. Each client's records go in
//! one transaction, with one audit entry naming the counts.
//!
//! A realistic practice ([`generate_realistic`], `casenotes demo --realistic`) has the same
//! clients and sessions for the same seed, but its notes are 300-3,000 characters of varied
//! prose from [`crate::corpus`] (a 30,000-word vocabulary, clinical terms, the people and places
//! of each client's life, a few typos), and letters and scans are attached at the sizes a
//! practice sees. The benchmarks measure that one.

use chrono::{Duration, Local, NaiveDate, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use serde_json::json;

use crate::audit::{self, Action};
use crate::corpus::{ClientWorld, Writer};
use crate::domain::appointments::{self, AppointmentDetails, Attendance, Mode};
use crate::domain::attachments;
use crate::domain::clients::{self, ClientDetails, ClientStatus};
use crate::domain::notes::{self, NoteKind, Template};
use crate::error::{Error, Result};
use crate::vault::Session;

const GIVEN: &[&str] = &[
    "Alys", "Bronwen", "Callum", "Dara", "Eilidh", "Faisal", "Gethin", "Hollis", "Imogen", "Jory",
    "Kasia", "Lowri", "Marek", "Niamh", "Oisin", "Priya", "Quentin", "Rhiannon", "Saoirse",
    "Tobias", "Ulla", "Vikram", "Wren", "Xander", "Yusra", "Zofia", "Aurelie", "Bramwell", "Cerys",
    "Declan", "Esme", "Fenella", "Gideon", "Hamza", "Isla", "Jago",
];
const FAMILY: &[&str] = &[
    "Ashdown",
    "Brackenridge",
    "Carrow",
    "Dunmore",
    "Elsworth",
    "Fairbairn",
    "Greenhalgh",
    "Haverford",
    "Inchbald",
    "Jessop",
    "Kettlewell",
    "Lindqvist",
    "Marchbank",
    "Nettleford",
    "Ormesby",
    "Penhallow",
    "Quarrie",
    "Rowntree",
    "Sowerby",
    "Tregarthen",
    "Underhill",
    "Vellacott",
    "Wetherall",
    "Yeardley",
    "Zennor",
    "Abernethy",
    "Blackmore",
];
const REFERRALS: &[&str] = &[
    "GP",
    "self-referral",
    "employee assistance programme",
    "university counselling",
    "a friend",
];
const THEMES: &[&str] = &[
    "low mood",
    "anxiety about work",
    "grief after a bereavement",
    "panic attacks",
    "sleep problems",
    "a relationship ending",
    "stress at university",
    "caring for a parent",
    "feeling stuck",
    "anger at home",
    "loneliness since moving",
    "confidence at work",
    "a recent redundancy",
    "intrusive memories",
    "exam pressure",
    "family conflict",
];
const SUBJECTIVE: &[&str] = &[
    "Reported a difficult week with {theme}.",
    "Said things felt a little easier; {theme} still present most days.",
    "Came in tired; described {theme} getting in the way of work.",
    "Talked at length about {theme} and what it reminds them of.",
    "Described a good weekend, then a setback with {theme} on Monday.",
];
const OBJECTIVE: &[&str] = &[
    "Engaged and thoughtful; good eye contact.",
    "Tearful at times, settled towards the end.",
    "Quieter than usual; long pauses before answering.",
    "Animated, spoke quickly, laughed easily.",
];
const ASSESSMENT: &[&str] = &[
    "Making steady progress; coping strategies are being used.",
    "Mood lower than last session; no new risk disclosed.",
    "Insight growing into the pattern behind {theme}.",
    "Working alliance strong; goals still fit.",
];
const PLAN: &[&str] = &[
    "Continue weekly; revisit the breathing exercise.",
    "Review goals next session.",
    "Try the thought record before next week.",
    "Plan for the ending in four sessions.",
];

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct DemoOptions {
    pub clients: u32,
    pub years: u32,
    /// The same seed gives the same practice.
    pub seed: u64,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DemoSummary {
    pub clients: u32,
    pub minors: u32,
    pub ended: u32,
    pub appointments: u32,
    pub notes: u32,
}

fn fill(rng: &mut StdRng, options: &[&str], theme: &str) -> String {
    options
        .choose(rng)
        .copied()
        .unwrap_or_default()
        .replace("{theme}", theme)
}

fn note_body(rng: &mut StdRng, template: Template, theme: &str) -> String {
    match template {
        Template::Free => format!(
            "{} {}",
            fill(rng, SUBJECTIVE, theme),
            fill(rng, PLAN, theme)
        ),
        _ => {
            let parts = [SUBJECTIVE, OBJECTIVE, ASSESSMENT, PLAN];
            template
                .sections()
                .iter()
                .enumerate()
                .map(|(i, heading)| {
                    let bank = parts[(i * parts.len() / template.sections().len()).min(3)];
                    format!("## {heading}\n{}\n", fill(rng, bank, theme))
                })
                .collect()
        }
    }
}

/// What a realistic practice adds to the plain one.
#[derive(Debug, Clone, Copy)]
pub struct RealisticOptions {
    pub practice: DemoOptions,
    /// Attachment bytes per note, on average over the practice (10 KB gives 1 GB at 100,000
    /// notes). Letters are 100-500 KB, scans 1-5 MB. 0: no attachments.
    pub attachment_bytes_per_note: u64,
}

/// Letters and scans: about 10 KB per note, 1 GB at 100,000 notes.
pub const DEFAULT_ATTACHMENT_BYTES_PER_NOTE: u64 = 10 * 1024;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RealisticSummary {
    #[serde(flatten)]
    pub practice: DemoSummary,
    pub attachments: u32,
    pub attachment_bytes: u64,
    /// Characters of note text in all.
    pub note_chars: u64,
}

/// How note bodies are written.
enum Style {
    Simple,
    Realistic {
        writer: Box<Writer>,
        text: Box<StdRng>,
        files: Box<StdRng>,
        bytes_per_note: u64,
    },
}

/// Fills the vault with a demo practice, calling `progress(done, total)` after each client.
pub fn generate(
    session: &mut Session,
    options: DemoOptions,
    progress: &mut dyn FnMut(u32, u32),
) -> Result<DemoSummary> {
    Ok(build(session, options, Style::Simple, progress)?.practice)
}

/// Fills the vault with a realistic demo practice (see the module doc), calling
/// `progress(done, total)` after each client.
pub fn generate_realistic(
    session: &mut Session,
    options: RealisticOptions,
    progress: &mut dyn FnMut(u32, u32),
) -> Result<RealisticSummary> {
    let seed = options.practice.seed;
    let style = Style::Realistic {
        writer: Box::new(Writer::new()),
        // Streams of their own, so the practice's shape is the same as the plain one's.
        text: Box::new(StdRng::seed_from_u64(seed ^ 0x7e47_5eed_0000_0001)),
        files: Box::new(StdRng::seed_from_u64(seed ^ 0xf11e_5eed_0000_0002)),
        bytes_per_note: options.attachment_bytes_per_note,
    };
    build(session, options.practice, style, progress)
}

fn build(
    session: &mut Session,
    options: DemoOptions,
    mut style: Style,
    progress: &mut dyn FnMut(u32, u32),
) -> Result<RealisticSummary> {
    if options.clients == 0 || options.years == 0 || options.years > 30 {
        return Err(Error::rule(
            "A demo practice needs at least one client and between 1 and 30 years.",
            "Try --clients 40 --years 3.",
        ));
    }
    let mut rng = StdRng::seed_from_u64(options.seed);
    let today = Local::now().date_naive();
    let span_days = i64::from(options.years) * 365;
    let mut summary = RealisticSummary::default();
    // Attachment bytes owed to the practice so far (may go below zero after a big scan).
    let mut owed: i64 = 0;
    for n in 0..options.clients {
        let start = today - Duration::days(rng.gen_range(14..span_days.max(15)));
        let minor = rng.gen_bool(0.1);
        let age_years = if minor {
            rng.gen_range(12..18)
        } else {
            rng.gen_range(18..80)
        };
        let dob = start - Duration::days(age_years * 365 + rng.gen_range(0..365));
        let planned = rng.gen_range(6..=40);
        let given = GIVEN.choose(&mut rng).copied().unwrap_or("Alex");
        let mut d =
            ClientDetails::named(given, FAMILY.choose(&mut rng).copied().unwrap_or("Smith"));
        d.date_of_birth = Some(dob);
        d.referral_source = REFERRALS.choose(&mut rng).map(|s| (*s).to_owned());
        d.first_contact_on = Some(start - Duration::days(rng.gen_range(3..21)));
        d.therapy_started_on = Some(start);
        d.pronouns = ["she/her", "he/him", "they/them"]
            .choose(&mut rng)
            .map(|s| (*s).to_owned());
        let weekday_hour = rng.gen_range(9..19);
        let theme = *THEMES.choose(&mut rng).unwrap_or(&"low mood");
        let template = *[
            Template::Soap,
            Template::Dap,
            Template::Birp,
            Template::Free,
        ]
        .choose(&mut rng)
        .unwrap_or(&Template::Free);

        // Plan the sessions first, to know whether the client has ended.
        let mut dates: Vec<NaiveDate> = Vec::new();
        let mut day = start;
        while (dates.len() as u32) < planned && day < today {
            dates.push(day);
            day += Duration::weeks(if rng.gen_bool(0.1) { 2 } else { 1 });
        }
        let ended = (dates.len() as u32) >= planned;
        if ended {
            d.status = ClientStatus::Ended;
            d.therapy_ended_on = dates.last().copied();
        } else {
            d.status = ClientStatus::Active;
        }
        let client = clients::add(session, d)?;
        let world = match &mut style {
            Style::Simple => None,
            Style::Realistic { text, .. } => Some(ClientWorld::new(text, given)),
        };

        let tx = session.conn_mut()?.transaction()?;
        let (mut appts, mut notes_written) = (0u32, 0u32);
        for date in dates {
            let local = date
                .and_hms_opt(weekday_hour, 0, 0)
                .and_then(|t| Local.from_local_datetime(&t).earliest())
                .map(|t| t.with_timezone(&Utc));
            let Some(starts_at) = local else { continue };
            let roll: f64 = rng.gen();
            let attendance = if roll < 0.06 {
                Attendance::Cancelled
            } else if roll < 0.09 {
                Attendance::DidNotAttend
            } else {
                Attendance::Attended
            };
            let appt = appointments::import(
                &tx,
                &AppointmentDetails {
                    client_id: client.id,
                    starts_at,
                    minutes: 50,
                    mode: *[Mode::InPerson, Mode::InPerson, Mode::Video, Mode::Phone]
                        .choose(&mut rng)
                        .unwrap_or(&Mode::InPerson),
                    attendance,
                    fee_pence: Some(5500),
                    paid: attendance != Attendance::Cancelled,
                },
            )?;
            appts += 1;
            if attendance == Attendance::Attended {
                let written = (starts_at + Duration::minutes(70))
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
                let body = match (&mut style, &world) {
                    (Style::Realistic { writer, text, .. }, Some(world)) => {
                        writer.note(text, template, world)
                    }
                    _ => note_body(&mut rng, template, theme),
                };
                summary.note_chars += body.chars().count() as u64;
                notes::import_signed(
                    &tx,
                    client.id,
                    Some(appt),
                    NoteKind::Session,
                    template,
                    &body,
                    &written,
                )?;
                notes_written += 1;
            }
        }
        audit::append(
            &tx,
            Action::DemoDataAdded,
            Some(&client.case_ref),
            json!({ "client_id": client.id, "appointments": appts, "notes": notes_written }),
        )?;
        tx.commit()?;
        if let Style::Realistic {
            writer,
            files,
            bytes_per_note,
            ..
        } = &mut style
        {
            owed += i64::from(notes_written) * (*bytes_per_note as i64);
            while *bytes_per_note > 0 && owed > 0 {
                // One in four is a scan (an assessment form, a signed contract), the rest letters.
                let scan = files.gen_bool(0.25);
                let (name, content) = writer.attachment(files, scan);
                attachments::add(session, client.id, None, &name, &content)?;
                owed -= content.len() as i64;
                summary.attachments += 1;
                summary.attachment_bytes += content.len() as u64;
            }
        }
        let p = &mut summary.practice;
        p.clients += 1;
        p.minors += u32::from(minor);
        p.ended += u32::from(ended);
        p.appointments += appts;
        p.notes += notes_written;
        progress(n + 1, options.clients);
    }
    Ok(summary)
}

/// Adds one long-standing client with `count` weekly signed notes (for the "open a client file
/// with 500 notes" benchmark), realistic ones when asked. Returns the case reference.
pub fn add_long_history(
    session: &mut Session,
    count: u32,
    seed: u64,
    realistic: bool,
) -> Result<String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let writer = realistic.then(|| (Writer::new(), ClientWorld::new(&mut rng, "Long")));
    let today = Local::now().date_naive();
    let start = today - Duration::weeks(i64::from(count) + 1);
    let mut d = ClientDetails::named("Long", "Standing");
    d.status = ClientStatus::Active;
    d.first_contact_on = Some(start);
    d.therapy_started_on = Some(start);
    let client = clients::add(session, d)?;
    let tx = session.conn_mut()?.transaction()?;
    for week in 0..count {
        let written = (start + Duration::weeks(i64::from(week)))
            .and_hms_opt(12, 0, 0)
            .map(|t| {
                Utc.from_utc_datetime(&t)
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            })
            .unwrap_or_default();
        let theme = *THEMES.choose(&mut rng).unwrap_or(&"low mood");
        let body = match &writer {
            Some((w, world)) => w.note(&mut rng, Template::Soap, world),
            None => note_body(&mut rng, Template::Soap, theme),
        };
        notes::import_signed(
            &tx,
            client.id,
            None,
            NoteKind::Session,
            Template::Soap,
            &body,
            &written,
        )?;
    }
    tx.commit()?;
    Ok(client.case_ref)
}

/// Words that occur in demo notes and names, for varied benchmark searches.
pub fn vocabulary() -> Vec<String> {
    let mut words: Vec<String> = THEMES
        .iter()
        .chain(SUBJECTIVE)
        .chain(OBJECTIVE)
        .chain(ASSESSMENT)
        .chain(PLAN)
        .flat_map(|s| s.split(|c: char| !c.is_alphabetic()))
        .filter(|w| w.len() > 3 && *w != "theme")
        .map(str::to_lowercase)
        .chain(GIVEN.iter().chain(FAMILY).map(|s| s.to_string()))
        .collect();
    words.sort();
    words.dedup();
    words
}

/// The family names demo clients are given, for benchmark searches by name.
pub fn client_family_names() -> &'static [&'static str] {
    FAMILY
}
