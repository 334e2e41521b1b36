//! The review before a subject-access copy is made: which items may hold information about
//! someone else, and what the practitioner chose to withhold or redact, each with a reason.
//!
//! A withholding names a note, an addendum, or a passage (a byte range, or an exact piece of text
//! found in a note and its addenda). Passages are resolved here to byte ranges, so the log kept in
//! the vault holds ids, ranges and reasons, never the withheld words. Errors name ids only.
//!
//! Joint notes (of a couple or family case the client is a member of) are always listed, and
//! withheld automatically, as third-party information without consent, unless every other
//! member of the case has a current consent to their release (`joint_notes_release`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::cases::{self, JointNote, ReleaseConsent};
use crate::domain::disclosures::{self, Disclosure};
use crate::domain::notes::{self, Note};
use crate::error::{Error, Result};
use crate::vault::Session;

/// Why something is withheld: the grounds the UK GDPR and the Data Protection Act 2018 give.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WithholdReason {
    /// Information about someone else, who has not consented to its release.
    ThirdParty,
    /// Release would be likely to cause serious harm to the client or someone else.
    SeriousHarm,
    /// Legal professional privilege.
    LegalPrivilege,
}

impl WithholdReason {
    pub const ALL: [WithholdReason; 3] = [
        WithholdReason::ThirdParty,
        WithholdReason::SeriousHarm,
        WithholdReason::LegalPrivilege,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WithholdReason::ThirdParty => "third_party",
            WithholdReason::SeriousHarm => "serious_harm",
            WithholdReason::LegalPrivilege => "legal_privilege",
        }
    }

    /// The words that replace a withheld passage and head the summary: "third party without consent".
    pub fn in_words(self) -> &'static str {
        match self {
            WithholdReason::ThirdParty => "third party without consent",
            WithholdReason::SeriousHarm => "serious harm",
            WithholdReason::LegalPrivilege => "legal privilege",
        }
    }

    pub fn parse(text: &str) -> Result<Self> {
        WithholdReason::ALL
            .into_iter()
            .find(|r| r.as_str() == text)
            .ok_or_else(|| {
                Error::rule(
                    format!("'{text}' is not a reason for withholding."),
                    "Use third_party, serious_harm or legal_privilege.",
                )
            })
    }

    /// What replaces a withheld passage.
    pub fn marker(self) -> String {
        format!("[withheld: {}]", self.in_words())
    }
}

/// What is withheld.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WithholdTarget {
    /// A whole note, with its addenda and the attachments that belong to it.
    Note {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        note_id: i64,
    },
    /// One addendum.
    Addendum {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        addendum_id: i64,
    },
    /// A byte range of a note's body (UTF-8 offsets, end exclusive).
    Range {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        note_id: i64,
        start: u32,
        end: u32,
    },
    /// Every occurrence of this exact text in a note and its addenda.
    Passage {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        note_id: i64,
        text: String,
    },
    /// A whole entry of the disclosures record (it may name the person it was shared with).
    Disclosure {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        disclosure_id: i64,
    },
    /// A whole joint note of a couple or family case the client is a member of (with its
    /// addenda). Joint notes some other member has not consented to release are withheld
    /// automatically; this withholds one that all have.
    JointNote {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        joint_note_id: i64,
    },
}

/// One decision of the review.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withhold {
    pub target: WithholdTarget,
    pub reason: WithholdReason,
    /// The practitioner's own words on why (kept in the vault, never put in the bundle).
    pub comment: Option<String>,
}

/// Why an item is offered for review.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CandidateWhy {
    /// The note is marked as holding information about someone else.
    FlaggedThirdParty,
}

/// A note that may hold information about someone other than the client. (Disclosures, which
/// always name someone else, are offered separately by [`disclosure_candidates`].)
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct ReviewCandidate {
    pub why: CandidateWhy,
    pub note: Note,
}

/// The items of a client's file the practitioner should look at before a copy is made.
pub fn review_candidates(session: &Session, client_id: i64) -> Result<Vec<ReviewCandidate>> {
    let mut notes = notes::for_client(session, client_id)?;
    notes.reverse(); // oldest first, as the bundle lists them
    Ok(notes
        .into_iter()
        .filter(|n| n.third_party)
        .map(|note| ReviewCandidate {
            why: CandidateWhy::FlaggedThirdParty,
            note,
        })
        .collect())
}

/// The client's disclosures, oldest first: each records information shared with someone else
/// and names them, so each may hold information about a third party and is offered for review.
pub fn disclosure_candidates(session: &Session, client_id: i64) -> Result<Vec<Disclosure>> {
    let mut list = disclosures::for_client(session, client_id)?;
    list.sort_by_key(|a| (a.disclosed_on, a.id));
    Ok(list)
}

/// A joint note of a case the client is a member of, as the review lists it: every joint note
/// may hold information about the other members, so every one is listed, with whether the
/// others have consented to its release in this client's copy. Without every other member's
/// consent it is withheld automatically ("third party without consent").
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct JointNoteCandidate {
    pub note: JointNote,
    pub consent: ReleaseConsent,
    /// Withheld whatever the practitioner chooses, because some other member has not consented.
    pub withheld_automatically: bool,
}

/// The joint notes of every case the client is a member of, oldest first, each with the other
/// members' consent to its release.
pub fn joint_note_candidates(session: &Session, client_id: i64) -> Result<Vec<JointNoteCandidate>> {
    let mut list = cases::notes_for_client(session, client_id)?;
    list.reverse(); // oldest first, as the bundle lists them
    list.into_iter()
        .map(|note| {
            let consent = cases::release_consent(session, note.case_id, client_id)?;
            Ok(JointNoteCandidate {
                withheld_automatically: !consent.all_consented(),
                consent,
                note,
            })
        })
        .collect()
}

/// Where a passage is: a note's body, or one of its addenda.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Place {
    Body(i64),
    Addendum(i64),
}

/// A passage resolved to a byte range of one body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut {
    pub note_id: i64,
    pub place: Place,
    pub start: usize,
    pub end: usize,
    pub reason: WithholdReason,
    pub comment: Option<String>,
}

/// The review, checked against the client's notes and resolved to ids and ranges.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// note id → (reason, comment)
    pub notes: BTreeMap<i64, (WithholdReason, Option<String>)>,
    /// addendum id → (note id, reason, comment)
    pub addenda: BTreeMap<i64, (i64, WithholdReason, Option<String>)>,
    /// Sorted by place then start; never overlapping.
    pub cuts: Vec<Cut>,
    /// disclosure id → (reason, comment)
    pub disclosures: BTreeMap<i64, (WithholdReason, Option<String>)>,
    /// joint note id → (reason, comment, withheld automatically for want of consent)
    pub joint_notes: BTreeMap<i64, (WithholdReason, Option<String>, bool)>,
}

/// The words logged with a joint note withheld automatically (the practitioner's comment, when
/// they give one, is kept instead).
pub const AUTOMATIC_JOINT_COMMENT: &str =
    "Withheld automatically: not every other member of the case has consented to its release.";

/// Adds to `resolved` every joint note some other member has not consented to release, with
/// the reason "third party without consent", unless the practitioner withheld it already.
pub fn withhold_joint_notes_without_consent(
    candidates: &[JointNoteCandidate],
    resolved: &mut Resolved,
) {
    for c in candidates.iter().filter(|c| c.withheld_automatically) {
        resolved.joint_notes.entry(c.note.id).or_insert((
            WithholdReason::ThirdParty,
            Some(AUTOMATIC_JOINT_COMMENT.to_owned()),
            true,
        ));
    }
}

fn not_this_clients(what: &str, id: i64) -> Error {
    Error::rule(
        format!("{what} {id} is not in this client's file."),
        "Withhold only notes and addenda from the file of the client the copy is for.",
    )
}

/// Checks every decision against the client's own notes (and disclosures, by id) and turns
/// passages into byte ranges.
pub fn resolve(
    client_notes: &[Note],
    client_disclosures: &[i64],
    decisions: &[Withhold],
) -> Result<Resolved> {
    resolve_with_joint(client_notes, client_disclosures, &[], decisions)
}

/// As [`resolve`], with the ids of the joint notes in the client's file (which may be withheld
/// whole).
pub fn resolve_with_joint(
    client_notes: &[Note],
    client_disclosures: &[i64],
    client_joint_notes: &[i64],
    decisions: &[Withhold],
) -> Result<Resolved> {
    let note_by_id: BTreeMap<i64, &Note> = client_notes.iter().map(|n| (n.id, n)).collect();
    let mut out = Resolved::default();
    for d in decisions {
        let comment = d
            .comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned);
        match &d.target {
            WithholdTarget::Disclosure { disclosure_id } => {
                if !client_disclosures.contains(disclosure_id) {
                    return Err(Error::rule(
                        format!("Disclosure {disclosure_id} is not in this client's file."),
                        "Withhold only disclosures recorded for the client the copy is for.",
                    ));
                }
                out.disclosures.insert(*disclosure_id, (d.reason, comment));
            }
            WithholdTarget::JointNote { joint_note_id } => {
                if !client_joint_notes.contains(joint_note_id) {
                    return Err(Error::rule(
                        format!("Joint note {joint_note_id} is not in this client's file."),
                        "Withhold only joint notes of the cases the client is a member of.",
                    ));
                }
                out.joint_notes
                    .insert(*joint_note_id, (d.reason, comment, false));
            }
            WithholdTarget::Note { note_id } => {
                if !note_by_id.contains_key(note_id) {
                    return Err(not_this_clients("Note", *note_id));
                }
                out.notes.insert(*note_id, (d.reason, comment));
            }
            WithholdTarget::Addendum { addendum_id } => {
                let note = client_notes
                    .iter()
                    .find(|n| n.addenda.iter().any(|a| a.id == *addendum_id))
                    .ok_or_else(|| not_this_clients("Addendum", *addendum_id))?;
                out.addenda
                    .insert(*addendum_id, (note.id, d.reason, comment));
            }
            WithholdTarget::Range {
                note_id,
                start,
                end,
            } => {
                let note = note_by_id
                    .get(note_id)
                    .ok_or_else(|| not_this_clients("Note", *note_id))?;
                let (start, end) = (*start as usize, *end as usize);
                if start >= end
                    || end > note.body.len()
                    || !note.body.is_char_boundary(start)
                    || !note.body.is_char_boundary(end)
                {
                    return Err(Error::rule(
                        format!("The passage to withhold from note {note_id} is not a part of its text."),
                        "Select the passage again in the review.",
                    ));
                }
                out.cuts.push(Cut {
                    note_id: *note_id,
                    place: Place::Body(*note_id),
                    start,
                    end,
                    reason: d.reason,
                    comment,
                });
            }
            WithholdTarget::Passage { note_id, text } => {
                let note = note_by_id
                    .get(note_id)
                    .ok_or_else(|| not_this_clients("Note", *note_id))?;
                if text.trim().is_empty() {
                    return Err(Error::rule(
                        format!("The passage to withhold from note {note_id} is empty."),
                        "Give the exact words to withhold.",
                    ));
                }
                let mut found = 0;
                let places = std::iter::once((Place::Body(note.id), note.body.as_str())).chain(
                    note.addenda
                        .iter()
                        .map(|a| (Place::Addendum(a.id), a.body.as_str())),
                );
                for (place, body) in places {
                    for (start, _) in body.match_indices(text.as_str()) {
                        found += 1;
                        out.cuts.push(Cut {
                            note_id: *note_id,
                            place,
                            start,
                            end: start + text.len(),
                            reason: d.reason,
                            comment: comment.clone(),
                        });
                    }
                }
                if found == 0 {
                    return Err(Error::rule(
                        format!("The passage to withhold was not found in note {note_id} or its addenda."),
                        "Copy the exact words from the note, or select them in the review.",
                    ));
                }
            }
        }
    }
    // Overlapping passages become one, under the first reason given.
    out.cuts.sort_by_key(|c| (c.place, c.start, c.end));
    let mut merged: Vec<Cut> = Vec::with_capacity(out.cuts.len());
    for cut in out.cuts.drain(..) {
        match merged.last_mut() {
            Some(last) if last.place == cut.place && cut.start < last.end => {
                last.end = last.end.max(cut.end);
            }
            _ => merged.push(cut),
        }
    }
    out.cuts = merged;
    Ok(out)
}

/// `body` with each cut at `place` replaced by its marker.
pub fn apply_cuts(body: &str, place: Place, cuts: &[Cut]) -> (String, u32) {
    let mut out = String::with_capacity(body.len());
    let mut at = 0;
    let mut n = 0;
    for cut in cuts.iter().filter(|c| c.place == place) {
        out.push_str(&body[at..cut.start]);
        out.push_str(&cut.reason.marker());
        at = cut.end;
        n += 1;
    }
    out.push_str(&body[at..]);
    (out, n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::notes::{Addendum, NoteKind, Template};

    fn note(id: i64, body: &str, addenda: &[(i64, &str)]) -> Note {
        Note {
            id,
            client_id: 1,
            appointment_id: None,
            kind: NoteKind::Session,
            template: Template::Free,
            body: body.to_owned(),
            third_party: true,
            created_at: String::new(),
            updated_at: String::new(),
            signed_at: None,
            content_sha256: None,
            addenda: addenda
                .iter()
                .map(|(aid, b)| Addendum {
                    id: *aid,
                    note_id: id,
                    reason: "r".into(),
                    body: (*b).to_owned(),
                    created_at: String::new(),
                    content_sha256: String::new(),
                })
                .collect(),
        }
    }

    #[test]
    fn passages_are_found_everywhere_in_the_note_and_overlaps_merge() {
        let notes = [note(
            7,
            "Spoke of Mark. Mark drinks — a lot.",
            &[(3, "Mark phoned")],
        )];
        let decisions = [
            Withhold {
                target: WithholdTarget::Passage {
                    note_id: 7,
                    text: "Mark".into(),
                },
                reason: WithholdReason::ThirdParty,
                comment: None,
            },
            Withhold {
                target: WithholdTarget::Range {
                    note_id: 7,
                    start: 15,
                    end: 26,
                },
                reason: WithholdReason::SeriousHarm,
                comment: Some("  ".into()),
            },
        ];
        let r = resolve(&notes, &[], &decisions).unwrap();
        let (body, n) = apply_cuts(&notes[0].body, Place::Body(7), &r.cuts);
        assert_eq!(
            body,
            "Spoke of [withheld: third party without consent]. [withheld: third party without consent] — a lot."
        );
        assert_eq!(n, 2);
        let (add, _) = apply_cuts("Mark phoned", Place::Addendum(3), &r.cuts);
        assert_eq!(add, "[withheld: third party without consent] phoned");
        assert!(r.cuts.iter().all(|c| c.comment.is_none()));
    }

    #[test]
    fn ranges_must_fall_on_characters_of_this_clients_notes() {
        let notes = [note(7, "café", &[])];
        let bad_range = Withhold {
            target: WithholdTarget::Range {
                note_id: 7,
                start: 0,
                end: 4, // inside the two bytes of "é"
            },
            reason: WithholdReason::ThirdParty,
            comment: None,
        };
        assert!(resolve(&notes, &[], &[bad_range]).is_err());
        let other = Withhold {
            target: WithholdTarget::Note { note_id: 8 },
            reason: WithholdReason::ThirdParty,
            comment: None,
        };
        assert!(resolve(&notes, &[], &[other])
            .unwrap_err()
            .to_string()
            .contains("not in this client's file"));
    }
}
