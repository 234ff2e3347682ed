import { expect, type Page } from "@playwright/test";

/** Opens a page and waits until the WebAssembly has hydrated it, so clicks are handled. */
export async function open(page: Page, path: string) {
  await page.goto(path);
  await expect(page.locator("body[data-hydrated]")).toBeAttached();
}

export const DEMO_PASSWORD = "atelier-demo";

export function uniqueEmail(prefix: string) {
  return `${prefix}.${Date.now()}.${Math.floor(Math.random() * 1e6)}@e2e.atelier`;
}
