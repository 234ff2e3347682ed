//! The email outbox delivered to a real SMTP server: Python's `aiosmtpd`, started by the test,
//! writing each message it accepts to a file (and refusing the first ones when asked to).

use crate::support::{assert_status, builders, TestApp};
use app::kit::mail::{deliver_due, Round, Security, SmtpSettings};
use reqwest::StatusCode;
use sqlx::PgPool;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use uuid::Uuid;

/// An SMTP server on a free port that refuses (451) its first `refuse` messages, then accepts,
/// writing each message to `{dir}/{n}.eml`.
const SMTP_SERVER: &str = r#"
import os, socket, sys, time
from aiosmtpd.controller import Controller

class Handler:
    def __init__(self, refuse, out):
        self.refuse, self.out, self.n = refuse, out, 0
    async def handle_DATA(self, server, session, envelope):
        if self.refuse > 0:
            self.refuse -= 1
            return '451 4.3.0 Try again later'
        self.n += 1
        with open(os.path.join(self.out, f'{self.n}.eml'), 'wb') as f:
            f.write(envelope.original_content)
        return '250 OK'

probe = socket.socket()
probe.bind(('127.0.0.1', 0))
port = probe.getsockname()[1]
probe.close()
controller = Controller(Handler(int(sys.argv[1]), sys.argv[2]), hostname='127.0.0.1', port=port)
controller.start()
print(port, flush=True)
while True:
    time.sleep(3600)
"#;

pub struct SmtpServer {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl SmtpServer {
    pub fn start(refuse: usize) -> SmtpServer {
        let dir = std::env::temp_dir().join(format!("atelier-smtp-{}", Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("mail dir");
        let mut child = Command::new("python3")
            .args(["-c", SMTP_SERVER, &refuse.to_string(), dir.to_str().expect("dir")])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 with aiosmtpd (scripts/test installs it)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("port");
        let port = line.trim().parse().unwrap_or_else(|_| panic!("aiosmtpd did not start: {line:?}"));
        SmtpServer { child, port, dir }
    }

    pub fn settings(&self) -> SmtpSettings {
        SmtpSettings {
            host: "127.0.0.1".into(),
            port: self.port,
            security: Security::None,
            credentials: None,
            from: "Atelier <noreply@atelier.test>".parse().expect("from"),
        }
    }

    /// The messages received, in order.
    pub fn received(&self) -> Vec<String> {
        let mut files: Vec<_> = std::fs::read_dir(&self.dir).expect("dir").map(|e| e.expect("entry").path()).collect();
        files.sort_by_key(|p| p.file_stem().and_then(|s| s.to_str()).and_then(|s| s.parse::<u32>().ok()));
        files.iter().map(|p| String::from_utf8(std::fs::read(p).expect("read")).expect("utf-8")).collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The public address calendar files link to.
const SITE: &str = "https://atelier.example.cn";

/// A message as sent, read by Python's `email` package (an independent reader: RFC 2047 words,
/// base64 and quoted-printable bodies decoded): its headers (the unsubscribe ones included), its
/// text (the plain part of a multipart message) and each attachment, a calendar file read by
/// Python's `icalendar`.
pub fn decoded(raw: &str) -> serde_json::Value {
    const READER: &str = r#"
import sys, json, email
from email import policy
from icalendar import Calendar
m = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
text = m.get_body(preferencelist=('plain',))
attachments = []
for part in m.iter_attachments():
    found = {'type': part.get_content_type(), 'filename': part.get_filename()}
    if part.get_content_type() == 'text/calendar':
        events = Calendar.from_ical(part.get_content()).walk('VEVENT')
        found['events'] = [{'summary': str(e['SUMMARY']), 'uid': str(e['UID']), 'status': str(e.get('STATUS', ''))} for e in events]
    attachments.append(found)
print(json.dumps({'subject': str(m['subject']), 'to': str(m['to']), 'from': str(m['from']),
                  'list_unsubscribe': str(m.get('List-Unsubscribe', '')),
                  'list_unsubscribe_post': str(m.get('List-Unsubscribe-Post', '')),
                  'type': m.get_content_type(), 'charset': text.get_content_charset(), 'body': text.get_content(),
                  'attachments': attachments}))
"#;
    crate::support::python_json("email and icalendar", READER, raw.as_bytes())
}

async fn unsent(pool: &PgPool) -> Vec<(i32, bool, String)> {
    sqlx::query_as("select attempts, sent_at is not null, last_error from email_outbox order by created_at")
        .fetch_all(pool)
        .await
        .expect("outbox")
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_booking_confirmation_arrives_once_in_the_teachers_language(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let host = builders::user(&pool, "host@mail.cn", "主持人", false).await;
    let studio = builders::studio(&pool, "mail-studio", "数学名师工作室", host).await;
    let lesson = builders::Lesson::new(studio, host).insert(&pool).await;
    builders::user(&pool, "emily@mail.cn", "Emily", false).await;
    builders::user(&pool, "li@mail.cn", "李老师", false).await;
    sqlx::query("update users set locale = 'en' where email = 'emily@mail.cn'").execute(&pool).await.expect("locale");
    for email in ["emily@mail.cn", "li@mail.cn"] {
        let client = app.client();
        assert_status(&app.sign_in(&client, email, builders::PASSWORD).await, StatusCode::OK);
        assert_status(&app.call(&client, "lessons/book", &[("lesson_id", &lesson.to_string())]).await, StatusCode::OK);
    }
    let smtp = SmtpServer::start(0);
    assert_eq!(
        deliver_due(&pool, &smtp.settings(), SITE).await.expect("round"),
        Round { sent: 2, retried: 0, given_up: 0 }
    );
    assert_eq!(deliver_due(&pool, &smtp.settings(), SITE).await.expect("round"), Round::default(), "nothing twice");
    let received: Vec<serde_json::Value> = smtp.received().iter().map(|m| decoded(m)).collect();
    assert_eq!(received.len(), 2);
    let to = |addr: &str| received.iter().find(|m| m["to"].as_str().is_some_and(|t| t.contains(addr))).expect(addr);
    let english = to("emily@mail.cn");
    assert_eq!(english["subject"], "Booking confirmed: 《勾股定理》研究课");
    assert_eq!(english["from"], "Atelier <noreply@atelier.test>");
    assert_eq!((english["type"].clone(), english["charset"].clone()), ("multipart/mixed".into(), "utf-8".into()));
    assert!(english["body"].as_str().expect("body").contains("301 教室"));
    // The seat's calendar file, for the teacher's calendar app.
    let attachment = &english["attachments"][0];
    assert_eq!(
        (attachment["type"].as_str(), attachment["filename"].as_str()),
        (Some("text/calendar"), Some("lesson.ics"))
    );
    assert_eq!(attachment["events"][0]["summary"], "《勾股定理》研究课");
    assert_eq!(attachment["events"][0]["uid"], format!("open-lesson-{lesson}@atelier"));
    assert!(to("li@mail.cn")["subject"].as_str().expect("subject").starts_with("预约成功"));
    assert!(unsent(&pool).await.iter().all(|(attempts, sent, _)| *attempts == 1 && *sent));
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_server_that_refuses_twice_then_accepts_gets_the_message_exactly_once(pool: PgPool) {
    sqlx::query(
        "insert into email_outbox (id, to_email, subject, body) values (gen_random_uuid(), 'wang@mail.cn', '提醒', '明天有课')",
    )
    .execute(&pool)
    .await
    .expect("outbox");
    let smtp = SmtpServer::start(2);
    // Each refusal is kept with the server's answer and pushes the next try back; the test
    // brings it forward instead of waiting.
    for attempt in 1..=2 {
        assert_eq!(deliver_due(&pool, &smtp.settings(), SITE).await.expect("round").retried, 1);
        let (attempts, sent, error) = unsent(&pool).await.remove(0);
        assert_eq!((attempts, sent), (attempt, false));
        assert!(error.contains("451"), "{error}");
        let not_before: bool =
            sqlx::query_scalar("select next_attempt_at > clock_timestamp() + interval '20 seconds' from email_outbox")
                .fetch_one(&pool)
                .await
                .expect("due");
        assert!(not_before, "tried again only after a delay");
        assert_eq!(deliver_due(&pool, &smtp.settings(), SITE).await.expect("round"), Round::default(), "not due yet");
        sqlx::query("update email_outbox set next_attempt_at = clock_timestamp()").execute(&pool).await.expect("due");
    }
    assert_eq!(deliver_due(&pool, &smtp.settings(), SITE).await.expect("round").sent, 1);
    assert_eq!(smtp.received().len(), 1);
    let received = decoded(&smtp.received()[0]);
    assert_eq!(received["subject"], "提醒");
    assert_eq!(
        (received["type"].as_str(), received["attachments"].as_array().map(Vec::len)),
        (Some("text/plain"), Some(0)),
        "no lesson, no calendar file"
    );
    assert_eq!(unsent(&pool).await, vec![(3, true, String::new())]);
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn two_instances_delivering_at_once_send_each_message_once(pool: PgPool) {
    sqlx::query(
        "insert into email_outbox (id, to_email, subject, body)
         select gen_random_uuid(), 'teacher' || i || '@mail.cn', '通知 ' || i, '内容' from generate_series(1, 40) i",
    )
    .execute(&pool)
    .await
    .expect("outbox");
    let smtp = SmtpServer::start(0);
    let settings = smtp.settings();
    let (a, b) = tokio::join!(deliver_due(&pool, &settings, SITE), deliver_due(&pool, &settings, SITE));
    let (a, b) = (a.expect("a"), b.expect("b"));
    let mut subjects: Vec<String> =
        smtp.received().iter().map(|m| decoded(m)["subject"].as_str().expect("subject").to_owned()).collect();
    subjects.sort();
    subjects.dedup();
    assert_eq!((a.sent + b.sent, subjects.len()), (40, 40), "{a:?} {b:?}");
    assert_eq!(smtp.received().len(), 40, "no message twice");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_message_is_given_up_after_the_last_attempt(pool: PgPool) {
    sqlx::query(
        "insert into email_outbox (id, to_email, subject, body, attempts)
         values (gen_random_uuid(), 'wang@mail.cn', '提醒', '内容', $1 - 1)",
    )
    .bind(app::kit::mail::MAX_ATTEMPTS)
    .execute(&pool)
    .await
    .expect("outbox");
    let smtp = SmtpServer::start(1);
    assert_eq!(deliver_due(&pool, &smtp.settings(), SITE).await.expect("round").given_up, 1);
    let failed: bool =
        sqlx::query_scalar("select failed_at is not null from email_outbox").fetch_one(&pool).await.expect("failed");
    assert!(failed);
    sqlx::query("update email_outbox set next_attempt_at = clock_timestamp()").execute(&pool).await.expect("due");
    assert_eq!(deliver_due(&pool, &smtp.settings(), SITE).await.expect("round"), Round::default(), "never tried again");
}

#[sqlx::test(migrator = "server::startup::MIGRATOR")]
async fn a_seat_comes_with_its_calendar_file_and_a_waitlist_place_does_not(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let host = builders::user(&pool, "host@mail.cn", "主持人", false).await;
    let studio = builders::studio(&pool, "ics-studio", "数学名师工作室", host).await;
    let lesson = builders::Lesson { capacity: 1, ..builders::Lesson::new(studio, host) }.insert(&pool).await;
    for email in ["first@mail.cn", "second@mail.cn"] {
        builders::user(&pool, email, "老师", false).await;
        let client = app.client();
        assert_status(&app.sign_in(&client, email, builders::PASSWORD).await, StatusCode::OK);
        assert_status(&app.call(&client, "lessons/book", &[("lesson_id", &lesson.to_string())]).await, StatusCode::OK);
    }
    let smtp = SmtpServer::start(0);
    assert_eq!(deliver_due(&pool, &smtp.settings(), SITE).await.expect("round").sent, 2);
    // Then the host cancels the lesson: everyone booked hears of it.
    let host_client = app.client();
    assert_status(&app.sign_in(&host_client, "host@mail.cn", builders::PASSWORD).await, StatusCode::OK);
    let cancel = [("lesson_id", lesson.to_string()), ("reason", "教研活动调整".to_owned())];
    let cancel: Vec<(&str, &str)> = cancel.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_status(&app.call(&host_client, "lessons/cancel", &cancel).await, StatusCode::OK);
    assert_eq!(deliver_due(&pool, &smtp.settings(), SITE).await.expect("round").sent, 2);

    let received: Vec<serde_json::Value> = smtp.received().iter().map(|m| decoded(m)).collect();
    let calendars = |to: &str, subject: &str| -> Vec<String> {
        let message = received
            .iter()
            .find(|m| {
                m["to"].as_str().is_some_and(|t| t.contains(to))
                    && m["subject"].as_str().is_some_and(|s| s.starts_with(subject))
            })
            .unwrap_or_else(|| panic!("{to}: {subject}"));
        message["attachments"]
            .as_array()
            .expect("attachments")
            .iter()
            .map(|a| a["events"][0]["status"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(calendars("first@mail.cn", "预约成功"), ["CONFIRMED"], "the seat's calendar file");
    assert_eq!(calendars("second@mail.cn", "已加入候补"), Vec::<String>::new(), "a waitlist place holds no seat");
    assert_eq!(calendars("first@mail.cn", "公开课已取消"), ["CANCELLED"], "the calendar app removes it");
}
