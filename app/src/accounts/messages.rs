//! The strings of account mail — password reset, email change, mail preferences — in both
//! languages.

use crate::kit::i18n::messages;

messages! {
    pub enum AccountMsg in "Account" {
        ForgotPassword => ("忘记密码？", "Forgot your password?"),
        ForgotTitle => ("重设密码", "Reset your password"),
        ForgotIntro => (
            "输入注册时用的邮箱，我们会发送一个重设密码的链接，一小时内有效。",
            "Enter the email you signed up with; we will send a link to set a new password, valid for an hour."
        ),
        SendResetLink => ("发送重设链接", "Send the link"),
        ResetLinkSent => (
            "如果这个邮箱有账号，重设链接已经发出，请查收邮件（也看看垃圾邮件）。",
            "If an account has this email, a link is on its way: check your inbox (and the spam folder)."
        ),
        ResetTitle => ("设置新密码", "Set a new password"),
        ResetPassword => ("保存新密码", "Save the new password"),
        ResetLinkInvalid => (
            "这个链接已失效（过期或已使用）。请重新申请。",
            "This link no longer works (it expired or was already used). Ask for a new one."
        ),
        AskAgain => ("重新申请重设链接", "Ask for a new link"),
        ErrTooManyMailRequests => ("请求过于频繁，请稍后再试。", "Too many requests; please try again later."),
        ResetSubject => ("重设您的 Atelier 密码", "Reset your Atelier password"),
        ResetBody => (
            "{name}，您好：\n\n有人（希望是您）申请重设 Atelier 账号的密码。打开下面的链接设置新密码，链接一小时内有效，只能使用一次：\n\n{link}\n\n设置新密码后，所有设备上的登录都会退出。如果不是您申请的，请忽略这封邮件，密码不会改变。",
            "Hello {name},\n\nSomeone (we hope you) asked to reset the password of your Atelier account. Open this link to set a new one; it works once, within an hour:\n\n{link}\n\nSetting a new password signs you out everywhere. If it was not you, ignore this email: your password stays as it is."
        ),
        ChangeEmailTitle => ("更换登录邮箱", "Change your sign-in email"),
        NewEmail => ("新邮箱", "New email"),
        ChangeEmailHint => (
            "我们会向新邮箱发送确认链接，确认后才会更换。",
            "We send a confirmation link to the new address; the change happens when you open it."
        ),
        SendConfirmation => ("发送确认邮件", "Send the confirmation"),
        ConfirmationSent => (
            "确认邮件已发到新邮箱，请在 24 小时内打开其中的链接。",
            "A confirmation is on its way to the new address; open its link within 24 hours."
        ),
        ErrSameEmail => ("这已经是您的登录邮箱。", "That is already your sign-in email."),
        ConfirmSubject => ("确认您的新 Atelier 登录邮箱", "Confirm your new Atelier sign-in email"),
        ConfirmBody => (
            "{name}，您好：\n\n请打开下面的链接，确认以这个邮箱登录 Atelier，链接 24 小时内有效：\n\n{link}\n\n如果不是您申请的，请忽略这封邮件。",
            "Hello {name},\n\nOpen this link to sign in to Atelier with this address from now on; it works within 24 hours:\n\n{link}\n\nIf it was not you, ignore this email."
        ),
        ChangeNoticeSubject => ("您的 Atelier 登录邮箱将要更换", "Your Atelier sign-in email is about to change"),
        ChangeNoticeBody => (
            "{name}，您好：\n\n有人在您的账号中申请把登录邮箱改为 {email}，新邮箱确认后生效。如果不是您本人，请立即修改密码。",
            "Hello {name},\n\nA change of your sign-in email to {email} was asked for in your account; it takes effect once the new address confirms it. If it was not you, change your password now."
        ),
        ConfirmEmailTitle => ("确认新的登录邮箱", "Confirm your new sign-in email"),
        ConfirmEmail => ("确认更换", "Confirm the change"),
        EmailChanged => ("登录邮箱已更换，以后请用新邮箱登录。", "Your sign-in email has changed; sign in with the new one from now on."),
        ConfirmLinkInvalid => (
            "这个确认链接已失效（过期或已使用）。请在个人资料页重新申请。",
            "This confirmation link no longer works (it expired or was already used). Ask again from your profile."
        ),
        MailHeading => ("邮件通知", "Email notifications"),
        MailPreference => ("通知邮件的发送方式", "How notifications reach your inbox"),
        MailImmediate => ("每条通知即时发送", "Each notification at once"),
        MailDigest => ("每日摘要（早上 7 点）", "A daily digest (at 07:00)"),
        MailNone => ("不发送通知邮件", "No notification emails"),
        MailAccountNote => (
            "重设密码、更换邮箱等账号邮件总会发送。",
            "Mail about your account itself (a password reset, a changed email) is always sent."
        ),
        SavePreference => ("保存邮件设置", "Save email settings"),
        UnsubscribeTitle => ("退订通知邮件", "Unsubscribe from notification emails"),
        UnsubscribeIntro => (
            "退订后，Atelier 不再向这个邮箱发送通知邮件，站内通知照常。随时可以在个人资料页重新开启。",
            "After this, Atelier sends no notification emails to this address; notifications on the site go on as before. You can turn them back on in your profile at any time."
        ),
        Unsubscribe => ("退订", "Unsubscribe"),
        Unsubscribed => ("已退订，不会再收到通知邮件。", "Done: no more notification emails."),
        UnsubscribeLinkInvalid => ("这个退订链接无效。", "This unsubscribe link is not valid."),
        MailFooter => (
            "——\n修改邮件通知设置：{profile}\n退订通知邮件：{unsubscribe}",
            "—\nChange your email settings: {profile}\nUnsubscribe from notification emails: {unsubscribe}"
        ),
        DigestSubject => ("Atelier 每日摘要：{count} 条通知", "Atelier daily digest: {count} notifications"),
        DigestIntro => ("自上次摘要以来的通知：", "Your notifications since the last digest:"),
    }
}
