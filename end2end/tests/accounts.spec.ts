import { expect, test } from "@playwright/test";
import { DEMO_PASSWORD, open, registerTeacher, signInPlain, uniqueEmail } from "./helpers";

test("a teacher registers, signs out, signs in, switches language and edits the profile", async ({ page }) => {
  const email = uniqueEmail("li.ming");
  const password = "lesson-study-2026";

  await open(page, "/register");
  await expect(page.getByRole("heading", { name: "注册新账号" })).toBeVisible();
  await page.getByLabel("电子邮箱").fill(email);
  await page.getByLabel("姓名").fill("李明");
  await page.getByLabel("密码").fill(password);
  await page.getByLabel("学校").fill("西湖区实验中学");
  await page.getByLabel("区县").fill("西湖区");
  await page.getByLabel("学科").fill("数学");
  await page.getByLabel("教师梯队").selectOption({ label: "骨干教师" });
  await page.getByRole("button", { name: "注册" }).click();

  const nav = page.getByRole("navigation");
  await expect(nav.getByText("李明")).toBeVisible();
  await expect(page.locator("body[data-hydrated]")).toBeAttached();

  await nav.getByRole("button", { name: "退出登录" }).click();
  await expect(nav.getByRole("link", { name: "登录" })).toBeVisible();
  await expect(page.locator("body[data-hydrated]")).toBeAttached();

  await nav.getByRole("link", { name: "登录" }).click();
  await expect(page.getByRole("heading", { name: "登录名师工作室" })).toBeVisible();
  await page.getByLabel("电子邮箱").fill(email);
  await page.getByLabel("密码").fill("not-the-password");
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page.getByRole("alert")).toContainText("邮箱或密码不正确");
  await page.getByLabel("密码").fill(password);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(nav.getByText("李明")).toBeVisible();
  await expect(page.locator("body[data-hydrated]")).toBeAttached();

  // The switch changes the page in place, and the choice is saved with the account.
  await nav.getByRole("button", { name: "English" }).click();
  await expect(nav.getByRole("button", { name: "Sign out" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await page.reload();
  await expect(page.getByRole("heading", { level: 1, name: "Hello, 李明" })).toBeVisible();

  // Profile: a new name and time zone; lesson times follow the zone.
  await open(page, "/profile");
  await expect(page.getByRole("heading", { name: "Your profile" })).toBeVisible();
  await page.getByLabel("Display name").fill("李明 Li Ming");
  await page.getByLabel("Time zone").fill("Asia/Tokyo");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByText("Saved.")).toBeVisible();

  await open(page, "/lessons");
  await expect(nav.getByText("李明 Li Ming")).toBeVisible();
  await expect(page.getByText("Times are shown in your time zone: Asia/Tokyo")).toBeVisible();
  // Demo lessons start at 09:00 in Shanghai, which is 10:00 in Tokyo.
  await expect(page.locator("time").first()).toContainText("10:00");
});

test("a bad registration shows translated messages next to the fields", async ({ page }) => {
  await open(page, "/register");
  await page.getByLabel("电子邮箱").fill("not-an-email");
  await page.getByLabel("姓名").fill("<script>alert(1)</script>");
  await page.getByLabel("密码").fill("short");
  await page.getByLabel("学校").fill("实验中学");
  await page.getByLabel("区县").fill("西湖区");
  await page.getByLabel("学科").fill("数学");
  await page.getByLabel("时区").fill("Mars/Olympus");
  // Bypass the browser's own email check to reach the server's.
  await page.locator("main form").evaluate((f) => f.setAttribute("novalidate", ""));
  await page.getByRole("button", { name: "注册" }).click();
  await expect(page.getByRole("alert")).toContainText("请修改标出的内容");
  await expect(page.getByLabel("电子邮箱")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText("请输入有效的电子邮箱地址。")).toBeVisible();
  await expect(page.getByText("密码至少需要 8 个字符。")).toBeVisible();
  await expect(page.getByText("未知的时区。")).toBeVisible();
  await expect(page.getByText(/不能包含以下字符/)).toBeVisible();
});

test("a teacher decides who may see their development record, and sees who looked", async ({ page }) => {
  await registerTeacher(page, "周洁");
  await open(page, "/profile");
  const sharing = page.getByRole("region", { name: "谁可以查看我的发展档案" });
  await expect(sharing.getByText("学时认定（每年按类别计入的培训学时合计）是行政记录")).toBeVisible();
  const school = sharing.getByLabel("允许我所在学校的领导查看我的发展档案");
  await expect(school).not.toBeChecked();
  await expect(sharing.getByLabel("允许我所在的区查看我的发展档案")).not.toBeChecked();
  await school.check();
  await sharing.getByRole("button", { name: "保存共享设置" }).click();
  await expect(sharing.getByText("已保存，立即生效。")).toBeVisible();
  await open(page, "/profile");
  await expect(page.getByLabel("允许我所在学校的领导查看我的发展档案")).toBeChecked();
  await expect(page.getByRole("region", { name: "谁查看过我的档案" }).getByText("还没有人查看过。")).toBeVisible();
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the sharing switches work as a plain HTML form", async ({ page }) => {
    await signInPlain(page, "zhang.wei@demo.atelier");
    await page.goto("/profile");
    const sharing = page.getByRole("region", { name: "谁可以查看我的发展档案" });
    await expect(sharing.getByText("您的学校：文澜中学（西湖区）")).toBeVisible();
    await sharing.getByLabel("允许我所在的区查看我的发展档案").check();
    await sharing.getByRole("button", { name: "保存共享设置" }).click();
    await expect(page).toHaveURL(/\/profile$/);
    await expect(page.getByLabel("允许我所在的区查看我的发展档案")).toBeChecked();
    await page.getByLabel("允许我所在的区查看我的发展档案").uncheck();
    await page.getByRole("button", { name: "保存共享设置" }).click();
    await expect(page.getByLabel("允许我所在的区查看我的发展档案")).not.toBeChecked();
  });

  test("sign-in and its error work as a plain HTML form", async ({ page }) => {
    await page.goto("/sign-in");
    await page.getByLabel("电子邮箱").fill("wang.fang@demo.atelier");
    await page.getByLabel("密码").fill("wrong-password");
    await page.getByRole("button", { name: "登录" }).click();
    await expect(page.getByRole("alert")).toContainText("邮箱或密码不正确");

    await page.getByLabel("电子邮箱").fill("wang.fang@demo.atelier");
    await page.getByLabel("密码").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "登录" }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole("navigation", { name: "主导航" }).getByText("王芳")).toBeVisible();
    await expect(page.getByRole("heading", { level: 1, name: "王芳，您好" })).toBeVisible();
  });
});

test("the home page is readable at 360 px", async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await open(page, "/");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  // A phone's header is one row: the name and a menu button; the links wait in the menu.
  const header = await page.getByRole("banner").boundingBox();
  expect(header?.height).toBeLessThanOrEqual(64);
  await expect(page.getByRole("navigation", { name: "主导航" })).toBeHidden();
  const tabs = page.getByRole("navigation", { name: "常用" });
  await expect(tabs.getByRole("link", { name: "公开课" })).toBeVisible();
  await expect(tabs.getByRole("link", { name: "首页" })).toHaveAttribute("aria-current", "page");
  await page.getByText("菜单", { exact: true }).click();
  await expect(page.getByRole("navigation", { name: "主导航" }).getByRole("button", { name: "English" })).toBeVisible();
  await page.keyboard.press("Escape");
  await tabs.getByRole("link", { name: "公开课" }).click();
  await expect(page).toHaveURL(/\/lessons$/);
  await expect(tabs.getByRole("link", { name: "公开课" })).toHaveAttribute("aria-current", "page");
});

test("a visitor who switches to English registers in English", async ({ page }) => {
  await open(page, "/register");
  await expect(page.getByLabel("语言")).toHaveValue("zh-CN");
  await page.getByRole("navigation").getByRole("button", { name: "English" }).click();
  await expect(page.getByRole("heading", { name: "Create an account" })).toBeVisible();
  await expect(page.getByLabel("Language")).toHaveValue("en");
});

test.describe("a district admin without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("sees the district's schools with small counts hidden and names a school leader", async ({ page }) => {
    await signInPlain(page, "district.admin@demo.atelier");
    await page.goto("/district/schools");
    await expect(page.getByRole("heading", { level: 1, name: "学校名单" })).toBeVisible();
    const district = page.getByRole("region", { name: "西湖区" });
    const row = district.getByRole("row", { name: /^文澜中学/ });
    await expect(row).toContainText("少于 5 人");
    await expect(district.getByRole("row", { name: /^求是中学/ })).toContainText("6");
    await expect(district.getByRole("row", { name: /^西湖区实验中学/ })).toContainText("周校长");
    await row.getByLabel("学段类型").selectOption({ label: "初中" });
    await row.getByLabel("城乡").selectOption({ label: "城镇" });
    await row.getByRole("button", { name: "保存 文澜中学" }).click();
    await expect(page).toHaveURL(/\/district\/schools$/);
    await expect(page.getByRole("region", { name: "西湖区" }).getByRole("row", { name: /^文澜中学/ }).getByLabel("学段类型")).toHaveValue("junior");
    await row.getByLabel("文澜中学 教师的邮箱").fill("zhang.wei@demo.atelier");
    await row.getByRole("button", { name: "设为学校领导" }).click();
    await expect(page).toHaveURL(/\/district\/schools$/);
    const leaderRow = page.getByRole("region", { name: "西湖区" }).getByRole("row", { name: /^文澜中学/ });
    await expect(leaderRow).toContainText("张伟");
    await leaderRow.getByRole("button", { name: "取消 张伟 的学校领导身份" }).click();
    await expect(page.getByRole("region", { name: "西湖区" }).getByRole("row", { name: /^文澜中学/ })).not.toContainText("张伟");
  });
});

test("a teacher who forgot the password asks for a link, and chooses a daily digest of notification mail", async ({ page }) => {
  await open(page, "/sign-in");
  await page.getByRole("link", { name: "忘记密码？" }).click();
  await expect(page.getByRole("heading", { name: "重设密码" })).toBeVisible();
  await expect(page.locator("body[data-hydrated]")).toBeAttached();
  await page.getByLabel("电子邮箱").fill("nobody-at-all@example.cn");
  await page.getByRole("button", { name: "发送重设链接" }).click();
  // The same answer whether or not an account has the address.
  await expect(page.getByText("如果这个邮箱有账号，重设链接已经发出")).toBeVisible();

  await open(page, "/password/reset/not-a-real-link");
  await expect(page.getByRole("alert")).toContainText("这个链接已失效");
  await expect(page.getByRole("link", { name: "重新申请重设链接" })).toBeVisible();

  await registerTeacher(page, "周老师");
  await open(page, "/profile");
  await expect(page.getByRole("heading", { name: "邮件通知" })).toBeVisible();
  await page.getByLabel("通知邮件的发送方式").selectOption({ label: "每日摘要（早上 7 点）" });
  await page.getByRole("button", { name: "保存邮件设置" }).click();
  await expect(page.locator("#mail").getByText("已保存")).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("通知邮件的发送方式")).toHaveValue("digest");
});
