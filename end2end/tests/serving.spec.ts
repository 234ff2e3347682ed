import { expect, test } from "@playwright/test";
import { signedIn } from "./helpers";

// A page lists in its <head> the split pieces of the WebAssembly its area needs, so the browser
// fetches them with the page instead of one after another while hydrating. The server used to
// list them on some loads and not on others (vendor/README.md, leptos_integration_utils).

const PRELOAD = /<link [^>]*rel="preload"[^>]*>/g;

function preloadedFiles(html: string): string[] {
  return [...html.matchAll(PRELOAD)].map((link) => /href="([^"]+)"/.exec(link[0])?.[1] ?? "").sort();
}

test("every load of a signed-in page preloads the same split pieces, and each of them exists", async ({ browser }) => {
  const page = await signedIn(browser, "wang.fang@demo.atelier");
  for (const path of ["/", "/hours", "/studios"]) {
    const loads: string[][] = [];
    for (let i = 0; i < 20; i++) {
      const response = await page.request.get(path);
      expect(response.status()).toBe(200);
      loads.push(preloadedFiles(await response.text()));
    }
    const [first] = loads;
    // Split pieces are named chunk_N and split_<area>_N; the whole module is preloaded besides.
    expect(first.filter((href) => /\/pkg\/(chunk|split)_/.test(href)).length, `split pieces preloaded by ${path}`).toBeGreaterThan(0);
    for (const load of loads) {
      expect(load, `the preloads of one load of ${path}`).toEqual(first);
    }
    for (const href of first) {
      expect((await page.request.get(href)).status(), href).toBe(200);
    }
  }
  await page.context().close();
});
