//! Gathers one client's records into [`BundleData`], leaving out everything withheld.
//!
//! Withheld notes and addenda are never copied into the bundle's types; withheld passages are
//! cut from the text before it is; attachments of a withheld note go with it. Then
//! [`check_nothing_withheld_remains`] searches what is left for every withheld text (a passage
//! redacted from one note but repeated in another is refused, naming the notes by id only).

use std::collections::BTreeMap;

use super::data::{
    AddendumRecord, AfterDeathRecord, AppointmentRecord, AttachmentRecord, BundleData,
    CapacityRecord, ClientRecord, ConsentRecord, DisclosureRecord, FunctionalPointRecord,
    JointNoteRecord, MeasureRecord, NoteRecord, Records, RequestRecord, RiskAssessmentRecord,
    RiskDomainRecord, SafetyPlanRecord, WithheldCount, SCHEMA_VERSION,
};
use super::review::{apply_cuts, Place, Resolved, WithholdReason};
use crate::domain::appointments;
use crate::domain::attachments;
use crate::domain::capacity::FunctionalPoint;
use crate::domain::cases::JointNote;
use crate::domain::clients::Client;
use crate::domain::disclosures::{ClientTold, Disclosure};
use crate::domain::notes::Note;
use crate::domain::{after_death, capacity, consents, measures, requests, risk, safety_plan};
use crate::error::{Error, Result};
use crate::vault::Session;

/// What was gathered: the data, and the attachments to copy into the bundle (id → bundle path).
pub struct Gathered {
    pub data: BundleData,
    pub attachment_files: Vec<(i64, String)>,
}

/// A name safe on every file system: letters, digits, dot, hyphen and underscore; nothing
/// hidden, nothing outside the folder. Prefixed by the attachment id so names never collide.
pub fn safe_file_name(id: i64, original: &str) -> String {
    let mut name: String = original
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    while name.starts_with('.') {
        name.remove(0);
    }
    if name.len() > 80 {
        // Keep the extension, which says how to open the file.
        let ext = name
            .rsplit_once('.')
            .map(|(_, e)| e.to_owned())
            .filter(|e| e.len() <= 10)
            .unwrap_or_default();
        name.truncate(80 - ext.len().min(80));
        if !ext.is_empty() {
            name.push('.');
            name.push_str(&ext);
        }
    }
    if name.is_empty() {
        name.push_str("attachment");
    }
    format!("attachments/{id}-{name}")
}

fn client_record(c: &Client) -> ClientRecord {
    let d = &c.details;
    ClientRecord {
        case_reference: c.case_ref.clone(),
        given_name: d.given_name.clone(),
        family_name: d.family_name.clone(),
        preferred_name: d.preferred_name.clone(),
        pronouns: d.pronouns.clone(),
        date_of_birth: d.date_of_birth,
        email: d.email.clone(),
        phone: d.phone.clone(),
        address: d.address.clone(),
        emergency_contact_name: d.emergency_name.clone(),
        emergency_contact_relationship: d.emergency_relationship.clone(),
        emergency_contact_phone: d.emergency_phone.clone(),
        gp_name: d.gp_name.clone(),
        gp_practice: d.gp_practice.clone(),
        gp_contact: d.gp_contact.clone(),
        referral_source: d.referral_source.clone(),
        status: d.status.as_str().to_owned(),
        first_contact_on: d.first_contact_on,
        therapy_started_on: d.therapy_started_on,
        therapy_ended_on: d.therapy_ended_on,
        legal_hold_reason: d.legal_hold_reason.clone(),
        restricted_reason: d.restricted_reason.clone(),
        recorded_at: c.created_at.clone(),
        updated_at: c.updated_at.clone(),
    }
}

fn point(p: &FunctionalPoint) -> FunctionalPointRecord {
    FunctionalPointRecord {
        able: p.able,
        evidence: p.evidence.clone(),
    }
}

fn disclosure_record(d: &Disclosure) -> DisclosureRecord {
    let (told_on, not_told) = match &d.client_told {
        ClientTold::Yes { on } => (Some(*on), None),
        ClientTold::No { reason } => (None, Some(reason.clone())),
    };
    DisclosureRecord {
        id: d.id,
        disclosed_on: d.disclosed_on,
        recipient_name: d.recipient.name.clone(),
        recipient_role: d.recipient.role.clone(),
        recipient_organisation: d.recipient.organisation.clone(),
        what_shared: d.what_shared.clone(),
        legal_basis: d.legal_basis.as_str().to_owned(),
        legal_basis_in_words: d.legal_basis.label().to_owned(),
        client_told_on: told_on,
        client_not_told_reason: not_told,
        rationale: d.rationale.clone(),
        corrects_id: d.corrects_id,
        correction_note: d.correction_note.clone(),
        corrected_by: d.corrected_by.clone(),
        recorded_at: d.recorded_at.clone(),
    }
}

/// The records other than notes, appointments and attachments, oldest first. Disclosures
/// withheld in the review are left out and counted.
fn other_records(
    session: &Session,
    client_id: i64,
    disclosures: &[Disclosure],
    resolved: &Resolved,
    counts: &mut BTreeMap<WithholdReason, WithheldCount>,
    count: fn(&mut BTreeMap<WithholdReason, WithheldCount>, WithholdReason) -> &mut WithheldCount,
    records: &mut Records,
) -> Result<()> {
    let mut consents: Vec<ConsentRecord> = consents::history(session, client_id)?
        .into_iter()
        .map(|c| ConsentRecord {
            id: c.id,
            kind: c.kind.as_str().to_owned(),
            kind_in_words: c.kind.label().to_owned(),
            given_on: c.given_on,
            withdrawn_on: c.withdrawn_on,
            scope: c.scope,
            evidence_attachment_id: c.evidence_attachment_id,
            destroy_recording_by: c.destroy_recording_by,
            recorded_at: c.recorded_at,
            withdrawal_recorded_at: c.withdrawal_recorded_at,
        })
        .collect();
    consents.sort_by_key(|a| (a.given_on, a.id));
    records.consents = consents;

    let mut given = Vec::new();
    for d in disclosures {
        if let Some((reason, _)) = resolved.disclosures.get(&d.id) {
            count(counts, *reason).disclosures += 1;
            continue;
        }
        given.push(disclosure_record(d));
    }
    given.sort_by_key(|a| (a.disclosed_on, a.id));
    records.disclosures = given;

    let mut reqs: Vec<RequestRecord> = requests::for_client(session, client_id)?
        .into_iter()
        .map(|r| RequestRecord {
            id: r.id,
            kind: r.kind.as_str().to_owned(),
            kind_in_words: r.kind.label().to_owned(),
            received_on: r.received_on,
            identity_checked_on: r.identity_checked_on,
            details: r.details,
            clock_starts_on: r.clock_starts_on,
            due_on: r.due_on,
            extension_months: r.extension.as_ref().map(|e| e.months),
            extension_reason: r.extension.map(|e| e.reason),
            outcome: r.decision.as_ref().map(|d| d.outcome.as_str().to_owned()),
            decided_on: r.decision.as_ref().map(|d| d.decided_on),
            decision_reason: r.decision.map(|d| d.reason),
            completed_on: r.completed_on,
            recorded_at: r.recorded_at,
        })
        .collect();
    reqs.sort_by_key(|a| (a.received_on, a.id));
    records.requests = reqs;

    let mut ms: Vec<MeasureRecord> = measures::for_client(session, client_id)?
        .into_iter()
        .map(|m| MeasureRecord {
            id: m.id,
            kind: m.kind.as_str().to_owned(),
            name: m.kind.name().to_owned(),
            taken_on: m.taken_on,
            items: m.items,
            total: m.total,
            band: m.band,
            above_cut_off: m.above_cut_off,
            change: m.change.map(|c| c.words().to_owned()),
            entered_in_error: m.entered_in_error.is_some(),
            entered_in_error_reason: m.entered_in_error.as_ref().map(|e| e.reason.clone()),
            entered_in_error_at: m.entered_in_error.map(|e| e.at),
            recorded_at: m.recorded_at,
        })
        .collect();
    ms.sort_by_key(|a| (a.taken_on, a.id));
    records.measures = ms;

    let mut risks: Vec<RiskAssessmentRecord> = risk::for_client(session, client_id)?
        .into_iter()
        .map(|a| RiskAssessmentRecord {
            id: a.id,
            draft: a.signed_at.is_none(),
            written_at: a.created_at,
            updated_at: a.updated_at,
            signed_at: a.signed_at,
            domains: a
                .content
                .domains
                .iter()
                .map(|d| RiskDomainRecord {
                    domain: d.domain.label().to_owned(),
                    status: d.status.label().to_owned(),
                    current: d.current.clone(),
                    history: d.history.clone(),
                    protective_factors: d.protective_factors.clone(),
                    actions: d.actions.clone(),
                })
                .collect(),
            protective_factors: a.content.protective_factors,
            actions: a.content.actions,
            overall_concern: a.content.overall_concern,
            review_on: a.content.review_on,
            addenda: a
                .addenda
                .into_iter()
                .map(|x| AddendumRecord {
                    id: x.id,
                    reason: x.reason,
                    body: x.body,
                    written_at: x.created_at,
                })
                .collect(),
        })
        .collect();
    risks.sort_by(|a, b| (&a.written_at, a.id).cmp(&(&b.written_at, b.id)));
    records.risk_assessments = risks;

    let mut plans: Vec<SafetyPlanRecord> = safety_plan::versions(session, client_id)?
        .into_iter()
        .map(|p| SafetyPlanRecord {
            id: p.id,
            version: p.version,
            saved_at: p.saved_at,
            warning_signs: p.content.warning_signs,
            things_i_can_do: p.content.things_i_can_do,
            people_and_places: p.content.people_and_places,
            people_to_ask: p.content.people_to_ask,
            crisis_contacts: p.content.crisis_contacts,
            environment_safer: p.content.environment_safer,
            reasons_for_living: p.content.reasons_for_living,
        })
        .collect();
    plans.sort_by_key(|p| (p.version, p.id));
    records.safety_plans = plans;

    let mut caps: Vec<CapacityRecord> = capacity::for_client(session, client_id)?
        .into_iter()
        .map(|c| {
            let d = c.details;
            CapacityRecord {
                id: c.id,
                decision: d.decision,
                assessed_on: d.assessed_on,
                impairment: d.impairment,
                understand: point(&d.understand),
                retain: point(&d.retain),
                use_or_weigh: point(&d.use_or_weigh),
                communicate: point(&d.communicate),
                outcome: d.outcome.as_str().to_owned(),
                outcome_in_words: d.outcome.label().to_owned(),
                consulted: d.consulted,
                best_interest: d.best_interest,
                review_on: d.review_on,
                recorded_at: c.created_at,
            }
        })
        .collect();
    caps.sort_by_key(|a| (a.assessed_on, a.id));
    records.capacity_decisions = caps;

    let mut wishes: Vec<AfterDeathRecord> = after_death::history(session, client_id)?
        .into_iter()
        .map(|w| AfterDeathRecord {
            id: w.id,
            version: w.version,
            wishes: w.details.wishes,
            who_may_see: w.details.who_may_see,
            who_may_not_see: w.details.who_may_not_see,
            recorded_on: w.details.recorded_on,
            recorded_at: w.created_at,
        })
        .collect();
    wishes.sort_by_key(|w| (w.version, w.id));
    records.after_death_wishes = wishes;
    Ok(())
}

/// Builds the bundle's data for `client` from its notes (oldest first), its disclosures, the
/// joint notes of its cases (oldest first) and the review.
#[allow(clippy::too_many_arguments)]
pub fn gather(
    session: &Session,
    client: &Client,
    notes: &[Note],
    disclosures: &[Disclosure],
    joint_notes: &[JointNote],
    resolved: &Resolved,
    request_reference: i64,
    created_at: &str,
) -> Result<Gathered> {
    let mut counts: BTreeMap<WithholdReason, WithheldCount> = BTreeMap::new();
    fn count(
        counts: &mut BTreeMap<WithholdReason, WithheldCount>,
        reason: WithholdReason,
    ) -> &mut WithheldCount {
        counts.entry(reason).or_insert_with(|| WithheldCount {
            reason: reason.as_str().to_owned(),
            reason_in_words: reason.in_words().to_owned(),
            notes: 0,
            addenda: 0,
            passages: 0,
            attachments: 0,
            disclosures: 0,
            joint_notes: 0,
        })
    }

    let mut note_records = Vec::new();
    for note in notes {
        if let Some((reason, _)) = resolved.notes.get(&note.id) {
            count(&mut counts, *reason).notes += 1;
            continue;
        }
        let (body, mut passages) = apply_cuts(&note.body, Place::Body(note.id), &resolved.cuts);
        let mut addenda = Vec::new();
        for a in &note.addenda {
            if let Some((_, reason, _)) = resolved.addenda.get(&a.id) {
                count(&mut counts, *reason).addenda += 1;
                continue;
            }
            let (text, n) = apply_cuts(&a.body, Place::Addendum(a.id), &resolved.cuts);
            passages += n;
            addenda.push(AddendumRecord {
                id: a.id,
                reason: a.reason.clone(),
                body: text,
                written_at: a.created_at.clone(),
            });
        }
        note_records.push(NoteRecord {
            id: note.id,
            kind: note.kind.as_str().to_owned(),
            template: note.template.as_str().to_owned(),
            appointment_id: note.appointment_id,
            body,
            written_at: note.created_at.clone(),
            signed_at: note.signed_at.clone(),
            passages_withheld: passages,
            addenda,
        });
    }
    // Passages are counted per cut that fell in text still given (not inside a withheld note).
    for cut in &resolved.cuts {
        let in_withheld = resolved.notes.contains_key(&cut.note_id)
            || matches!(cut.place, Place::Addendum(a) if resolved.addenda.contains_key(&a));
        if !in_withheld {
            count(&mut counts, cut.reason).passages += 1;
        }
    }

    let mut attachment_records = Vec::new();
    let mut attachment_files = Vec::new();
    for a in attachments::for_client(session, client.id)? {
        if let Some((reason, _)) = a.note_id.and_then(|n| resolved.notes.get(&n)) {
            count(&mut counts, *reason).attachments += 1;
            continue;
        }
        let file = safe_file_name(a.id, &a.file_name);
        attachment_files.push((a.id, file.clone()));
        attachment_records.push(AttachmentRecord {
            id: a.id,
            note_id: a.note_id,
            original_name: a.file_name,
            file,
            media_type: a.media_type,
            size_bytes: a.size_bytes,
            sha256: a.sha256,
            added_at: a.added_at,
        });
    }

    let mut appointment_records: Vec<AppointmentRecord> =
        appointments::for_client(session, client.id)?
            .into_iter()
            .map(|a| AppointmentRecord {
                id: a.id,
                starts_at: a
                    .details
                    .starts_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                minutes: a.details.minutes,
                mode: a.details.mode.as_str().to_owned(),
                attendance: a.details.attendance.as_str().to_owned(),
                fee_pence: a.details.fee_pence,
                paid: a.details.paid,
            })
            .collect();
    appointment_records.sort_by(|a, b| (&a.starts_at, a.id).cmp(&(&b.starts_at, b.id)));

    let mut joint_records = Vec::new();
    for note in joint_notes {
        if let Some((reason, _, _)) = resolved.joint_notes.get(&note.id) {
            count(&mut counts, *reason).joint_notes += 1;
            continue;
        }
        joint_records.push(JointNoteRecord {
            id: note.id,
            case_reference: note.case_ref.clone(),
            kind: note.kind.as_str().to_owned(),
            template: note.template.as_str().to_owned(),
            body: note.body.clone(),
            written_at: note.created_at.clone(),
            signed_at: note.signed_at.clone(),
            addenda: note
                .addenda
                .iter()
                .map(|a| AddendumRecord {
                    id: a.id,
                    reason: a.reason.clone(),
                    body: a.body.clone(),
                    written_at: a.created_at.clone(),
                })
                .collect(),
        });
    }

    let mut records = Records {
        joint_notes: joint_records,
        appointments: appointment_records,
        notes: note_records,
        attachments: attachment_records,
        ..Records::default()
    };
    other_records(
        session,
        client.id,
        disclosures,
        resolved,
        &mut counts,
        count,
        &mut records,
    )?;

    Ok(Gathered {
        data: BundleData {
            schema_version: SCHEMA_VERSION,
            generator: crate::build_info::describe(),
            created_at: created_at.to_owned(),
            request_reference,
            client: client_record(client),
            records,
            withheld: counts.into_values().collect(),
        },
        attachment_files,
    })
}

/// Every text withheld, with the id of the note it came from (for the refusal message).
pub fn withheld_texts<'a>(notes: &'a [Note], resolved: &Resolved) -> Vec<(i64, &'a str)> {
    let mut out = Vec::new();
    for note in notes {
        if resolved.notes.contains_key(&note.id) {
            out.push((note.id, note.body.as_str()));
            out.extend(note.addenda.iter().map(|a| (note.id, a.body.as_str())));
            continue;
        }
        for a in &note.addenda {
            if resolved.addenda.contains_key(&a.id) {
                out.push((note.id, a.body.as_str()));
            }
        }
        for cut in resolved.cuts.iter().filter(|c| c.note_id == note.id) {
            let body = match cut.place {
                Place::Body(_) => Some(note.body.as_str()),
                Place::Addendum(id) => note
                    .addenda
                    .iter()
                    .find(|a| a.id == id)
                    .map(|a| a.body.as_str()),
            };
            if let Some(body) = body {
                out.push((note.id, &body[cut.start..cut.end]));
            }
        }
    }
    out.retain(|(_, t)| !t.trim().is_empty());
    out
}

/// Every joint note's text withheld (body and addenda), with the joint note's id.
pub fn withheld_joint_texts<'a>(
    notes: &'a [JointNote],
    resolved: &Resolved,
) -> Vec<(i64, &'a str)> {
    let mut out = Vec::new();
    for note in notes
        .iter()
        .filter(|n| resolved.joint_notes.contains_key(&n.id))
    {
        out.push((note.id, note.body.as_str()));
        out.extend(note.addenda.iter().map(|a| (note.id, a.body.as_str())));
    }
    out.retain(|(_, t)| !t.trim().is_empty());
    out
}

/// Refuses a bundle in which any withheld text still appears: in a note or addendum that is
/// given, or in an addendum's reason. The message names notes by id, never the text.
pub fn check_nothing_withheld_remains(data: &BundleData, withheld: &[(i64, &str)]) -> Result<()> {
    for note in &data.records.notes {
        let texts = std::iter::once(note.body.as_str()).chain(
            note.addenda
                .iter()
                .flat_map(|a| [a.body.as_str(), a.reason.as_str()]),
        );
        for text in texts {
            if let Some((from, _)) = withheld
                .iter()
                .find(|(_, w)| contains_words(text, w.trim()))
            {
                return Err(Error::rule(
                    format!(
                        "Text withheld from note {from} also appears in note {} (or one of its addenda), which would be given.",
                        note.id
                    ),
                    format!("Withhold that passage in note {} too, or withhold the note.", note.id),
                ));
            }
        }
    }
    Ok(())
}

/// Whether `needle` is in `hay` as whole words: "Tom" is in "Tom's" and "Tom." but not in
/// "Tomorrow", so a short withheld name does not refuse every note with a longer word.
pub fn contains_words(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let alnum_start = needle.chars().next().is_some_and(char::is_alphanumeric);
    let alnum_end = needle.chars().last().is_some_and(char::is_alphanumeric);
    hay.match_indices(needle).any(|(at, _)| {
        let before = hay[..at].chars().next_back();
        let after = hay[at + needle.len()..].chars().next();
        let joined_before = alnum_start && before.is_some_and(char::is_alphanumeric);
        let joined_after = alnum_end && after.is_some_and(char::is_alphanumeric);
        !joined_before && !joined_after
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn withheld_words_are_matched_whole() {
        assert!(contains_words("Tom phoned.", "Tom"));
        assert!(contains_words("Tom's mother", "Tom"));
        assert!(!contains_words("See you tomorrow, Tomas", "Tom"));
        assert!(contains_words("a (long) passage.", "(long) passage"));
    }

    #[test]
    fn file_names_are_safe_and_distinct() {
        assert_eq!(
            safe_file_name(3, "../../etc/passwd"),
            "attachments/3-_.._etc_passwd"
        );
        assert_eq!(safe_file_name(4, ".hidden"), "attachments/4-hidden");
        assert_eq!(
            safe_file_name(5, "Letter to GP (final).pdf"),
            "attachments/5-Letter_to_GP__final_.pdf"
        );
        assert_eq!(safe_file_name(6, "ÆØ"), "attachments/6-__");
        let long = format!("{}.docx", "a".repeat(200));
        let safe = safe_file_name(7, &long);
        assert!(safe.ends_with(".docx") && safe.len() < 110, "{safe}");
    }
}
