//! The two-language layer. Every visible string is a [`Msg`]; each `Msg` carries its Chinese and
//! English text in one match arm, so the compiler refuses a string in one language only.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    ZhCn,
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::ZhCn, Locale::En];

    /// The BCP 47 tag, as stored in `users.locale` and written to `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Locale> {
        match tag {
            "zh-CN" => Some(Locale::ZhCn),
            "en" => Some(Locale::En),
            _ => None,
        }
    }

    /// The language's own name, shown in the switch whatever the current language is.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::ZhCn => "简体中文",
            Locale::En => "English",
        }
    }

    /// Picks the first supported language of an `Accept-Language` header, honouring q-values;
    /// Chinese when the header names neither.
    pub fn from_accept_language(header: &str) -> Locale {
        let mut best: Option<(f32, Locale)> = None;
        for part in header.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = pieces.find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok())).unwrap_or(1.0);
            let locale = if tag == "zh" || tag.starts_with("zh-") {
                Locale::ZhCn
            } else if tag == "en" || tag.starts_with("en-") {
                Locale::En
            } else {
                continue;
            };
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, locale));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }
}

/// Stored as its tag (`users.locale`); a tag that names no supported language fails to decode.
#[cfg(feature = "ssr")]
mod stored_locale {
    use super::Locale;
    use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef};
    use sqlx::{encode::IsNull, error::BoxDynError, Decode, Encode, Postgres, Type};

    impl Type<Postgres> for Locale {
        fn type_info() -> PgTypeInfo {
            <&str as Type<Postgres>>::type_info()
        }

        fn compatible(ty: &PgTypeInfo) -> bool {
            <&str as Type<Postgres>>::compatible(ty)
        }
    }

    impl Encode<'_, Postgres> for Locale {
        fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
            <&str as Encode<Postgres>>::encode(self.tag(), buf)
        }
    }

    impl<'r> Decode<'r, Postgres> for Locale {
        fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
            let tag = <&str as Decode<Postgres>>::decode(value)?;
            Locale::from_tag(tag).ok_or_else(|| format!("{tag:?} is not a supported locale").into())
        }
    }
}

/// Every user-visible string of the application. Strings shared across the app are listed here;
/// each domain area declares its own with [`messages!`] (`LessonMsg`…), which become
/// [`Msg::Area`] messages. On the wire an area's message is `{"Lesson": "ErrWrongCode"}` and is
/// read back through the catalogues registered at start-up ([`register_catalogs`]), so this
/// module knows no area.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Msg {
    AppName,
    Tagline,
    NavHome,
    NavSignIn,
    NavRegister,
    NavSignOut,
    NavProfile,
    NavMain,
    NavMenu,
    NavTabs,
    Language,
    SwitchLanguage,
    SignedInAs,
    // home
    HomeIntro,
    HomeForHosts,
    HomeForMentees,
    HomeForObservers,
    UpcomingLessons,
    NoUpcomingLessons,
    LessonAt,
    SeatsCapacity,
    YourTimeZone,
    // lists
    PreviousPage,
    NextPage,
    Pagination,
    PageNumber,
    PageOf,
    // forms
    Email,
    Password,
    NewPassword,
    CurrentPassword,
    DisplayName,
    School,
    District,
    Subject,
    GradeBand,
    Tier,
    TimeZone,
    Save,
    Saved,
    SignIn,
    SignInTitle,
    Register,
    RegisterTitle,
    NoAccountYet,
    HaveAccount,
    ProfileTitle,
    ChangePasswordTitle,
    ChangePassword,
    PasswordChanged,
    PasswordHint,
    Working,
    // tiers
    TierNewTeacher,
    TierRisingStar,
    TierBackbone,
    TierMaster,
    TierLeadingMaster,
    // errors
    ErrRequired,
    ErrTooLong,
    ErrEmailInvalid,
    ErrEmailTaken,
    ErrPasswordTooShort,
    ErrPasswordTooLong,
    ErrTimeZoneUnknown,
    ErrChoiceUnknown,
    ErrCharsNotAllowed,
    ErrControlChars,
    ErrHoursInvalid,
    ErrHoursPositive,
    ErrHoursTooMany,
    ErrDateInvalid,
    ErrDateOutOfRange,
    ErrLinkInvalid,
    ErrBadCredentials,
    ErrWrongCurrentPassword,
    ErrTooManyAttempts,
    ErrSignInRequired,
    ErrForbidden,
    ErrNotFound,
    ErrInternal,
    ErrRequest,
    ErrUnstorableText,
    ErrCrossSite,
    ErrFixFields,
    PageNotFound,
    BackHome,
    /// A message of a domain area (last: it has no tag of its own on the wire).
    #[serde(untagged)]
    Area(AreaMsg),
}

impl Msg {
    pub fn text(self, locale: Locale) -> &'static str {
        let (zh, en) = match self {
            Msg::Area(m) => (m.zh, m.en),
            Msg::AppName => ("名师工作室", "Atelier"),
            Msg::Tagline => ("名师引领 · 同伴互助 · 共同成长", "Master teachers lead, peers grow together"),
            Msg::NavHome => ("首页", "Home"),
            Msg::NavSignIn => ("登录", "Sign in"),
            Msg::NavRegister => ("注册", "Register"),
            Msg::NavSignOut => ("退出登录", "Sign out"),
            Msg::NavProfile => ("个人资料", "Profile"),
            Msg::NavMain => ("主导航", "Main navigation"),
            Msg::NavMenu => ("菜单", "Menu"),
            Msg::NavTabs => ("常用", "Shortcuts"),
            Msg::Language => ("语言", "Language"),
            Msg::SwitchLanguage => ("切换语言", "Switch language"),
            Msg::SignedInAs => ("已登录：", "Signed in as "),
            Msg::HomeIntro => (
                "名师工作室平台：领衔人主持工作室，培养对象制定成长规划、记录培训学时，外校教师预约名师课堂开放，工作室开展课例研究。",
                "Atelier is the home of master-teacher studios: hosts run studios, mentees keep growth plans and log training hours, teachers from other schools book seats at open lessons, and studios run lesson studies.",
            ),
            Msg::HomeForHosts => ("领衔人：管理成员、成长规划、公开课与课例研究", "Hosts: members, growth plans, open lessons and lesson studies"),
            Msg::HomeForMentees => ("培养对象：成长目标、里程碑与培训学时", "Mentees: growth goals, milestones and training hours"),
            Msg::HomeForObservers => ("听课教师：预约座位、听课记录、学时认定", "Observers: book a seat, take notes, get hours credited"),
            Msg::UpcomingLessons => ("即将开放的课堂", "Upcoming open lessons"),
            Msg::NoUpcomingLessons => ("暂无即将开放的课堂。", "No upcoming open lessons."),
            Msg::LessonAt => ("时间", "When"),
            Msg::SeatsCapacity => ("座位数", "Seats"),
            Msg::YourTimeZone => ("时间按您的时区显示：", "Times are shown in your time zone: "),
            Msg::PreviousPage => ("上一页", "Previous page"),
            Msg::NextPage => ("下一页", "Next page"),
            Msg::Pagination => ("分页", "Pages"),
            Msg::PageNumber => ("第 {n} 页", "Page {n}"),
            Msg::PageOf => ("第 {page} / {pages} 页", "Page {page} of {pages}"),
            Msg::Email => ("电子邮箱", "Email"),
            Msg::Password => ("密码", "Password"),
            Msg::NewPassword => ("新密码", "New password"),
            Msg::CurrentPassword => ("当前密码", "Current password"),
            Msg::DisplayName => ("姓名", "Display name"),
            Msg::School => ("学校", "School"),
            Msg::District => ("区县", "District"),
            Msg::Subject => ("学科", "Subject"),
            Msg::GradeBand => ("学段", "Grade band"),
            Msg::Tier => ("教师梯队", "Teacher tier"),
            Msg::TimeZone => ("时区", "Time zone"),
            Msg::Save => ("保存", "Save"),
            Msg::Saved => ("已保存。", "Saved."),
            Msg::SignIn => ("登录", "Sign in"),
            Msg::SignInTitle => ("登录名师工作室", "Sign in to Atelier"),
            Msg::Register => ("注册", "Register"),
            Msg::RegisterTitle => ("注册新账号", "Create an account"),
            Msg::NoAccountYet => ("还没有账号？", "No account yet?"),
            Msg::HaveAccount => ("已有账号？", "Already registered?"),
            Msg::ProfileTitle => ("个人资料", "Your profile"),
            Msg::ChangePasswordTitle => ("修改密码", "Change password"),
            Msg::ChangePassword => ("修改密码", "Change password"),
            Msg::PasswordChanged => ("密码已修改，其他设备上的登录已退出。", "Password changed; you are signed out everywhere else."),
            Msg::PasswordHint => ("至少 8 个字符。", "At least 8 characters."),
            Msg::Working => ("处理中…", "Working…"),
            Msg::TierNewTeacher => ("新教师", "New teacher"),
            Msg::TierRisingStar => ("教坛新秀", "Rising star"),
            Msg::TierBackbone => ("骨干教师", "Backbone teacher"),
            Msg::TierMaster => ("名师", "Master teacher"),
            Msg::TierLeadingMaster => ("教育教学名师", "Leading master teacher"),
            Msg::ErrRequired => ("此项必填。", "This field is required."),
            Msg::ErrTooLong => ("内容过长。", "This is too long."),
            Msg::ErrEmailInvalid => ("请输入有效的电子邮箱地址。", "Enter a valid email address."),
            Msg::ErrEmailTaken => ("该邮箱已注册。", "This email is already registered."),
            Msg::ErrPasswordTooShort => ("密码至少需要 8 个字符。", "The password needs at least 8 characters."),
            Msg::ErrPasswordTooLong => ("密码不能超过 128 个字符。", "The password can have at most 128 characters."),
            Msg::ErrTimeZoneUnknown => ("未知的时区。", "Unknown time zone."),
            Msg::ErrChoiceUnknown => ("请从列表中选择。", "Choose one of the listed options."),
            Msg::ErrCharsNotAllowed => ("不能包含以下字符：< > \" ; = ` { } \\ -- /*", "These characters are not allowed: < > \" ; = ` { } \\ -- /*"),
            Msg::ErrControlChars => (
                "不能包含控制字符（换行和制表符以外的不可见字符）。",
                "Control characters (invisible characters other than line breaks and tabs) are not allowed.",
            ),
            Msg::ErrHoursInvalid => (
                "请输入学时数，例如 1.5（最多一位小数）。",
                "Enter hours as a number such as 1.5 (one decimal at most).",
            ),
            Msg::ErrHoursPositive => ("学时必须大于 0。", "Hours must be more than 0."),
            Msg::ErrHoursTooMany => ("一条记录不能超过 24 小时。", "One record can hold at most 24 hours."),
            Msg::ErrDateInvalid => ("请输入有效日期（年-月-日）。", "Enter a valid date (year-month-day)."),
            Msg::ErrDateOutOfRange => ("日期须在 1900 年至 2200 年之间。", "Dates must fall between the years 1900 and 2200."),
            Msg::ErrLinkInvalid => (
                "请输入以 https:// 或 http:// 开头的有效链接。",
                "Enter a valid link starting with https:// or http://.",
            ),
            Msg::ErrBadCredentials => ("邮箱或密码不正确。", "Wrong email or password."),
            Msg::ErrWrongCurrentPassword => ("当前密码不正确。", "The current password is wrong."),
            Msg::ErrTooManyAttempts => (
                "登录失败次数过多，请约 {minutes} 分钟后再试。",
                "Too many failed sign-ins. Please try again in about {minutes} min.",
            ),
            Msg::ErrSignInRequired => ("请先登录。", "Please sign in first."),
            Msg::ErrForbidden => ("您没有权限执行此操作。", "You are not allowed to do that."),
            Msg::ErrNotFound => ("未找到。", "Not found."),
            Msg::ErrInternal => ("服务器出错了，请稍后再试。错误编号：{id}", "Something went wrong on our side. Error id: {id}"),
            Msg::ErrRequest => ("无法连接服务器，请检查网络后重试。", "Could not reach the server; check the connection and try again."),
            Msg::ErrUnstorableText => ("内容含有无法保存的控制字符（如 NUL），请删除后重试。", "The text contains a control character (such as NUL) that cannot be stored; remove it and try again."),
            Msg::ErrCrossSite => (
                "该请求来自其他网站，已被拒绝。请在名师工作室的页面上操作。",
                "This request came from another site and was refused. Please use Atelier's own pages.",
            ),
            Msg::ErrFixFields => ("请修改标出的内容。", "Please correct the marked fields."),
            Msg::PageNotFound => ("页面不存在", "Page not found"),
            Msg::BackHome => ("返回首页", "Back to the home page"),
        };
        match locale {
            Locale::ZhCn => zh,
            Locale::En => en,
        }
    }
}

/// A message of a domain area: the area and the message's key there (what goes over the wire),
/// and its two texts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AreaMsg {
    pub area: &'static str,
    pub key: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

impl Serialize for AreaMsg {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(self.area, self.key)?;
        map.end()
    }
}

impl<'de> Deserialize<'de> for AreaMsg {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use std::collections::BTreeMap;
        let entry: BTreeMap<String, String> = BTreeMap::deserialize(deserializer)?;
        let mut entries = entry.into_iter();
        match (entries.next(), entries.next()) {
            (Some((area, key)), None) => match lookup(&area, &key) {
                Some(Msg::Area(m)) => Ok(m),
                _ => Err(serde::de::Error::custom(format!("unknown message {area}:{key}"))),
            },
            _ => Err(serde::de::Error::custom("a message names one area and one key")),
        }
    }
}

/// An area's catalogue: its message for a key.
pub type Catalog = fn(&str) -> Option<Msg>;

static CATALOGS: std::sync::OnceLock<&'static [(&'static str, Catalog)]> = std::sync::OnceLock::new();

/// Makes every area's messages readable from the wire; the application's root calls it once at
/// start-up, on the server and in the browser.
pub fn register_catalogs(catalogs: &'static [(&'static str, Catalog)]) {
    let _ = CATALOGS.set(catalogs);
}

fn lookup(area: &str, key: &str) -> Option<Msg> {
    CATALOGS.get()?.iter().find(|(name, _)| *name == area).and_then(|(_, catalog)| catalog(key))
}

/// Declares a domain area's messages, each with its Chinese and English text (the compiler
/// refuses a message in one language only), as an enum that converts into [`Msg`]:
///
/// ```ignore
/// messages! {
///     pub enum LessonMsg in "Lesson" {
///         WaitlistPosition => ("候补位置 {n}", "Waitlist position {n}"),
///     }
/// }
/// ```
///
/// It also gives `LessonMsg::CATALOG`, the area's entry for [`register_catalogs`].
macro_rules! messages {
    ($vis:vis enum $name:ident in $area:literal { $($variant:ident => ($zh:expr, $en:expr $(,)?)),+ $(,)? }) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        $vis enum $name {
            $($variant),+
        }

        impl $name {
            /// The area's entry for `register_catalogs`.
            pub const CATALOG: (&'static str, $crate::kit::i18n::Catalog) = ($area, $name::catalog);

            /// (Chinese, English).
            pub fn zh_en(self) -> (&'static str, &'static str) {
                match self {
                    $($name::$variant => ($zh, $en)),+
                }
            }

            /// The message's key on the wire.
            pub fn key(self) -> &'static str {
                match self {
                    $($name::$variant => stringify!($variant)),+
                }
            }

            /// The area's catalogue (see `register_catalogs`).
            pub fn catalog(key: &str) -> Option<$crate::kit::i18n::Msg> {
                match key {
                    $(stringify!($variant) => Some($name::$variant.into()),)+
                    _ => None,
                }
            }
        }

        impl From<$name> for $crate::kit::i18n::Msg {
            fn from(m: $name) -> Self {
                let (zh, en) = m.zh_en();
                $crate::kit::i18n::Msg::Area($crate::kit::i18n::AreaMsg { area: $area, key: m.key(), zh, en })
            }
        }
    };
}

pub(crate) use messages;

/// The viewer's language as a reactive value; components call `i18n.t(Msg::…)`.
#[derive(Clone, Copy)]
pub struct I18n {
    pub locale: RwSignal<Locale>,
}

impl I18n {
    pub fn t(self, msg: Msg) -> &'static str {
        msg.text(self.locale.get())
    }

    /// The message with its placeholders filled in (see [`Msg::fill`]).
    pub fn fill(self, msg: Msg, args: &[(&str, &dyn std::fmt::Display)]) -> String {
        msg.fill(self.locale.get(), args)
    }

    /// A text of the page's head (`<Title>`, `<Meta>`) in the viewer's language. In the browser it
    /// follows a language switch. On the server it is fixed when the page renders: leptos_meta
    /// reads head texts after the render, outside the request's reactive arena, and a signal read
    /// there can meet another request's arena on the same thread and panic (under concurrent load
    /// about 1 page in 140 lost its connection that way).
    pub fn head_text(self, msg: Msg) -> leptos::text_prop::TextProp {
        #[cfg(feature = "ssr")]
        {
            msg.text(self.locale.get_untracked()).into()
        }
        #[cfg(not(feature = "ssr"))]
        {
            (move || self.t(msg)).into()
        }
    }
}

impl Msg {
    /// The text with its `{name}` placeholders replaced by the named arguments, so that each
    /// language puts the values where its own word order wants them (`第 {n} 轮` / `Round {n}`).
    /// A placeholder without an argument stays as it is.
    pub fn fill(self, locale: Locale, args: &[(&str, &dyn std::fmt::Display)]) -> String {
        let mut out = String::new();
        let mut rest = self.text(locale);
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}').map(|close| (&after[..close], &after[close + 1..])) {
                Some((name, tail)) => {
                    match args.iter().find(|(key, _)| *key == name) {
                        Some((_, value)) => out.push_str(&value.to_string()),
                        None => out.push_str(&rest[open..open + name.len() + 2]),
                    }
                    rest = tail;
                }
                None => {
                    out.push_str(&rest[open..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }
}

pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or(I18n { locale: RwSignal::new(Locale::default()) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_prefers_the_highest_q_supported_language() {
        assert_eq!(Locale::from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8"), Locale::En);
        assert_eq!(Locale::from_accept_language("fr;q=1, zh-TW;q=0.5, en;q=0.4"), Locale::ZhCn);
        assert_eq!(Locale::from_accept_language("de, en;q=0"), Locale::ZhCn);
    }

    #[test]
    fn accept_language_defaults_to_chinese() {
        assert_eq!(Locale::from_accept_language(""), Locale::ZhCn);
        assert_eq!(Locale::from_accept_language("fr-FR"), Locale::ZhCn);
    }

    #[test]
    fn placeholders_are_filled_where_each_language_puts_them() {
        assert_eq!(Msg::ErrTooLong.fill(Locale::En, &[("n", &3)]), "This is too long.");
        let wait = Msg::ErrTooManyAttempts;
        assert_eq!(wait.fill(Locale::ZhCn, &[("minutes", &3)]), "登录失败次数过多，请约 3 分钟后再试。");
        assert_eq!(
            wait.fill(Locale::En, &[("minutes", &3)]),
            "Too many failed sign-ins. Please try again in about 3 min."
        );
        assert!(wait.fill(Locale::En, &[]).contains("{minutes}"), "a missing argument stays visible");
        assert_eq!(
            Msg::ErrInternal.fill(Locale::En, &[("id", &"ab12")]),
            "Something went wrong on our side. Error id: ab12"
        );
    }

    #[test]
    fn locale_tags_round_trip() {
        for l in Locale::ALL {
            assert_eq!(Locale::from_tag(l.tag()), Some(l));
        }
        assert_eq!(Locale::from_tag("de"), None);
    }
}
