//! Atelier: the Leptos application (pages, server functions, data layer and rules).
#![recursion_limit = "256"]

pub mod accounts;
pub mod app;
pub mod districts;
pub mod growth;
pub mod home;
pub mod integration;
pub mod kit;
pub mod lessons;
pub mod records;
pub mod studios;
pub mod study;

/// Every area's message catalogue, so that messages coming back over the wire can be read.
const MESSAGE_CATALOGS: &[(&str, kit::i18n::Catalog)] = &[
    accounts::AccountMsg::CATALOG,
    studios::StudioMsg::CATALOG,
    lessons::LessonMsg::CATALOG,
    growth::GrowthMsg::CATALOG,
    home::HomeMsg::CATALOG,
    study::StudyMsg::CATALOG,
    districts::DistrictMsg::CATALOG,
    records::RecordMsg::CATALOG,
    records::studio_year::StudioYearMsg::CATALOG,
    integration::IntegrationMsg::CATALOG,
];

/// Start-up of the application, on the server and in the browser alike.
pub fn init() {
    kit::i18n::register_catalogs(MESSAGE_CATALOGS);
}

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    init();
    leptos::mount::hydrate_lazy(app::App);
}

#[cfg(test)]
mod tests {
    use crate::kit::error::AppError;
    use crate::kit::i18n::{Locale, Msg};
    use crate::lessons::LessonMsg;

    #[test]
    fn every_areas_messages_survive_the_wire() {
        super::init();
        let error = AppError::field("code", LessonMsg::ErrWrongCode.into());
        let json = serde_json::to_string(&error).expect("json");
        assert_eq!(json, r#"{"Invalid":[{"field":"code","msg":{"Lesson":"ErrWrongCode"}}]}"#);
        assert_eq!(serde_json::from_str::<AppError>(&json).expect("read back"), error);
        let base = serde_json::to_string(&Msg::ErrRequired).expect("json");
        assert_eq!(serde_json::from_str::<Msg>(&base).expect("read back"), Msg::ErrRequired);
        for catalog in super::MESSAGE_CATALOGS {
            assert!(catalog.1("NoSuchKey").is_none(), "{}", catalog.0);
        }
        assert!(serde_json::from_str::<Msg>(r#"{"Lesson":"NoSuchKey"}"#).is_err());
        assert!(serde_json::from_str::<Msg>(r#"{"Nowhere":"ErrWrongCode"}"#).is_err());
        assert_eq!(Msg::from(LessonMsg::ErrWrongCode).text(Locale::En), LessonMsg::ErrWrongCode.zh_en().1);
    }
}
