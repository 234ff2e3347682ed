import { expect, test, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { DEMO_PASSWORD, open, signInPlain } from "./helpers";

async function signInAs(page: Page, email: string) {
  await open(page, "/sign-in");
  await page.getByLabel("电子邮箱").fill(email);
  await page.getByLabel("密码").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "登录" }).click();
  // Signed in: the menu names the teacher (on a phone the menu is closed, so attached, not visible).
  await expect(page.getByTestId("signed-in-user")).toBeAttached();
  await expect(page.locator("body[data-hydrated]")).toBeAttached();
}

async function signOut(page: Page) {
  await page.getByRole("navigation").getByRole("button", { name: "退出登录" }).click();
  await expect(page.getByRole("navigation").getByRole("link", { name: "登录" })).toBeVisible();
}

function hoursIn(text: string | null): number {
  const m = /([\d.]+) \/ ([\d.]+)/.exec(text ?? "");
  return m ? Number(m[1]) : NaN;
}

test("a host applies the three-year track, a mentee completes a milestone, the mentor signs off, hours move the chart, the overview and CSV show it", async ({ page }) => {
  test.setTimeout(90_000);

  // The host applies the built-in three-year track to every mentee of the studio.
  await signInAs(page, "wang.fang@demo.atelier");
  await page.getByRole("navigation").getByRole("link", { name: "成长规划" }).click();
  await page.getByRole("link", { name: "工作室成长概览" }).first().click();
  await expect(page.getByRole("heading", { name: /工作室成长概览/ })).toBeVisible();
  await expect(page.locator("body[data-hydrated]")).toBeAttached();
  await page.getByLabel("模板", { exact: true }).selectOption({ label: "新教师三年成长路径：一年适应、二年胜任、三年创优" });
  await page.getByRole("button", { name: "应用模板" }).click();
  await expect(page.getByText(/已添加目标数/)).toBeVisible();
  await signOut(page);

  // The mentee completes the first milestone of year 1 with evidence.
  await signInAs(page, "zhang.wei@demo.atelier");
  await page.getByRole("navigation").getByRole("link", { name: "成长规划" }).click();
  await page.getByRole("link", { name: "我的成长规划" }).click();
  const goal = page.getByRole("region", { name: "一年适应：站稳讲台" });
  await expect(goal).toBeVisible();
  await expect(page.locator("body[data-hydrated]")).toBeAttached();
  const milestone = goal.getByRole("listitem").filter({ hasText: "听导师的课不少于 20 节并写听课记录" });
  await milestone.getByLabel("证据说明").fill("已听李娜老师的课 22 节，听课记录见链接。");
  await milestone.getByLabel("证据链接（每行一个）").fill("https://pan.example.cn/notes/22");
  await milestone.getByRole("button", { name: /标记完成/ }).click();
  await expect(goal.getByRole("listitem").filter({ hasText: "听导师的课不少于 20 节并写听课记录" }).getByText("已完成", { exact: true })).toBeVisible();
  await expect(goal.getByText("已听李娜老师的课 22 节")).toBeVisible();
  await signOut(page);

  // The mentor reviews the plan from the overview and signs the goal off.
  await signInAs(page, "li.na@demo.atelier");
  await open(page, "/studios/wang-fang-math/growth");
  await page.getByRole("link", { name: "张伟" }).click();
  const reviewed = page.getByRole("region", { name: "一年适应：站稳讲台" });
  await expect(reviewed.getByText("已听李娜老师的课 22 节")).toBeVisible();
  await expect(page.locator("body[data-hydrated]")).toBeAttached();
  await reviewed.getByLabel("审核意见").fill("听课记录详实，同意达成。");
  await reviewed.getByRole("button", { name: "确认目标达成" }).click();
  await expect(reviewed.getByTestId("goal-status")).toHaveText("已达成");
  await signOut(page);

  // The mentee logs hours and the chart moves.
  await signInAs(page, "zhang.wei@demo.atelier");
  await open(page, "/hours");
  const total = page.getByTestId("hours-total");
  const before = hoursIn(await total.textContent());
  expect(before).toBeGreaterThan(0);
  const logForm = page.getByRole("region", { name: "登记学时" });
  await logForm.getByLabel("学时", { exact: true }).fill("2.5");
  await logForm.getByLabel("类别").selectOption({ label: "跟岗实践" });
  await logForm.getByLabel("说明").fill("跟岗：王芳老师单元教学");
  await logForm.getByRole("button", { name: "登记" }).click();
  await expect(page.getByText("学时已登记。")).toBeVisible();
  await expect(total).toContainText(`${before + 2.5} / 96`);
  // A 25-hour day is refused with a clear message.
  await logForm.getByLabel("学时", { exact: true }).fill("25");
  await logForm.getByRole("button", { name: "登记" }).click();
  await expect(page.getByText("一条记录不能超过 24 小时。")).toBeVisible();
  // Correcting it: the record's link opens its form alone, and saving closes the form.
  await page.getByRole("link", { name: /^修改 .+ 的记录$/ }).first().click();
  const editing = page.getByRole("row").filter({ has: page.getByRole("button", { name: "保存" }) });
  await editing.getByLabel("学时", { exact: true }).fill("3");
  await editing.getByRole("button", { name: "保存" }).click();
  const corrected = Math.round((before + 3) * 10) / 10;
  await expect(total).toContainText(`${corrected} / 96`);
  await expect(page.getByRole("button", { name: "保存" })).toHaveCount(0);
  await signOut(page);

  // The mentor's overview and its CSV show the signed-off goal and the corrected hours.
  await signInAs(page, "li.na@demo.atelier");
  await open(page, "/studios/wang-fang-math/growth?sort=hours&desc=true");
  const row = page.getByRole("row").filter({ hasText: "张伟" });
  await expect(row).toContainText(`${corrected} / 96`);
  await expect(row).toContainText(/2\/\d+/);
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /导出 CSV/ }).click()]);
  const bytes = readFileSync((await download.path()) as string);
  expect([bytes[0], bytes[1], bytes[2]]).toEqual([0xef, 0xbb, 0xbf]);
  const csv = bytes.subarray(3).toString("utf-8");
  expect(csv).toContain("培养对象,已达成目标,目标总数,逾期里程碑,本年学时,年度学时要求");
  expect(csv).toMatch(new RegExp(`张伟,2,\\d+,\\d+,${corrected},96`));
});

test("a teacher outside the studio cannot open its overview", async ({ page }) => {
  await signInAs(page, "zhao.lei@demo.atelier");
  await open(page, "/studios/wang-fang-math/growth");
  await expect(page.getByRole("alert")).toBeVisible();
  await expect(page.getByRole("table")).toHaveCount(0);
});

test("a host defines a template of the studio's own; the mentee's pages read well at 360 px", async ({ page }) => {
  await signInAs(page, "wang.fang@demo.atelier");
  await open(page, "/studios/wang-fang-math/growth");
  await page.getByLabel("模板名称").fill("读书与课例研究");
  await page.getByLabel(/目标与里程碑/).fill("读完一本教育专著\n- 读完前半本\n- 写读书报告\n上一节组内研究课");
  await page.getByRole("button", { name: "保存模板" }).click();
  await expect(page.getByText("模板已保存，可以应用了。")).toBeVisible();
  await expect(page.getByLabel("模板", { exact: true }).locator("option", { hasText: "读书与课例研究" })).toHaveCount(1);
  // A milestone line before any goal is refused with a clear message.
  await page.getByLabel("模板名称").fill("坏模板");
  await page.getByLabel(/目标与里程碑/).fill("- 没有目标的里程碑");
  await page.getByRole("button", { name: "保存模板" }).click();
  await expect(page.getByText("以“-”开头的里程碑必须写在某个目标的下一行。")).toBeVisible();
  await signOut(page);

  await page.setViewportSize({ width: 360, height: 740 });
  await signInAs(page, "zhang.wei@demo.atelier");
  for (const path of ["/hours", "/growth"]) {
    await open(page, path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expect(page.getByRole("img").first()).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, path).toBeLessThanOrEqual(0);
  }
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a mentee logs hours as a plain HTML form and a 25-hour day is refused", async ({ page }) => {
    await signInPlain(page, "tom.baker@demo.atelier");
    // Tom reads English.
    await page.goto("/hours");
    const total = page.getByTestId("hours-total");
    const before = hoursIn(await total.textContent());
    const logForm = page.getByRole("region", { name: "Log hours" });
    await logForm.getByLabel("Hours", { exact: true }).fill("20");
    await logForm.getByLabel("Category").selectOption({ label: "Course" });
    await logForm.getByRole("button", { name: "Log" }).click();
    await expect(page).toHaveURL(/\/hours$/);
    await expect(page.getByTestId("hours-total")).toContainText(`${before + 20} / 96`);

    await page.getByRole("region", { name: "Log hours" }).getByLabel("Hours", { exact: true }).fill("5");
    await page.getByRole("region", { name: "Log hours" }).getByRole("button", { name: "Log" }).click();
    await expect(page.getByText("A day can hold at most 24 hours across records.")).toBeVisible();
    await page.goto("/hours");
    await expect(page.getByTestId("hours-total")).toContainText(`${before + 20} / 96`);
  });
});
