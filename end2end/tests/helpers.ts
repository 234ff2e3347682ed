import { expect, type Browser, type Page } from "@playwright/test";

/** Opens a page and waits until the WebAssembly has hydrated it, so clicks are handled. */
export async function open(page: Page, path: string) {
  await page.goto(path);
  await expect(page.locator("body[data-hydrated]")).toBeAttached();
}

export const DEMO_PASSWORD = "atelier-demo";

export function uniqueEmail(prefix: string) {
  return `${prefix}.${Date.now()}.${Math.floor(Math.random() * 1e6)}@e2e.atelier`;
}

/** Registers a new teacher through the form (Chinese interface) and waits for the signed-in page. */
export async function registerTeacher(page: Page, name: string) {
  const email = uniqueEmail("teacher");
  await open(page, "/register");
  await page.getByLabel("电子邮箱").fill(email);
  await page.getByLabel("姓名").fill(name);
  await page.getByLabel("密码").fill("lesson-study-2026");
  await page.getByLabel("学校").fill("西湖区实验中学");
  await page.getByLabel("区县").fill("西湖区");
  await page.getByLabel("学科").fill("物理");
  await page.getByRole("button", { name: "注册" }).click();
  await expect(page.getByRole("navigation").getByText(name)).toBeVisible();
  await expect(page.locator("body[data-hydrated]")).toBeAttached();
  return email;
}

/** Signs a demo account in through the plain HTML form (works without JavaScript) and lands on the home page. */
export async function signInPlain(page: Page, email: string) {
  await page.goto("/sign-in");
  await page.getByLabel("电子邮箱").fill(email);
  await page.getByLabel("密码").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page).toHaveURL(/\/$/);
}

/** Signs a demo account in through the page (with JavaScript) in a fresh browser context. */
export async function signedIn(browser: Browser, email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await open(page, "/sign-in");
  await page.getByLabel("电子邮箱").fill(email);
  await page.getByLabel("密码").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator("body[data-hydrated]")).toBeAttached();
  return page;
}
