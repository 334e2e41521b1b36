//! Supervision extracts: chosen notes of one client, for clinical supervision, with what would
//! identify the client taken out, as one printable HTML file the practitioner asked for.
//!
//! Replaced, wherever they appear and in any letter case (and with "'s" or a plural "s" after a
//! name): the client's given, family and preferred names (by the case reference), email, phone
//! (however it is spaced, and +44 for a leading 0) and address (whole, and each line of it),
//! date of birth (in the usual ways of writing a date), the GP's and the emergency contact's
//! details, and the places the practitioner lists ("[place]"). Words are matched whole, so "Ann"
//! is never taken out of "Annual". This cannot know every way a person can be identified
//! (nicknames, relatives, workplaces): the page says so, and the practitioner reads it through.
//!
//! Must never: write anything but the one file asked for, or put note text in an error or the
//! audit log.

use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;

use crate::audit::{self, Action};
use crate::domain::clients::{self, Client};
use crate::domain::notes::{self, Note};
use crate::error::{Error, Result};
use crate::export::sar::html::{escape, moment};
use crate::markdown;
use crate::vault::Session;

/// A finished extract.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct ExtractMade {
    pub path: String,
    pub case_reference: String,
    pub notes: u32,
    /// How many names, contacts, dates and places were replaced in all.
    pub replaced: u32,
}

/// One thing to take out, and what goes in its place.
#[derive(Debug, Clone)]
struct Term {
    text: String,
    replacement: String,
    /// A name: "'s", "s" and "es" may follow it.
    inflects: bool,
}

/// The terms for a client, longest first so "Sarah Jones" wins over "Sarah".
fn terms(client: &Client, also_remove: &[String]) -> Vec<Term> {
    let d = &client.details;
    let mut out: Vec<Term> = Vec::new();
    let mut push = |text: &str, replacement: &str, inflects: bool| {
        let text = text.trim().trim_matches(|c: char| c == ',' || c == '.');
        if text.chars().count() >= 2 {
            out.push(Term {
                text: text.to_owned(),
                replacement: replacement.to_owned(),
                inflects,
            });
        }
    };
    let r = client.case_ref.as_str();
    let mut names = vec![d.given_name.clone(), d.family_name.clone()];
    names.extend(d.preferred_name.clone());
    for given in [Some(&d.given_name), d.preferred_name.as_ref()]
        .into_iter()
        .flatten()
    {
        push(&format!("{given} {}", d.family_name), r, true);
    }
    for name in &names {
        push(name, r, true);
        // Double-barrelled and multi-part names: each part on its own too.
        for part in name.split(|c: char| c == '-' || c.is_whitespace()) {
            if part.chars().count() >= 3 {
                push(part, r, true);
            }
        }
    }
    if let Some(email) = &d.email {
        push(email, "[contact details]", false);
    }
    for (value, replacement) in [
        (&d.address, "[place]"),
        (&d.gp_practice, "[GP practice]"),
        (&d.gp_contact, "[contact details]"),
    ] {
        if let Some(v) = value {
            push(v, replacement, false);
            for part in v.split([',', '\n', ';']) {
                push(part, replacement, false);
            }
        }
    }
    for (value, replacement) in [
        (&d.gp_name, "[GP]"),
        (&d.emergency_name, "[emergency contact]"),
    ] {
        if let Some(v) = value {
            push(v, replacement, true);
            for part in v.split_whitespace() {
                let bare = part.trim_matches('.');
                let title = ["dr", "mr", "mrs", "ms", "miss", "mx", "prof"]
                    .contains(&bare.to_lowercase().as_str());
                if !title && bare.chars().count() >= 3 {
                    push(bare, replacement, true);
                }
            }
        }
    }
    if let Some(dob) = d.date_of_birth {
        for text in date_forms(dob) {
            push(&text, "[date of birth]", false);
        }
    }
    for place in also_remove {
        push(place, "[place]", true);
    }
    out.sort_by_key(|t| std::cmp::Reverse(t.text.len()));
    out.dedup_by(|a, b| a.text.to_lowercase() == b.text.to_lowercase());
    out
}

/// The ways a date of birth is commonly written in a UK note.
fn date_forms(d: NaiveDate) -> Vec<String> {
    let day = d.format("%-d").to_string();
    let suffix = match day.as_str() {
        "1" | "21" | "31" => "st",
        "2" | "22" => "nd",
        "3" | "23" => "rd",
        _ => "th",
    };
    let mut forms: Vec<String> = [
        "%-d %B %Y",
        "%d %B %Y",
        "%-d %b %Y",
        "%d/%m/%Y",
        "%-d/%-m/%Y",
        "%d/%m/%y",
        "%Y-%m-%d",
        "%d.%m.%Y",
        "%d-%m-%Y",
        "%B %-d, %Y",
        "%B %-d %Y",
    ]
    .iter()
    .map(|f| d.format(f).to_string())
    .collect();
    forms.push(format!("{day}{suffix} {}", d.format("%B %Y")));
    forms.push(format!("{day}{suffix} of {}", d.format("%B %Y")));
    forms
}

fn same_letter(a: char, b: char) -> bool {
    a == b || a.to_lowercase().eq(b.to_lowercase())
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric()
}

/// Where `term` ends if it matches `hay` at char index `i` (case-insensitive; any run of spaces
/// in the term matches any run of white space); the end is a char index.
fn match_at(hay: &[(usize, char)], i: usize, term: &[char]) -> Option<usize> {
    let (mut h, mut t) = (i, 0);
    while t < term.len() {
        let tc = term[t];
        if tc.is_whitespace() {
            if h >= hay.len() || !hay[h].1.is_whitespace() {
                return None;
            }
            while h < hay.len() && hay[h].1.is_whitespace() {
                h += 1;
            }
            while t < term.len() && term[t].is_whitespace() {
                t += 1;
            }
            continue;
        }
        if h >= hay.len() || !same_letter(hay[h].1, tc) {
            return None;
        }
        h += 1;
        t += 1;
    }
    Some(h)
}

/// The byte spans of `term` in `text`, as whole words (names may carry "'s", "s" or "es").
fn find_all(text: &str, hay: &[(usize, char)], term: &Term) -> Vec<(usize, usize)> {
    let chars: Vec<char> = term.text.chars().collect();
    let byte_at = |i: usize| hay.get(i).map(|(b, _)| *b).unwrap_or(text.len());
    let starts_word = chars.first().copied().is_some_and(is_word);
    let ends_word = chars.last().copied().is_some_and(is_word);
    let mut out = Vec::new();
    let mut i = 0;
    while i < hay.len() {
        if starts_word && i > 0 && is_word(hay[i - 1].1) {
            i += 1;
            continue;
        }
        if let Some(end) = match_at(hay, i, &chars) {
            let boundary = |j: usize| j >= hay.len() || !is_word(hay[j].1);
            let mut ok = !ends_word || boundary(end);
            if !ok && term.inflects {
                for suffix in ["'s", "’s", "s"] {
                    let s: Vec<char> = suffix.chars().collect();
                    if let Some(after) = match_at(hay, end, &s) {
                        if boundary(after) {
                            ok = true;
                            break;
                        }
                    }
                }
            }
            if ok {
                out.push((byte_at(i), byte_at(end)));
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// The phone number wherever it is written, however spaced: runs of digits, spaces, hyphens,
/// brackets and "+" whose digits are the number's (a leading 0 may be written +44).
fn find_phone(text: &str, phone: &str) -> Vec<(usize, usize)> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 6 {
        return Vec::new();
    }
    let mut wanted = vec![digits.clone()];
    if let Some(rest) = digits.strip_prefix('0') {
        wanted.push(format!("44{rest}"));
        wanted.push(format!("440{rest}"));
    }
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() || bytes[i] == b'+' || bytes[i] == b'(' {
            let start = i;
            let mut j = i;
            while j < bytes.len() && (bytes[j].is_ascii_digit() || b" -()+".contains(&bytes[j])) {
                j += 1;
            }
            let mut end = j;
            while end > start && !bytes[end - 1].is_ascii_digit() {
                end -= 1;
            }
            let run: String = text[start..end]
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            if wanted.contains(&run) && (start == 0 || !bytes[start - 1].is_ascii_alphanumeric()) {
                out.push((start, end));
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// Takes the client's identifying details out of one text. Returns the text and how many
/// replacements were made.
fn pseudonymise(text: &str, client: &Client, terms: &[Term]) -> (String, u32) {
    let hay: Vec<(usize, char)> = text.char_indices().collect();
    let mut spans: Vec<(usize, usize, &str)> = Vec::new();
    for term in terms {
        spans.extend(
            find_all(text, &hay, term)
                .into_iter()
                .map(|(s, e)| (s, e, term.replacement.as_str())),
        );
    }
    for phone in [&client.details.phone, &client.details.emergency_phone]
        .into_iter()
        .flatten()
    {
        spans.extend(
            find_phone(text, phone)
                .into_iter()
                .map(|(s, e)| (s, e, "[contact details]")),
        );
    }
    // Earliest first; at the same place, the longest.
    spans.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    let mut n = 0;
    for (s, e, replacement) in spans {
        if s < at {
            continue;
        }
        out.push_str(&text[at..s]);
        out.push_str(replacement);
        at = e;
        n += 1;
    }
    out.push_str(&text[at..]);
    (out, n)
}

/// The page for the chosen notes (oldest first), and how many replacements were made.
pub fn render(client: &Client, chosen: &[Note], also_remove: &[String]) -> (String, u32) {
    let terms = terms(client, also_remove);
    let r = escape(&client.case_ref);
    let mut replaced = 0;
    let mut body = String::new();
    for note in chosen {
        let (text, n) = pseudonymise(&note.body, client, &terms);
        replaced += n;
        let written = moment(&note.created_at);
        let day = written.split(" at ").next().unwrap_or(&written).to_owned();
        body.push_str(&format!(
            "<article class=\"note\">\n<h2>{} note, {}</h2>\n{}",
            escape(&capitalise(note.kind.as_str())),
            escape(&day),
            markdown::to_html(&text)
        ));
        for a in &note.addenda {
            let (reason, n1) = pseudonymise(&a.reason, client, &terms);
            let (text, n2) = pseudonymise(&a.body, client, &terms);
            replaced += n1 + n2;
            body.push_str(&format!(
                "<div class=\"addendum\"><p class=\"meta\">Addendum. Reason: {}</p>\n{}</div>\n",
                escape(&reason),
                markdown::to_html(&text)
            ));
        }
        body.push_str("</article>\n");
    }
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<title>Supervision extract, {r}</title>\n\
<style>
body {{ font-family: Georgia, 'Times New Roman', serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #111; }}
h1 {{ font-size: 1.5rem; }} h2 {{ font-size: 1.1rem; margin-bottom: 0.3rem; }}
.note {{ border: 1px solid #bbb; border-radius: 4px; padding: 0.5rem 1rem; margin: 1rem 0; break-inside: avoid; }}
.addendum {{ border-left: 3px solid #888; padding-left: 0.8rem; }}
.meta {{ color: #444; font-size: 0.9rem; }}
.check {{ border: 2px solid #333; padding: 0.5rem 1rem; }}
@media print {{ body {{ margin: 0; max-width: none; }} }}
</style>\n</head>\n<body>\n<h1>Supervision extract: {r}</h1>\n\
<p class=\"meta\">{} from the file of {r}, made {}.</p>\n\
<p class=\"check\"><strong>Read it through before you share it.</strong> The client's names, contact details, \
date of birth, GP and emergency contact, and the places you listed, have been replaced ({} in all). \
Nicknames, relatives' names, workplaces and other details that could identify someone are not found \
automatically.</p>\n{body}</body>\n</html>\n",
        match chosen.len() {
            1 => "1 note".to_owned(),
            n => format!("{n} notes"),
        },
        escape(&moment(
            &chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        )),
        replaced
    );
    (page, replaced)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Makes the extract of the chosen notes of the client with `case_ref`, writes it to `out`
/// (which must not exist) and records it in the audit log.
pub fn write(
    session: &Session,
    case_ref: &str,
    note_ids: &[i64],
    also_remove: &[String],
    out: &Path,
) -> Result<ExtractMade> {
    let client = clients::get(session, clients::id_for(session, case_ref)?)?;
    // A restricted record may be stored, and given to the client, but not used otherwise.
    if crate::domain::requests::is_restricted(session, client.id)? {
        return Err(Error::rule(
            format!(
                "Processing of {}'s record is restricted, so no supervision extract can be made from it.",
                client.case_ref
            ),
            "A restricted record may be shared only with the client, as a subject access copy. Lift the restriction on the client's details first if it no longer applies. Nothing was written.",
        ));
    }
    if note_ids.is_empty() {
        return Err(Error::rule(
            "No notes were chosen for the extract.",
            "Choose at least one note.",
        ));
    }
    let mut chosen = Vec::new();
    for id in note_ids {
        let note = notes::get(session, *id)?;
        if note.client_id != client.id {
            return Err(Error::rule(
                format!("Note {id} is not in the file of {}.", client.case_ref),
                "Choose notes from one client's file.",
            ));
        }
        chosen.push(note);
    }
    chosen.sort_by(|a, b| (&a.created_at, a.id).cmp(&(&b.created_at, b.id)));
    chosen.dedup_by_key(|n| n.id);
    let (page, replaced) = render(&client, &chosen, also_remove);
    if out.symlink_metadata().is_ok() {
        return Err(Error::rule(
            format!("{} already exists.", out.display()),
            "Choose a new file name; casenotes never overwrites a file.",
        ));
    }
    let what = || format!("Could not write the extract {}", out.display());
    {
        use std::io::Write;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut f = options.open(out).map_err(Error::io(what()))?;
        f.write_all(page.as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(Error::io(what()))?;
    }
    audit::append(
        session.conn()?,
        Action::SupervisionExtractMade,
        Some(&client.case_ref),
        json!({
            "client_id": client.id,
            "note_ids": chosen.iter().map(|n| n.id).collect::<Vec<_>>(),
            "replaced": replaced,
        }),
    )?;
    Ok(ExtractMade {
        path: out.display().to_string(),
        case_reference: client.case_ref,
        notes: chosen.len() as u32,
        replaced,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::clients::{ClientDetails, ClientStatus};

    fn client() -> Client {
        let mut d = ClientDetails::named("Sarah", "Okonkwo-Bell");
        d.preferred_name = Some("Sal".into());
        d.email = Some("sarah.ob@example.org".into());
        d.phone = Some("07700 900123".into());
        d.address = Some("12 Rowan Close, Headingley".into());
        d.date_of_birth = Some("1990-03-03".parse().unwrap());
        d.gp_name = Some("Dr Amir Khan".into());
        d.emergency_name = Some("Tom Bell".into());
        d.status = ClientStatus::Active;
        Client {
            id: 1,
            case_ref: "C-0042".into(),
            details: d,
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    fn clean(text: &str, places: &[&str]) -> String {
        let c = client();
        let places: Vec<String> = places.iter().map(|p| (*p).to_owned()).collect();
        pseudonymise(text, &c, &terms(&c, &places)).0
    }

    #[test]
    fn names_in_any_case_and_inflected_are_replaced() {
        let out = clean(
            "SARAH said sarah's mum calls her Sal; Sals and Sarahs. OKONKWO-BELL, Okonkwo's. Sarah Okonkwo-Bell arrived.",
            &[],
        );
        assert_eq!(
            out,
            "C-0042 said C-0042's mum calls her C-0042; C-0042s and C-0042s. C-0042, C-0042's. C-0042 arrived."
        );
    }

    #[test]
    fn whole_words_only() {
        // "Sal" is not taken from "salary" or "Salford", nor "Tom" from "tomorrow".
        let out = clean("Her salary in Salford; tomorrow.", &[]);
        assert_eq!(out, "Her salary in Salford; tomorrow.");
    }

    #[test]
    fn contacts_dates_gp_emergency_and_places() {
        let out = clean(
            "Rang on 07700900123 (or +44 7700 900 123), wrote to SARAH.OB@example.org at 12 Rowan Close. \
             Born 3 March 1990 (03/03/1990, 3rd March 1990). Dr Khan and Amir saw her; tom bell came. \
             Moved from Leeds to harrogate, then headingley.",
            &["Leeds", "Harrogate"],
        );
        for gone in [
            "07700",
            "900 123",
            "SARAH",
            "Rowan",
            "1990",
            "Khan",
            "Amir",
            "tom",
            "bell",
            "Leeds",
            "harrogate",
            "headingley",
        ] {
            assert!(
                !out.to_lowercase().contains(&gone.to_lowercase()),
                "{gone} in {out}"
            );
        }
        assert!(out.contains("[contact details]") && out.contains("[date of birth]"));
        assert!(out.contains("Dr [GP]") && out.contains("[emergency contact]"));
        assert!(
            out.contains("from [place] to [place], then [place]"),
            "{out}"
        );
    }
}
