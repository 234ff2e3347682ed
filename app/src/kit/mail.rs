//! Delivering the email outbox over SMTP (server only). Notifications put their messages in
//! `email_outbox`, already in the recipient's language; a worker on every instance leases due
//! messages (`for update skip locked`, so two instances never hold the same one), sends them, and
//! marks each sent, or due again after a growing delay with the server's answer kept, or given up
//! after [`MAX_ATTEMPTS`]. A message about a seat at a lesson (confirmed, promoted, approved,
//! changed, cancelled, a reminder) carries the lesson as an iCalendar file, made when it is sent.
//!
//! Notification mail follows its recipient's preference (`accounts::mail`): a trigger withholds
//! it or holds it for the daily digest as it is queued; each round first gathers the due held
//! messages of each recipient into one digest, then sends. Notification mail and digests end with
//! the recipient's settings and unsubscribe links, and carry RFC 8058's one-click headers.

use crate::accounts::mail::rules as account_mail;
use crate::kit::i18n::Locale;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::PgPool;
use std::time::Duration;
use uuid::Uuid;

/// Attempts before a message is given up.
pub const MAX_ATTEMPTS: i32 = 8;
/// Messages leased per round.
const BATCH: i64 = 50;
/// Held messages gathered into digests per round.
const DIGEST_BATCH: i64 = 500;
/// How long a lease lasts: a message whose instance died mid-send is due again after this.
const LEASE: Duration = Duration::from_secs(120);
/// The notifications whose email carries the lesson's calendar file: those about a seat held
/// (or no longer held, for a cancelled lesson); not a waitlist place or a pending request.
const CALENDAR_KINDS: [&str; 6] =
    ["booking_confirmed", "promoted", "approved", "lesson_changed", "lesson_cancelled", "reminder"];

/// How the connection to the mail server is secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    /// Plain connection upgraded with STARTTLS (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: a relay on the same host or network only (port 25).
    None,
}

/// Where and as whom mail is sent.
#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// User name and password, when the server asks for them.
    pub credentials: Option<(String, String)>,
    pub from: Mailbox,
}

impl std::fmt::Debug for SmtpSettings {
    // Never the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.credentials.as_ref().map(|(user, _)| user))
            .field("from", &self.from.to_string())
            .finish()
    }
}

/// How long after its `attempts`-th failure a message is tried again: 30 s, doubling, at most
/// an hour.
pub fn retry_delay(attempts: i32) -> Duration {
    let doublings = attempts.saturating_sub(1).clamp(0, 7) as u32;
    Duration::from_secs(30u64 << doublings).min(Duration::from_secs(3600))
}

/// The connection to the mail server, made per round.
pub fn transport(
    settings: &SmtpSettings,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, lettre::transport::smtp::Error> {
    let builder = match settings.security {
        Security::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host)?,
        Security::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host)?,
        Security::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host),
    };
    let builder = builder.port(settings.port).timeout(Some(Duration::from_secs(15)));
    let builder = match &settings.credentials {
        Some((user, password)) => builder.credentials(Credentials::new(user.clone(), password.clone())),
        None => builder,
    };
    Ok(builder.build())
}

/// One leased message.
#[derive(sqlx::FromRow)]
struct Leased {
    id: Uuid,
    to_email: String,
    subject: String,
    body: String,
    attempts: i32,
    /// The lesson whose calendar file the message carries.
    calendar_lesson: Option<Uuid>,
    /// `notification`, `digest` or `account`.
    purpose: String,
    /// The recipient's language and unsubscribe token, when the message has a recipient account.
    locale: Option<Locale>,
    unsubscribe_token: Option<Uuid>,
}

impl Leased {
    /// The unsubscribe link of a notification or digest (account mail has none: it is always sent).
    fn unsubscribe(&self) -> Option<(Locale, Uuid)> {
        match (self.purpose.as_str(), self.locale, self.unsubscribe_token) {
            ("notification" | "digest", Some(locale), Some(token)) => Some((locale, token)),
            _ => None,
        }
    }
}

/// A message held for a digest, with its recipient.
#[derive(sqlx::FromRow)]
struct Held {
    id: Uuid,
    user_id: Uuid,
    subject: String,
    body: String,
    to_email: String,
    locale: Locale,
}

/// Gathers the held messages whose digest hour has come into one digest per recipient (queued
/// to be sent like any message), marking each gathered message sent as part of it. One
/// transaction; rows another instance is gathering are skipped.
#[tracing::instrument(skip_all)]
pub async fn gather_digests(pool: &PgPool) -> sqlx::Result<usize> {
    let mut tx = pool.begin().await?;
    let held: Vec<Held> = sqlx::query_as(
        "with due as (
             select id from email_outbox
             where digest_at is not null and next_attempt_at <= clock_timestamp()
               and sent_at is null and failed_at is null and withheld_at is null
             order by next_attempt_at limit $1
             for update skip locked
         )
         select o.id, o.user_id, o.subject, o.body, u.email as to_email, u.locale
         from due join email_outbox o on o.id = due.id join users u on u.id = o.user_id
         order by o.user_id, o.created_at",
    )
    .bind(DIGEST_BATCH)
    .fetch_all(&mut *tx)
    .await?;
    if held.is_empty() {
        return Ok(0);
    }
    let (mut digests, mut users, mut to, mut subjects, mut bodies) = (vec![], vec![], vec![], vec![], vec![]);
    let (mut gathered, mut into) = (Vec::with_capacity(held.len()), Vec::with_capacity(held.len()));
    for group in held.chunk_by(|a, b| a.user_id == b.user_id) {
        for part in group.chunks(account_mail::DIGEST_MAX) {
            let items: Vec<(String, String)> = part.iter().map(|m| (m.subject.clone(), m.body.clone())).collect();
            let letter = account_mail::digest_letter(part[0].locale, &items);
            let digest = Uuid::new_v4();
            digests.push(digest);
            users.push(part[0].user_id);
            to.push(part[0].to_email.clone());
            subjects.push(letter.subject);
            bodies.push(letter.body);
            for message in part {
                gathered.push(message.id);
                into.push(digest);
            }
        }
    }
    sqlx::query(
        "insert into email_outbox (id, purpose, user_id, to_email, subject, body)
         select id, 'digest', user_id, to_email, subject, body
         from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[]) as d(id, user_id, to_email, subject, body)",
    )
    .bind(&digests)
    .bind(&users)
    .bind(&to)
    .bind(&subjects)
    .bind(&bodies)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "update email_outbox o set sent_at = clock_timestamp(), included_in = g.digest
         from unnest($1::uuid[], $2::uuid[]) as g(id, digest) where o.id = g.id",
    )
    .bind(&gathered)
    .bind(&into)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(digests.len())
}

/// What a round did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub retried: usize,
    pub given_up: usize,
}

/// Gathers the due digests, then leases the due messages, sends them, and records each outcome.
/// Safe on any number of instances at once. `site` (the public address) goes into calendar files'
/// and unsubscribe links.
#[tracing::instrument(skip_all)]
pub async fn deliver_due(pool: &PgPool, settings: &SmtpSettings, site: &str) -> sqlx::Result<Round> {
    let digests = gather_digests(pool).await?;
    if digests > 0 {
        tracing::info!(digests, "gathered daily digests");
    }
    let leased: Vec<Leased> = sqlx::query_as(
        "with due as (
             select o.id, u.locale, u.unsubscribe_token
             from email_outbox o left join users u on u.id = o.user_id
             where o.sent_at is null and o.failed_at is null and o.withheld_at is null and o.digest_at is null
               and o.next_attempt_at <= clock_timestamp()
             order by o.next_attempt_at limit $1
             for update of o skip locked
         )
         update email_outbox o
         set attempts = o.attempts + 1, next_attempt_at = clock_timestamp() + make_interval(secs => $2)
         from due where o.id = due.id
         returning o.id, o.to_email, o.subject, o.body, o.attempts, o.purpose, due.locale, due.unsubscribe_token,
                   (select n.lesson_id from notifications n
                    where n.id = o.notification_id and n.kind = any($3)) as calendar_lesson",
    )
    .bind(BATCH)
    .bind(LEASE.as_secs_f64())
    .bind(CALENDAR_KINDS)
    .fetch_all(pool)
    .await?;
    let mut round = Round::default();
    if leased.is_empty() {
        return Ok(round);
    }
    let transport = transport(settings);
    for message in leased {
        let calendar = match message.calendar_lesson {
            Some(lesson) => crate::lessons::ics::invitation(pool, lesson, site).await?,
            None => None,
        };
        let outcome = match &transport {
            Ok(transport) => send(transport, &settings.from, &message, calendar, site).await,
            Err(err) => Err(err.to_string()),
        };
        match outcome {
            Ok(()) => {
                sqlx::query("update email_outbox set sent_at = clock_timestamp(), last_error = '' where id = $1")
                    .bind(message.id)
                    .execute(pool)
                    .await?;
                round.sent += 1;
            }
            Err(error) => {
                let give_up = message.attempts >= MAX_ATTEMPTS;
                tracing::warn!(message = %message.id, attempts = message.attempts, give_up, "mail not delivered: {error}");
                sqlx::query(
                    "update email_outbox
                     set last_error = left($2, 1000), next_attempt_at = clock_timestamp() + make_interval(secs => $3),
                         failed_at = case when $4 then clock_timestamp() end
                     where id = $1",
                )
                .bind(message.id)
                .bind(&error)
                .bind(retry_delay(message.attempts).as_secs_f64())
                .bind(give_up)
                .execute(pool)
                .await?;
                if give_up {
                    round.given_up += 1;
                } else {
                    round.retried += 1;
                }
            }
        }
    }
    Ok(round)
}

async fn send(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    message: &Leased,
    calendar: Option<String>,
    site: &str,
) -> Result<(), String> {
    let to: Mailbox = message.to_email.parse().map_err(|err| format!("bad address: {err}"))?;
    let mut builder = Message::builder().from(from.clone()).to(to).subject(message.subject.as_str());
    let mut body = message.body.clone();
    if let Some((locale, token)) = message.unsubscribe() {
        body.push_str("\n\n");
        body.push_str(&account_mail::footer(locale, site, token));
        let one_click = account_mail::link(site, &crate::accounts::mail::http::one_click_path(token));
        builder = builder
            .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("List-Unsubscribe"), format!("<{one_click}>")))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_owned(),
            ));
    }
    let email = match calendar {
        None => builder.header(ContentType::TEXT_PLAIN).body(body),
        Some(calendar) => {
            let calendar_type =
                ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH").map_err(|err| err.to_string())?;
            builder.multipart(
                MultiPart::mixed()
                    .singlepart(SinglePart::plain(body))
                    .singlepart(Attachment::new("lesson.ics".to_owned()).body(calendar, calendar_type)),
            )
        }
    }
    .map_err(|err| err.to_string())?;
    transport.send(email).await.map(|_| ()).map_err(|err| err.to_string())
}

/// Delivers the outbox every `every`, for as long as the server runs; a failed round (the
/// database away) is logged and the next one tries again.
pub fn spawn_delivery(pool: PgPool, settings: SmtpSettings, site: String, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            match deliver_due(&pool, &settings, &site).await {
                Ok(Round { sent: 0, retried: 0, given_up: 0 }) => {}
                Ok(round) => tracing::info!(?round, "mail round"),
                Err(err) => tracing::warn!("mail round failed: {err}"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_an_hour() {
        let delays: Vec<u64> = (1..=9).map(|a| retry_delay(a).as_secs()).collect();
        assert_eq!(delays, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(retry_delay(0).as_secs(), 30);
        assert_eq!(retry_delay(i32::MAX).as_secs(), 3600);
    }

    #[test]
    fn settings_never_show_the_password() {
        let settings = SmtpSettings {
            host: "smtp.example.cn".into(),
            port: 587,
            security: Security::StartTls,
            credentials: Some(("atelier".into(), "s3cret-pass".into())),
            from: "Atelier <noreply@example.cn>".parse().expect("mailbox"),
        };
        let shown = format!("{settings:?}");
        assert!(shown.contains("atelier") && !shown.contains("s3cret-pass"), "{shown}");
    }
}
