//! Note Markdown to HTML: whatever is typed or pasted, the HTML has only the renderer's own tags
//! and attributes, no event handler, and no link or image URL but http(s), mailto or none.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// The tags pulldown-cmark writes for the options casenotes turns on.
const TAGS: &[&str] = &[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "code",
    "ol",
    "ul",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "em",
    "strong",
    "del",
    "a",
    "img",
    "hr",
    "br",
    "input",
];
const ATTRIBUTES: &[&str] = &[
    "href", "src", "alt", "title", "start", "class", "style", "type", "checked", "disabled",
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let html = casenotes::markdown::to_html(text);
    // Text is escaped, so every '<' left in the output opens one of the renderer's tags.
    for (at, _) in html.match_indices('<') {
        let tag = &html[at + 1..];
        let end = tag
            .find('>')
            .unwrap_or_else(|| panic!("unclosed tag at {at}: {html:?}"));
        check_tag(&tag[..end], &html);
    }
});

fn check_tag(tag: &str, html: &str) {
    let tag = tag.strip_prefix('/').unwrap_or(tag);
    let tag = tag.strip_suffix('/').unwrap_or(tag).trim_end();
    let (name, mut rest) = tag.split_once(' ').unwrap_or((tag, ""));
    assert!(TAGS.contains(&name), "tag <{name}> in {html:?}");
    while !rest.trim_start().is_empty() {
        rest = rest.trim_start();
        let (attribute, after) = rest.split_once('=').unwrap_or((rest, ""));
        assert!(
            ATTRIBUTES.contains(&attribute),
            "attribute {attribute:?} on <{name}> in {html:?}"
        );
        let after = after
            .strip_prefix('"')
            .unwrap_or_else(|| panic!("unquoted attribute on <{name}> in {html:?}"));
        let close = after
            .find('"')
            .unwrap_or_else(|| panic!("unterminated attribute on <{name}> in {html:?}"));
        let value = &after[..close];
        if attribute == "href" || attribute == "src" {
            let url = browser_url(value);
            assert!(
                url.is_empty()
                    || url.starts_with("https://")
                    || url.starts_with("http://")
                    || url.starts_with("mailto:"),
                "{attribute}={value:?} on <{name}> in {html:?}"
            );
        }
        rest = &after[close + 1..];
    }
}

/// An attribute value as a browser reads a URL: character references decoded, tabs and newlines
/// removed, leading controls and spaces dropped, case folded.
fn browser_url(value: &str) -> String {
    let mut decoded = String::new();
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        decoded.push_str(&rest[..at]);
        let entity = &rest[at..];
        let Some(end) = entity.find(';') else {
            decoded.push_str(entity);
            rest = "";
            break;
        };
        let name = &entity[1..end];
        let c = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => name
                .strip_prefix("#x")
                .or_else(|| name.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match c {
            Some(c) => {
                decoded.push(c);
                rest = &entity[end + 1..];
            }
            None => {
                decoded.push('&');
                rest = &entity[1..];
            }
        }
    }
    decoded.push_str(rest);
    decoded
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .trim_start_matches(|c: char| c <= ' ')
        .to_ascii_lowercase()
}
