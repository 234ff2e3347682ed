import { expect, test, type Page } from "@playwright/test";
import jsQR from "jsqr";
import { PNG } from "pngjs";
import { DEMO_PASSWORD, open, signInPlain } from "./helpers";

const SECTIONS = [/^本年度学时/, "执教的公开课", "听过的课", "参与的课例研究", "成长规划"];

/** Moves the record to the year before the one shown, with the year chooser. */
async function previousYear(page: Page) {
  const chooser = page.getByLabel("学时年度");
  const lastYear = String(Number(await chooser.inputValue()) - 1);
  await chooser.selectOption(lastYear);
  await page.getByRole("button", { name: "查看该年度" }).click();
  await expect(page).toHaveURL(new RegExp(`/me/record\\?year=${lastYear}$`));
  await expect(page.getByLabel("学时年度")).toHaveValue(lastYear);
  return lastYear;
}

test("a teacher opens their development record from the navigation: a lesson they taught links to the lesson", async ({ page }) => {
  // The demo's 张伟 taught an open lesson seven days ago (the demo district's years start in January).
  const lessonYear = String(new Date(Date.now() - 7 * 86400e3).getUTCFullYear());
  await open(page, "/sign-in");
  await page.getByLabel("电子邮箱").fill("zhang.wei@demo.atelier");
  await page.getByLabel("密码").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page).toHaveURL(/\/$/);
  await page.getByRole("navigation", { name: "主导航" }).getByRole("link", { name: "我的档案" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "我的发展档案" })).toBeVisible();
  for (const name of SECTIONS) {
    await expect(page.getByRole("heading", { level: 2, name })).toBeVisible();
  }
  const chooser = page.getByLabel("学时年度");
  if ((await chooser.inputValue()) !== lessonYear) {
    await chooser.selectOption(lessonYear);
    await page.getByRole("button", { name: "查看该年度" }).click();
    await expect(page.getByLabel("学时年度")).toHaveValue(lessonYear);
  }
  // On paper: no navigation, every section, the teacher's name and the year in the running head.
  await page.emulateMedia({ media: "print" });
  await expect(page.getByRole("navigation", { name: "主导航" })).toBeHidden();
  for (const name of SECTIONS) {
    await expect(page.getByRole("heading", { level: 2, name })).toBeVisible();
  }
  await expect(page.locator(".running-head")).toContainText(`张伟 · 发展档案 · ${lessonYear} 学时年度`);
  await page.emulateMedia({ media: "screen" });
  await expect(page.locator(".running-head")).toBeHidden();
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "下载 Excel 表格（.xlsx）" }).click();
  expect((await download).suggestedFilename()).toBe(`record-${lessonYear}.xlsx`);

  const taught = page.getByRole("region", { name: "执教的公开课" });
  await expect(taught.getByRole("link", { name: "《有理数的乘方》新教师汇报课" })).toBeVisible();
  const lesson = taught.getByRole("row").nth(1).getByRole("link");
  const title = await lesson.textContent();
  await lesson.click();
  await expect(page).toHaveURL(/\/lessons\//);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(title!);
  await page.goBack();
  await expect(page.locator("body[data-hydrated]")).toBeAttached();
  await previousYear(page);
});

test("a teacher issues a certificate whose QR code leads, signed out, to a check that says valid until a new record supersedes it", async ({ browser, page }) => {
  await open(page, "/sign-in");
  await page.getByLabel("电子邮箱").fill("sun.li@demo.atelier");
  await page.getByLabel("密码").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page).toHaveURL(/\/$/);
  await open(page, "/me/record");
  await page.getByRole("button", { name: /^开具 \d{4} 年度学时证明$/ }).click();
  await expect(page).toHaveURL(/\/me\/certificates\/[A-Z2-9]{20}$/);
  await expect(page.getByRole("heading", { level: 1, name: "学时证明" })).toBeVisible();
  await expect(page.getByText("学校盖章处")).toBeVisible();
  await expect(page.getByRole("heading", { name: "已认定的学时记录" })).toBeVisible();
  // On paper: no navigation; the records, the QR code, the stamp box and the signature line.
  await page.emulateMedia({ media: "print" });
  await expect(page.getByRole("navigation", { name: "主导航" })).toBeHidden();
  for (const text of ["已认定的学时记录", "学校盖章处", "核验人签字："]) {
    await expect(page.getByText(text)).toBeVisible();
  }
  await expect(page.getByRole("img", { name: /^核验二维码/ })).toBeVisible();
  await page.emulateMedia({ media: "screen" });

  // The QR code, as Chromium draws it, read by an independent decoder (jsQR).
  const shot = PNG.sync.read(await page.getByRole("img", { name: /^核验二维码/ }).screenshot());
  const code = jsQR(new Uint8ClampedArray(shot.data), shot.width, shot.height);
  expect(code?.data).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/verify\/[A-Z2-9]{20}$/);
  expect(code!.data.endsWith(page.url().split("/").pop()!)).toBe(true);

  const school = await (await browser.newContext()).newPage();
  await school.goto(code!.data);
  await expect(school.getByRole("heading", { level: 1, name: "学时证明核验" })).toBeVisible();
  await expect(school.getByText("孙丽")).toBeVisible();
  await expect(school.getByRole("status").filter({ hasText: "有效" })).toBeVisible();
  await expect(school.getByText("已认定的学时记录")).toHaveCount(0);

  // A new record of the year: the certificate is superseded, not changed.
  await open(page, "/hours");
  const logForm = page.getByRole("region", { name: "登记学时" });
  await logForm.getByLabel("学时", { exact: true }).fill("1");
  await logForm.getByLabel("说明").fill("校本研修");
  await logForm.getByRole("button", { name: "登记" }).click();
  await expect(page.getByText("学时已登记。")).toBeVisible();
  await school.reload();
  await expect(school.getByRole("status").filter({ hasText: "已失效" })).toBeVisible();
});

test.describe("the record without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("shows every section and changes year with a plain form", async ({ page }) => {
    await signInPlain(page, "wang.fang@demo.atelier");
    await page.goto("/me/record");
    await expect(page.getByRole("heading", { level: 1, name: "我的发展档案" })).toBeVisible();
    for (const name of SECTIONS) {
      await expect(page.getByRole("heading", { level: 2, name })).toBeVisible();
    }
    const lastYear = await previousYear(page);
    await expect(page.getByRole("region", { name: /^本年度学时/ }).getByRole("link", { name: lastYear })).toBeVisible();
  });
});
