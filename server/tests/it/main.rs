//! Black-box tests of the whole server: each test starts a real server on a random port over a
//! fresh PostgreSQL database (`#[sqlx::test]`) and talks to it over HTTP as a browser would.
//! One binary for every area, so the server and its dependencies are linked once.

mod support;

mod account_mail;
mod accounts;
mod dashboard;
mod districts;
mod faults;
mod fuzz;
mod growth;
mod home;
mod hour_imports;
mod integration_api;
mod lessons;
mod lessons_concurrency;
mod lessons_roles;
mod mail;
mod operators;
mod pool;
mod records;
mod serving;
mod studio_year;
mod studios;
mod study;
mod webhooks;
