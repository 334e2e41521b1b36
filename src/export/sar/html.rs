//! `index.html`: the readable copy. One self-contained page: its styles inline, no script, no
//! font, image or anything else fetched from anywhere, so it opens and prints the same on any
//! computer, years from now. Dates read "3 March 2026", times are 24-hour, in this computer's
//! local time. Notes go through the one Markdown renderer, which shows raw HTML as text.

use chrono::{DateTime, Local, NaiveDate};

use super::data::{BundleData, NoteRecord};
use crate::markdown;

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// "3 March 2026".
pub fn day(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// "3 March 2026 at 14:05" in local time, from an RFC 3339 stamp (the stamp itself if unreadable).
pub fn moment(stamp: &str) -> String {
    DateTime::parse_from_rfc3339(stamp)
        .map(|t| {
            t.with_timezone(&Local)
                .format("%-d %B %Y at %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| stamp.to_owned())
}

const STYLE: &str = "
body { font-family: Georgia, 'Times New Roman', serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #111; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; border-bottom: 1px solid #999; padding-bottom: 0.2rem; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin-bottom: 0.2rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 0.25rem 0.5rem; border-bottom: 1px solid #ddd; }
th[scope=row] { width: 38%; font-weight: normal; color: #333; }
.note { border: 1px solid #bbb; border-radius: 4px; padding: 0.5rem 1rem; margin: 1rem 0; break-inside: avoid; }
.meta { color: #444; font-size: 0.9rem; margin: 0; }
.addendum { border-left: 3px solid #888; padding-left: 0.8rem; margin: 0.8rem 0; }
.withheld { border: 2px solid #333; padding: 0.5rem 1rem; }
@media print { body { margin: 0; max-width: none; } a { color: inherit; } }
";

fn row(out: &mut String, label: &str, value: Option<String>) {
    if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
        out.push_str(&format!(
            "<tr><th scope=\"row\">{}</th><td>{}</td></tr>\n",
            escape(label),
            escape(&v).replace('\n', "<br>")
        ));
    }
}

fn words(code: &str) -> String {
    match code {
        "in_person" => "in person".to_owned(),
        "did_not_attend" => "did not attend".to_owned(),
        other => other.replace('_', " "),
    }
}

fn note_html(out: &mut String, note: &NoteRecord) {
    out.push_str(&format!(
        "<article class=\"note\" id=\"note-{}\">\n<h3>{} note, {}</h3>\n<p class=\"meta\">{}{}</p>\n",
        note.id,
        escape(&capitalise(&note.kind)),
        escape(&moment(&note.written_at)),
        match &note.signed_at {
            Some(at) => format!("Signed {}.", escape(&moment(at))),
            None => "Draft, not yet signed.".to_owned(),
        },
        if note.passages_withheld > 0 {
            format!(
                " {} withheld from this note (marked where {}).",
                plural(note.passages_withheld, "passage", "passages"),
                if note.passages_withheld == 1 { "it was" } else { "they were" }
            )
        } else {
            String::new()
        }
    ));
    out.push_str(&markdown::to_html(&note.body));
    for a in &note.addenda {
        out.push_str(&format!(
            "<div class=\"addendum\">\n<p class=\"meta\">Addendum, {}. Reason: {}</p>\n{}</div>\n",
            escape(&moment(&a.written_at)),
            escape(&a.reason),
            markdown::to_html(&a.body)
        ));
    }
    out.push_str("</article>\n");
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The whole page.
pub fn render(data: &BundleData) -> String {
    let c = &data.client;
    let name = format!(
        "{} {}",
        c.preferred_name.as_deref().unwrap_or(&c.given_name),
        c.family_name
    );
    let mut out = String::with_capacity(16 * 1024);
    out.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Records held about {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&name)
    ));
    out.push_str(&format!(
        "<header>\n<h1>Records held about {}</h1>\n<p class=\"meta\">A copy of everything the practice holds about you, made on {} \
         in answer to your request (reference {}). Case reference {}.</p>\n\
         <p class=\"meta\">The same records are in <a href=\"data.json\">data.json</a> for a computer to read \
         (its layout is described in <a href=\"schema/data.schema.json\">schema/data.schema.json</a>), and any documents \
         are in the <a href=\"attachments/\">attachments</a> folder. <a href=\"manifest.json\">manifest.json</a> lists every file \
         with its SHA-256 fingerprint. Made by {}.</p>\n</header>\n",
        escape(&name),
        escape(&moment(&data.created_at)),
        data.request_reference,
        escape(&c.case_reference),
        escape(&data.generator)
    ));

    out.push_str("<section class=\"withheld\" aria-labelledby=\"withheld\">\n<h2 id=\"withheld\">What has been withheld</h2>\n");
    if data.withheld.is_empty() {
        out.push_str("<p>Nothing has been withheld: this is everything held about you.</p>\n");
    } else {
        out.push_str("<p>The law allows some information to be withheld. The practice has withheld the following, for the reasons given. Where a passage was withheld from a note, the note says so in its place.</p>\n<ul>\n");
        for w in &data.withheld {
            let mut parts = Vec::new();
            if w.notes > 0 {
                parts.push(plural(w.notes, "whole note", "whole notes"));
            }
            if w.addenda > 0 {
                parts.push(plural(w.addenda, "addendum", "addenda"));
            }
            if w.passages > 0 {
                parts.push(plural(w.passages, "passage", "passages"));
            }
            if w.attachments > 0 {
                parts.push(plural(
                    w.attachments,
                    "attached document",
                    "attached documents",
                ));
            }
            let why = match w.reason.as_str() {
                "third_party" => {
                    "it is information about someone else, who has not agreed to its release"
                }
                "serious_harm" => {
                    "releasing it would be likely to cause serious harm to you or to someone else"
                }
                _ => "it is covered by legal professional privilege",
            };
            out.push_str(&format!(
                "<li>{}, because {}.</li>\n",
                escape(&parts.join(", ")),
                why
            ));
        }
        out.push_str("</ul>\n<p>If you think something has been withheld that should not have been, you can ask the practice to look again, or complain to the Information Commissioner's Office (ico.org.uk).</p>\n");
    }
    out.push_str("</section>\n");

    out.push_str(
        "<section aria-labelledby=\"details\">\n<h2 id=\"details\">Your details</h2>\n<table>\n",
    );
    row(&mut out, "Case reference", Some(c.case_reference.clone()));
    row(&mut out, "Given name", Some(c.given_name.clone()));
    row(&mut out, "Family name", Some(c.family_name.clone()));
    row(&mut out, "Preferred name", c.preferred_name.clone());
    row(&mut out, "Pronouns", c.pronouns.clone());
    row(&mut out, "Date of birth", c.date_of_birth.map(day));
    row(&mut out, "Email", c.email.clone());
    row(&mut out, "Phone", c.phone.clone());
    row(&mut out, "Address", c.address.clone());
    row(
        &mut out,
        "Emergency contact",
        c.emergency_contact_name.clone(),
    );
    row(
        &mut out,
        "Emergency contact's relationship to you",
        c.emergency_contact_relationship.clone(),
    );
    row(
        &mut out,
        "Emergency contact's phone",
        c.emergency_contact_phone.clone(),
    );
    row(&mut out, "GP", c.gp_name.clone());
    row(&mut out, "GP practice", c.gp_practice.clone());
    row(&mut out, "GP contact", c.gp_contact.clone());
    row(&mut out, "Referred by", c.referral_source.clone());
    row(&mut out, "Status", Some(capitalise(&c.status)));
    row(&mut out, "First contact", c.first_contact_on.map(day));
    row(&mut out, "Therapy started", c.therapy_started_on.map(day));
    row(&mut out, "Therapy ended", c.therapy_ended_on.map(day));
    row(
        &mut out,
        "Record kept beyond the usual time because",
        c.legal_hold_reason.clone(),
    );
    row(
        &mut out,
        "Use of the record restricted because",
        c.restricted_reason.clone(),
    );
    row(&mut out, "Record made", Some(moment(&c.recorded_at)));
    row(&mut out, "Last changed", Some(moment(&c.updated_at)));
    out.push_str("</table>\n</section>\n");

    let r = &data.records;
    out.push_str(
        "<section aria-labelledby=\"appointments\">\n<h2 id=\"appointments\">Appointments</h2>\n",
    );
    if r.appointments.is_empty() {
        out.push_str("<p>No appointments are recorded.</p>\n");
    } else {
        out.push_str("<table>\n<thead><tr><th scope=\"col\">When</th><th scope=\"col\">Length</th><th scope=\"col\">How</th><th scope=\"col\">Attendance</th><th scope=\"col\">Fee</th></tr></thead>\n<tbody>\n");
        for a in &r.appointments {
            let fee = match a.fee_pence {
                Some(p) => format!(
                    "£{}.{:02}{}",
                    p / 100,
                    p % 100,
                    if a.paid { ", paid" } else { ", not paid" }
                ),
                None => "none".to_owned(),
            };
            out.push_str(&format!(
                "<tr><td>{}</td><td>{} minutes</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                escape(&moment(&a.starts_at)),
                a.minutes,
                escape(&words(&a.mode)),
                escape(&words(&a.attendance)),
                escape(&fee)
            ));
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");

    out.push_str("<section aria-labelledby=\"notes\">\n<h2 id=\"notes\">Notes</h2>\n");
    if r.notes.is_empty() {
        out.push_str("<p>No notes are given in this copy.</p>\n");
    } else {
        out.push_str("<p>Oldest first. A signed note is never changed; corrections and additions follow it as addenda.</p>\n");
        for note in &r.notes {
            note_html(&mut out, note);
        }
    }
    out.push_str("</section>\n");

    out.push_str(
        "<section aria-labelledby=\"attachments\">\n<h2 id=\"attachments\">Documents</h2>\n",
    );
    if r.attachments.is_empty() {
        out.push_str("<p>No documents are given in this copy.</p>\n");
    } else {
        out.push_str("<ul>\n");
        for a in &r.attachments {
            out.push_str(&format!(
                "<li><a href=\"{}\">{}</a> ({}, {} KB, added {}{})</li>\n",
                escape(&a.file),
                escape(&a.original_name),
                escape(&a.media_type),
                (a.size_bytes as u64).div_ceil(1024),
                escape(&moment(&a.added_at)),
                match a.note_id {
                    Some(n) if r.notes.iter().any(|x| x.id == n) =>
                        format!(", with the <a href=\"#note-{n}\">note of that day</a>"),
                    _ => String::new(),
                }
            ));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n</body>\n</html>\n");
    out
}
