import { defineConfig, devices } from "@playwright/test";

// The server is started by scripts/test (BASE_URL); Chromium is Debian's.
const chromium = {
  ...devices["Desktop Chrome"],
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
      "--no-first-run",
    ],
  },
};

export default defineConfig({
  testDir: "./tests",
  // Whole journeys (a dozen page loads across several signed-in browsers) take 10 to 25 s on
  // the 2-core machines; the per-test limit leaves room for a busy machine, while each step
  // still waits at most `expect.timeout`.
  timeout: 90_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: process.env.BASE_URL ?? "http://127.0.0.1:3000",
    trace: "retain-on-failure",
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
  },
  // The accessibility sweep (one test per role, each a different user, reading only) runs first
  // on the fresh demo data, two roles at a time; then the journeys, which share the demo data,
  // one at a time. scripts/test calls each project in turn.
  projects: [
    { name: "journeys", testIgnore: /a11y\.spec\.ts$/, use: chromium },
    { name: "a11y", testMatch: /a11y\.spec\.ts$/, use: chromium },
  ],
});
