//! Atelier: the Leptos application (pages, server functions, data layer and rules).
#![recursion_limit = "256"]

pub mod accounts;
pub mod app;
pub mod growth;
pub mod kit;
pub mod lessons;
pub mod studios;
pub mod study;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
