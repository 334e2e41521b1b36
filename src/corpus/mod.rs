//! A realistic corpus of invented session notes and attachments, for `casenotes demo --realistic`
//! and the benchmarks. Nothing here is real clinical data and nothing touches a database: this
//! module only makes text and bytes, deterministically from the caller's random generator.
//!
//! Notes are 300 to 3,000 characters in the shape of SOAP, DAP, BIRP or free notes. Their words
//! are drawn with a Zipf distribution (frequency proportional to 1/rank) from the 30,000 most
//! frequent English words (`en-words.txt`, from wordfreq, CC BY-SA 4.0: see `README.md` beside
//! this file), mixed with clinical terms, invented people and places, and a few typos, so that a
//! search meets what it meets in a real practice: a long tail of rare words, very common words
//! in every note, names, and phrases.
//!
//! Attachments are incompressible bytes behind a real file signature (PDF for letters, JPEG for
//! scans), at the sizes a practice sees: letters 100-500 KB, scans 1-5 MB.

use rand::seq::SliceRandom;
use rand::{Rng, RngCore};

use crate::domain::notes::Template;

/// The word list, most frequent first.
const WORDS: &str = include_str!("en-words.txt");

/// The Zipf exponent: 1.0 is the classic shape of English word frequencies.
const ZIPF_EXPONENT: f64 = 1.0;

/// Shortest and longest note, in characters.
pub const NOTE_MIN_CHARS: usize = 300;
pub const NOTE_MAX_CHARS: usize = 3_000;

/// Letter and scan sizes, in bytes.
pub const LETTER_BYTES: std::ops::RangeInclusive<usize> = 100 * 1024..=500 * 1024;
pub const SCAN_BYTES: std::ops::RangeInclusive<usize> = 1024 * 1024..=5 * 1024 * 1024;

/// Clinical vocabulary, single words and phrases, as a UK counsellor writes them.
pub const CLINICAL_TERMS: &[&str] = &[
    "anxiety",
    "low mood",
    "panic attack",
    "panic attacks",
    "safety plan",
    "self-harm",
    "suicidal ideation",
    "passive suicidal thoughts",
    "protective factors",
    "risk assessment",
    "safeguarding",
    "CBT",
    "EMDR",
    "grounding",
    "rumination",
    "catastrophising",
    "transference",
    "countertransference",
    "boundaries",
    "working alliance",
    "rupture and repair",
    "sertraline",
    "citalopram",
    "fluoxetine",
    "mirtazapine",
    "propranolol",
    "PHQ-9",
    "GAD-7",
    "CORE-10",
    "trauma",
    "flashbacks",
    "dissociation",
    "hypervigilance",
    "avoidance",
    "behavioural activation",
    "thought record",
    "core beliefs",
    "mindfulness",
    "sleep hygiene",
    "bereavement",
    "complicated grief",
    "intrusive thoughts",
    "compulsions",
    "exposure work",
    "psychoeducation",
    "formulation",
    "window of tolerance",
    "self-compassion",
    "inner critic",
    "people-pleasing",
    "perfectionism",
    "burnout",
    "work-related stress",
    "alcohol use",
    "relapse",
    "coping strategies",
    "crisis team",
    "Samaritans",
    "NHS Talking Therapies",
    "CMHT",
    "body image",
    "agoraphobia",
    "social anxiety",
    "health anxiety",
    "postnatal depression",
    "menopause",
    "ADHD assessment",
    "autism",
    "domestic abuse",
    "coercive control",
    "childhood neglect",
    "attachment style",
    "person-centred",
    "congruence",
    "unconditional positive regard",
    "empty chair",
    "psychodynamic",
    "defences",
    "projection",
    "shame",
    "guilt",
    "irritability",
    "low self-esteem",
    "assertiveness",
    "journaling",
    "breathing exercise",
    "progressive muscle relaxation",
    "therapeutic ending",
    "supervision",
    "contracting",
    "confidentiality",
    "referral",
    "waiting list",
    "insomnia",
    "nightmares",
    "hopelessness",
    "emotional regulation",
    "schema therapy",
    "compassion-focused",
    "acceptance and commitment",
    "values work",
    "behavioural experiment",
    "safety behaviours",
    "reassurance seeking",
    "anhedonia",
    "fatigue",
    "chronic pain",
    "miscarriage",
    "redundancy",
    "debt worries",
    "universal credit",
    "occupational health",
    "fit note",
    "phased return",
];

/// Openers that make the Zipf words read a little like a counsellor's sentences.
const OPENERS: &[&str] = &[
    "Client reported",
    "We explored",
    "Discussed",
    "Noted that",
    "Agreed to",
    "Reflected on",
    "Described",
    "Talked about",
    "Spoke of",
    "Returned to",
    "Reviewed",
    "Acknowledged",
    "Wondered aloud about",
    "Said that",
    "Felt that",
];

/// Invented people's given names (a few with accents, as a UK list has).
pub const GIVEN_NAMES: &[&str] = &[
    "Aled",
    "Anwen",
    "Arlo",
    "Bethan",
    "Blessing",
    "Caoimhe",
    "Carys",
    "Chidi",
    "Cormac",
    "Dafydd",
    "Deniz",
    "Dilys",
    "Efe",
    "Elin",
    "Emeka",
    "Eryl",
    "Fionnuala",
    "Folasade",
    "Gwilym",
    "Hafsa",
    "Halima",
    "Idris",
    "Ifan",
    "Iona",
    "Jasmeet",
    "Kamal",
    "Keir",
    "Kofi",
    "Leonie",
    "Lorcan",
    "Maali",
    "Mairead",
    "Meical",
    "Mhairi",
    "Nesta",
    "Nkechi",
    "Olamide",
    "Osian",
    "Padraig",
    "Parveen",
    "Peredur",
    "Rhodri",
    "Roisin",
    "Ruaridh",
    "Seren",
    "Siân",
    "Sorcha",
    "Tegan",
    "Tendai",
    "Torin",
    "Tudur",
    "Yasmin",
    "Zoë",
    "Zainab",
    "Beatrix",
    "Cosmo",
    "Delphine",
    "Ezra",
    "Florin",
    "Greer",
    "Hester",
    "Ines",
    "Jude",
    "Kit",
    "Linnea",
    "Magnus",
    "Nell",
    "Orla",
    "Piers",
    "Rosalind",
    "Silas",
    "Thea",
    "Ursula",
    "Vashti",
    "Wilf",
    "Ysolde",
];

/// Invented family names.
pub const FAMILY_NAMES: &[&str] = &[
    "Aldercott",
    "Bellingham",
    "Blenkinsop",
    "Cardew",
    "Chivers",
    "Dimmock",
    "Drewitt",
    "Earnshaw",
    "Fenwick",
    "Gillingham",
    "Goodenough",
    "Hackett",
    "Heslop",
    "Ibbotson",
    "Jarrold",
    "Kershaw",
    "Lanyon",
    "Loveday",
    "Mabbott",
    "Menheniot",
    "Nankervis",
    "Oddie",
    "Pengelly",
    "Polglase",
    "Quilliam",
    "Rendle",
    "Scoble",
    "Stott",
    "Thistlethwaite",
    "Trebilcock",
    "Uttley",
    "Varcoe",
    "Wragg",
    "Yeo",
    "Ackroyd",
    "Bastow",
    "Clegg",
    "Dobbie",
    "Entwistle",
    "Fothergill",
    "Gaunt",
    "Hebblethwaite",
    "Illingworth",
    "Jowett",
    "Kilburn",
    "Lumb",
    "Murgatroyd",
    "Naylor",
    "Oxley",
    "Pickles",
    "Rushworth",
    "Sugden",
    "Tetley",
    "Whiteley",
];

/// Relations, for the people in a client's life.
const RELATIONS: &[&str] = &[
    "partner",
    "mother",
    "father",
    "sister",
    "brother",
    "manager",
    "friend",
    "daughter",
    "son",
    "ex-partner",
    "grandmother",
    "housemate",
    "colleague",
    "GP",
    "social worker",
];

/// Invented places: a first part and an ending, as English, Welsh and Scottish places are made.
const PLACE_STARTS: &[&str] = &[
    "Ash", "Brack", "Cold", "Dun", "Elm", "Fern", "Gort", "Hal", "Ingle", "Kettle", "Lang", "Mor",
    "Nether", "Oak", "Pen", "Quen", "Rother", "Sal", "Thorn", "Upper", "Wend", "Aber", "Llan",
    "Inver", "Tre", "Bally", "Kirk", "Strath", "Whin", "Yar",
];
const PLACE_ENDS: &[&str] = &[
    "bury", "thorpe", "ford", "wick", "ley", "ham", "by", "mouth", "combe", "stow", "field",
    "minster", "dale", "gate", "brook", "well", "ton", "worth", "haven", "moor",
];

/// The frequency-ranked word list and a sampler over it.
pub struct Vocabulary {
    words: Vec<&'static str>,
    /// cumulative[i] = the probability of drawing one of the first i + 1 words.
    cumulative: Vec<f64>,
}

impl Default for Vocabulary {
    fn default() -> Self {
        Self::new()
    }
}

impl Vocabulary {
    pub fn new() -> Self {
        let words: Vec<&'static str> = WORDS.lines().filter(|w| !w.is_empty()).collect();
        let mut total = 0.0;
        let mut cumulative: Vec<f64> = words
            .iter()
            .enumerate()
            .map(|(i, _)| {
                total += 1.0 / ((i + 1) as f64).powf(ZIPF_EXPONENT);
                total
            })
            .collect();
        for c in &mut cumulative {
            *c /= total;
        }
        Vocabulary { words, cumulative }
    }

    /// How many distinct words the list holds.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The word of a rank (0 is the most frequent).
    pub fn word(&self, rank: usize) -> &'static str {
        self.words[rank.min(self.words.len() - 1)]
    }

    /// A word drawn with the Zipf distribution.
    pub fn draw(&self, rng: &mut impl Rng) -> &'static str {
        let u: f64 = rng.gen();
        let i = self.cumulative.partition_point(|&c| c < u);
        self.word(i)
    }
}

/// The people and places that recur in one client's notes.
#[derive(Debug, Clone)]
pub struct ClientWorld {
    pub client_given: String,
    /// (relation, given name) of people in the client's life.
    pub people: Vec<(&'static str, String)>,
    pub places: Vec<String>,
    /// Clinical themes this client's notes return to.
    pub themes: Vec<&'static str>,
}

/// An invented place name, such as "Kettlethorpe".
pub fn place(rng: &mut impl Rng) -> String {
    format!(
        "{}{}",
        PLACE_STARTS.choose(rng).copied().unwrap_or("Ash"),
        PLACE_ENDS.choose(rng).copied().unwrap_or("ford")
    )
}

/// An invented person's full name.
pub fn person(rng: &mut impl Rng) -> String {
    format!(
        "{} {}",
        GIVEN_NAMES.choose(rng).copied().unwrap_or("Kit"),
        FAMILY_NAMES.choose(rng).copied().unwrap_or("Yeo")
    )
}

impl ClientWorld {
    /// A client's world: a few people, places and themes, drawn once per client.
    pub fn new(rng: &mut impl Rng, client_given: &str) -> Self {
        let people = (0..rng.gen_range(2..=5))
            .map(|_| {
                (
                    RELATIONS.choose(rng).copied().unwrap_or("friend"),
                    GIVEN_NAMES.choose(rng).copied().unwrap_or("Kit").to_owned(),
                )
            })
            .collect();
        let places = (0..rng.gen_range(1..=3)).map(|_| place(rng)).collect();
        let count = rng.gen_range(3..=6);
        let themes = CLINICAL_TERMS
            .choose_multiple(rng, count)
            .copied()
            .collect();
        ClientWorld {
            client_given: client_given.to_owned(),
            people,
            places,
            themes,
        }
    }
}

/// Writes notes and attachments.
pub struct Writer {
    vocabulary: Vocabulary,
}

impl Default for Writer {
    fn default() -> Self {
        Self::new()
    }
}

/// A typo as fingers make them: two letters swapped, one dropped, or one doubled.
fn typo(word: &str, rng: &mut impl Rng) -> String {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < 4 {
        return word.to_owned();
    }
    let i = rng.gen_range(1..chars.len() - 1);
    let mut out = chars.clone();
    match rng.gen_range(0..3) {
        0 => out.swap(i, i + 1),
        1 => {
            out.remove(i);
        }
        _ => out.insert(i, chars[i]),
    }
    out.into_iter().collect()
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

impl Writer {
    pub fn new() -> Self {
        Writer {
            vocabulary: Vocabulary::new(),
        }
    }

    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    /// One sentence: an opener now and then, Zipf-drawn words, and here and there a clinical
    /// term, a person or a place from the client's world.
    pub fn sentence(&self, rng: &mut impl Rng, world: &ClientWorld) -> String {
        let mut words: Vec<String> = Vec::new();
        if rng.gen_bool(0.35) {
            words.push(
                OPENERS
                    .choose(rng)
                    .copied()
                    .unwrap_or("Discussed")
                    .to_owned(),
            );
        }
        let n = rng.gen_range(6..=18);
        for i in 0..n {
            let roll: f64 = rng.gen();
            let word = if roll < 0.05 {
                world
                    .themes
                    .choose(rng)
                    .copied()
                    .unwrap_or("anxiety")
                    .to_owned()
            } else if roll < 0.065 {
                CLINICAL_TERMS
                    .choose(rng)
                    .copied()
                    .unwrap_or("grief")
                    .to_owned()
            } else if roll < 0.085 {
                match world.people.choose(rng) {
                    Some((relation, name)) if rng.gen_bool(0.5) => format!("{name} ({relation})"),
                    Some((relation, _)) => format!("their {relation}"),
                    None => world.client_given.clone(),
                }
            } else if roll < 0.09 {
                world.client_given.clone()
            } else if roll < 0.097 {
                format!(
                    "in {}",
                    world
                        .places
                        .choose(rng)
                        .cloned()
                        .unwrap_or_else(|| place(rng))
                )
            } else {
                let w = self.vocabulary.draw(rng);
                let w = if w == "i" { "I" } else { w };
                if rng.gen_bool(0.006) {
                    typo(w, rng)
                } else {
                    w.to_owned()
                }
            };
            if i > 0 && i + 1 < n && rng.gen_bool(0.06) {
                if let Some(last) = words.last_mut() {
                    last.push(',');
                }
            }
            words.push(word);
        }
        let mut s = capitalise(&words.join(" "));
        s.push(if rng.gen_bool(0.05) { '?' } else { '.' });
        s
    }

    /// Sentences appended to `out` until it reaches `until` characters, never past
    /// `NOTE_MAX_CHARS` in all (`used` counts the characters already in the note).
    fn fill(
        &self,
        rng: &mut impl Rng,
        world: &ClientWorld,
        out: &mut String,
        used: &mut usize,
        until: usize,
    ) {
        let mut first = true;
        loop {
            let s = self.sentence(rng, world);
            let len = s.chars().count() + usize::from(!first);
            if *used + len > NOTE_MAX_CHARS {
                // The start of the sentence, when a section would otherwise be left empty.
                if first && *used + 20 < NOTE_MAX_CHARS {
                    let short: String = s.chars().take(NOTE_MAX_CHARS - *used - 1).collect();
                    let short = short.trim_end();
                    out.push_str(short);
                    out.push('.');
                    *used += short.chars().count() + 1;
                }
                return;
            }
            if !first {
                out.push(if rng.gen_bool(0.15) { '\n' } else { ' ' });
            }
            out.push_str(&s);
            *used += len;
            first = false;
            if *used >= until {
                return;
            }
        }
    }

    /// A note body of 300 to 3,000 characters in the template's shape.
    pub fn note(&self, rng: &mut impl Rng, template: Template, world: &ClientWorld) -> String {
        // Most notes run to 1-2 KB; a few are short, a few long (a sum of uniforms).
        let spread: f64 = (rng.gen::<f64>() + rng.gen::<f64>() + rng.gen::<f64>()) / 3.0;
        let target =
            NOTE_MIN_CHARS + ((NOTE_MAX_CHARS - NOTE_MIN_CHARS - 200) as f64 * spread) as usize;
        let mut out = String::with_capacity(target + 200);
        let mut used = 0usize;
        let sections = template.sections();
        if sections.is_empty() {
            let paragraphs = rng.gen_range(1..=4);
            for p in 0..paragraphs {
                if p > 0 {
                    out.push_str("\n\n");
                    used += 2;
                }
                let until = target * (p + 1) / paragraphs;
                self.fill(rng, world, &mut out, &mut used, until);
            }
        } else {
            for (i, heading) in sections.iter().enumerate() {
                let head = format!("{}## {heading}\n", if i > 0 { "\n\n" } else { "" });
                used += head.chars().count();
                out.push_str(&head);
                let until = (target * (i + 1) / sections.len()).max(used + 1);
                self.fill(rng, world, &mut out, &mut used, until);
            }
        }
        while used < NOTE_MIN_CHARS {
            out.push(' ');
            used += 1;
            self.fill(rng, world, &mut out, &mut used, NOTE_MIN_CHARS);
        }
        out
    }

    /// An attachment: a letter (PDF, 100-500 KB) or, when `scan`, a scan (JPEG, 1-5 MB).
    /// Returns the file name and the bytes.
    pub fn attachment(&self, rng: &mut impl RngCore, scan: bool) -> (String, Vec<u8>) {
        let (range, magic, name): (_, &[u8], _) = if scan {
            (SCAN_BYTES, b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "scan")
        } else {
            (LETTER_BYTES, b"%PDF-1.7\n", "letter")
        };
        let size = rng.gen_range(range);
        let mut bytes = vec![0u8; size];
        rng.fill_bytes(&mut bytes);
        bytes[..magic.len()].copy_from_slice(magic);
        let n: u32 = rng.gen_range(1000..10000);
        let ext = if scan { "jpg" } else { "pdf" };
        (format!("{name}-{n}.{ext}"), bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;
    use std::collections::HashSet;

    fn world(rng: &mut StdRng) -> ClientWorld {
        ClientWorld::new(rng, "Bethan")
    }

    #[test]
    fn the_vocabulary_has_at_least_20000_distinct_words() {
        let v = Vocabulary::new();
        assert!(v.len() >= 20_000, "{}", v.len());
        let distinct: HashSet<&str> = v.words.iter().copied().collect();
        assert_eq!(distinct.len(), v.len());
        assert_eq!(v.word(0), "the");
    }

    #[test]
    fn draws_follow_zipf() {
        let v = Vocabulary::new();
        let mut rng = StdRng::seed_from_u64(1);
        let draws: Vec<&str> = (0..200_000).map(|_| v.draw(&mut rng)).collect();
        let count = |w: &str| draws.iter().filter(|d| **d == w).count() as f64;
        // Rank 1 against rank 10: about ten times as often under Zipf with exponent 1.
        let ratio = count(v.word(0)) / count(v.word(9));
        assert!((6.0..15.0).contains(&ratio), "{ratio}");
        // The long tail is reached: thousands of distinct words in 200,000 draws.
        let distinct: HashSet<&&str> = draws.iter().collect();
        assert!(distinct.len() > 10_000, "{}", distinct.len());
    }

    #[test]
    fn the_same_seed_writes_the_same_notes() {
        let w = Writer::new();
        let write = |seed| {
            let mut rng = StdRng::seed_from_u64(seed);
            let world = world(&mut rng);
            (0..20)
                .map(|_| w.note(&mut rng, Template::Soap, &world))
                .collect::<Vec<_>>()
        };
        assert_eq!(write(5), write(5));
        assert_ne!(write(5), write(6));
        let mut a = StdRng::seed_from_u64(9);
        let mut b = StdRng::seed_from_u64(9);
        assert_eq!(w.attachment(&mut a, false), w.attachment(&mut b, false));
    }

    #[test]
    fn notes_are_300_to_3000_characters_in_their_template_shape() {
        let w = Writer::new();
        let mut rng = StdRng::seed_from_u64(2);
        let world = world(&mut rng);
        let mut lengths = Vec::new();
        for i in 0..2_000 {
            let template = [
                Template::Free,
                Template::Soap,
                Template::Dap,
                Template::Birp,
            ][i % 4];
            let note = w.note(&mut rng, template, &world);
            let len = note.chars().count();
            assert!(
                (NOTE_MIN_CHARS..=NOTE_MAX_CHARS).contains(&len),
                "{len} characters"
            );
            for heading in template.sections() {
                assert!(note.contains(&format!("## {heading}\n")), "{note}");
            }
            lengths.push(len);
        }
        lengths.sort();
        let median = lengths[lengths.len() / 2];
        assert!((1_000..=2_200).contains(&median), "median {median}");
        assert!(*lengths.last().unwrap() > 2_500);
        assert!(lengths[0] < 700);
    }

    #[test]
    fn notes_mention_the_clients_world_and_have_a_few_typos() {
        let w = Writer::new();
        let mut rng = StdRng::seed_from_u64(3);
        let world = world(&mut rng);
        let text: String = (0..200)
            .map(|_| w.note(&mut rng, Template::Dap, &world))
            .collect();
        assert!(text.contains(&world.people[0].1));
        assert!(text.contains(&world.places[0]));
        assert!(world.themes.iter().any(|t| text.contains(t)));
        let known: HashSet<&str> = w.vocabulary.words.iter().copied().collect();
        let unknown = text
            .split(|c: char| !c.is_alphabetic())
            .filter(|t| t.len() >= 4 && t.chars().all(|c| c.is_ascii_lowercase()))
            .filter(|t| !known.contains(t) && !CLINICAL_TERMS.iter().any(|c| c.contains(t)))
            .count();
        assert!(unknown > 0, "no typos at all");
    }

    #[test]
    fn attachments_have_realistic_sizes_and_signatures() {
        let w = Writer::new();
        let mut rng = StdRng::seed_from_u64(4);
        for _ in 0..5 {
            let (name, letter) = w.attachment(&mut rng, false);
            assert!(LETTER_BYTES.contains(&letter.len()));
            assert!(letter.starts_with(b"%PDF-") && name.ends_with(".pdf"));
            let (name, scan) = w.attachment(&mut rng, true);
            assert!(SCAN_BYTES.contains(&scan.len()));
            assert!(scan.starts_with(b"\xff\xd8\xff") && name.ends_with(".jpg"));
        }
    }
}
