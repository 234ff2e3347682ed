//! Enums stored as text: one declaration gives the variants, the code each one has in the
//! database and in forms, its translated label, and (on the server) the sqlx encoding. A stored
//! code that names no variant fails to decode: the query errors and the error is logged under an
//! id (`AppError::internal`), instead of quietly becoming some default variant.

/// Declares a text-coded enum:
///
/// ```ignore
/// coded_enum! {
///     /// A lesson's state.
///     pub enum LessonStatus {
///         Draft = "draft" => LessonMsg::StatusDraft,
///         Published = "published" => LessonMsg::StatusPublished,
///     }
/// }
/// ```
///
/// gives the enum (serialized as its codes, so JSON, forms and the database agree),
/// `LessonStatus::ALL`, `code()`, `from_code()`, `label()` (a [`Msg`](crate::kit::i18n::Msg)),
/// `options()` for a `<select>`, and `sqlx::{Type, Encode, Decode}` for PostgreSQL `text`.
macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $code:literal => $label:expr),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        $vis enum $name {
            $($(#[$vmeta])* #[serde(rename = $code)] $variant),+
        }

        /// In the integration API's document: a string, one of the codes (written out here: a
        /// derive would not see the codes through this macro and would name the variants).
        #[cfg(feature = "ssr")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($code),+]))
                    .into()
            }
        }

        #[cfg(feature = "ssr")]
        impl utoipa::ToSchema for $name {}

        impl $name {
            pub const ALL: [$name; [$(stringify!($variant)),+].len()] = [$($name::$variant),+];

            /// The value stored in the database and sent by forms.
            pub fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code),+
                }
            }

            pub fn from_code(code: &str) -> Option<$name> {
                match code {
                    $($code => Some($name::$variant),)+
                    _ => None,
                }
            }

            pub fn label(self) -> $crate::kit::i18n::Msg {
                match self {
                    $($name::$variant => $label.into()),+
                }
            }

            /// `(code, label)` pairs in declaration order, for a `<select>` or a row of chips.
            pub fn options() -> Vec<(&'static str, $crate::kit::i18n::Msg)> {
                $name::ALL.iter().map(|v| (v.code(), v.label())).collect()
            }
        }

        #[cfg(feature = "ssr")]
        impl sqlx::Type<sqlx::Postgres> for $name {
            fn type_info() -> sqlx::postgres::PgTypeInfo {
                <&str as sqlx::Type<sqlx::Postgres>>::type_info()
            }

            fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
                <&str as sqlx::Type<sqlx::Postgres>>::compatible(ty)
            }
        }

        #[cfg(feature = "ssr")]
        impl sqlx::Encode<'_, sqlx::Postgres> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut sqlx::postgres::PgArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<sqlx::Postgres>>::encode(self.code(), buf)
            }
        }

        #[cfg(feature = "ssr")]
        impl<'r> sqlx::Decode<'r, sqlx::Postgres> for $name {
            fn decode(value: sqlx::postgres::PgValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let code = <&str as sqlx::Decode<sqlx::Postgres>>::decode(value)?;
                $name::from_code(code)
                    .ok_or_else(|| format!("{code:?} is not a {} code", stringify!($name)).into())
            }
        }
    };
}

pub(crate) use coded_enum;

#[cfg(test)]
mod tests {
    use crate::kit::i18n::Msg;

    coded_enum! {
        enum Colour {
            Red = "red" => Msg::ErrRequired,
            DarkBlue = "dark_blue" => Msg::ErrTooLong,
        }
    }

    #[test]
    fn codes_round_trip_and_unknown_codes_are_refused() {
        for c in Colour::ALL {
            assert_eq!(Colour::from_code(c.code()), Some(c));
        }
        assert_eq!(Colour::from_code("Red"), None);
        assert_eq!(Colour::DarkBlue.label(), Msg::ErrTooLong);
        assert_eq!(Colour::options().first().map(|(code, _)| *code), Some("red"));
    }
}
