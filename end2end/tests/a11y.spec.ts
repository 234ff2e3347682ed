import { expect, test, type Page } from "@playwright/test";
import * as fs from "fs";

// Every page of the app through axe-core (injected into the page after hydration) for each role
// that sees it differently, in both languages: at 360 px, where the page must also fit the
// screen, and again at 1280 px (in Chinese once more in the dark scheme). Any serious or critical
// violation fails. `scripts/a11y-audit`
// runs this file alone and prints every finding by rule (moderate ones too).

const AXE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const PASSWORD = "atelier-demo";

const PUBLIC = ["/", "/studios", "/lessons", "/lessons?view=month", "/lessons?view=week"];
const MINE = ["/", "/profile", "/me/studios", "/notifications", "/my-lessons", "/growth", "/hours", "/studies", "/me/record"];

/** Each role with the pages it sees in its own way; detail pages are found by following links. */
const ROLES: { role: string; email?: string; pages: string[]; follow: [string, RegExp][] }[] = [
  {
    role: "visitor",
    pages: [...PUBLIC, "/sign-in", "/register", "/password/forgot"],
    follow: [["/studios", /^\/studios\/(?!new)[^/?#]+$/], ["/lessons", /^\/lessons\/[0-9a-f-]{36}$/]],
  },
  {
    role: "host",
    email: "wang.fang@demo.atelier",
    pages: [...MINE, "/studios", "/lessons", "/lessons?view=month", "/studios/new", "/lessons/new"],
    follow: [
      ["/me/studios", /^\/studios\/(?!new)[^/?#]+$/],
      ["/my-lessons", /^\/lessons\/[0-9a-f-]{36}$/],
      ["/studies", /^\/studies\/[0-9a-f-]{36}$/],
      ["/growth", /^\/studios\/[^/]+\/growth$/],
    ],
  },
  {
    role: "mentor",
    email: "li.na@demo.atelier",
    pages: MINE,
    follow: [["/studies", /^\/studies\/[0-9a-f-]{36}$/], ["/growth", /^\/studios\/[^/]+\/plans\/[0-9a-f-]{36}$/]],
  },
  { role: "mentee", email: "zhang.wei@demo.atelier", pages: MINE, follow: [["/growth", /^\/studios\/[^/]+\/plans\/[0-9a-f-]{36}$/]] },
  { role: "observer", email: "zhao.lei@demo.atelier", pages: MINE, follow: [["/my-lessons", /^\/lessons\/[0-9a-f-]{36}$/]] },
  { role: "district admin", email: "district.admin@demo.atelier", pages: ["/", "/district", "/district/schools", "/district/api", "/profile"], follow: [] },
  {
    role: "school leader",
    email: "principal@demo.atelier",
    pages: ["/", "/district"],
    follow: [["/district", /^\/district\/(schools|teachers)\/[0-9a-f-]{36}/]],
  },
];

type Finding = { role: string; lang: string; width: number; scheme?: string; path: string; rule: string; impact: string; nodes: number; targets: string[] };

async function firstLink(page: Page, path: string, pattern: RegExp): Promise<string | undefined> {
  await page.goto(path);
  const hrefs = await page.locator("main a[href]").evaluateAll((links) => links.map((a) => a.getAttribute("href") ?? ""));
  return hrefs.find((href) => pattern.test(href));
}

/** Checks at 360 px (and that the page fits), at 1280 px, and with `dark` once more in the dark scheme. */
async function check(page: Page, findings: Finding[], where: Omit<Finding, "width" | "rule" | "impact" | "nodes" | "targets">, dark: boolean): Promise<number> {
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(where.path);
  await expect(page.locator("body[data-hydrated]")).toBeAttached();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 0) findings.push({ ...where, width: 360, rule: "wider-than-the-screen", impact: "serious", nodes: 1, targets: [`${overflow}px`] });
  const passes: [number, "light" | "dark"][] = [[360, "light"], [1280, "light"], ...(dark ? [[1280, "dark"] as [number, "dark"]] : [])];
  for (const [width, scheme] of passes) {
    if (width === 1280) await page.setViewportSize({ width, height: 800 });
    await page.emulateMedia({ colorScheme: scheme });
    // Once per page load: the script outlives viewport and colour-scheme changes.
    if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: AXE });
    const violations = await page.evaluate(async () => {
      // @ts-expect-error injected above
      const result = await window.axe.run(document, { resultTypes: ["violations"] });
      return result.violations.map((v: { id: string; impact: string; nodes: { target: string[] }[] }) => ({
        id: v.id,
        impact: v.impact,
        targets: v.nodes.map((n) => n.target.join(" ")),
      }));
    });
    for (const v of violations) findings.push({ ...where, width, scheme, rule: v.id, impact: v.impact, nodes: v.targets.length, targets: v.targets.slice(0, 3) });
  }
  return passes.length;
}

// Each role is its own test, two at a time (`--workers 2` in scripts/test, before the journeys):
// the roles are distinct users, and each only changes its own language (and puts it back).
test.describe.configure({ mode: "parallel" });

for (const { role, email, pages: paths, follow } of ROLES) {
  test(`${role}: every page passes axe without serious or critical violations, in both languages, at 360 and 1280 px, and in the dark scheme`, async ({ browser, baseURL }) => {
    test.setTimeout(300_000);
    const findings: Finding[] = [];
    let pages = 0;
    let checks = 0;
    for (const lang of ["zh-CN", "en"]) {
      const context = await browser.newContext();
      const page = await context.newPage();
      try {
        if (email) {
          const signIn = await page.request.post(`${baseURL}/api/auth/sign-in`, { form: { email, password: PASSWORD } });
          expect(signIn.ok(), `${email} signs in`).toBeTruthy();
        }
        // Remembered in a cookie, and in the profile when signed in (put back below).
        await page.request.post(`${baseURL}/api/prefs/locale`, { form: { locale: lang } });
        const found: string[] = [];
        for (const [from, pattern] of follow) {
          const link = await firstLink(page, from, pattern);
          expect(link, `${role}: a link on ${from} matching ${pattern}`).toBeTruthy();
          found.push(link!);
        }
        for (const path of [...paths, ...found]) {
          // The dark scheme's colours are the same in both languages: checked once, in Chinese.
          checks += await check(page, findings, { role, lang, path }, lang === "zh-CN");
          pages += 1;
        }
      } finally {
        if (email) await page.request.post(`${baseURL}/api/prefs/locale`, { form: { locale: "zh-CN" } });
        await context.close();
      }
    }
    const byRule = new Map<string, { impact: string; checks: number; elements: number }>();
    for (const f of findings) {
      const entry = byRule.get(f.rule) ?? { impact: f.impact, checks: 0, elements: 0 };
      entry.checks += 1;
      entry.elements += f.nodes;
      byRule.set(f.rule, entry);
    }
    console.log(`axe, ${role}: ${pages} page loads, ${checks} checks (360 and 1280 px; 1280 px dark in Chinese)`);
    for (const [rule, e] of [...byRule].sort((a, b) => b[1].elements - a[1].elements)) {
      console.log(`  ${rule} (${e.impact}): ${e.checks} checks, ${e.elements} elements`);
    }
    // One JSON line per finding: two workers append to the same file.
    if (process.env.A11Y_REPORT && findings.length > 0) {
      fs.appendFileSync(process.env.A11Y_REPORT, findings.map((f) => JSON.stringify(f) + "\n").join(""));
    }
    const serious = findings.filter((f) => f.impact === "serious" || f.impact === "critical");
    expect(serious, JSON.stringify(serious, null, 2)).toEqual([]);
  });
}
