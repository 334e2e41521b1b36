//! The client's safety plan: what they notice when a crisis is coming and what they can do about
//! it, written with their therapist in their own words.
//!
//! Owns `safety_plan_versions`. A plan is never edited in place: every save is a new, dated
//! version, every version is kept and can be read again, and the current plan is the newest.
//! The sections follow the Stanley–Brown safety plan: warning signs, things I can do, people and
//! places that help, people I can ask for help, professionals and crisis lines (prefilled with
//! the UK's free lines, editable), making my environment safer, and reasons for living. Each
//! section is plain text, one item a line.
//!
//! [`printable_html`] renders a version as a self-contained page for the client (no script, no
//! remote resource, print styles, UK dates); it may name the client, since it is for them. Errors
//! never quote what a plan says.

use chrono::{DateTime, Local};
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{self, Action};
use crate::domain::clients;
use crate::domain::notes::{check_length, now};
use crate::error::{Error, Result};
use crate::vault::Session;

/// The UK's free crisis lines, as a new plan starts with them (editable like any section).
pub const UK_CRISIS_LINES: &str =
    "Samaritans: call 116 123, free, day or night, any day of the year
NHS 111: call 111 and choose option 2 for mental health crisis support
In an emergency, or if I might act on thoughts of ending my life: call 999 or go to A&E
SHOUT: text SHOUT to 85258, free, any time";

/// The seven sections, as the practitioner and the client write them. One item a line.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SafetyPlanContent {
    pub warning_signs: String,
    pub things_i_can_do: String,
    pub people_and_places: String,
    pub people_to_ask: String,
    /// Prefilled with [`UK_CRISIS_LINES`].
    pub crisis_contacts: String,
    pub environment_safer: String,
    pub reasons_for_living: String,
}

impl Default for SafetyPlanContent {
    /// A new plan: every section empty but the crisis lines.
    fn default() -> Self {
        Self {
            warning_signs: String::new(),
            things_i_can_do: String::new(),
            people_and_places: String::new(),
            people_to_ask: String::new(),
            crisis_contacts: UK_CRISIS_LINES.to_owned(),
            environment_safer: String::new(),
            reasons_for_living: String::new(),
        }
    }
}

impl SafetyPlanContent {
    /// (heading for the client, what the section holds), in the order the plan is worked through.
    pub fn sections(&self) -> [(&'static str, &'static str, &str); 7] {
        [
            (
                "My warning signs",
                "Thoughts, feelings and situations that tell me a crisis may be starting",
                &self.warning_signs,
            ),
            (
                "Things I can do on my own",
                "To take my mind off things and help myself feel calmer",
                &self.things_i_can_do,
            ),
            (
                "People and places that help",
                "People I can be with and places I can go to take my mind off things",
                &self.people_and_places,
            ),
            (
                "People I can ask for help",
                "People I can tell how I am feeling",
                &self.people_to_ask,
            ),
            (
                "Professionals and crisis lines",
                "Who I can contact when I need help now",
                &self.crisis_contacts,
            ),
            (
                "Making my surroundings safer",
                "What I can do to keep myself safe where I am",
                &self.environment_safer,
            ),
            (
                "My reasons for living",
                "What matters most to me and is worth living for",
                &self.reasons_for_living,
            ),
        ]
    }

    fn fields_mut(&mut self) -> [&mut String; 7] {
        [
            &mut self.warning_signs,
            &mut self.things_i_can_do,
            &mut self.people_and_places,
            &mut self.people_to_ask,
            &mut self.crisis_contacts,
            &mut self.environment_safer,
            &mut self.reasons_for_living,
        ]
    }
}

/// One saved version of a client's plan.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SafetyPlanVersion {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub client_id: i64,
    /// 1 for the first plan, then 2, 3…
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub version: i64,
    pub saved_at: String,
    pub content: SafetyPlanContent,
}

/// Tidies each section: trailing spaces and empty lines go, the order of lines stays.
fn normalise(mut content: SafetyPlanContent) -> Result<SafetyPlanContent> {
    for field in content.fields_mut() {
        check_length(field, "safety plan section")?;
        let tidy = field
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        *field = tidy;
    }
    Ok(content)
}

const COLUMNS: &str = "id, client_id, version, saved_at, warning_signs, things_i_can_do,
    people_and_places, people_to_ask, crisis_contacts, environment_safer, reasons_for_living";

fn from_row(r: &Row<'_>) -> rusqlite::Result<SafetyPlanVersion> {
    Ok(SafetyPlanVersion {
        id: r.get(0)?,
        client_id: r.get(1)?,
        version: r.get(2)?,
        saved_at: r.get(3)?,
        content: SafetyPlanContent {
            warning_signs: r.get(4)?,
            things_i_can_do: r.get(5)?,
            people_and_places: r.get(6)?,
            people_to_ask: r.get(7)?,
            crisis_contacts: r.get(8)?,
            environment_safer: r.get(9)?,
            reasons_for_living: r.get(10)?,
        },
    })
}

/// Saves the plan as a new version and returns it. Saving what the current version already says
/// returns the current version and adds none.
pub fn save(
    session: &mut Session,
    client_id: i64,
    content: SafetyPlanContent,
) -> Result<SafetyPlanVersion> {
    let content = normalise(content)?;
    if content
        .sections()
        .iter()
        .all(|(_, _, text)| text.is_empty())
    {
        return Err(Error::rule(
            "The safety plan is empty.",
            "Write at least one section before saving it.",
        ));
    }
    if let Some(current) = current(session, client_id)? {
        if current.content == content {
            return Ok(current);
        }
    }
    let tx = session.conn_mut()?.transaction()?;
    clients::ensure_exists(&tx, client_id)?;
    let version: i64 = tx.query_row(
        "SELECT COALESCE(MAX(version), 0) + 1 FROM safety_plan_versions WHERE client_id = ?1",
        [client_id],
        |r| r.get(0),
    )?;
    let c = &content;
    tx.execute(
        "INSERT INTO safety_plan_versions (client_id, version, warning_signs, things_i_can_do,
         people_and_places, people_to_ask, crisis_contacts, environment_safer, reasons_for_living, saved_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            client_id,
            version,
            c.warning_signs,
            c.things_i_can_do,
            c.people_and_places,
            c.people_to_ask,
            c.crisis_contacts,
            c.environment_safer,
            c.reasons_for_living,
            now()
        ],
    )?;
    let id = tx.last_insert_rowid();
    audit::append(
        &tx,
        Action::SafetyPlanSaved,
        Some(&id.to_string()),
        json!({ "client_id": client_id, "version": version }),
    )?;
    tx.commit()?;
    get(session, client_id, version)
}

/// Every version of a client's plan, newest first.
pub fn versions(session: &Session, client_id: i64) -> Result<Vec<SafetyPlanVersion>> {
    let conn = session.conn()?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM safety_plan_versions WHERE client_id = ?1 ORDER BY version DESC"
    ))?;
    let list = stmt
        .query_map([client_id], from_row)?
        .collect::<Result<_, _>>()?;
    Ok(list)
}

/// The current plan: the newest version, if the client has a plan.
pub fn current(session: &Session, client_id: i64) -> Result<Option<SafetyPlanVersion>> {
    Ok(session
        .conn()?
        .query_row(
            &format!(
                "SELECT {COLUMNS} FROM safety_plan_versions WHERE client_id = ?1
                 ORDER BY version DESC LIMIT 1"
            ),
            [client_id],
            from_row,
        )
        .optional()?)
}

/// One version of a client's plan.
pub fn get(session: &Session, client_id: i64, version: i64) -> Result<SafetyPlanVersion> {
    session
        .conn()?
        .query_row(
            &format!(
                "SELECT {COLUMNS} FROM safety_plan_versions WHERE client_id = ?1 AND version = ?2"
            ),
            params![client_id, version],
            from_row,
        )
        .optional()?
        .ok_or(Error::NotFound {
            what: "safety plan version",
            id: version.to_string(),
        })
}

/// Records in the audit log that a printable copy of a version was made (ids only).
pub fn record_printed(session: &Session, plan: &SafetyPlanVersion) -> Result<()> {
    audit::append(
        session.conn()?,
        Action::SafetyPlanPrinted,
        Some(&plan.id.to_string()),
        json!({ "client_id": plan.client_id, "version": plan.version }),
    )?;
    Ok(())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// "3 March 2026", in the computer's local time, from a stored UTC timestamp.
fn uk_date(timestamp: &str) -> String {
    DateTime::parse_from_rfc3339(timestamp)
        .map(|t| t.with_timezone(&Local).format("%-d %B %Y").to_string())
        .unwrap_or_else(|_| timestamp.to_owned())
}

/// The plan as a self-contained page to print or keep, written to the client in plain language.
/// `name` is how the client likes to be addressed (their preferred or given name). No script,
/// no remote resource; everything given is escaped.
pub fn printable_html(plan: &SafetyPlanVersion, name: &str) -> String {
    let mut sections = String::new();
    for (i, (heading, hint, text)) in plan.content.sections().iter().enumerate() {
        sections.push_str(&format!(
            "<section>\n<h2><span class=\"step\">Step {}:</span> {}</h2>\n<p class=\"hint\">{}</p>\n",
            i + 1,
            escape(heading),
            escape(hint)
        ));
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        if lines.is_empty() {
            sections.push_str("<ul class=\"blank\"><li></li><li></li><li></li></ul>\n");
        } else {
            sections.push_str("<ul>\n");
            for line in lines {
                sections.push_str(&format!("<li>{}</li>\n", escape(line.trim())));
            }
            sections.push_str("</ul>\n");
        }
        sections.push_str("</section>\n");
    }
    let name = name.trim();
    let title = if name.is_empty() {
        "My safety plan".to_owned()
    } else {
        format!("{}’s safety plan", escape(name))
    };
    format!(
        "<!doctype html>
<html lang=\"en-GB\"><head><meta charset=\"utf-8\">
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">
<title>{title}</title>
<style>
body{{font-family:Verdana,Arial,sans-serif;font-size:13pt;line-height:1.5;color:#000;background:#fff;max-width:44em;margin:2em auto;padding:0 1em}}
h1{{font-size:1.6em;margin-bottom:0.2em}}
h2{{font-size:1.15em;margin:1.2em 0 0.2em;border-bottom:2px solid #000}}
.step{{font-weight:normal}}
.hint{{margin:0 0 0.3em;font-style:italic}}
ul{{margin:0.2em 0 0.5em 1.4em;padding:0}}
ul.blank li{{list-style:none;border-bottom:1px dotted #000;height:1.8em}}
.urgent{{border:3px solid #000;padding:0.6em 0.9em;margin:1em 0}}
footer{{margin-top:2em;font-size:0.85em}}
section{{break-inside:avoid}}
@media print{{body{{margin:0;max-width:none;font-size:12pt}}@page{{margin:15mm}}}}
</style></head>
<body>
<h1>{title}</h1>
<p>Written together on {date} (version {version}).</p>
<p>Keep this plan somewhere you can find it quickly, such as your phone, your bag or by your bed.
When you notice your warning signs, work through the steps in order until you feel safer.
You can skip to any step at any time.</p>
<p class=\"urgent\"><strong>If you feel you might act on thoughts of ending your life, or you are not safe now, call 999 or go to A&amp;E.</strong></p>
{sections}<footer>This plan belongs to you. You can change it with your therapist at any time.</footer>
</body></html>
",
        date = escape(&uk_date(&plan.saved_at)),
        version = plan.version,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(content: SafetyPlanContent) -> SafetyPlanVersion {
        SafetyPlanVersion {
            id: 1,
            client_id: 1,
            version: 2,
            saved_at: "2026-03-03T10:00:00.000Z".into(),
            content,
        }
    }

    #[test]
    fn a_new_plan_has_the_uk_crisis_lines() {
        let c = SafetyPlanContent::default();
        for line in ["116 123", "111", "option 2", "999", "85258"] {
            assert!(c.crisis_contacts.contains(line), "{line}");
        }
        let parsed: SafetyPlanContent = serde_json::from_str("{\"warning_signs\": \"x\"}").unwrap();
        assert_eq!(parsed.crisis_contacts, UK_CRISIS_LINES);
    }

    #[test]
    fn the_printable_page_escapes_everything_and_has_no_script() {
        let c = SafetyPlanContent {
            warning_signs: "<script>alert(1)</script>\nnot sleeping".into(),
            ..SafetyPlanContent::default()
        };
        let html = printable_html(&plan(c), "Jo <b>");
        assert!(!html.to_lowercase().contains("<script"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("Jo &lt;b&gt;’s safety plan"));
        assert!(html.contains("<li>not sleeping</li>"));
        assert!(html.contains("3 March 2026"));
        assert!(html.contains("116 123"));
    }

    #[test]
    fn sections_lose_blank_lines_but_keep_their_order() {
        let c = SafetyPlanContent {
            things_i_can_do: "walk  \n\n  \nmusic".into(),
            ..SafetyPlanContent::default()
        };
        assert_eq!(normalise(c).unwrap().things_i_can_do, "walk\nmusic");
    }
}
