//! The studio area's strings, each in both languages.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StudioMsg {
    RoleHost,
    RoleMentor,
    RoleMentee,
}

impl StudioMsg {
    /// (Chinese, English).
    pub fn zh_en(self) -> (&'static str, &'static str) {
        match self {
            StudioMsg::RoleHost => ("领衔人", "Host"),
            StudioMsg::RoleMentor => ("导师", "Mentor"),
            StudioMsg::RoleMentee => ("培养对象", "Mentee"),
        }
    }
}
