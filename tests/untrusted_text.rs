//! Whatever a practitioner types or pastes is handled: any search text gives results or a clear
//! refusal (never an FTS5 syntax error), and no Markdown renders to live HTML. Property tests
//! over arbitrary text, with a real encrypted vault behind the search.

mod common;

use casenotes::domain::clients::{self, ClientDetails};
use casenotes::domain::notes::{self, NoteKind, Template};
use casenotes::vault::{Unlock, Vault};
use casenotes::{markdown, search, Error};
use common::*;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn markdown_never_renders_live_html(text in "(?s).{0,300}|<[a-zA-Z]{1,8}( on[a-z]{2,8}=[^>]{0,20})?>.{0,40}") {
        let html = markdown::to_html(&text).to_ascii_lowercase();
        // Only the renderer's own tags may appear; none of them takes an event handler or a script.
        prop_assert!(!html.contains("<script"), "{html}");
        prop_assert!(!html.contains("<iframe"), "{html}");
        prop_assert!(!html.contains("javascript:"), "{html}");
        for tag in html.split('<').skip(1) {
            let head = tag.split('>').next().unwrap_or("");
            prop_assert!(!head.contains(" on"), "event handler in <{head}>");
        }
    }
}

#[test]
fn any_search_text_is_answered_or_refused_plainly() {
    let v = TestVault::empty();
    v.init();
    let mut s = Vault::open(&v.dir)
        .unwrap()
        .unlock(Unlock::Passphrase(&passphrase(PASSPHRASE)))
        .unwrap();
    let c = clients::add(&mut s, ClientDetails::named("Ann", "O'Brien-Smith")).unwrap();
    notes::create(
        &mut s,
        c.id,
        NoteKind::Session,
        Template::Free,
        "Talked about \"NEAR\" AND OR NOT * ^ - : ( ) café",
        false,
    )
    .unwrap();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 512,
        ..ProptestConfig::default()
    });
    runner
        .run(
            &"(?s).{0,40}|[\"*^:()+\\-]{1,6}[a-z ]{0,10}|(AND|OR|NOT|NEAR)( [a-z]{1,5})?",
            |text| {
                match search::search(&s, &text) {
                    Ok(_) => {}
                    Err(Error::RecordRule { .. }) => prop_assert!(
                        text.chars().all(|c| !c.is_alphanumeric()),
                        "refused {text:?}"
                    ),
                    Err(other) => prop_assert!(false, "{text:?} gave {other}"),
                }
                Ok(())
            },
        )
        .unwrap();
    // And the odd words themselves are findable.
    assert_eq!(search::search(&s, "O'Brien").unwrap().len(), 1);
    assert_eq!(search::search(&s, "NEAR").unwrap().len(), 1);
    assert_eq!(
        search::search(&s, "cafe").unwrap().len(),
        1,
        "accents are folded"
    );
}
