import { defineConfig, devices } from "@playwright/test";

// The server is started by scripts/test (BASE_URL); Chromium is Debian's.
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
  projects: [
    {
      name: "chromium",
      use: {
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
      },
    },
  ],
});
