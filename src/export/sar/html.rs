//! `index.html`: the readable copy. One self-contained page: its styles inline, no script, no
//! font, image or anything else fetched from anywhere, so it opens and prints the same on any
//! computer, years from now. Dates read "3 March 2026", times are 24-hour, in this computer's
//! local time. Notes go through the one Markdown renderer, which shows raw HTML as text.

use chrono::{DateTime, Local, NaiveDate};

use super::data::{BundleData, JointNoteRecord, NoteRecord, Records};
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

fn joint_note_html(out: &mut String, note: &JointNoteRecord) {
    out.push_str(&format!(
        "<article class=\"note\" id=\"joint-note-{}\">\n<h3>Joint {} note, {}</h3>\n<p class=\"meta\">Joint case {}. {}</p>\n",
        note.id,
        escape(&note.kind),
        escape(&moment(&note.written_at)),
        escape(&note.case_reference),
        match &note.signed_at {
            Some(at) => format!("Signed {}.", escape(&moment(at))),
            None => "Draft, not yet signed.".to_owned(),
        },
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
            if w.joint_notes > 0 {
                parts.push(plural(
                    w.joint_notes,
                    "note of a joint session",
                    "notes of joint sessions",
                ));
            }
            if w.disclosures > 0 {
                parts.push(plural(
                    w.disclosures,
                    "record of information shared",
                    "records of information shared",
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

    out.push_str("<section aria-labelledby=\"joint-notes\">\n<h2 id=\"joint-notes\">Notes of joint sessions</h2>\n");
    if r.joint_notes.is_empty() {
        out.push_str(
            "<p>No notes of joint (couple or family) sessions are given in this copy.</p>\n",
        );
    } else {
        out.push_str("<p>Notes of sessions you attended with others, oldest first. They are given because everyone else who took part agreed to their release.</p>\n");
        for note in &r.joint_notes {
            joint_note_html(&mut out, note);
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
    out.push_str("</section>\n");
    other_sections(&mut out, r);
    out.push_str("</body>\n</html>\n");
    out
}

fn section_start(out: &mut String, id: &str, title: &str) {
    out.push_str(&format!(
        "<section aria-labelledby=\"{id}\">\n<h2 id=\"{id}\">{}</h2>\n",
        escape(title)
    ));
}

fn none(out: &mut String, text: &str) {
    out.push_str(&format!("<p>{}</p>\n</section>\n", escape(text)));
}

fn table_start(out: &mut String, id: String, title: String, meta: String) {
    out.push_str(&format!(
        "<article class=\"note\" id=\"{}\">\n<h3>{}</h3>\n<p class=\"meta\">{}</p>\n<table>\n",
        escape(&id),
        escape(&title),
        escape(&meta)
    ));
}

fn table_end(out: &mut String) {
    out.push_str("</table>\n</article>\n");
}

fn yes_no(b: bool) -> String {
    if b { "Yes" } else { "No" }.to_owned()
}

/// The record kinds added in layout 2: consents, disclosures, requests, measures, risk
/// assessments, safety plans, capacity decisions and wishes after death.
fn other_sections(out: &mut String, r: &Records) {
    section_start(out, "consents", "Consents");
    if r.consents.is_empty() {
        none(out, "No consents are recorded.");
    } else {
        for c in &r.consents {
            table_start(
                out,
                format!("consent-{}", c.id),
                c.kind_in_words.clone(),
                format!("Recorded {}.", moment(&c.recorded_at)),
            );
            row(out, "Given on", Some(day(c.given_on)));
            row(
                out,
                "Withdrawn on",
                Some(
                    c.withdrawn_on
                        .map(day)
                        .unwrap_or_else(|| "Not withdrawn".to_owned()),
                ),
            );
            row(out, "What was agreed", c.scope.clone());
            row(
                out,
                "Evidence on file",
                c.evidence_attachment_id.map(|id| format!("document {id}")),
            );
            row(
                out,
                "Recording to be destroyed by",
                c.destroy_recording_by.map(day),
            );
            table_end(out);
        }
        out.push_str("</section>\n");
    }

    section_start(out, "disclosures", "Information shared about you");
    if r.disclosures.is_empty() {
        none(
            out,
            "No sharing of your information with anyone else is recorded in this copy.",
        );
    } else {
        out.push_str("<p>Each time the practice shared information about you with someone else, oldest first.</p>\n");
        for d in &r.disclosures {
            table_start(
                out,
                format!("disclosure-{}", d.id),
                format!("Shared on {}", day(d.disclosed_on)),
                format!("Recorded {}.", moment(&d.recorded_at)),
            );
            row(out, "Shared with", Some(d.recipient_name.clone()));
            row(out, "Their role", d.recipient_role.clone());
            row(out, "Organisation", d.recipient_organisation.clone());
            row(out, "What was shared", Some(d.what_shared.clone()));
            row(out, "Legal basis", Some(d.legal_basis_in_words.clone()));
            row(out, "Why", Some(d.rationale.clone()));
            row(out, "You were told on", d.client_told_on.map(day));
            row(
                out,
                "You were not told because",
                d.client_not_told_reason.clone(),
            );
            row(
                out,
                "Corrects the entry",
                d.corrects_id.map(|id| format!("number {id}")),
            );
            row(out, "Correction", d.correction_note.clone());
            if !d.corrected_by.is_empty() {
                let ids: Vec<String> = d.corrected_by.iter().map(i64::to_string).collect();
                row(
                    out,
                    "Corrected by the entries",
                    Some(format!("numbered {}", ids.join(", "))),
                );
            }
            table_end(out);
        }
        out.push_str("</section>\n");
    }

    section_start(out, "requests", "Your requests about your information");
    if r.requests.is_empty() {
        none(out, "No requests are recorded.");
    } else {
        for q in &r.requests {
            table_start(
                out,
                format!("request-{}", q.id),
                format!("Request {}: {}", q.id, capitalise(&q.kind_in_words)),
                format!("Recorded {}.", moment(&q.recorded_at)),
            );
            row(out, "Received on", Some(day(q.received_on)));
            row(
                out,
                "Your identity checked on",
                q.identity_checked_on.map(day),
            );
            row(out, "What was asked", q.details.clone());
            row(out, "Time limit started on", q.clock_starts_on.map(day));
            row(out, "Due by", q.due_on.map(day));
            row(
                out,
                "Time limit extended by",
                q.extension_months.map(|m| plural(m, "month", "months")),
            );
            row(out, "Extended because", q.extension_reason.clone());
            row(out, "Decision", q.outcome.as_deref().map(capitalise));
            row(out, "Decided on", q.decided_on.map(day));
            row(out, "Reason for the decision", q.decision_reason.clone());
            row(
                out,
                "Completed on",
                Some(
                    q.completed_on
                        .map(day)
                        .unwrap_or_else(|| "Not yet completed".to_owned()),
                ),
            );
            table_end(out);
        }
        out.push_str("</section>\n");
    }

    section_start(out, "measures", "Questionnaires (outcome measures)");
    if r.measures.is_empty() {
        none(out, "No questionnaire scores are recorded.");
    } else {
        out.push_str("<table>\n<thead><tr><th scope=\"col\">Taken on</th><th scope=\"col\">Questionnaire</th><th scope=\"col\">Answers, question by question</th><th scope=\"col\">Total</th><th scope=\"col\">Meaning</th></tr></thead>\n<tbody>\n");
        for m in &r.measures {
            let items: Vec<String> = m.items.iter().map(u8::to_string).collect();
            let mut meaning = m.band.clone();
            if m.above_cut_off {
                meaning.push_str("; at or above the usual clinical cut-off");
            }
            if let Some(c) = &m.change {
                meaning.push_str(&format!("; {c}"));
            }
            if m.entered_in_error {
                meaning = format!(
                    "Entered in error, not counted{}",
                    m.entered_in_error_reason
                        .as_deref()
                        .map(|r| format!(" ({r})"))
                        .unwrap_or_default()
                );
            }
            out.push_str(&format!(
                "<tr id=\"measure-{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                m.id,
                escape(&day(m.taken_on)),
                escape(&m.name),
                escape(&items.join(", ")),
                m.total,
                escape(&meaning)
            ));
        }
        out.push_str("</tbody>\n</table>\n</section>\n");
    }

    section_start(out, "risk", "Risk assessments");
    if r.risk_assessments.is_empty() {
        none(out, "No risk assessments are recorded.");
    } else {
        for a in &r.risk_assessments {
            out.push_str(&format!(
                "<article class=\"note\" id=\"risk-{}\">\n<h3>Risk assessment, {}</h3>\n<p class=\"meta\">{}</p>\n<table>\n",
                a.id,
                escape(&moment(&a.written_at)),
                match &a.signed_at {
                    Some(at) => format!("Signed {}.", escape(&moment(at))),
                    None => format!(
                        "Draft, not yet signed (last changed {}).",
                        escape(&moment(&a.updated_at))
                    ),
                }
            ));
            for d in &a.domains {
                let mut parts = vec![d.status.clone()];
                for (label, text) in [
                    ("Now", &d.current),
                    ("History", &d.history),
                    ("Protective factors", &d.protective_factors),
                    ("Actions", &d.actions),
                ] {
                    if !text.trim().is_empty() {
                        parts.push(format!("{label}: {text}"));
                    }
                }
                row(out, &d.domain, Some(parts.join("\n")));
            }
            row(
                out,
                "Protective factors",
                Some(a.protective_factors.clone()),
            );
            row(out, "Actions", Some(a.actions.clone()));
            row(out, "Overall concern", Some(a.overall_concern.clone()));
            row(out, "To be reviewed by", a.review_on.map(day));
            out.push_str("</table>\n");
            for x in &a.addenda {
                out.push_str(&format!(
                    "<div class=\"addendum\">\n<p class=\"meta\">Addendum, {}. Reason: {}</p>\n<p>{}</p>\n</div>\n",
                    escape(&moment(&x.written_at)),
                    escape(&x.reason),
                    escape(&x.body).replace('\n', "<br>")
                ));
            }
            out.push_str("</article>\n");
        }
        out.push_str("</section>\n");
    }

    section_start(out, "safety-plan", "Safety plan");
    if r.safety_plans.is_empty() {
        none(out, "No safety plan is recorded.");
    } else {
        out.push_str("<p>Every saved version, oldest first.</p>\n");
        for p in &r.safety_plans {
            table_start(
                out,
                format!("safety-plan-{}", p.version),
                format!("Version {}", p.version),
                format!("Saved {}.", moment(&p.saved_at)),
            );
            row(out, "My warning signs", Some(p.warning_signs.clone()));
            row(
                out,
                "Things I can do on my own",
                Some(p.things_i_can_do.clone()),
            );
            row(
                out,
                "People and places that help",
                Some(p.people_and_places.clone()),
            );
            row(
                out,
                "People I can ask for help",
                Some(p.people_to_ask.clone()),
            );
            row(out, "Crisis contacts", Some(p.crisis_contacts.clone()));
            row(
                out,
                "Making my surroundings safer",
                Some(p.environment_safer.clone()),
            );
            row(
                out,
                "My reasons for living",
                Some(p.reasons_for_living.clone()),
            );
            table_end(out);
        }
        out.push_str("</section>\n");
    }

    section_start(out, "capacity", "Mental capacity assessments");
    if r.capacity_decisions.is_empty() {
        none(out, "No mental capacity assessments are recorded.");
    } else {
        for c in &r.capacity_decisions {
            table_start(
                out,
                format!("capacity-{}", c.id),
                format!("Assessed on {}", day(c.assessed_on)),
                format!("Recorded {}.", moment(&c.recorded_at)),
            );
            row(out, "The decision", Some(c.decision.clone()));
            row(out, "Impairment considered", Some(c.impairment.clone()));
            for (label, p) in [
                ("Able to understand the information", &c.understand),
                ("Able to retain it", &c.retain),
                ("Able to use or weigh it", &c.use_or_weigh),
                ("Able to communicate the decision", &c.communicate),
            ] {
                row(
                    out,
                    label,
                    Some(format!("{}. {}", yes_no(p.able), p.evidence)),
                );
            }
            row(out, "Outcome", Some(c.outcome_in_words.clone()));
            row(out, "Who was consulted", Some(c.consulted.clone()));
            row(out, "Best-interest decision", Some(c.best_interest.clone()));
            row(out, "To be reviewed by", c.review_on.map(day));
            table_end(out);
        }
        out.push_str("</section>\n");
    }

    section_start(
        out,
        "after-death",
        "Your wishes for your records after your death",
    );
    if r.after_death_wishes.is_empty() {
        none(out, "No wishes are recorded.");
    } else {
        for w in &r.after_death_wishes {
            table_start(
                out,
                format!("after-death-{}", w.version),
                format!(
                    "Version {}, as you told us on {}",
                    w.version,
                    day(w.recorded_on)
                ),
                format!("Recorded {}.", moment(&w.recorded_at)),
            );
            row(out, "Your wishes", Some(w.wishes.clone()));
            row(out, "Who may see your records", Some(w.who_may_see.clone()));
            row(out, "Who may not see them", Some(w.who_may_not_see.clone()));
            table_end(out);
        }
        out.push_str("</section>\n");
    }
}
