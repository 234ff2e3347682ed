import base from "../playwright.config";
import { defineConfig } from "@playwright/test";

// Screenshots for people to look at (scripts/screenshots), not a test.
export default defineConfig({ ...base, testDir: ".", testMatch: "*.shots.ts", timeout: 300_000 });
