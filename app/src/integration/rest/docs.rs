//! `/api/v1/docs`: the API reference for people, rendered once at start-up from the OpenAPI
//! document itself (no script, no CDN), in Chinese and in English.

use super::problem::ApiError;
use crate::integration::rules::Scope;
use crate::integration::IntegrationMsg;
use crate::kit::context::visitor_locale;
use crate::kit::i18n::{Locale, Msg};
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Response};
use serde_json::Value;
use std::fmt::Write;
use utoipa::openapi::OpenApi as Document;

/// The page in both languages.
pub struct ReferencePage {
    zh: String,
    en: String,
}

impl ReferencePage {
    /// The page in the language of the `lang` cookie, else of `Accept-Language`.
    pub fn render(&self, headers: &HeaderMap) -> Response {
        let page = match visitor_locale(headers) {
            Locale::ZhCn => &self.zh,
            Locale::En => &self.en,
        };
        ([(header::CACHE_CONTROL, "public, max-age=300")], Html(page.clone())).into_response()
    }
}

pub fn reference_page(document: &Document) -> ReferencePage {
    let json = serde_json::to_value(document).unwrap_or(Value::Null);
    ReferencePage { zh: page(&json, Locale::ZhCn), en: page(&json, Locale::En) }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
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

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// The name of the schema a `$ref` points to (`#/components/schemas/LessonPage` → `LessonPage`).
fn schema_name(schema: &Value) -> Option<&str> {
    schema.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next())
}

fn page(doc: &Value, locale: Locale) -> String {
    let t = |m: IntegrationMsg| Msg::from(m).text(locale);
    let heading = |zh: &'static str, en: &'static str| if locale == Locale::ZhCn { zh } else { en };
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head><body><main>\
         <h1>{title}</h1><p>{intro}</p><p>{version}: {v} · <a href=\"/api/v1/openapi.json\">openapi.json</a></p>",
        lang = locale.tag(),
        title = escape(t(IntegrationMsg::DocsLink)),
        intro = escape(text(&doc["info"], "description")),
        version = heading("版本", "Version"),
        v = escape(text(&doc["info"], "version")),
    );
    let _ = write!(html, "<h2 id=\"scopes\">{}</h2><dl>", heading("权限（scope）", "Scopes"));
    for scope in Scope::ALL {
        let _ = write!(
            html,
            "<dt><code>{}</code></dt><dd>{}</dd>",
            scope.as_str(),
            escape(scope.description().text(locale))
        );
    }
    html.push_str("</dl>");

    let server = doc["servers"][0]["url"].as_str().unwrap_or_default();
    let sections = [
        ("endpoints", heading("接口", "Endpoints"), &doc["paths"], server),
        (
            "webhooks",
            heading("回调（Webhook）：发送到客户端地址的请求", "Webhooks: requests sent to the client's address"),
            &doc["webhooks"],
            "",
        ),
    ];
    for (id, title, paths, server) in sections {
        let Some(paths) = paths.as_object() else { continue };
        let _ = write!(html, "<h2 id=\"{id}\">{title}</h2>");
        for (path, item) in paths {
            let Some(operations) = item.as_object() else { continue };
            for (method, op) in operations {
                let full = format!("{} {server}{path}", method.to_uppercase());
                let anchor = op.get("operationId").and_then(Value::as_str).unwrap_or(path);
                let _ = write!(html, "<section id=\"op-{}\"><h3><code>{}</code></h3>", escape(anchor), escape(&full));
                for key in ["summary", "description"] {
                    if !text(op, key).is_empty() {
                        let _ = write!(html, "<p>{}</p>", escape(text(op, key)));
                    }
                }
                if let Some(security) = op["security"].as_array() {
                    let scopes: Vec<&str> = security
                        .iter()
                        .filter_map(|s| s["bearer"].as_array())
                        .flatten()
                        .filter_map(Value::as_str)
                        .collect();
                    let scopes = if scopes.is_empty() {
                        heading("任一", "any").to_owned()
                    } else {
                        escape(&scopes.join(", "))
                    };
                    let _ = write!(html, "<p>{}: <code>{scopes}</code></p>", heading("所需权限", "Scope"));
                }
                if let Some(name) = op["requestBody"]["content"]
                    .as_object()
                    .and_then(|c| c.values().next())
                    .and_then(|media| schema_name(&media["schema"]))
                {
                    let _ = write!(
                        html,
                        "<p>{}: <a href=\"#schema-{1}\">{1}</a></p>",
                        heading("请求正文", "Body"),
                        escape(name)
                    );
                }
                if let Some(parameters) = op["parameters"].as_array().filter(|p| !p.is_empty()) {
                    let _ = write!(
                        html,
                        "<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
                        heading("参数", "Parameter"),
                        heading("位置", "In"),
                        heading("说明", "Description"),
                    );
                    for p in parameters {
                        let required = if p["required"].as_bool() == Some(true) {
                            heading("（必填）", " (required)")
                        } else {
                            ""
                        };
                        let _ = write!(
                            html,
                            "<tr><th scope=\"row\"><code>{}</code>{}</th><td>{}</td><td>{}</td></tr>",
                            escape(text(p, "name")),
                            required,
                            escape(text(p, "in")),
                            escape(text(p, "description")),
                        );
                    }
                    html.push_str("</tbody></table>");
                }
                if let Some(responses) = op["responses"].as_object() {
                    html.push_str("<ul>");
                    for (status, response) in responses {
                        let body = response["content"]
                            .as_object()
                            .and_then(|c| c.values().next())
                            .and_then(|media| schema_name(&media["schema"]))
                            .map(|name| format!(" → <a href=\"#schema-{0}\">{0}</a>", escape(name)))
                            .unwrap_or_default();
                        let _ = write!(
                            html,
                            "<li><code>{}</code> {}{}</li>",
                            escape(status),
                            escape(text(response, "description")),
                            body
                        );
                    }
                    html.push_str("</ul>");
                }
                html.push_str("</section>");
            }
        }
    }

    let _ = write!(html, "<h2 id=\"problems\">{}</h2><p>{}</p><dl>", heading("错误", "Problems"), heading(
        "每个错误都是 RFC 9457 problem details（application/problem+json），detail 使用 Accept-Language 所请求的语言。",
        "Every error is an RFC 9457 problem (application/problem+json), its detail in the language Accept-Language asks for.",
    ));
    for error in ApiError::samples() {
        let problem = error.problem(locale);
        let _ = write!(
            html,
            "<dt id=\"problem-{code}\"><code>{status} {code}</code> — {title}</dt><dd>{detail}</dd>",
            code = escape(&problem.code),
            status = problem.status,
            title = escape(&problem.title),
            detail = escape(&problem.detail),
        );
    }
    html.push_str("</dl>");

    let _ = write!(html, "<h2 id=\"schemas\">{}</h2>", heading("数据结构", "Schemas"));
    if let Some(schemas) = doc["components"]["schemas"].as_object() {
        for (name, schema) in schemas {
            let pretty = serde_json::to_string_pretty(schema).unwrap_or_default();
            let _ = write!(
                html,
                "<section id=\"schema-{0}\"><h3>{0}</h3><pre>{1}</pre></section>",
                escape(name),
                escape(&pretty)
            );
        }
    }
    html.push_str("</main></body></html>");
    html
}

const STYLE: &str = "body{font:16px/1.6 system-ui,sans-serif;margin:0;color:#1f2328;background:#fff}\
main{max-width:60rem;margin:0 auto;padding:1rem}\
pre,table{overflow-x:auto;display:block;max-width:100%}\
pre{background:#f6f8fa;padding:.75rem;font-size:.875rem}\
code{font-family:ui-monospace,monospace}\
th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #d0d7de;vertical-align:top}\
section{border-top:1px solid #d0d7de;margin-top:1.5rem}\
a{color:#0b57d0}\
@media (prefers-color-scheme:dark){body{color:#e6edf3;background:#0d1117}pre{background:#161b22}a{color:#79b8ff}}";
