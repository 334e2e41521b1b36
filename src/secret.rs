//! Secret values: the vault's master key, passphrases and the recovery key.
//!
//! Each lives in a zeroizing container and is wiped when dropped, which is how locking wipes
//! them. None of them implements `Display`, and their `Debug` prints a placeholder, so a secret
//! cannot reach a log or an error message by accident.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Error, Result, MIN_PASSPHRASE_CHARS};

/// Length of the master key in bytes (SQLCipher's raw key size).
pub const MASTER_KEY_LEN: usize = 32;

/// The random key that encrypts the database. Wiped on drop.
///
/// The bytes live on the heap in a page of their own, locked into RAM (`mlock`) where the
/// operating system allows, so the key is never written to swap and moving a `MasterKey` (or a
/// `Session` that owns one) moves a pointer, never the key: an inline array would leave a copy
/// behind at every move, and zeroize only wipes the last one. Every constructor fills the page
/// in place, so no copy of the key ever sits on the stack.
pub struct MasterKey(Box<KeyPage>);

/// One page holding the key and nothing else: locking or unlocking it affects no other data,
/// and no other key shares it (4096 is the page size on Linux, Windows and Intel Macs; on
/// 16 KiB-page systems two keys could share a page, which the best-effort lock tolerates).
#[repr(C, align(4096))]
struct KeyPage {
    bytes: [u8; MASTER_KEY_LEN],
    /// Whether `mlock` succeeded, so `Drop` unlocks only what it locked.
    locked: bool,
}

impl KeyPage {
    /// A zeroed, locked page: the key is written into it afterwards, never moved into it.
    fn new_boxed() -> Box<KeyPage> {
        let mut page = Box::new(KeyPage {
            bytes: [0u8; MASTER_KEY_LEN],
            locked: false,
        });
        page.locked = lock_in_ram(&page.bytes);
        page
    }
}

impl Drop for KeyPage {
    fn drop(&mut self) {
        // Wiped while still locked, so the key cannot reach swap between the two steps.
        self.bytes.zeroize();
        if self.locked {
            unlock_from_ram(&self.bytes);
        }
    }
}

/// Best effort: a process over its locked-memory limit (RLIMIT_MEMLOCK) still works, unlocked.
#[cfg(unix)]
fn lock_in_ram(bytes: &[u8; MASTER_KEY_LEN]) -> bool {
    // SAFETY: the pointer and length describe a live array owned by the caller; mlock only
    // changes how the kernel pages that memory and neither reads nor writes it.
    unsafe { libc::mlock(bytes.as_ptr().cast(), bytes.len()) == 0 }
}

#[cfg(unix)]
fn unlock_from_ram(bytes: &[u8; MASTER_KEY_LEN]) {
    // SAFETY: as for mlock; the array is still alive (this runs inside its owner's drop).
    unsafe {
        libc::munlock(bytes.as_ptr().cast(), bytes.len());
    }
}

#[cfg(not(unix))]
fn lock_in_ram(_: &[u8; MASTER_KEY_LEN]) -> bool {
    false
}

#[cfg(not(unix))]
fn unlock_from_ram(_: &[u8; MASTER_KEY_LEN]) {}

impl MasterKey {
    /// A fresh key from the operating system's random source.
    pub fn generate() -> Result<Self> {
        let mut page = KeyPage::new_boxed();
        getrandom::fill(&mut page.bytes)
            .map_err(|e| Error::Encryption(format!("the system's random source failed ({e})")))?;
        Ok(Self(page))
    }

    /// Takes a key decrypted from a key slot; the caller's buffer is wiped.
    pub fn from_slot_bytes(bytes: &mut [u8]) -> Result<Self> {
        if bytes.len() != MASTER_KEY_LEN {
            let len = bytes.len();
            bytes.zeroize();
            return Err(Error::DamagedKeySlot {
                detail: format!("it holds {len} bytes where {MASTER_KEY_LEN} were expected"),
            });
        }
        let mut page = KeyPage::new_boxed();
        page.bytes.copy_from_slice(bytes);
        bytes.zeroize();
        Ok(Self(page))
    }

    /// A key for one purpose, derived from the master key with HKDF-SHA256 (`salt` and `info`
    /// name the purpose), so the master key itself is never used for two things. `out` is
    /// filled; at most 8,160 bytes (255 hash lengths), which every caller is far below.
    pub fn derive(&self, salt: &[u8], info: &[u8], out: &mut [u8]) -> Result<()> {
        hkdf::Hkdf::<sha2::Sha256>::new(Some(salt), self.expose())
            .expand(info, out)
            .map_err(|_| Error::Encryption("key derivation failed".to_owned()))
    }

    pub fn expose(&self) -> &[u8; MASTER_KEY_LEN] {
        &self.0.bytes
    }

    /// Whether the key is locked into RAM (false where the OS refused, or does not offer it).
    pub fn is_locked_in_ram(&self) -> bool {
        self.0.locked
    }

    /// SQLCipher's raw-key form, `x'<64 hex digits>'`, in a buffer that is wiped on drop.
    /// Built in place so that no unwiped copy of the hex is left behind by reallocation.
    pub fn sqlcipher_raw_key(&self) -> Zeroizing<String> {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = Zeroizing::new(String::with_capacity(3 + 2 * MASTER_KEY_LEN));
        out.push_str("x'");
        for byte in self.0.bytes.iter() {
            out.push(HEX[usize::from(byte >> 4)] as char);
            out.push(HEX[usize::from(byte & 0x0f)] as char);
        }
        out.push('\'');
        out
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey([redacted])")
    }
}

/// A passphrase typed by the practitioner.
pub struct Passphrase(SecretString);

impl Passphrase {
    /// Takes ownership of the text; the original buffer is wiped.
    pub fn new(text: Zeroizing<String>) -> Self {
        // `to_owned` allocates exactly the length, so turning it into a boxed str does not
        // reallocate and leave an unwiped copy.
        Self(SecretString::from(text.as_str().to_owned()))
    }

    pub fn from_str_for_tests(text: &str) -> Self {
        Self(SecretString::from(text.to_owned()))
    }

    /// Refuses a new passphrase that is too short, or that zxcvbn estimates would be guessed in
    /// fewer than 10^10 tries (a score under 3 of 4): common phrases, names, dates, keyboard
    /// patterns. The error says why in plain words, built from zxcvbn's feedback, and never
    /// quotes the passphrase. Only ever run on a passphrase being set, never at unlock.
    pub fn check_strength(&self) -> Result<()> {
        let text = self.0.expose_secret();
        if text.chars().count() < MIN_PASSPHRASE_CHARS {
            return Err(Error::PassphraseTooShort {
                min: MIN_PASSPHRASE_CHARS,
            });
        }
        // (zxcvbn makes working copies of the text that it frees unwiped; this runs only while
        // a passphrase is being set, when the practitioner has just typed it anyway.)
        let estimate = zxcvbn::zxcvbn(text, &["casenotes"]);
        if u8::from(estimate.score()) >= MIN_PASSPHRASE_SCORE {
            return Ok(());
        }
        let (why, advice) = weakness_in_words(estimate.feedback());
        Err(Error::PassphraseTooWeak { why, advice })
    }

    pub(crate) fn secret(&self) -> &SecretString {
        &self.0
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

/// The lowest zxcvbn score accepted for a new passphrase (0 to 4; 3 means at least 10^10
/// guesses, the level zxcvbn's authors call the least that is safe).
pub const MIN_PASSPHRASE_SCORE: u8 = 3;

/// zxcvbn's feedback as two plain sentences for a counsellor: why the passphrase would be
/// guessed, and what to do instead. Built from fixed wording only, never from the passphrase.
fn weakness_in_words(feedback: Option<&zxcvbn::feedback::Feedback>) -> (String, String) {
    use zxcvbn::feedback::{Suggestion, Warning};
    let why = match feedback.and_then(|f| f.warning()) {
        Some(Warning::StraightRowsOfKeysAreEasyToGuess) => {
            "it follows a row of keys on the keyboard."
        }
        Some(Warning::ShortKeyboardPatternsAreEasyToGuess) => {
            "it follows a pattern on the keyboard."
        }
        Some(Warning::RepeatsLikeAaaAreEasyToGuess) => "it repeats the same letter or number.",
        Some(Warning::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess) => {
            "it repeats the same few letters or words."
        }
        Some(
            Warning::ThisIsATop10Password
            | Warning::ThisIsATop100Password
            | Warning::ThisIsACommonPassword,
        ) => "it is one of the most common passwords.",
        Some(Warning::ThisIsSimilarToACommonlyUsedPassword) => "it is very like a common password.",
        Some(Warning::SequencesLikeAbcAreEasyToGuess) => "it uses a sequence such as abc or 6543.",
        Some(Warning::RecentYearsAreEasyToGuess) => "it contains a recent year.",
        Some(Warning::AWordByItselfIsEasyToGuess) => "it is mostly one everyday word.",
        Some(Warning::DatesAreOftenEasyToGuess) => "it contains a date.",
        Some(
            Warning::NamesAndSurnamesByThemselvesAreEasyToGuess
            | Warning::CommonNamesAndSurnamesAreEasyToGuess,
        ) => "it is mostly common names.",
        None => "it is made of common words or a common phrase.",
    };
    let mut advice: Vec<&str> = Vec::new();
    for suggestion in feedback.map(|f| f.suggestions()).unwrap_or_default() {
        let line = match suggestion {
            Suggestion::CapitalizationDoesntHelpVeryMuch
            | Suggestion::AllUppercaseIsAlmostAsEasyToGuessAsAllLowercase => {
                "Capital letters do not make it much harder to guess."
            }
            Suggestion::ReversedWordsArentMuchHarderToGuess => {
                "A word spelt backwards is not much harder to guess."
            }
            Suggestion::PredictableSubstitutionsDontHelpVeryMuch => {
                "Swapping letters for look-alike symbols (such as @ for a) does not help much."
            }
            Suggestion::UseALongerKeyboardPatternWithMoreTurns => {
                "Use words rather than patterns on the keyboard."
            }
            Suggestion::AvoidRepeatedWordsAndCharacters => "Avoid repeated words and letters.",
            Suggestion::AvoidSequences => "Avoid sequences such as abc or 1234.",
            Suggestion::AvoidRecentYears
            | Suggestion::AvoidYearsThatAreAssociatedWithYou
            | Suggestion::AvoidDatesAndYearsThatAreAssociatedWithYou => {
                "Leave out years and dates that mean something to you."
            }
            // Said once, below, in our own words.
            Suggestion::UseAFewWordsAvoidCommonPhrases
            | Suggestion::AddAnotherWordOrTwo
            | Suggestion::NoNeedForSymbolsDigitsOrUppercaseLetters => continue,
        };
        if !advice.contains(&line) {
            advice.push(line);
        }
    }
    advice.push("Add another word or two that are not related to each other or to you.");
    (why.to_owned(), advice.join(" "))
}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passphrase([redacted])")
    }
}

/// The recovery key: an age X25519 identity, `AGE-SECRET-KEY-1…`, shown once at vault creation.
pub struct RecoveryKey(SecretString);

impl RecoveryKey {
    pub(crate) fn from_identity(identity: &age::x25519::Identity) -> Self {
        Self(identity.to_string())
    }

    /// Parses typed or pasted text, ignoring surrounding whitespace and letter case.
    pub fn parse(text: &str) -> Result<Self> {
        let cleaned = Zeroizing::new(text.trim().to_ascii_uppercase());
        if !cleaned.starts_with("AGE-SECRET-KEY-1") {
            return Err(Error::MalformedRecoveryKey);
        }
        let key = Self(SecretString::from(cleaned.as_str().to_owned()));
        key.identity()?;
        Ok(key)
    }

    pub(crate) fn identity(&self) -> Result<age::x25519::Identity> {
        self.0
            .expose_secret()
            .parse::<age::x25519::Identity>()
            .map_err(|_| Error::MalformedRecoveryKey)
    }

    /// The key as text, to show once to the practitioner.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for RecoveryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryKey([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_key_form_is_hex_in_sqlcipher_syntax() {
        let mut bytes = [0xabu8; MASTER_KEY_LEN];
        let key = MasterKey::from_slot_bytes(&mut bytes).expect("32 bytes");
        assert_eq!(bytes, [0u8; MASTER_KEY_LEN], "caller's buffer is wiped");
        let raw = key.sqlcipher_raw_key();
        assert_eq!(raw.len(), 67);
        assert!(raw.starts_with("x'abab") && raw.ends_with("ab'"));
    }

    #[test]
    fn moving_a_key_or_its_owner_never_moves_the_key_bytes() {
        struct Owner {
            _before: [u8; 64],
            key: MasterKey,
        }
        let owner = Owner {
            _before: [1; 64],
            key: MasterKey::generate().expect("random source"),
        };
        let at = owner.key.expose().as_ptr();
        let value = *owner.key.expose();
        assert_eq!(at as usize % 4096, 0, "the key has a page of its own");
        let boxed = Box::new(owner);
        assert_eq!(boxed.key.expose().as_ptr(), at);
        let mut moved = vec![*boxed];
        moved.reserve(100);
        let owner = moved.pop().expect("one owner");
        let key = owner.key;
        assert_eq!(key.expose().as_ptr(), at);
        assert_eq!(*key.expose(), value);
        let mut from_slot = value;
        let other = MasterKey::from_slot_bytes(&mut from_slot).expect("32 bytes");
        assert_ne!(other.expose().as_ptr(), at, "each key has its own page");
        assert_eq!(other.expose(), key.expose());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_key_is_locked_in_ram_where_the_limit_allows() {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes into the struct we own.
        let ok = unsafe { libc::getrlimit(libc::RLIMIT_MEMLOCK, &mut limit) } == 0;
        let key = MasterKey::generate().expect("random source");
        if ok && limit.rlim_cur >= 64 * 1024 {
            assert!(key.is_locked_in_ram());
        }
    }

    #[test]
    fn short_passphrases_are_refused() {
        assert!(Passphrase::from_str_for_tests("eleven char")
            .check_strength()
            .is_err());
        assert!(Passphrase::from_str_for_tests("twelve chars or more")
            .check_strength()
            .is_ok());
        // Counted in characters, not bytes.
        assert!(Passphrase::from_str_for_tests("ééééééééééé")
            .check_strength()
            .is_err());
    }

    #[test]
    fn guessable_passphrases_are_refused_saying_why() {
        for (weak, why) in [
            ("password1234", "one of the most common passwords"),
            ("asdfghjkl;asdf", "row of keys"),
            ("aaaaaaaaaaaaaaaa", "repeats the same letter"),
            ("Christopher1985", "common names"),
            ("iloveyouiloveyou", "repeats the same few letters or words"),
        ] {
            let err = Passphrase::from_str_for_tests(weak)
                .check_strength()
                .expect_err(weak);
            assert_eq!(err.kind(), "passphrase_too_weak", "{weak}");
            assert_eq!(err.exit_code(), 2);
            let message = err.to_string();
            assert!(
                message.starts_with("This passphrase would be guessed quickly: "),
                "{message}"
            );
            assert!(message.contains(why), "{weak}: {message}");
            assert!(message.contains("Add another word or two"), "{message}");
            assert!(!message.to_lowercase().contains(&weak.to_lowercase()));
        }
        for strong in [
            "correct horse battery staple",
            "tangerine lighthouse quietly",
            "marmalade tugboat orchard velvet",
        ] {
            assert!(
                Passphrase::from_str_for_tests(strong)
                    .check_strength()
                    .is_ok(),
                "{strong}"
            );
        }
    }

    #[test]
    fn debug_never_shows_secrets() {
        let p = Passphrase::from_str_for_tests("correct horse battery staple");
        assert!(!format!("{p:?}").contains("horse"));
    }

    #[test]
    fn recovery_key_round_trips_and_rejects_junk() {
        let id = age::x25519::Identity::generate();
        let key = RecoveryKey::from_identity(&id);
        let parsed = RecoveryKey::parse(&format!("  {}\n", key.expose().to_lowercase())).unwrap();
        assert_eq!(parsed.expose(), key.expose());
        assert!(matches!(
            RecoveryKey::parse("hello"),
            Err(Error::MalformedRecoveryKey)
        ));
    }
}
