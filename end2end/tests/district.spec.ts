import { expect, test } from "@playwright/test";
import { open, signedIn, signInPlain } from "./helpers";

test("a district admin drills from the dashboard to a consenting teacher's record, which the teacher then sees in their log", async ({ browser }) => {
  // The principal leads 西湖区实验中学, where 周强 shares their record with the school only.
  const principal = await signedIn(browser, "principal@demo.atelier");
  await principal.getByRole("navigation", { name: "主导航" }).getByRole("link", { name: "区域看板" }).click();
  await expect(principal.getByText("您不是任何区的管理员。")).toBeVisible();
  await principal.getByRole("link", { name: "西湖区实验中学" }).click();
  await expect(principal.getByRole("heading", { level: 1, name: "西湖区实验中学（西湖区）" })).toBeVisible();
  const zhouQiang = principal.getByRole("link", { name: "查看 周强 的发展档案" });
  const schoolOnlyRecord = await zhouQiang.getAttribute("href");
  expect(schoolOnlyRecord).toMatch(/^\/district\/teachers\//);

  const admin = await signedIn(browser, "district.admin@demo.atelier");
  await admin.getByRole("navigation", { name: "主导航" }).getByRole("link", { name: "区域看板" }).click();
  await expect(admin.getByRole("heading", { level: 1, name: "区域教师发展看板 · 西湖区" })).toBeVisible();
  const schools = admin.getByRole("region", { name: "各校情况" });
  await expect(schools.getByRole("row", { name: /文澜中学/ })).toContainText("少于 5 人");
  await expect(admin.getByRole("img", { name: /完成度分布柱状图/ })).toBeVisible();
  await schools.getByRole("link", { name: "求是中学" }).click();
  await expect(admin.getByRole("heading", { level: 1, name: "求是中学（西湖区）" })).toBeVisible();
  const named = admin.getByRole("region", { name: /同意您查看发展档案的教师/ });
  await expect(named.getByRole("link")).toHaveCount(3);
  await expect(named).not.toContainText("褚燕");
  await named.getByRole("link", { name: "查看 冯涛 的发展档案" }).click();
  await expect(admin.getByRole("heading", { level: 1, name: "冯涛 的发展档案" })).toBeVisible();
  await expect(admin.getByText("本次查看已记录，冯涛 可以看到。")).toBeVisible();

  // 周强 shares with the school, not the district: the admin finds no such teacher.
  await open(admin, schoolOnlyRecord!);
  await expect(admin.getByRole("alert")).toHaveText("未找到。");
  await expect(admin.getByRole("heading", { name: /周强/ })).toHaveCount(0);

  const teacher = await signedIn(browser, "feng.tao@demo.atelier");
  await open(teacher, "/profile");
  const log = teacher.getByRole("region", { name: "谁查看过我的档案" });
  await expect(log.getByRole("row", { name: /区教育局 陈老师/ })).toContainText("区管理员");
});

test.describe("the dashboard without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("chooses a year with a plain form, sorts by a link and drills into a school", async ({ page }) => {
    await signInPlain(page, "district.admin@demo.atelier");
    await page.goto("/district");
    await expect(page.getByRole("heading", { level: 1, name: "区域教师发展看板 · 西湖区" })).toBeVisible();
    await expect(page.getByRole("region", { name: "各校情况" }).getByRole("row", { name: /西湖区第二小学/ })).toContainText("少于 5 人");
    const lastYear = String(new Date().getFullYear() - 1);
    await page.getByLabel("学时年度").selectOption(lastYear);
    await page.getByRole("button", { name: "查看" }).click();
    await expect(page).toHaveURL(new RegExp(`year=${lastYear}`));
    await expect(page.getByLabel("学时年度")).toHaveValue(lastYear);
    const schools = page.getByRole("region", { name: "各校情况" });
    await schools.getByRole("link", { name: "学时中位数" }).click();
    await expect(page).toHaveURL(/sort=median/);
    await expect(page.getByRole("region", { name: "各校情况" }).getByRole("columnheader", { name: "学时中位数" })).toHaveAttribute("aria-sort", "ascending");
    await page.getByRole("region", { name: "各校情况" }).getByRole("link", { name: "求是中学" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "求是中学（西湖区）" })).toBeVisible();
    await page.getByRole("link", { name: "查看 卫军 的发展档案" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "卫军 的发展档案" })).toBeVisible();
  });
});

test.describe("a district's integration API", () => {
  test("an admin creates a client without JavaScript, its token reads the district's lessons, and revoking stops it at once", async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await signInPlain(page, "district.admin@demo.atelier");
    await page.goto("/district/schools");
    await page.getByRole("link", { name: "数据接口" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "数据接口" })).toBeVisible();
    const district = page.getByRole("region", { name: "西湖区" });
    const name = `继续教育平台 ${Date.now()}`;
    await district.getByLabel("名称").fill(name);
    await district.getByRole("checkbox", { name: /lessons\.read/ }).check();
    await district.getByLabel("有效期（天）").fill("30");
    await district.getByRole("button", { name: "创建客户端" }).click();
    await expect(page).toHaveURL(/\/district\/api$/);
    const token = await page.getByLabel("令牌").inputValue();
    expect(token).toMatch(/^atl_[0-9a-f]{48}$/);

    const lessons = await page.request.get("/api/v1/lessons", { headers: { Authorization: `Bearer ${token}` } });
    expect(lessons.status()).toBe(200);
    expect((await lessons.json()).items.length).toBeGreaterThan(0);

    await page.reload();
    await expect(page.getByLabel("令牌")).toHaveCount(0);
    const row = page.getByRole("row", { name: new RegExp(name) });
    await expect(row).toContainText("最近使用");
    await row.getByRole("button", { name: `吊销客户端“${name}”` }).click();
    await expect(page.getByRole("row", { name: new RegExp(name) })).toContainText("已吊销");
    const refused = await page.request.get("/api/v1/lessons", { headers: { Authorization: `Bearer ${token}`, "Accept-Language": "en" } });
    expect(refused.status()).toBe(401);
    expect((await refused.json()).code).toBe("token-revoked");
    await context.close();
  });

  test("with JavaScript the new token shows on the page at once, and the reference page documents the API", async ({ browser }) => {
    const admin = await signedIn(browser, "district.admin@demo.atelier");
    await open(admin, "/district/api");
    const district = admin.getByRole("region", { name: "西湖区" });
    await district.getByLabel("名称").fill(`名册同步 ${Date.now()}`);
    await district.getByRole("checkbox", { name: /roster\.read/ }).check();
    await district.getByRole("button", { name: "创建客户端" }).click();
    await expect(admin.getByLabel("令牌")).toHaveValue(/^atl_[0-9a-f]{48}$/);
    await admin.getByRole("link", { name: "接口文档" }).click();
    await expect(admin.getByRole("heading", { level: 1, name: "接口文档" })).toBeVisible();
    await expect(admin.getByRole("heading", { level: 3, name: "GET /api/v1/lessons" })).toBeVisible();
  });

  test("a client's webhook deliveries show in its log, a link away from its row", async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await signInPlain(page, "district.admin@demo.atelier");
    await page.goto("/district/api");
    const district = page.getByRole("region", { name: "西湖区" });
    const name = `学时平台 ${Date.now()}`;
    await district.getByLabel("名称").fill(name);
    for (const scope of [/roster\.read/, /hours\.read/, /hours\.write/]) {
      await district.getByRole("checkbox", { name: scope }).check();
    }
    await district.getByRole("button", { name: "创建客户端" }).click();
    const token = await page.getByLabel("令牌").inputValue();
    const headers = { Authorization: `Bearer ${token}` };

    const webhook = await page.request.put("/api/v1/webhook", {
      headers,
      data: { url: "https://hooks.example.invalid/atelier", events: ["hours.credited"] },
    });
    expect(webhook.status()).toBe(200);
    const teachers = await (await page.request.get("/api/v1/teachers?limit=1", { headers })).json();
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const imported = await page.request.post("/api/v1/hours/imports", {
      headers: { ...headers, "Idempotency-Key": `e2e-${Date.now()}` },
      data: {
        source_system: "省平台",
        records: [{ teacher_id: teachers.items[0].id, starts_on: yesterday, ends_on: yesterday, hours: 3, category: "online", title: "网络研修" }],
      },
    });
    expect(imported.status()).toBe(201);

    await page.reload();
    await page.getByRole("row", { name: new RegExp(name) }).getByRole("link", { name: "投递记录" }).click();
    await expect(page.getByRole("heading", { level: 1, name: `“${name}”的投递记录` })).toBeVisible();
    await expect(page.getByText("发送到 https://hooks.example.invalid/atelier：hours.credited")).toBeVisible();
    await expect(page.getByRole("row", { name: /hours\.credited/ })).toHaveCount(1);
    await context.close();
  });
});
