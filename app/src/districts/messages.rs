//! The districts area's strings, each in both languages.

use crate::kit::i18n::messages;

messages! {
    pub enum DistrictMsg in "District" {
        SharingHeading => ("谁可以查看我的发展档案", "Who may see my development record"),
        SharingAdministrative => (
            "学时认定（每年按类别计入的培训学时合计）是行政记录：学校和区里按姓名查看，和纸质表格一样。",
            "Your credited training-hour totals per year and category are an administrative record (学时认定): your school and district see them by name, as they do on paper today."
        ),
        SharingPersonal => (
            "发展档案——目标、里程碑、佐证材料、反馈、观课记录、听过的课——属于您个人。只有您同意，学校领导或区里才能按姓名查看；否则您只出现在汇总数字中。",
            "Your development record — goals, milestones, evidence, feedback, observation notes, lessons observed — is personal. School leaders or the district see it by name only if you allow it; otherwise you are only ever part of a total."
        ),
        ShareWithSchool => ("允许我所在学校的领导查看我的发展档案", "My school's leaders may see my development record"),
        ShareWithDistrict => ("允许我所在的区查看我的发展档案", "My district may see my development record"),
        SaveSharing => ("保存共享设置", "Save sharing"),
        SharingSaved => ("已保存，立即生效。", "Saved; in effect at once."),
        YourSchool => ("您的学校：{school}（{district}）", "Your school: {school} ({district})"),
        NoSchoolYet => (
            "您的资料中的学校还没有对应到区里的学校名单，在此之前没有人能以领导身份查看您的档案。",
            "Your profile's school is not yet matched to the district's list; until it is, nobody can view your record as a leader."
        ),
        ViewsHeading => ("谁查看过我的档案", "Who opened my record"),
        NoViews => ("还没有人查看过。", "Nobody has opened it yet."),
        AsSchoolLeader => ("学校领导", "School leader"),
        AsDistrictAdmin => ("区管理员", "District admin"),
        Viewer => ("查看人", "Who"),
        Capacity => ("身份", "As"),
        ViewedAt => ("时间", "When"),
        OlderViews => ("更早的记录", "Older views"),
        SchoolsTitle => ("学校名单", "Schools"),
        Stage => ("学段类型", "Stage"),
        Location => ("城乡", "Urban or rural"),
        NotSet => ("未填写", "Not set"),
        Urban => ("城镇", "Urban"),
        Rural => ("乡村", "Rural"),
        StageKindergarten => ("幼儿园", "Kindergarten"),
        StagePrimary => ("小学", "Primary"),
        StageJunior => ("初中", "Junior secondary"),
        StageSenior => ("高中", "Senior secondary"),
        StageNineYear => ("九年一贯制", "Nine-year school"),
        StageComplete => ("完全中学", "Complete secondary"),
        SaveSchool => ("保存 {school}", "Save {school}"),
        NotAdmin => ("您不是任何区的管理员。", "You do not administer a district."),
        School => ("学校", "School"),
        Status => ("状态", "Status"),
        Teachers => ("教师", "Teachers"),
        Leaders => ("学校领导", "School leaders"),
        Total => ("合计", "Total"),
        StatusListed => ("已列入名单", "Listed"),
        StatusRequested => ("待确认", "Requested"),
        ConfirmSchool => ("确认列入：{school}", "Confirm {school}"),
        MergeInto => ("合并到", "Merge into"),
        Merge => ("合并", "Merge"),
        LeaderEmail => ("{school} 教师的邮箱", "Email of a teacher of {school}"),
        AddLeader => ("设为学校领导", "Make school leader"),
        RemoveLeader => ("取消 {name} 的学校领导身份", "Remove {name} as school leader"),
        FewerThan => ("少于 {k} 人", "fewer than {k}"),
        ErrNotRequested => ("这所学校不是待确认的申请。", "This school is not a request waiting for confirmation."),
        ErrMergeTarget => ("请选择同一区里已列入名单的另一所学校。", "Choose another listed school of the same district."),
        ErrNotOfThisSchool => ("本校教师中没有这个邮箱。", "No teacher of this school has this email."),
    }
}
