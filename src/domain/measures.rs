//! Outcome measures on the client file: PHQ-9, GAD-7 and CORE-10, entered as item scores.
//!
//! Owns the `measures` table. A measure is the day the client completed it and its item scores
//! in the order of the form; the total, severity band, clinical cut-off, reliable change against
//! the client's first score of that measure and any alert item are worked out here whenever a
//! measure is read, so they never drift from the scores. A measure is final once recorded: a
//! mistaken entry is marked "entered in error" with a reason, kept and shown struck through, and
//! left out of every figure (a trigger refuses any other change). Audit entries hold ids only;
//! errors never quote a score or a reason.
//!
//! These are monitoring figures for the practitioner's judgement. Nothing here computes, or may
//! ever compute, a predictive risk score (NICE NG225, 2022): an alert item says only that the
//! client scored an item about self-harm or ending their life above 0, so that it is seen.
//!
//! # The published figures, and where they come from
//!
//! | measure | items, scores | bands (total) | cut-off | reliable change |
//! |---|---|---|---|---|
//! | PHQ-9 | 9, 0-3 | 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19 moderately severe, 20-27 severe | 10 or more | 6 points |
//! | GAD-7 | 7, 0-3 | 0-4 minimal, 5-9 mild, 10-14 moderate, 15-21 severe | 8 or more | 4 points |
//! | CORE-10 | 10, 0-4 | 0-5 healthy, 6-10 low level, 11-14 mild, 15-19 moderate, 20-24 moderately severe, 25-40 severe | 11 or more | 6 points |
//!
//! - PHQ-9 bands: Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression
//!   severity measure. J Gen Intern Med 2001;16:606-613 ("scores of 5, 10, 15 and 20 represented
//!   mild, moderate, moderately severe and severe depression").
//! - GAD-7 bands: Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing
//!   generalized anxiety disorder: the GAD-7. Arch Intern Med 2006;166:1092-1097 (cut points 5,
//!   10 and 15 for mild, moderate and severe anxiety).
//! - PHQ-9 and GAD-7 cut-offs and reliable change: the NHS Talking Therapies (formerly IAPT)
//!   Manual and its data handbook: a case is PHQ-9 10 or more or GAD-7 8 or more; reliable
//!   improvement is a fall of 6 or more on the PHQ-9 and 4 or more on the GAD-7 (and a rise of
//!   as much is reliable deterioration). The GAD-7's own screening cut point (Spitzer 2006) is
//!   10; casenotes uses the Talking Therapies threshold of 8, which UK services report against.
//! - CORE-10: Barkham M, Bewick B, Mullin T et al. The CORE-10: a short measure of psychological
//!   distress for routine use in the psychological therapies. Counselling and Psychotherapy
//!   Research 2013;13(1):3-13, and the CORE-10 User Manual (Connell & Barkham, 2007): clinical
//!   cut-off 11, the severity bands above (the manual's "practice guide for interpreting CORE-10
//!   clinical scores"), and a reliable change of 6 points on the clinical score. Some web pages
//!   quote the CORE-OM bands with 11-15, 16-20… for the CORE-10; those are not the CORE-10's.
//!   (One study of stroke inpatients, Steverson et al. 2024, derived 9 points for that group;
//!   casenotes uses the published 6.)
//!
//! # Item wording
//!
//! PHQ-9 and GAD-7 item wording is shown as published ("Developed by Drs. Robert L. Spitzer,
//! Janet B.W. Williams, Kurt Kroenke and colleagues, with an educational grant from Pfizer Inc.
//! No permission required to reproduce, translate, display or distribute.").
//!
//! The CORE-10's wording is not reproduced. Its licence (CORE System Trust, Creative Commons
//! BY-NC-ND 4.0) allows it in software only unchanged, with the copyright line, and only for
//! non-commercial use; casenotes cannot promise every practice's use is non-commercial, so it
//! shows item numbers, the copyright line, which item is the risk item (item 6) and which are
//! positively worded (items 2 and 3), and the practitioner scores from their own paper copy.
//!
//! # CORE-10 reverse-scored items
//!
//! Items 2 and 3 of the CORE-10 are positively worded, so on the form their boxes are numbered
//! from 4 down to 0. casenotes expects the score as printed beside the box the client ticked
//! (the scored value as circled on the form), never the column position: it adds the ten values
//! as given and reverses nothing.

use chrono::{Local, NaiveDate, SecondsFormat, Utc};
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{self, Action};
use crate::domain::clients;
use crate::error::{Error, Result};
use crate::vault::Session;

/// The longest "entered in error" reason accepted.
pub const MAX_REASON_CHARS: usize = 2_000;

/// The CORE-10 copyright line, which its licence requires to be visible wherever it is used.
pub const CORE10_COPYRIGHT: &str =
    "CORE-10 © CORE System Trust: https://www.coresystemtrust.org.uk/copyright.pdf";

/// The PHQ-9 and GAD-7 permission statement.
pub const PHQ_COPYRIGHT: &str = "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with an educational grant from Pfizer Inc. No permission required to reproduce, translate, display or distribute.";

const PHQ9_ITEMS: [&str; 9] = [
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
];

const GAD7_ITEMS: [&str; 7] = [
    "Feeling nervous, anxious or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid as if something awful might happen",
];

const PHQ_RESPONSES: [&str; 4] = [
    "Not at all",
    "Several days",
    "More than half the days",
    "Nearly every day",
];

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    Phq9,
    Gad7,
    Core10,
}

/// One band of totals: `from..=to` is called `label`.
struct Band {
    from: u32,
    to: u32,
    label: &'static str,
}

const fn band(from: u32, to: u32, label: &'static str) -> Band {
    Band { from, to, label }
}

const PHQ9_BANDS: [Band; 5] = [
    band(0, 4, "Minimal"),
    band(5, 9, "Mild"),
    band(10, 14, "Moderate"),
    band(15, 19, "Moderately severe"),
    band(20, 27, "Severe"),
];
const GAD7_BANDS: [Band; 4] = [
    band(0, 4, "Minimal"),
    band(5, 9, "Mild"),
    band(10, 14, "Moderate"),
    band(15, 21, "Severe"),
];
const CORE10_BANDS: [Band; 6] = [
    band(0, 5, "Healthy"),
    band(6, 10, "Low level"),
    band(11, 14, "Mild"),
    band(15, 19, "Moderate"),
    band(20, 24, "Moderately severe"),
    band(25, 40, "Severe"),
];

impl MeasureKind {
    pub const ALL: [MeasureKind; 3] = [MeasureKind::Phq9, MeasureKind::Gad7, MeasureKind::Core10];

    pub fn as_str(self) -> &'static str {
        match self {
            MeasureKind::Phq9 => "phq9",
            MeasureKind::Gad7 => "gad7",
            MeasureKind::Core10 => "core10",
        }
    }

    pub fn parse(text: &str) -> Result<Self> {
        match text.trim().to_ascii_lowercase().replace('-', "").as_str() {
            "phq9" => Ok(MeasureKind::Phq9),
            "gad7" => Ok(MeasureKind::Gad7),
            "core10" => Ok(MeasureKind::Core10),
            _ => Err(Error::rule(
                format!("'{}' is not a measure casenotes knows.", text.trim()),
                "Use phq9, gad7 or core10.",
            )),
        }
    }

    /// The name as it is printed on the form: "PHQ-9".
    pub fn name(self) -> &'static str {
        match self {
            MeasureKind::Phq9 => "PHQ-9",
            MeasureKind::Gad7 => "GAD-7",
            MeasureKind::Core10 => "CORE-10",
        }
    }

    pub fn item_count(self) -> usize {
        match self {
            MeasureKind::Phq9 => 9,
            MeasureKind::Gad7 => 7,
            MeasureKind::Core10 => 10,
        }
    }

    /// The highest score one item can have.
    pub fn max_item_score(self) -> u8 {
        match self {
            MeasureKind::Phq9 | MeasureKind::Gad7 => 3,
            MeasureKind::Core10 => 4,
        }
    }

    pub fn max_total(self) -> u32 {
        self.item_count() as u32 * u32::from(self.max_item_score())
    }

    fn bands(self) -> &'static [Band] {
        match self {
            MeasureKind::Phq9 => &PHQ9_BANDS,
            MeasureKind::Gad7 => &GAD7_BANDS,
            MeasureKind::Core10 => &CORE10_BANDS,
        }
    }

    /// The lowest total in the clinical range.
    pub fn cut_off(self) -> u32 {
        match self {
            MeasureKind::Phq9 => 10,
            MeasureKind::Gad7 => 8,
            MeasureKind::Core10 => 11,
        }
    }

    /// The smallest change of total, either way, that counts as reliable.
    pub fn reliable_change(self) -> u32 {
        match self {
            MeasureKind::Phq9 => 6,
            MeasureKind::Gad7 => 4,
            MeasureKind::Core10 => 6,
        }
    }

    /// The item (numbered from 1) that raises an alert when scored above 0: PHQ-9 item 9
    /// (thoughts of being better off dead or of self-harm) and CORE-10 item 6 (the risk item).
    pub fn alert_item(self) -> Option<u8> {
        match self {
            MeasureKind::Phq9 => Some(9),
            MeasureKind::Gad7 => None,
            MeasureKind::Core10 => Some(6),
        }
    }

    /// Items (numbered from 1) worded positively, whose boxes on the form run from 4 down to 0.
    pub fn positively_worded(self) -> &'static [u8] {
        match self {
            MeasureKind::Core10 => &[2, 3],
            _ => &[],
        }
    }

    /// The severity band of a total, in words ("Moderately severe").
    pub fn band_of(self, total: u32) -> &'static str {
        self.bands()
            .iter()
            .find(|b| (b.from..=b.to).contains(&total))
            .map(|b| b.label)
            // Totals are validated before they are banded; past the top is the top band.
            .unwrap_or("Severe")
    }

    /// Checks item scores (count and range) and adds them up.
    pub fn total_of(self, items: &[u8]) -> Result<u32> {
        let (name, count, max) = (self.name(), self.item_count(), self.max_item_score());
        if items.len() != count {
            return Err(Error::rule(
                format!(
                    "A {name} has {count} items, and {} {} given.",
                    items.len(),
                    if items.len() == 1 {
                        "score was"
                    } else {
                        "scores were"
                    }
                ),
                format!("Enter one score for each of the {count} items, in the order of the form, each 0 to {max}. Nothing was saved."),
            ));
        }
        if let Some(i) = items.iter().position(|&s| s > max) {
            return Err(Error::rule(
                format!(
                    "Item {} of the {name} is out of range: each item is scored 0 to {max}.",
                    i + 1
                ),
                "Check the score the client gave for that item on the form. Nothing was saved.",
            ));
        }
        Ok(items.iter().map(|&s| u32::from(s)).sum())
    }
}

/// How a total compares with the client's first score of the same measure.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// This is the first score: the one later scores are compared with.
    FirstScore,
    ReliableImprovement,
    ReliableDeterioration,
    NoReliableChange,
}

impl Change {
    /// In words, for a table or the command line.
    pub fn words(self) -> &'static str {
        match self {
            Change::FirstScore => "first score",
            Change::ReliableImprovement => "reliable improvement",
            Change::ReliableDeterioration => "reliable deterioration",
            Change::NoReliableChange => "no reliable change",
        }
    }
}

/// Reliable change of `total` against `first` (lower is better on all three measures).
pub fn change_between(kind: MeasureKind, first: u32, total: u32) -> Change {
    let threshold = kind.reliable_change();
    if first >= total + threshold {
        Change::ReliableImprovement
    } else if total >= first + threshold {
        Change::ReliableDeterioration
    } else {
        Change::NoReliableChange
    }
}

/// An item scored above 0 that the practitioner must see.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AlertItem {
    /// Numbered from 1, as on the form.
    pub item: u8,
    pub score: u8,
}

/// Why and when a measure was marked as entered in error.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnteredInError {
    pub at: String,
    pub reason: String,
}

/// A recorded measure with its figures.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Measure {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub client_id: i64,
    pub kind: MeasureKind,
    /// "YYYY-MM-DD".
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub taken_on: NaiveDate,
    /// In the order of the form, as scored on it.
    pub items: Vec<u8>,
    pub total: u32,
    /// The severity band in words.
    pub band: String,
    /// At or above the clinical cut-off.
    pub above_cut_off: bool,
    /// Against the client's first score of this measure; `null` for an entry in error.
    pub change: Option<Change>,
    /// This total less the first score's total; `null` for the first score and entries in error.
    pub change_points: Option<i32>,
    pub alert: Option<AlertItem>,
    pub recorded_at: String,
    pub entered_in_error: Option<EnteredInError>,
}

/// One alert item from a recent measure, for the Today view.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeasureAlert {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub client_id: i64,
    pub case_ref: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub measure_id: i64,
    pub kind: MeasureKind,
    /// Numbered from 1, as on the form.
    pub item: u8,
    pub score: u8,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub taken_on: NaiveDate,
}

impl MeasureAlert {
    /// "PHQ-9 item 9 scored 2 on 3 March 2026" (no clinical wording beyond the item number).
    pub fn words(&self) -> String {
        format!(
            "{} item {} scored {} on {}",
            self.kind.name(),
            self.item,
            self.score,
            self.taken_on.format("%-d %B %Y")
        )
    }
}

/// One measure's course for a client: first, latest and how they compare.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeasureSummary {
    pub kind: MeasureKind,
    /// Scores that count (entries in error left out).
    pub count: u32,
    pub first: Measure,
    pub latest: Measure,
}

/// Everything the client file shows about a client's measures.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientMeasures {
    /// Every measure, entries in error included, grouped by kind (PHQ-9, GAD-7, CORE-10) and
    /// oldest first within each.
    pub measures: Vec<Measure>,
    /// One per kind the client has a score for.
    pub summaries: Vec<MeasureSummary>,
    /// Every alert item of the client's measures that count, newest first.
    pub alerts: Vec<MeasureAlert>,
}

/// One item of a form, as the recording screen shows it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormItem {
    pub number: u8,
    /// The published wording, where its licence lets casenotes show it (PHQ-9, GAD-7).
    pub wording: Option<String>,
    /// Scored above 0, this item raises an alert.
    pub alert_item: bool,
    /// Positively worded: on the form its boxes run from the highest score down to 0.
    pub positively_worded: bool,
}

/// How to record one measure: its items, scores, response labels and copyright line.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeasureForm {
    pub kind: MeasureKind,
    pub name: String,
    /// The question the items answer, where it may be shown.
    pub stem: Option<String>,
    pub items: Vec<FormItem>,
    pub max_item_score: u8,
    pub max_total: u32,
    /// The label of each score from 0 up, where it may be shown (PHQ-9, GAD-7); empty otherwise.
    pub responses: Vec<String>,
    pub cut_off: u32,
    pub reliable_change: u32,
    pub copyright: String,
    /// A note for the practitioner on how to enter the scores.
    pub guidance: String,
}

/// The three forms, as the recording screen shows them.
pub fn forms() -> Vec<MeasureForm> {
    MeasureKind::ALL.iter().map(|&k| form(k)).collect()
}

pub fn form(kind: MeasureKind) -> MeasureForm {
    let wording: Option<&[&str]> = match kind {
        MeasureKind::Phq9 => Some(&PHQ9_ITEMS),
        MeasureKind::Gad7 => Some(&GAD7_ITEMS),
        MeasureKind::Core10 => None,
    };
    let items = (1..=kind.item_count() as u8)
        .map(|n| FormItem {
            number: n,
            wording: wording.map(|w| w[usize::from(n) - 1].to_owned()),
            alert_item: kind.alert_item() == Some(n),
            positively_worded: kind.positively_worded().contains(&n),
        })
        .collect();
    let (stem, responses, copyright, guidance) = match kind {
        MeasureKind::Phq9 | MeasureKind::Gad7 => (
            Some(
                if kind == MeasureKind::Phq9 {
                    "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
                } else {
                    "Over the last 2 weeks, how often have you been bothered by the following problems?"
                }
                .to_owned(),
            ),
            PHQ_RESPONSES.iter().map(|s| (*s).to_owned()).collect(),
            PHQ_COPYRIGHT.to_owned(),
            "Choose the answer the client gave for each item.".to_owned(),
        ),
        MeasureKind::Core10 => (
            None,
            Vec::new(),
            CORE10_COPYRIGHT.to_owned(),
            "Score from the client's completed paper form: enter the number printed beside the box they ticked for each item, 0 to 4. Items 2 and 3 are worded positively, so their boxes run from 4 down to 0; enter the printed number and casenotes reverses nothing. Item 6 is the risk item.".to_owned(),
        ),
    };
    MeasureForm {
        kind,
        name: kind.name().to_owned(),
        stem,
        items,
        max_item_score: kind.max_item_score(),
        max_total: kind.max_total(),
        responses,
        cut_off: kind.cut_off(),
        reliable_change: kind.reliable_change(),
        copyright,
        guidance,
    }
}

/// Item scores typed as "1,2,0,3" (spaces allowed), for the command line.
pub fn parse_items(text: &str) -> Result<Vec<u8>> {
    text.split(',')
        .map(|part| part.trim().parse::<u8>())
        .collect::<std::result::Result<Vec<u8>, _>>()
        .map_err(|_| {
            Error::rule(
                "Item scores are whole numbers separated by commas.",
                "Write them in the order of the form, for example 1,2,0,3,1,0,0,2,1. Nothing was saved.",
            )
        })
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn items_text(items: &[u8]) -> String {
    items
        .iter()
        .map(u8::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Records a measure the client completed on `taken_on`. Final once recorded.
pub fn add(
    session: &mut Session,
    client_id: i64,
    kind: MeasureKind,
    taken_on: NaiveDate,
    items: &[u8],
) -> Result<Measure> {
    kind.total_of(items)?;
    // The computer's own day, so that a measure taken this evening is not refused.
    if taken_on > Local::now().date_naive() {
        return Err(Error::rule(
            format!("A {} cannot be dated in the future.", kind.name()),
            "Enter the day the client completed it. Nothing was saved.",
        ));
    }
    let tx = session.conn_mut()?.transaction()?;
    clients::ensure_exists(&tx, client_id)?;
    tx.execute(
        "INSERT INTO measures (client_id, kind, taken_on, items, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![client_id, kind.as_str(), taken_on.to_string(), items_text(items), now()],
    )?;
    let id = tx.last_insert_rowid();
    audit::append(
        &tx,
        Action::MeasureRecorded,
        Some(&id.to_string()),
        json!({ "client_id": client_id }),
    )?;
    tx.commit()?;
    get(session, id)
}

/// Marks a measure as entered in error, with the reason. It is kept, shown struck through, and
/// left out of totals, changes, charts and alerts. Done once; never undone.
pub fn mark_entered_in_error(session: &mut Session, id: i64, reason: &str) -> Result<Measure> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::rule(
            "Marking a measure as entered in error needs a reason.",
            "Say briefly what was wrong, for example \"scores entered for the wrong client\".",
        ));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(Error::rule(
            format!("The reason is too long (the most is {MAX_REASON_CHARS} characters)."),
            "Shorten it. Nothing was changed.",
        ));
    }
    let measure = get(session, id)?;
    if measure.entered_in_error.is_some() {
        return Err(Error::rule(
            format!("Measure {id} is already marked as entered in error."),
            "Nothing needs doing. Record the correct scores as a new measure.",
        ));
    }
    let tx = session.conn_mut()?.transaction()?;
    tx.execute(
        "UPDATE measures SET entered_in_error_at = ?1, entered_in_error_reason = ?2
         WHERE id = ?3 AND entered_in_error_at IS NULL",
        params![now(), reason, id],
    )?;
    audit::append(
        &tx,
        Action::MeasureMarkedInError,
        Some(&id.to_string()),
        json!({ "client_id": measure.client_id }),
    )?;
    tx.commit()?;
    get(session, id)
}

/// A measure as stored, before it is compared with anything.
struct Stored {
    id: i64,
    client_id: i64,
    kind: MeasureKind,
    taken_on: NaiveDate,
    items: Vec<u8>,
    recorded_at: String,
    entered_in_error: Option<EnteredInError>,
}

const COLUMNS: &str = "id, client_id, kind, taken_on, items, recorded_at, entered_in_error_at,
    entered_in_error_reason";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Stored> {
    let kind: String = r.get(2)?;
    let taken_on: String = r.get(3)?;
    let items: String = r.get(4)?;
    let bad = |col: usize, e: Box<dyn std::error::Error + Send + Sync>| {
        rusqlite::Error::FromSqlConversionFailure(col, rusqlite::types::Type::Text, e)
    };
    let error_at: Option<String> = r.get(6)?;
    let error_reason: Option<String> = r.get(7)?;
    Ok(Stored {
        id: r.get(0)?,
        client_id: r.get(1)?,
        // The CHECK constraint allows only the values this parses.
        kind: MeasureKind::parse(&kind).map_err(|e| bad(2, e.to_string().into()))?,
        taken_on: taken_on.parse().map_err(|e| bad(3, Box::new(e)))?,
        items: parse_items(&items).map_err(|e| bad(4, e.to_string().into()))?,
        recorded_at: r.get(5)?,
        entered_in_error: error_at
            .zip(error_reason)
            .map(|(at, reason)| EnteredInError { at, reason }),
    })
}

/// Works out a stored measure's figures against `first` (the first total that counts).
fn figures(s: Stored, first: Option<(i64, u32)>) -> Measure {
    let total: u32 = s.items.iter().map(|&x| u32::from(x)).sum();
    let alert = s.kind.alert_item().and_then(|n| {
        let score = *s.items.get(usize::from(n) - 1)?;
        (score > 0).then_some(AlertItem { item: n, score })
    });
    let (change, change_points) = match (&s.entered_in_error, first) {
        (Some(_), _) => (None, None),
        (None, Some((first_id, first_total))) if first_id != s.id => (
            Some(change_between(s.kind, first_total, total)),
            Some(total as i32 - first_total as i32),
        ),
        (None, _) => (Some(Change::FirstScore), None),
    };
    Measure {
        id: s.id,
        client_id: s.client_id,
        kind: s.kind,
        taken_on: s.taken_on,
        band: s.kind.band_of(total).to_owned(),
        above_cut_off: total >= s.kind.cut_off(),
        total,
        items: s.items,
        change,
        change_points,
        alert,
        recorded_at: s.recorded_at,
        entered_in_error: s.entered_in_error,
    }
}

/// The first score that counts of a client's measure: (id, total).
fn first_of(
    conn: &rusqlite::Connection,
    client_id: i64,
    kind: MeasureKind,
) -> Result<Option<(i64, u32)>> {
    let row: Option<(i64, String)> = conn
        .prepare_cached(
            "SELECT id, items FROM measures
             WHERE client_id = ?1 AND kind = ?2 AND entered_in_error_at IS NULL
             ORDER BY taken_on, id LIMIT 1",
        )?
        .query_row(params![client_id, kind.as_str()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    match row {
        None => Ok(None),
        Some((id, items)) => Ok(Some((
            id,
            parse_items(&items)?.iter().map(|&x| u32::from(x)).sum(),
        ))),
    }
}

/// One measure with its figures.
pub fn get(session: &Session, id: i64) -> Result<Measure> {
    let conn = session.conn()?;
    let stored = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM measures WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional()?
        .ok_or(Error::NotFound {
            what: "measure",
            id: id.to_string(),
        })?;
    let first = first_of(conn, stored.client_id, stored.kind)?;
    Ok(figures(stored, first))
}

/// A client's measures, grouped by kind and oldest first, entries in error included.
pub fn for_client(session: &Session, client_id: i64) -> Result<Vec<Measure>> {
    let conn = session.conn()?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM measures WHERE client_id = ?1
         ORDER BY CASE kind WHEN 'phq9' THEN 0 WHEN 'gad7' THEN 1 ELSE 2 END, taken_on, id"
    ))?;
    let stored: Vec<Stored> = stmt
        .query_map([client_id], from_row)?
        .collect::<Result<_, _>>()?;
    let firsts: Vec<(MeasureKind, (i64, u32))> = MeasureKind::ALL
        .iter()
        .filter_map(|&kind| {
            let s = stored
                .iter()
                .find(|s| s.kind == kind && s.entered_in_error.is_none())?;
            Some((kind, (s.id, s.items.iter().map(|&x| u32::from(x)).sum())))
        })
        .collect();
    Ok(stored
        .into_iter()
        .map(|s| {
            let first = firsts.iter().find(|(k, _)| *k == s.kind).map(|(_, f)| *f);
            figures(s, first)
        })
        .collect())
}

/// The client file's view of a client's measures: every score, a summary per measure, alerts.
pub fn summary(session: &Session, client_id: i64) -> Result<ClientMeasures> {
    let case_ref: String = session
        .conn()?
        .query_row(
            "SELECT case_ref FROM clients WHERE id = ?1",
            [client_id],
            |r| r.get(0),
        )
        .optional()?
        .ok_or(Error::NotFound {
            what: "client",
            id: client_id.to_string(),
        })?;
    let measures = for_client(session, client_id)?;
    let summaries = MeasureKind::ALL
        .iter()
        .filter_map(|&kind| {
            let counted: Vec<&Measure> = measures
                .iter()
                .filter(|m| m.kind == kind && m.entered_in_error.is_none())
                .collect();
            Some(MeasureSummary {
                kind,
                count: counted.len() as u32,
                first: (*counted.first()?).clone(),
                latest: (*counted.last()?).clone(),
            })
        })
        .collect();
    let mut alerts: Vec<MeasureAlert> = measures
        .iter()
        .filter(|m| m.entered_in_error.is_none())
        .filter_map(|m| alert_of(m, &case_ref))
        .collect();
    alerts.sort_by_key(|a| std::cmp::Reverse((a.taken_on, a.measure_id)));
    Ok(ClientMeasures {
        measures,
        summaries,
        alerts,
    })
}

fn alert_of(m: &Measure, case_ref: &str) -> Option<MeasureAlert> {
    m.alert.map(|a| MeasureAlert {
        client_id: m.client_id,
        case_ref: case_ref.to_owned(),
        measure_id: m.id,
        kind: m.kind,
        item: a.item,
        score: a.score,
        taken_on: m.taken_on,
    })
}

/// Alert items (PHQ-9 item 9, CORE-10 item 6 above 0) of every client's measures taken on or
/// after `since`, newest first, entries in error left out. For the Today view.
pub fn recent_alerts(session: &Session, since: NaiveDate) -> Result<Vec<MeasureAlert>> {
    let conn = session.conn()?;
    let mut stmt = conn.prepare_cached(
        "SELECT m.id, m.client_id, m.kind, m.taken_on, m.items, m.recorded_at,
             m.entered_in_error_at, m.entered_in_error_reason, c.case_ref
         FROM measures m JOIN clients c ON c.id = m.client_id
         WHERE m.taken_on >= ?1 AND m.kind IN ('phq9', 'core10') AND m.entered_in_error_at IS NULL
         ORDER BY m.taken_on DESC, m.id DESC",
    )?;
    let rows = stmt.query_map([since.to_string()], |r| {
        Ok((from_row(r)?, r.get::<_, String>(8)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (stored, case_ref) = row?;
        // The alert needs only the items; the change against the first score is not shown here.
        if let Some(alert) = alert_of(&figures(stored, None), &case_ref) {
            out.push(alert);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_total_has_exactly_one_band() {
        for kind in MeasureKind::ALL {
            let bands = kind.bands();
            assert_eq!(bands[0].from, 0);
            assert_eq!(bands.last().unwrap().to, kind.max_total());
            for pair in bands.windows(2) {
                assert_eq!(pair[0].to + 1, pair[1].from, "{}", kind.name());
            }
        }
    }

    #[test]
    fn forms_match_the_measures() {
        for f in forms() {
            assert_eq!(f.items.len(), f.kind.item_count());
            assert_eq!(
                f.items.iter().filter(|i| i.alert_item).count(),
                usize::from(f.kind != MeasureKind::Gad7)
            );
        }
        let core = form(MeasureKind::Core10);
        assert!(
            core.items.iter().all(|i| i.wording.is_none()),
            "CORE-10 wording is not reproduced"
        );
        assert!(core.items[5].alert_item);
        assert!(core.items[1].positively_worded && core.items[2].positively_worded);
        assert!(core.copyright.contains("CORE System Trust"));
        assert_eq!(
            form(MeasureKind::Gad7).stem.unwrap(),
            "Over the last 2 weeks, how often have you been bothered by the following problems?"
        );
    }

    #[test]
    fn item_lists_parse_or_say_how_to_write_them() {
        assert_eq!(parse_items(" 1, 2,0 ").unwrap(), vec![1, 2, 0]);
        for bad in ["1,,2", "1;2", "a,b", "-1,2", ""] {
            assert!(parse_items(bad).is_err(), "{bad}");
        }
        assert_eq!(MeasureKind::parse("PHQ-9").unwrap(), MeasureKind::Phq9);
        assert!(MeasureKind::parse("beck").is_err());
    }
}
