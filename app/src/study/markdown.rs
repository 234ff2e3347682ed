//! Markdown for plans, notes and comments (server only): rendered with pulldown-cmark, then
//! cleaned by ammonia's allow-list, so whatever a user types the page gets harmless HTML.

use pulldown_cmark::{html, Options, Parser};
use std::collections::HashSet;
use std::sync::OnceLock;

fn cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        // Links: http(s) and mail only (no javascript:, data:, vbscript:…); they open safely.
        b.url_schemes(HashSet::from(["http", "https", "mailto"]))
            .link_rel(Some("noopener noreferrer nofollow"))
            // No images at all: an image is a request to anywhere and a tracking pixel.
            .rm_tags(["img"])
            .add_tags(["del"])
            // No style attribute anywhere (ammonia keeps none by default; said out loud here).
            .rm_generic_attributes(["style"]);
        b
    })
}

/// Markdown to safe HTML.
pub fn render(markdown: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let parser = Parser::new_ext(markdown, options);
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, parser);
    cleaner().clean(&raw).to_string()
}

#[cfg(test)]
mod tests {
    use super::render;

    /// Payloads from the usual XSS cheat sheets, as Markdown and as raw HTML.
    const PAYLOADS: &[&str] = &[
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "<img src=x onerror=alert(1)>",
        "<body onload=alert(1)>",
        "<div onmouseover=\"alert(1)\">hover</div>",
        "<a href=\"javascript:alert(1)\">click</a>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](&#106;avascript:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
        "![x](javascript:alert(1))",
        "<svg onload=alert(1)><circle r=10/></svg>",
        "<svg><script>alert(1)</script></svg>",
        "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "<object data=\"data:text/html,<script>alert(1)</script>\"></object>",
        "<p style=\"background:url(javascript:alert(1))\">styled</p>",
        "<span style=\"position:fixed;top:0;left:0;width:100%;height:100%\">overlay</span>",
        "<style>body{display:none}</style>",
        "<form action=\"https://evil.example\"><input name=p></form>",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
        "<details open ontoggle=alert(1)>",
        "<a href=\"vbscript:msgbox(1)\">vb</a>",
        "\"><script>alert(1)</script>",
    ];

    const DANGEROUS: &[&str] = &[
        "<script",
        "javascript:",
        "vbscript:",
        "data:",
        " on",
        "<svg",
        "<iframe",
        "<object",
        "<style",
        "style=",
        "<img",
        "<form",
        "<input",
        "<meta",
        "<math",
        "<body",
    ];

    #[test]
    fn every_xss_payload_is_neutralised() {
        for payload in PAYLOADS {
            let html = render(payload).to_lowercase();
            for bad in DANGEROUS {
                // A text node may still say "javascript:" or "onerror" harmlessly once escaped;
                // what must not survive is markup: check inside tags only.
                let in_tags: String =
                    html.split('<').skip(1).filter_map(|t| t.split('>').next()).map(|t| format!("<{t}>")).collect();
                assert!(!in_tags.contains(bad), "{payload:?} left {bad:?} in {html:?}");
            }
        }
    }

    #[test]
    fn chinese_and_english_text_lists_tables_and_links_survive() {
        let md = "## 教学目标 Goals\n\n学生能够理解**一次函数**的图像。Students *explain* slopes.\n\n- 导入 warm-up\n- 探究 explore\n\n1. 第一步\n2. 第二步\n\n| 环节 | 时间 |\n| --- | --- |\n| 导入 | 5 分钟 |\n\n见 [课标](https://example.org/课标?a=1&b=2)。";
        let html = render(md);
        assert!(html.contains("<h2>教学目标 Goals</h2>"), "{html}");
        assert!(html.contains("<strong>一次函数</strong>"));
        assert!(html.contains("<em>explain</em>"));
        assert!(html.contains("<ul>") && html.contains("<li>导入 warm-up</li>"));
        assert!(html.contains("<ol>") && html.contains("<li>第一步</li>"));
        assert!(html.contains("<table>") && html.contains("<td>5 分钟</td>"));
        assert!(html.contains("href=\"https://example.org/"), "{html}");
        assert!(html.contains("rel=\"noopener noreferrer nofollow\""));
    }

    #[test]
    fn plain_text_with_angle_brackets_is_escaped_not_dropped() {
        let html = render("x < 3 且 y > 2");
        assert!(html.contains("x &lt; 3 且 y &gt; 2"), "{html}");
    }
}
