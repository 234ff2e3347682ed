import { expect, test, type Page } from "@playwright/test";
import { open, signedIn, signInPlain } from "./helpers";

const SECTIONS = [
  "年度合计（与上一年度对比）",
  "成员",
  "成员变动",
  "公开课",
  "课例研究",
  "辐射：外校听课教师（按学校计数）",
  "学员成长",
  "年度总结与明年计划",
];

async function expectEverySection(page: Page) {
  for (const name of SECTIONS) {
    await expect(page.getByRole("heading", { level: 2, name, exact: true })).toBeVisible();
  }
}

test("the host finalises the studio's yearly record, the district admin is told and sees it, and both print", async ({ browser }) => {
  const host = await signedIn(browser, "wang.fang@demo.atelier");
  await open(host, "/studios/wang-fang-math");
  await host.getByRole("link", { name: "工作室年度档案" }).click();
  await expect(host.getByRole("heading", { level: 1, name: /^王芳初中数学名师工作室 · \d{4} 年度档案$/ })).toBeVisible();
  await expect(host.locator("body[data-hydrated]")).toBeAttached();
  const year = (await host.getByRole("heading", { level: 1 }).textContent())!.match(/(\d{4}) 年度档案/)![1];
  await expectEverySection(host);
  await expect(host.getByText("草稿：以下是实时数据，尚未定稿。")).toBeVisible();
  // 张伟's lesson of last week is on the ledger, linked to the lesson.
  const lessons = host.getByRole("region", { name: "公开课", exact: true });
  await expect(lessons.getByRole("link", { name: "《有理数的乘方》新教师汇报课" })).toBeVisible();

  const draft = host.getByRole("region", { name: "填写年度总结与明年计划" });
  await draft.getByLabel("年度总结").fill("本年度举办公开课并开展“一课三磨”课例研究。");
  await draft.getByLabel("明年计划").fill("明年面向外校开放更多研究课。");
  await draft.getByRole("button", { name: "保存草稿" }).click();
  await expect(host.getByText("已保存。")).toBeVisible();
  await host.getByRole("button", { name: "定稿", exact: true }).click();
  await expect(host.getByText(/^第 1 版，王芳 于 .+ 定稿。$/)).toBeVisible();
  await expect(host.getByText("存档内容与其哈希一致。")).toBeVisible();
  const narrative = host.getByRole("region", { name: "年度总结与明年计划", exact: true });
  await expect(narrative.getByText("本年度举办公开课并开展“一课三磨”课例研究。")).toBeVisible();
  await expect(host.getByRole("button", { name: "定稿", exact: true })).toHaveCount(0);
  await expect(host.getByRole("button", { name: "发布新版本" })).toBeVisible();

  // On paper: no navigation or forms, every section, the studio and the year on every page.
  await host.emulateMedia({ media: "print" });
  await expect(host.getByRole("navigation", { name: "主导航" })).toBeHidden();
  await expect(host.getByRole("button", { name: "发布新版本" })).toBeHidden();
  await expectEverySection(host);
  await expect(host.locator(".running-head")).toContainText(`王芳初中数学名师工作室 · ${year} 年度档案`);
  await host.emulateMedia({ media: "screen" });
  const download = host.waitForEvent("download");
  await host.getByRole("link", { name: "下载 Excel 工作簿" }).click();
  expect((await download).suggestedFilename()).toBe(`studio-record-wang-fang-math-${year}.xlsx`);

  // The district's admin finds it in their notifications and in the district's studio table.
  const admin = await signedIn(browser, "district.admin@demo.atelier");
  await open(admin, "/notifications");
  await expect(admin.getByText("工作室年度档案已定稿")).toBeVisible();
  await admin.getByRole("link", { name: `王芳初中数学名师工作室 · ${year}` }).click();
  await expect(admin.getByText(/^第 1 版，王芳 于 .+ 定稿。$/)).toBeVisible();
  await expect(admin.getByText("只读。学员的成长情况只有在本人同意后才显示姓名，其余合并统计；外校听课教师只按学校计数。")).toBeVisible();
  await expect(admin.getByRole("button", { name: "发布新版本" })).toHaveCount(0);
  await open(admin, `/district?year=${year}`);
  const table = admin.getByRole("region", { name: "各工作室情况（公开工作室）" });
  const row = table.getByRole("row").filter({ hasText: "王芳初中数学名师工作室" });
  await row.getByRole("link", { name: "第 1 版" }).click();
  await expect(admin.getByRole("heading", { level: 1, name: `王芳初中数学名师工作室 · ${year} 年度档案` })).toBeVisible();
  await admin.emulateMedia({ media: "print" });
  await expect(admin.getByRole("navigation", { name: "主导航" })).toBeHidden();
  await expectEverySection(admin);
});

test.describe("the studio's yearly record without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a mentor reads every section, without the host's forms", async ({ page }) => {
    await signInPlain(page, "li.na@demo.atelier");
    await page.goto("/studios/wang-fang-math/record/current");
    await expect(page.getByRole("heading", { level: 1, name: /^王芳初中数学名师工作室 · \d{4} 年度档案$/ })).toBeVisible();
    await expectEverySection(page);
    await expect(page.getByRole("button", { name: "保存草稿" })).toHaveCount(0);
  });

  test("a host writes the narrative and finalises with plain forms, in English", async ({ page }) => {
    await signInPlain(page, "emily.carter@demo.atelier");
    await page.goto("/studios/carter-english-reading/record/current");
    const draft = page.getByRole("region", { name: "Write the summary and next year's plan" });
    await draft.getByLabel("Summary of the year").fill("Whole-book reading circles every month.");
    await draft.getByRole("button", { name: "Save the draft" }).click();
    await expect(page).toHaveURL(/\/studios\/carter-english-reading\/record\/\d{4}$/);
    await expect(
      page.getByRole("region", { name: "Write the summary and next year's plan" }).getByLabel("Summary of the year"),
    ).toHaveValue("Whole-book reading circles every month.");
    await page.getByRole("button", { name: "Finalise", exact: true }).click();
    await expect(page.getByText(/^Version 1, finalised by .+ on .+\.$/)).toBeVisible();
    await expect(page.getByRole("region", { name: "Summary and next year's plan", exact: true })).toContainText(
      "Whole-book reading circles every month.",
    );
  });
});
