//! `/me/certificates/{serial}` (the printable certificate, for its teacher) and `/verify/{serial}`
//! (the public check: only what a school needs), and the certificates section of the record page.

use super::api::{get_certificate, my_certificates, verify_certificate, IssueCertificate};
use super::{display_serial, Certificate, Verification};
use crate::growth::rules::format_tenths;
use crate::kit::forms::{action_error, FormStatus};
use crate::kit::i18n::{use_i18n, Msg};
use crate::kit::time::format_date_time;
use crate::kit::view::{LoadError, Loading, Submit};
use crate::records::pages::ColumnHeads;
use crate::records::RecordMsg;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

fn t(m: RecordMsg) -> Msg {
    Msg::from(m)
}

fn path_serial() -> impl Fn() -> String + Copy {
    let params = use_params_map();
    move || params.with(|p| p.get("serial").unwrap_or_default())
}

/// On the record page: the year's certificates and the button that issues one.
#[component]
pub fn CertificatesSection(year: i32) -> impl IntoView {
    let i18n = use_i18n();
    let tz = expect_context::<crate::accounts::Viewer>().time_zone;
    let issue = ServerAction::<IssueCertificate>::new();
    let error = action_error(issue.value());
    // With JavaScript the page goes on to the new certificate itself (a plain form is redirected).
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(serial)) = issue.value().get() {
            navigate(&format!("/me/certificates/{serial}"), Default::default());
        }
    });
    let issued = Resource::new(move || issue.version().get(), move |_| my_certificates(year.to_string()));
    view! {
        <section class="card no-print" aria-labelledby="record-certificates-heading">
            <h2 id="record-certificates-heading">{move || i18n.t(t(RecordMsg::Certificates))}</h2>
            <p class="muted">{move || i18n.t(t(RecordMsg::CertificatesNote))}</p>
            <Suspense fallback=Loading>
                {move || {
                    let tz = tz.clone();
                    Suspend::new(async move {
                        match issued.await {
                            Ok(list) if list.is_empty() => view! { <p>{move || i18n.t(t(RecordMsg::NoCertificates))}</p> }.into_any(),
                            Ok(list) => view! {
                                <ul>
                                    {list.into_iter().map(|(serial, issued_at, valid)| {
                                        let when = format_date_time(issued_at, &tz, i18n.locale.get_untracked());
                                        let state = if valid { RecordMsg::Valid } else { RecordMsg::Superseded };
                                        view! {
                                            <li>
                                                <a href=format!("/me/certificates/{serial}")>{display_serial(&serial)}</a>
                                                " · " {when} " · " {move || i18n.t(t(state))}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                            Err(err) => view! { <LoadError err/> }.into_any(),
                        }
                    })
                }}
            </Suspense>
            <ActionForm action=issue>
                <FormStatus error/>
                <input type="hidden" name="year" value=year.to_string()/>
                <Submit label=move || i18n.fill(t(RecordMsg::IssueCertificate), &[("year", &year)]) pending=issue.pending() class="primary"/>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn CertificatePage() -> impl IntoView {
    let serial = path_serial();
    let data = Resource::new(serial, get_certificate);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(certificate) => view! { <CertificateView certificate/> }.into_any(),
                    Err(err) => view! { <LoadError err title=t(RecordMsg::CertificateTitle)/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CertificateView(certificate: Certificate) -> impl IntoView {
    let i18n = use_i18n();
    let tz = expect_context::<crate::accounts::Viewer>().time_zone;
    let locale = i18n.locale.get_untracked();
    let Certificate { serial, content, sha256, issued_at, superseded, verify_url, qr_svg } = certificate;
    let issued = format_date_time(issued_at, &tz, locale);
    let (first, last, year) = (content.first_day, content.last_day, content.year);
    let (total, quota) = (content.total_tenths, content.quota_tenths);
    let printed_serial = display_serial(&serial);
    let url = verify_url.clone();
    view! {
        <Title text=i18n.head_text(t(RecordMsg::CertificateTitle))/>
        <article class="card certificate">
            <h1>{move || i18n.t(t(RecordMsg::CertificateTitle))}</h1>
            {superseded.then(|| view! { <p class="notice" role="status">{move || i18n.t(t(RecordMsg::SupersededNote))}</p> })}
            <dl class="certificate-facts">
                <div><dt>{move || i18n.t(t(RecordMsg::Teacher))}</dt><dd>{content.teacher.clone()}</dd></div>
                <div><dt>{move || i18n.t(t(RecordMsg::School))}</dt><dd>{content.school.clone()}</dd></div>
                <div><dt>{move || i18n.t(t(RecordMsg::Year))}</dt><dd>{move || i18n.fill(t(RecordMsg::Period), &[("year", &year), ("from", &first), ("to", &last)])}</dd></div>
                <div><dt>{move || i18n.t(t(RecordMsg::Total))}</dt><dd>{move || i18n.fill(t(RecordMsg::TotalAgainstQuota), &[("total", &format_tenths(total)), ("quota", &format_tenths(quota))])}</dd></div>
                <div><dt>{move || i18n.t(t(RecordMsg::Serial))}</dt><dd>{printed_serial}</dd></div>
                <div><dt>{move || i18n.t(t(RecordMsg::IssuedAt))}</dt><dd>{issued}</dd></div>
            </dl>
            <h2>{move || i18n.t(t(RecordMsg::ByCategory))}</h2>
            <table>
                <ColumnHeads columns=&[RecordMsg::Category, RecordMsg::Hours]/>
                <tbody>
                    {content.by_category.into_iter().map(|(category, tenths)| {
                        let label = category.label();
                        view! { <tr><th scope="row">{move || i18n.t(label)}</th><td>{format_tenths(tenths)}</td></tr> }
                    }).collect_view()}
                </tbody>
            </table>
            <h2>{move || i18n.t(t(RecordMsg::Credited))}</h2>
            <table>
                <ColumnHeads columns=&[RecordMsg::Date, RecordMsg::Category, RecordMsg::Hours, RecordMsg::Source, RecordMsg::VerifiedBy]/>
                <tbody>
                    {content.lines.into_iter().map(|line| {
                        let (category, source) = (line.category.label(), line.source.label());
                        view! {
                            <tr>
                                <td>{line.occurred_on.to_string()}</td>
                                <td>{move || i18n.t(category)}</td>
                                <td>{format_tenths(line.tenths)}</td>
                                <td>{move || i18n.t(source)}</td>
                                <td>{line.verified_by.unwrap_or_default()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <div class="certificate-foot">
                <figure class="qr">
                    <div role="img" aria-label=move || i18n.fill(t(RecordMsg::QrLabel), &[("url", &url)]) inner_html=qr_svg></div>
                    <figcaption>{move || i18n.fill(t(RecordMsg::VerifyAt), &[("url", &verify_url)])}</figcaption>
                </figure>
                <div class="stamp">{move || i18n.t(t(RecordMsg::Stamp))}</div>
                <p class="signature">{move || i18n.t(t(RecordMsg::VerifierSignature))}</p>
            </div>
            <p class="muted small">{move || i18n.t(t(RecordMsg::Fingerprint))} " " <code>{sha256}</code></p>
        </article>
    }
}

#[component]
pub fn VerifyPage() -> impl IntoView {
    let serial = path_serial();
    let data = Resource::new(serial, verify_certificate);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(verification) => view! { <VerificationView verification/> }.into_any(),
                    Err(err) => view! { <LoadError err title=t(RecordMsg::VerifyTitle)/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn VerificationView(verification: Verification) -> impl IntoView {
    let i18n = use_i18n();
    let tz = expect_context::<crate::accounts::Viewer>().time_zone;
    let Verification { serial, teacher, school, year, total_tenths, issued_at, valid, newer } = verification;
    let issued = format_date_time(issued_at, &tz, i18n.locale.get_untracked());
    let state = if valid { RecordMsg::Valid } else { RecordMsg::Superseded };
    view! {
        <Title text=i18n.head_text(t(RecordMsg::VerifyTitle))/>
        <section class="card">
            <h1>{move || i18n.t(t(RecordMsg::VerifyTitle))}</h1>
            <p class=if valid { "success" } else { "error" } role="status"><strong>{move || i18n.t(t(state))}</strong></p>
            <dl class="certificate-facts">
                <div><dt>{move || i18n.t(t(RecordMsg::Serial))}</dt><dd>{display_serial(&serial)}</dd></div>
                <div><dt>{move || i18n.t(t(RecordMsg::Teacher))}</dt><dd>{teacher}</dd></div>
                <div><dt>{move || i18n.t(t(RecordMsg::School))}</dt><dd>{school}</dd></div>
                <div><dt>{move || i18n.t(t(RecordMsg::Year))}</dt><dd>{year}</dd></div>
                <div><dt>{move || i18n.t(t(RecordMsg::Total))}</dt><dd>{format_tenths(total_tenths)}</dd></div>
                <div><dt>{move || i18n.t(t(RecordMsg::IssuedAt))}</dt><dd>{issued}</dd></div>
            </dl>
            {newer.map(|newer| view! {
                <p><a href=format!("/verify/{newer}")>{move || i18n.t(t(RecordMsg::NewerCertificate))}</a></p>
            })}
        </section>
    }
}
