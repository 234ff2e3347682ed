import { expect, test } from "@playwright/test";
import { signedIn, signInPlain } from "./helpers";

// The personal home: each demo role lands on the cards of what needs them, and the home reads
// without JavaScript.

test("a mentee's home, without JavaScript, shows their hours ring, bookings and what is due, each a tap from its page", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signInPlain(page, "zhang.wei@demo.atelier");
  await expect(page.getByRole("heading", { level: 1, name: "张伟，您好" })).toBeVisible();
  for (const card of ["我预约的公开课", "进行中的课例研究", "本年度学时", "通知", "近期到期的里程碑", "收到的反馈"]) {
    await expect(page.getByRole("region", { name: card })).toBeVisible();
  }
  await expect(page.getByRole("img", { name: /^本年度已完成 [\d.]+ \/ [\d.]+ 学时（\d+%）$/ })).toBeVisible();
  await expect(page.getByRole("region", { name: "等待您回复的成果" })).toHaveCount(0);
  await page.getByRole("region", { name: "近期到期的里程碑" }).getByRole("link", { name: "打开成长规划" }).click();
  await expect(page).toHaveURL(/\/growth$/);
  await context.close();
});

test("a host's home lists the week's lessons and what waits for them; a district admin's links the dashboard", async ({ browser }) => {
  const host = await signedIn(browser, "wang.fang@demo.atelier");
  await expect(host.getByRole("heading", { level: 1, name: "王芳，您好" })).toBeVisible();
  const lessons = host.getByRole("region", { name: "未来 7 天的公开课" });
  await expect(lessons).toBeVisible();
  await expect(host.getByRole("region", { name: "等待您回复的成果" })).toBeVisible();
  await expect(host.getByRole("region", { name: "待处理的申请" })).toBeVisible();
  await lessons.getByRole("link", { name: "安排公开课" }).click();
  await expect(host).toHaveURL(/\/lessons\/new$/);
  await host.context().close();

  const admin = await signedIn(browser, "district.admin@demo.atelier");
  const dashboard = admin.getByRole("region", { name: /年度概况/ });
  await expect(dashboard.getByText("学时中位数")).toBeVisible();
  await dashboard.getByRole("link", { name: "打开看板" }).click();
  await expect(admin).toHaveURL(/\/district$/);
  await admin.context().close();
});
