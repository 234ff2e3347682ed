// Loads pages of a running server in Chromium and fails unless each one hydrates: the body gets
// its data-hydrated marker and no script error is thrown. The release bundle is built differently
// from the debug one the test suite runs (LTO, wasm-opt, hashed names), so scripts/bench-pages
// runs this against it.
//   node check-hydration.mjs BASE_URL [PATH[@COOKIE]]...
import { chromium } from "@playwright/test";

const [base, ...targets] = process.argv.slice(2);
if (!base || targets.length === 0) {
  console.error("usage: node check-hydration.mjs BASE_URL PATH[@COOKIE]...");
  process.exit(2);
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" });
let failed = 0;
for (const target of targets) {
  const at = target.indexOf("@");
  const path = at < 0 ? target : target.slice(0, at);
  const cookie = at < 0 ? "" : target.slice(at + 1);
  const context = await browser.newContext();
  if (cookie) {
    // The value may itself hold "=": split at the first one only.
    const eq = cookie.indexOf("=");
    await context.addCookies([{ name: cookie.slice(0, eq), value: cookie.slice(eq + 1), url: base }]);
  }
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (err) => errors.push(err.message));
  // A failed request is named by its response (the console only says that one failed).
  page.on("console", (msg) => msg.type() === "error" && !msg.text().startsWith("Failed to load resource") && errors.push(msg.text()));
  page.on("response", (res) => res.status() >= 400 && errors.push(`${res.status()} ${res.url()}`));
  const started = Date.now();
  await page.goto(base + path);
  const hydrated = await page
    .waitForSelector("body[data-hydrated]", { state: "attached", timeout: 20000 })
    .then(() => true, () => false);
  const ms = Date.now() - started;
  if (hydrated && errors.length === 0) {
    console.log(`hydrated  ${path}${cookie ? " (signed in)" : ""} in ${ms} ms`);
  } else {
    failed += 1;
    console.log(`FAILED    ${path}${cookie ? " (signed in)" : ""}: ${hydrated ? "" : "no data-hydrated marker; "}${errors.join(" | ")}`);
  }
  await context.close();
}
await browser.close();
process.exit(failed ? 1 : 0);
