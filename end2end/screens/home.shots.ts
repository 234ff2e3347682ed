import { expect, test } from "@playwright/test";

const OUT = process.env.SCREENS_DIR ?? "screenshots";
const ROLES: [string, string | undefined][] = [
  ["visitor", undefined],
  ["host", "wang.fang@demo.atelier"],
  ["mentor", "li.na@demo.atelier"],
  ["mentee", "zhang.wei@demo.atelier"],
  ["observer", "zhao.lei@demo.atelier"],
  ["district-admin", "district.admin@demo.atelier"],
  ["school-leader", "principal@demo.atelier"],
];

test("the home page of each demo role at 390 and 1280 px, light and dark, and a phone's open menu", async ({ browser, baseURL }) => {
  for (const [role, email] of ROLES) {
    const context = await browser.newContext();
    const page = await context.newPage();
    if (email) await page.request.post(`${baseURL}/api/auth/sign-in`, { form: { email, password: "atelier-demo" } });
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const width of [390, 1280]) {
        await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
        await page.goto("/");
        await expect(page.locator("body[data-hydrated]")).toBeAttached();
        const suffix = scheme === "dark" ? "-dark" : "";
        await page.screenshot({ path: `${OUT}/home-${role}-${width}${suffix}.png`, fullPage: true });
      }
    }
    await page.emulateMedia({ colorScheme: "light" });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByText("菜单", { exact: true }).click();
    await page.screenshot({ path: `${OUT}/menu-${role}-390.png` });
    await context.close();
  }
});
