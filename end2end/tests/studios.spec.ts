import { expect, test } from "@playwright/test";
import { open, registerTeacher } from "./helpers";

test("a host runs a studio: invitation, request, approval, promotion, leaving, directory", async ({ browser }) => {
  const suffix = String(Date.now()).slice(-6);
  const studioName = `周老师初中物理名师工作室${suffix}`;
  const [hostCtx, inviteeCtx, requesterCtx] = await Promise.all([browser.newContext(), browser.newContext(), browser.newContext()]);
  const host = await hostCtx.newPage();
  const invitee = await inviteeCtx.newPage();
  const requester = await requesterCtx.newPage();

  // The host creates the studio.
  await registerTeacher(host, "周明");
  await open(host, "/studios/new");
  await host.getByLabel("工作室名称").fill(studioName);
  await host.getByLabel("简介").fill("聚焦物理实验教学与课例研究。Physics lab teaching.");
  await host.getByLabel("学科").fill("物理");
  await host.getByLabel("区县").fill("西湖区");
  await host.getByLabel("加入方式").selectOption({ label: "申请加入，需审核" });
  await host.getByRole("button", { name: "创建" }).click();
  await expect(host.getByRole("heading", { level: 1, name: studioName })).toBeVisible();
  await expect(host.getByText("您的身份：领衔人")).toBeVisible();
  const studioUrl = host.url();

  // An invitation link for a mentee.
  await host.getByLabel("受邀身份").selectOption({ label: "培养对象" });
  await host.getByRole("button", { name: "生成邀请链接" }).click();
  const link = await host.getByLabel(/邀请链接已生成/).inputValue();
  expect(link).toContain("/invitations/");

  await registerTeacher(invitee, "吴芳");
  await open(invitee, link);
  await expect(invitee.getByRole("heading", { name: studioName })).toBeVisible();
  await invitee.getByRole("button", { name: "接受邀请" }).click();
  await expect(invitee.getByText("您的身份：培养对象")).toBeVisible();

  // A second teacher asks to join and is approved.
  await registerTeacher(requester, "郑强");
  await open(requester, studioUrl);
  await requester.getByLabel("申请留言（可选）").fill("希望加入工作室学习实验教学。");
  await requester.getByRole("button", { name: "申请加入" }).click();
  await expect(requester.getByText("您的加入申请正在等待审核。")).toBeVisible();

  await open(host, studioUrl);
  await expect(host.getByText("希望加入工作室学习实验教学。")).toBeVisible();
  await host.getByRole("button", { name: "批准 郑强" }).click();
  await expect(host.getByRole("heading", { name: "加入申请" })).toBeVisible();
  await expect(host.getByText("暂无待审核的申请。")).toBeVisible();

  // The host promotes the invitee to mentor.
  await host.getByRole("button", { name: "设为导师 吴芳" }).click();
  await expect(host.getByRole("button", { name: "改为培养对象 吴芳" })).toBeVisible();

  // A member leaves.
  await open(requester, studioUrl);
  await expect(requester.getByText("您的身份：培养对象")).toBeVisible();
  await requester.getByRole("button", { name: "退出工作室" }).click();
  await expect(requester.getByRole("button", { name: "申请加入" })).toBeVisible();

  // The directory finds the studio by part of its Chinese name.
  await open(requester, "/studios");
  await requester.getByLabel("搜索名称或简介").fill(`物理名师工作室${suffix}`);
  await requester.getByRole("button", { name: "搜索" }).click();
  await expect(requester.getByRole("link", { name: studioName })).toBeVisible();
  await expect(requester.getByText("1 个工作室")).toBeVisible();

  await Promise.all([hostCtx.close(), inviteeCtx.close(), requesterCtx.close()]);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the directory search and a studio page work as plain HTML", async ({ page }) => {
    await page.goto("/studios");
    await page.getByLabel("搜索名称或简介").fill("数学名师");
    await page.getByRole("button", { name: "搜索" }).click();
    await page.getByRole("link", { name: "王芳初中数学名师工作室" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "王芳初中数学名师工作室" })).toBeVisible();
    await expect(page.getByText("登录后即可加入或申请加入。")).toBeVisible();
  });
});
