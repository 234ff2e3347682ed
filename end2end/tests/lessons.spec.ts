import { expect, test, type Browser, type Page } from "@playwright/test";
import { DEMO_PASSWORD, open } from "./helpers";

async function signIn(browser: Browser, email: string, name: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await open(page, "/sign-in");
  await page.getByLabel("电子邮箱").fill(email);
  await page.getByLabel("密码", { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page.getByRole("navigation").getByText(name)).toBeVisible();
  await expect(page.locator("body[data-hydrated]")).toBeAttached();
  return page;
}

/** A `datetime-local` value `minutes` from now on Beijing's clock (the demo host's zone). */
function beijingFromNow(minutes: number): string {
  return new Date(Date.now() + minutes * 60_000 + 8 * 3_600_000).toISOString().slice(0, 16);
}

test("a host schedules a 2-seat lesson, observers book, the waitlisted one is promoted, check-in credits hours", async ({ browser }) => {
  const title = `《函数的单调性》公开课 ${Date.now()}`;
  const host = await signIn(browser, "wang.fang@demo.atelier", "王芳");
  await open(host, "/lessons/new");
  await expect(host.getByRole("heading", { name: "安排公开课" })).toBeVisible();
  await host.getByLabel("课题", { exact: true }).fill(title);
  await host.getByLabel("学科", { exact: true }).fill("数学");
  await host.getByLabel("年级", { exact: true }).fill("高一");
  // Soon: check-in opens 30 minutes before a lesson starts.
  await host.getByLabel("开始时间").fill(beijingFromNow(20));
  await host.getByLabel("结束时间").fill(beijingFromNow(65));
  await host.getByLabel("地点", { exact: true }).fill("西湖区实验中学 301 教室");
  await host.getByLabel("座位数").fill("2");
  await host.getByLabel("认定学时").fill("1.5");
  await host.getByRole("button", { name: "保存为草稿" }).click();
  await expect(host.getByRole("heading", { name: title })).toBeVisible();
  await expect(host.getByTestId("lesson-status")).toHaveText("草稿");
  await host.getByRole("button", { name: "发布" }).click();
  await expect(host.getByTestId("lesson-status")).toHaveText("已发布");
  const lessonPath = new URL(host.url()).pathname;

  const observers = [
    { email: "zhao.lei@demo.atelier", name: "赵磊", expect: "已确认" },
    { email: "tom.baker@demo.atelier", name: "Tom Baker", expect: "Confirmed" },
    { email: "district.admin@demo.atelier", name: "区教育局 陈老师", expect: "候补中" },
  ];
  const pages: Page[] = [];
  for (const o of observers) {
    const page = await signIn(browser, o.email, o.name);
    await open(page, lessonPath);
    const bookButton = page.getByRole("button", { name: /预约座位|Book a seat/ });
    await bookButton.click();
    await expect(page.getByTestId("my-booking")).toContainText(o.expect);
    pages.push(page);
  }
  // The third is on the waitlist and sees their place; no seats left.
  await expect(pages[2].getByTestId("my-booking")).toContainText("候补位置 1");
  await expect(pages[2].getByTestId("seats-left")).toContainText("0 / 2");

  // Tom cancels (his language is English); the waitlisted observer is promoted at once.
  await pages[1].getByLabel("Reason for cancelling").fill("A class clash");
  await pages[1].getByRole("button", { name: "Cancel my booking" }).click();
  await expect(pages[1].getByTestId("my-booking")).toContainText("Cancelled");

  await open(pages[2], lessonPath);
  await expect(pages[2].getByTestId("my-booking")).toContainText("已确认");
  await expect(pages[2].getByTestId("unread-count")).toBeVisible();
  await open(pages[2], "/notifications");
  await expect(pages[2].getByText("候补转正：您已获得座位").first()).toBeVisible();
  await expect(pages[2].getByRole("link", { name: title }).first()).toBeVisible();

  // Zhao Lei's credited hours before the check-in.
  await open(pages[0], lessonPath);
  await expect(pages[0].getByRole("heading", { name: "听课名单" })).toHaveCount(0);
  await open(pages[0], "/my-lessons");
  const before = Number(await pages[0].getByTestId("open-lesson-hours").textContent());

  // The host sees the list (observers never do) and checks Zhao Lei in with one tap.
  await open(host, lessonPath);
  await expect(host.getByRole("heading", { name: "听课名单" })).toBeVisible();
  await host.getByRole("button", { name: "签到 赵磊" }).click();
  await expect(host.getByRole("button", { name: "撤销签到 赵磊" })).toBeVisible();

  await open(pages[0], "/my-lessons");
  await expect(pages[0].getByTestId("open-lesson-hours")).toHaveText(String(before + 1.5));
  await open(pages[0], lessonPath);
  await expect(pages[0].getByTestId("my-booking")).toContainText("已签到");
});

test("a mentor's lesson needs approval; the approved observer hears of a change of time", async ({ browser }) => {
  const title = `《勾股定理》复习课 ${Date.now()}`;
  const mentor = await signIn(browser, "li.na@demo.atelier", "李娜");
  await open(mentor, "/lessons/new");
  await mentor.getByLabel("课题", { exact: true }).fill(title);
  await mentor.getByLabel("学科", { exact: true }).fill("数学");
  await mentor.getByLabel("开始时间").fill("2030-04-10T14:00");
  await mentor.getByLabel("结束时间").fill("2030-04-10T14:45");
  await mentor.getByLabel("地点", { exact: true }).fill("西湖区实验中学 302 教室");
  await mentor.getByLabel("座位数").fill("5");
  await mentor.getByLabel("预约需领衔人审核").check();
  await mentor.getByRole("button", { name: "保存为草稿" }).click();
  await expect(mentor.getByRole("heading", { name: title })).toBeVisible();
  await mentor.getByRole("button", { name: "发布" }).click();
  await expect(mentor.getByTestId("lesson-status")).toHaveText("已发布");
  const lessonPath = new URL(mentor.url()).pathname;

  const observer = await signIn(browser, "zhao.lei@demo.atelier", "赵磊");
  await open(observer, lessonPath);
  await observer.getByRole("button", { name: "预约座位" }).click();
  await expect(observer.getByTestId("my-booking")).toContainText("待审核");

  await open(mentor, lessonPath);
  await mentor.getByRole("button", { name: "通过 赵磊" }).click();
  await expect(mentor.getByRole("button", { name: "签到 赵磊" })).toBeVisible();

  await mentor.getByRole("link", { name: "修改课程信息" }).click();
  await expect(mentor.getByRole("heading", { name: "修改公开课" })).toBeVisible();
  await mentor.getByLabel("开始时间").fill("2030-04-11T14:00");
  await mentor.getByLabel("结束时间").fill("2030-04-11T14:45");
  await mentor.getByRole("button", { name: "保存" }).click();
  await expect(mentor.getByRole("heading", { name: title })).toBeVisible();
  await expect(mentor.locator("time").first()).toContainText("4月11日");

  await open(observer, lessonPath);
  await expect(observer.getByTestId("my-booking")).toContainText("已确认");
  await open(observer, "/notifications");
  await expect(observer.getByText("预约已通过审核").first()).toBeVisible();
  await expect(observer.getByText("公开课时间或地点有变").first()).toBeVisible();
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("an observer signs in, books a seat and cancels it with plain HTML forms", async ({ page }) => {
    await page.goto("/sign-in");
    await page.getByLabel("电子邮箱").fill("zhang.wei@demo.atelier");
    await page.getByLabel("密码", { exact: true }).fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "登录" }).click();
    await expect(page.getByRole("navigation").getByText("张伟")).toBeVisible();

    await page.goto("/lessons?subject=English");
    await page.getByRole("link", { name: "Whole-book reading: Charlotte's Web" }).click();
    await expect(page.getByRole("heading", { name: "Whole-book reading: Charlotte's Web" })).toBeVisible();
    await expect(page.getByTestId("my-booking")).toContainText("您尚未预约");
    await page.getByRole("button", { name: "预约座位" }).click();
    await expect(page.getByTestId("my-booking")).toContainText("已确认");
    await expect(page.getByTestId("seats-left")).toContainText("34 / 35");

    await page.getByLabel("取消原因").fill("临时有课");
    await page.getByRole("button", { name: "取消预约" }).click();
    await expect(page.getByTestId("my-booking")).toContainText("已取消");
    await expect(page.getByTestId("seats-left")).toContainText("35 / 35");
  });
});
