import { expect, test, type Page } from "@playwright/test";
import { open, registerTeacher } from "./helpers";

/** Writes a note through the page's note form. */
async function writeNote(page: Page, tag: string, text: string) {
  await page.getByRole("radio", { name: tag }).check();
  await page.getByLabel("观察记录（支持 Markdown）").fill(text);
  await page.getByRole("button", { name: "记录", exact: true }).click();
}

/** The rendered notes of the merged timeline (not the edit boxes of one's own notes). */
function timeline(page: Page) {
  return page.getByRole("list", { name: "合并时间轴" }).locator(".md");
}

test("a lesson study: live notes between two observers, offline notes, evidence-based debrief, plan versions compared", async ({ browser }) => {
  test.setTimeout(120_000);
  const suffix = String(Date.now()).slice(-6);
  const [leadCtx, observerCtx] = await Promise.all([browser.newContext(), browser.newContext()]);
  const lead = await leadCtx.newPage();
  const observer = await observerCtx.newPage();

  // The lead hosts a studio and opens a study in it.
  await registerTeacher(lead, "周明");
  await open(lead, "/studios/new");
  await lead.getByLabel("工作室名称").fill(`周老师物理工作室${suffix}`);
  await lead.getByLabel("简介").fill("课例研究");
  await lead.getByLabel("学科").fill("物理");
  await lead.getByLabel("区县").fill("西湖区");
  await lead.getByRole("button", { name: "创建" }).click();
  await expect(lead.getByText("您的身份：领衔人")).toBeVisible();
  const title = `浮力的探究${suffix}`;
  await open(lead, "/studies");
  await lead.getByLabel("课题").fill(title);
  await lead.getByLabel("研究问题").fill("学生能否自己设计实验验证猜想？");
  await lead.getByRole("button", { name: "创建课例研究" }).click();
  await expect(lead.getByRole("heading", { level: 1, name: title })).toBeVisible();
  const studyUrl = lead.url();

  // A teacher from another school is invited, accepts, and joins as an invited observer.
  const observerEmail = await registerTeacher(observer, "吴芳");
  await lead.getByLabel("成员邮箱").fill(observerEmail);
  await lead.getByRole("button", { name: "邀请加入研究组" }).click();
  await expect(lead.getByText("邀请已记录")).toBeVisible();
  await expect(lead.getByRole("listitem").filter({ hasText: observerEmail })).toBeVisible();
  await open(observer, "/studies");
  await expect(observer.getByRole("heading", { name: "课例研究邀请" })).toBeVisible();
  await observer.getByRole("button", { name: "接受邀请" }).click();
  await expect(observer.getByRole("heading", { level: 1, name: title })).toBeVisible();
  await open(lead, studyUrl);
  await expect(lead.getByText(/吴芳.*受邀观课教师/)).toBeVisible();

  // Plan → teach → observe, and the lesson clock starts.
  await lead.getByRole("button", { name: "进入下一阶段：上课" }).click();
  await lead.getByRole("button", { name: "进入下一阶段：观课" }).click();
  await expect(lead.getByTestId("phase")).toContainText("当前阶段： 观课");
  await lead.getByRole("button", { name: "开始课堂计时" }).click();
  await expect(lead.getByText("已开始计时")).toBeVisible();

  await open(observer, studyUrl);
  await expect(observer.getByText("实时更新已连接")).toBeVisible();
  await open(lead, studyUrl);
  await expect(lead.getByText("实时更新已连接")).toBeVisible();

  // Each sees the other's notes appear without a reload.
  const leadNote = `第2组学生提出：物体越重浮力越大${suffix}`;
  const sent = Date.now();
  await writeNote(lead, "学生回应", leadNote);
  await expect(timeline(observer).getByText(leadNote)).toBeVisible({ timeout: 2_000 });
  const delay = Date.now() - sent;
  console.log(`live note delay to the other observer (click to visible): ${delay} ms`);
  const observerNote = `教师追问“你怎么验证？”${suffix}`;
  await observer.getByRole("radio", { name: "教师教学" }).check();
  await writeNote(observer, "提问", observerNote);
  await expect(timeline(lead).getByText(observerNote)).toBeVisible({ timeout: 2_000 });
  // The dimension is one tap too, and travels with the note.
  await expect(lead.locator("li.note").filter({ hasText: observerNote }).locator(".dim")).toHaveText("教师教学");

  // The observer loses the connection, writes two notes, and comes back.
  await observerCtx.setOffline(true);
  const offline1 = `离线记录一：学生用弹簧秤测量${suffix}`;
  const offline2 = `离线记录二：小组分工明确${suffix}`;
  await writeNote(observer, "证据", offline1);
  await writeNote(observer, "亮点", offline2);
  await expect(observer.getByText(/待发送的记录：2/)).toBeVisible();
  await expect(timeline(lead).getByText(offline1)).toHaveCount(0);
  await observerCtx.setOffline(false);
  await expect(timeline(lead).getByText(offline1)).toBeVisible({ timeout: 10_000 });
  await expect(timeline(lead).getByText(offline2)).toBeVisible();
  await expect(timeline(observer).getByText(offline1)).toHaveCount(1);
  await expect(observer.getByText(/待发送的记录/)).toHaveCount(0);
  // Stored once each: after a reload the timeline still has each note once.
  await open(lead, studyUrl);
  await expect(timeline(lead).getByText(offline1)).toHaveCount(1);
  await expect(timeline(lead).getByText(offline2)).toHaveCount(1);
  await expect(timeline(lead)).toHaveCount(4);

  // Debrief: the lead cites a note as evidence.
  await lead.getByRole("button", { name: "进入下一阶段：议课" }).click();
  await expect(lead.getByTestId("phase")).toContainText("议课");
  await lead.getByLabel("发言（支持 Markdown）").fill("学生的猜想来自生活经验，需要**实验**来检验。");
  await lead.getByRole("checkbox", { name: new RegExp(leadNote) }).check();
  await lead.getByRole("button", { name: "发表" }).click();
  const comment = lead.locator(".comment").filter({ hasText: "需要实验来检验" });
  await expect(comment.locator(".cited-note")).toContainText(leadNote);
  await expect(comment.getByRole("link", { name: /周明/ })).toHaveAttribute("href", /#note-/);

  // A new plan version, and the comparison shows the change.
  await lead.getByRole("link", { name: "编辑教案、查看版本与比较" }).click();
  await expect(lead.getByRole("heading", { level: 1, name: new RegExp(title) })).toBeVisible();
  await expect(lead.locator("body[data-hydrated]")).toBeAttached();
  await lead.getByLabel("学习目标").fill("理解浮力的大小与哪些因素有关");
  await lead.getByLabel("教学流程（含预设学生反应）").fill("1. 导入\n2. 教师演示实验\n3. 练习");
  await lead.getByRole("button", { name: "保存为新版本" }).click();
  await expect(lead.getByText("已保存为第 1 版")).toBeVisible();
  await lead.getByLabel("教学流程（含预设学生反应）").fill("1. 导入\n2. 学生分组设计实验\n3. 练习");
  await lead.getByRole("button", { name: "保存为新版本" }).click();
  await expect(lead.getByText("已保存为第 2 版")).toBeVisible();
  await lead.getByRole("button", { name: "比较" }).click();
  await expect(lead.getByRole("heading", { level: 1, name: /版本比较/ })).toBeVisible();
  await expect(lead.locator("tr.removed del")).toContainText("2. 教师演示实验");
  await expect(lead.locator("tr.added ins")).toContainText("2. 学生分组设计实验");

  // Two tabs save the same section at once: the second is shown both texts, nothing is lost.
  const planUrl = `${studyUrl}/plan`;
  const tab2 = await leadCtx.newPage();
  await open(lead, planUrl);
  await open(tab2, planUrl);
  await lead.getByLabel("学习目标").fill("理解浮力的大小与排开液体的体积有关");
  await lead.getByLabel("教学流程（含预设学生反应）").fill("1. 导入\n2. 学生分组设计实验\n3. 交流展示");
  await lead.getByRole("button", { name: "保存为新版本" }).click();
  await expect(lead.getByText("已保存为第 3 版")).toBeVisible();
  await tab2.getByLabel("教学流程（含预设学生反应）").fill("1. 导入\n2. 学生分组设计实验\n3. 课堂总结");
  await tab2.getByLabel("评价设计").fill("出口卡：解释潜水艇的沉浮");
  await tab2.getByRole("button", { name: "保存为新版本" }).click();
  const conflict = tab2.getByRole("alert").filter({ hasText: "您编辑期间" });
  await expect(conflict).toContainText("3. 交流展示");
  await expect(conflict).toContainText("3. 课堂总结");
  // The form goes on from the merge: my own edits stay, the other tab's edit of another
  // section comes in (saving the old text would silently undo it), and saving again keeps both.
  await expect(tab2.getByLabel("评价设计")).toHaveValue("出口卡：解释潜水艇的沉浮");
  await expect(tab2.getByLabel("教学流程（含预设学生反应）")).toHaveValue(/3\. 课堂总结/);
  await expect(tab2.getByLabel("学习目标")).toHaveValue("理解浮力的大小与排开液体的体积有关");
  await tab2.getByRole("button", { name: "保存为新版本" }).click();
  await expect(tab2.getByText("已保存为第 4 版")).toBeVisible();

  await Promise.all([leadCtx.close(), observerCtx.close()]);
});

test("the demo study record is readable at 360 px", async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await open(page, "/sign-in");
  await page.getByLabel("电子邮箱").fill("li.na@demo.atelier");
  await page.getByLabel("密码").fill("atelier-demo");
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page.getByTestId("signed-in-user")).toHaveText("李娜");
  await open(page, "/studies");
  await page.getByRole("link", { name: "一次函数的图像（一课三磨）" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "一次函数的图像（一课三磨）" })).toBeVisible();
  // Filtering the merged timeline by dimension; the counts stay per dimension.
  await expect(page.getByRole("list", { name: "各维度记录数" })).toContainText("学生学习: 2");
  await page.getByLabel("按维度筛选").selectOption({ label: "课堂文化" });
  await expect(page.getByRole("list", { name: "合并时间轴" }).locator(".md")).toHaveCount(2);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  // Printed, the page is the study's record: content without navigation or forms.
  await page.getByLabel("按维度筛选").selectOption({ label: "全部" });
  await page.emulateMedia({ media: "print" });
  await expect(page.getByRole("button", { name: "打印研究记录" })).toBeHidden();
  await expect(page.getByRole("navigation", { name: "主导航" })).toBeHidden();
  await expect(page.getByRole("heading", { name: "研究结论" })).toBeVisible();
  await expect(page.getByRole("list", { name: "合并时间轴" }).locator(".md")).toHaveCount(7);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a host opens a study and writes a note with plain forms; the demo study reads as a record", async ({ page }) => {
    await page.goto("/sign-in");
    await page.getByLabel("电子邮箱").fill("wang.fang@demo.atelier");
    await page.getByLabel("密码").fill("atelier-demo");
    await page.getByRole("button", { name: "登录" }).click();
    await page.goto("/studies");
    await page.getByRole("link", { name: "一次函数的图像（一课三磨）" }).click();
    await expect(page.getByTestId("phase")).toContainText("已结束");
    await expect(page.getByRole("list", { name: "合并时间轴" }).locator(".md").getByText("3-2 座位学生在小组内汇报了本组的图像。")).toBeVisible();
    await expect(page.getByText("观点（未引用证据）")).toBeVisible();
    await expect(page.getByRole("button", { name: "记录", exact: true })).toHaveCount(0);
    // The timeline's filter is a plain form: its address holds the choice.
    await page.getByLabel("按维度筛选").selectOption({ label: "课堂文化" });
    await page.getByRole("button", { name: "筛选" }).click();
    await expect(page).toHaveURL(/dimension=classroom_culture/);
    await expect(page.getByRole("list", { name: "合并时间轴" }).locator(".md")).toHaveCount(2);
    await expect(page.getByLabel("按维度筛选")).toHaveValue("classroom_culture");

    const title = `无脚本课例${Date.now()}`;
    await page.goto("/studies");
    await page.getByLabel("课题").fill(title);
    await page.getByRole("button", { name: "创建课例研究" }).click();
    await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
    await page.getByRole("radio", { name: "亮点" }).check();
    await page.getByLabel("观察记录（支持 Markdown）").fill("无脚本也能记录：学生板演清晰");
    await page.getByRole("button", { name: "记录", exact: true }).click();
    await expect(page.getByRole("list", { name: "合并时间轴" }).locator(".md").getByText("无脚本也能记录：学生板演清晰")).toBeVisible();
  });
});
