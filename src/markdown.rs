//! Markdown to HTML: one renderer for the desktop and for exports, so a note reads the same
//! everywhere. Raw HTML in a note is shown as text, never interpreted: a pasted `<script>` or
//! `<img onerror>` cannot run in the app or in an exported bundle. Links keep only safe schemes.

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag};

/// Renders a note's Markdown to HTML with raw HTML escaped.
pub fn to_html(markdown: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url: _,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            // No remote or local images: the app loads nothing from outside the vault.
            dest_url: CowStr::Borrowed(""),
            title,
            id,
        }),
        other => other,
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let lower = url.trim().to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:")
    {
        url
    } else {
        CowStr::Borrowed("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_renders_and_raw_html_is_escaped() {
        let html = to_html("## Plan\n\n**Weekly** sessions.\n\n<script>alert(1)</script>\n\nSee <img src=x onerror=alert(1)>");
        assert!(html.contains("<h2>Plan</h2>"));
        assert!(html.contains("<strong>Weekly</strong>"));
        assert!(!html.contains("<script>") && html.contains("&lt;script&gt;"));
        assert!(!html.contains("<img src=x"));
    }

    #[test]
    fn unsafe_links_are_dropped() {
        let html = to_html("[click](javascript:alert(1)) [site](https://example.org)");
        assert!(!html.contains("javascript:"));
        assert!(html.contains("https://example.org"));
    }
}
