/**
 * The dashboard in a real headless Chromium (Debian's `chromium`, driven by playwright-core), on
 * the real server: filter and page, archive a selection and see it move, restore, open a task and
 * switch its circuit tabs, and watch a task written by another connection appear without a reload.
 * Screenshots of every page go to test/artifacts/.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openCache } from "../../adapters/open.ts";
import { tempDir } from "../contract/fixtures.ts";
import { startSyncServer } from "../../harness/sync-server.ts";
import { Api } from "../server/conformance.ts";
import { ROOT, startServer, type ServerProcess } from "../../harness/server-process.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = join(ROOT, "test", "artifacts");

const temp = tempDir("uniqc-browser-");
const file = temp.file("tasks.sqlite");
let server: ServerProcess;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`No Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH.`);
  mkdirSync(ARTIFACTS, { recursive: true });
  const cache = await openCache(file);
  for (let i = 0; i < 60; i++) {
    await cache.save({
      task_id: `uqt_${String(i).padStart(3, "0")}`,
      backend: i % 2 ? "originq:WK_C180" : "ibm:ibm_kyiv",
      status: (["success", "failed", "running"] as const)[i % 3]!,
      shots: 1000,
      submit_time: `2026-05-${String(1 + (i % 28)).padStart(2, "0")}T08:00:${String(i % 60).padStart(2, "0")}Z`,
      metadata: {
        circuit_ir:
          "QINIT 3\nCREG 3\nH q[0]\nCNOT q[0],q[1]\nTOFFOLI q[0],q[1],q[2]\nMEASURE q[0],c[0]\nMEASURE q[1],c[1]",
        ...(i === 42 ? { note: "Bell calibration run" } : {}),
      },
      compiled_circuit: {
        qasm: 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[3];\ncreg c[3];\nh q[0];\ncx q[0],q[1];\nmeasure q -> c;',
      },
      ...(i % 3 === 0 ? { result: { counts: { "000": 480 + i, "111": 500 - i, "011": 20 } } } : {}),
    });
  }
  await cache.close();
  server = await startServer("node", ["--db", file]);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop("SIGKILL");
  temp.remove();
});

const rows = () => page.locator("tr[data-task-id]");
const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

it("filters and pages the task list, with its state in the URL", async () => {
  await page.goto(`${server.base}/`);
  await shot("overview");
  await page
    .getByRole("link", { name: /failed/ })
    .first()
    .click();
  await page.waitForURL(/status=failed/);
  await page.selectOption("select[name=limit]", "25");
  await page.getByRole("button", { name: "Show" }).click();
  await page.waitForURL(/limit=25/);
  expect(await rows().count()).toBe(20);
  expect(await page.locator("tr[data-task-id] .status").allTextContents()).toEqual(Array(20).fill("failed"));
  await page.selectOption("select[name=status]", "");
  await page.getByRole("button", { name: "Show" }).click();
  await page.waitForURL((url) => !url.search.includes("status=failed"));
  const first = await rows().first().getAttribute("data-task-id");
  await page.getByRole("link", { name: /next page/ }).click();
  await page.waitForURL(/cursor=/);
  expect(await rows().count()).toBe(25);
  expect(await rows().first().getAttribute("data-task-id")).not.toBe(first);
  await shot("tasks");
});

it("finds tasks by text and by submit time, with the search in the URL", async () => {
  await page.goto(`${server.base}/tasks`);
  await page.getByLabel("search").fill("BELL calibration");
  await page.getByLabel("search").press("Enter");
  await page.waitForURL(/q=BELL\+calibration/);
  expect(await rows().evaluateAll((found) => found.map((row) => row.getAttribute("data-task-id")))).toEqual([
    "uqt_042",
  ]);
  await page.getByLabel("search").fill("");
  await page.getByLabel("since").fill("2026-05-10");
  await page.getByLabel("until").fill("2026-05-12");
  await page.getByRole("button", { name: "Show" }).click();
  await page.waitForURL(/since=2026-05-10&until=2026-05-12/);
  // Submitted on 10 and 11 May: tasks 9, 10, 37 and 38.
  expect(await rows().count()).toBe(4);
  expect(await page.getByText("4 active tasks match.").count()).toBe(1);
  await shot("search");
  await page.getByLabel("since").fill("last week");
  await page.getByRole("button", { name: "Show" }).click();
  await page.waitForURL(/since=last\+week/);
  expect(await page.getByRole("alert").textContent()).toMatch(/since: must be an ISO-8601 timestamp/);
});

it("archives everything a filter matches after saying how many, and restores it the same way", async () => {
  await page.goto(`${server.base}/tasks?status=running&until=2026-05-04`);
  // Running tasks submitted on 1–3 May: tasks 2, 29 and 56.
  const matched = await rows().evaluateAll((found) => found.map((row) => row.getAttribute("data-task-id")));
  expect(matched).toEqual(["uqt_002", "uqt_029", "uqt_056"]);
  await page.getByRole("link", { name: `Archive all ${matched.length}…` }).click();
  await page.waitForURL(/\/ui\/tasks\/matching\?action=archive&status=running&until=2026-05-04/);
  expect(await page.locator('[data-count="matching"]').textContent()).toBe(String(matched.length));
  expect(await page.getByText("status running, submitted before 2026-05-04").count()).toBe(1);
  await shot("matching-confirm");
  await page.getByRole("button", { name: `Archive ${matched.length} tasks` }).click();
  await page.waitForURL(/notice=Archived/);
  expect(await page.locator(".banner").textContent()).toContain(`Archived ${matched.length} tasks.`);
  expect(await rows().count()).toBe(0);
  await page.goto(`${server.base}/archive?status=running&until=2026-05-04`);
  expect(await rows().count()).toBe(matched.length);
  await page.getByRole("link", { name: `Restore all ${matched.length}…` }).click();
  await page.getByRole("button", { name: `Restore ${matched.length} tasks` }).click();
  await page.waitForURL(/notice=Restored/);
  expect(await rows().count()).toBe(0);
  await page.goto(`${server.base}/tasks?status=running&until=2026-05-04`);
  expect(await rows().count()).toBe(matched.length);
});

it("draws the activity of a range as charts, from the navigation and the range links", async () => {
  await page.goto(`${server.base}/`);
  await page.getByRole("link", { name: "Activity" }).click();
  await page.waitForURL(/\/activity$/);
  await page.getByLabel("since").fill("2026-05-01");
  await page.getByLabel("until").fill("2026-05-29");
  await page.getByRole("button", { name: "Show" }).click();
  await page.waitForURL(/since=2026-05-01&until=2026-05-29&by=day/);
  expect(await page.locator('[data-count="stats-total"]').textContent()).toBe("60");
  // 28 days of tasks, each a group of bars; two backends, each a success rate.
  expect(await page.locator('svg[data-chart="periods"] g[data-period]').count()).toBe(28);
  expect(await page.locator('svg[data-chart="success"] g[data-backend]').count()).toBe(2);
  expect(await page.getByRole("img", { name: /Tasks per day by status/ }).isVisible()).toBe(true);
  const box = await page.locator('svg[data-chart="periods"]').boundingBox();
  expect(box!.width).toBeGreaterThan(600);
  await shot("activity");
  await page.selectOption("select[name=by]", "week");
  await page.getByRole("button", { name: "Show" }).click();
  await page.waitForURL(/by=week/);
  expect(await page.locator('svg[data-chart="periods"] g[data-period]').count()).toBe(5);
});

it("shows a task's ideal beside its measured outcomes, and compares the ticked tasks", async () => {
  await page.goto(`${server.base}/tasks/uqt_000`);
  expect(await page.getByRole("heading", { name: "Ideal and measured" }).isVisible()).toBe(true);
  expect(await page.locator('svg[data-chart="distribution"] g[data-outcome]').count()).toBeGreaterThan(1);
  expect(Number(await page.locator('[data-figure="tvd"]').textContent())).toBeGreaterThan(0);
  await shot("analysis");
  await page.goto(`${server.base}/tasks?status=success&limit=25`);
  const ids = (await rows().evaluateAll((found) => found.map((row) => row.getAttribute("data-task-id")))).slice(0, 3);
  for (const id of ids) await page.check(`input[value="${id}"]`);
  await page.getByRole("button", { name: "Compare selected" }).click();
  await page.waitForURL(/\/compare\?ids=/);
  expect(await page.getByRole("heading", { name: "Compare 3 tasks" }).isVisible()).toBe(true);
  expect(await page.locator('table[data-table="tvd"] tbody tr').count()).toBe(3);
  await shot("compare");
});

it("archives a selection, which leaves the list and appears in the archive; restores one", async () => {
  await page.goto(`${server.base}/tasks?limit=25`);
  const chosen = [
    await rows().nth(0).getAttribute("data-task-id"),
    await rows().nth(1).getAttribute("data-task-id"),
  ] as string[];
  for (const id of chosen) await page.check(`input[value="${id}"]`);
  await page.getByRole("button", { name: "Archive selected" }).click();
  await page.waitForURL(/notice=Archived/);
  await expect.poll(() => page.locator(".banner").textContent()).toContain("Archived 2 tasks.");
  for (const id of chosen) expect(await page.locator(`tr[data-task-id="${id}"]`).count()).toBe(0);
  await page.getByRole("link", { name: "Archive", exact: true }).click();
  await page.waitForURL(/\/archive/);
  for (const id of chosen) expect(await page.locator(`tr[data-task-id="${id}"]`).count()).toBe(1);
  await shot("archive");
  await page.check(`input[value="${chosen[0]}"]`);
  await page.getByRole("button", { name: "Restore selected" }).click();
  await page.waitForURL(/notice=Restored/);
  expect(await page.locator(`tr[data-task-id="${chosen[0]}"]`).count()).toBe(0);
  expect(await page.locator(`tr[data-task-id="${chosen[1]}"]`).count()).toBe(1);
});

it("opens a task, switches the circuit tabs, and shows the histogram", async () => {
  await page.goto(`${server.base}/tasks?status=success&limit=25`);
  await rows().first().locator("a").click();
  await page.waitForURL(/\/tasks\/uqt_/);
  expect(await page.locator("svg.uniqc-histogram .bar").count()).toBe(3);
  expect(await page.locator(".circuit-svg svg .op").count()).toBe(5);
  await shot("task-source");
  await page.getByRole("tab", { name: "compiled" }).click();
  await page.waitForURL(/circuit=compiled/);
  expect(await page.getByRole("tab", { name: "compiled" }).getAttribute("aria-selected")).toBe("true");
  expect(await page.locator(".circuit-svg svg .op-measure").count()).toBe(3);
  await shot("task-compiled");
  await page.getByRole("tab", { name: "executed" }).click();
  await page.waitForURL(/circuit=executed/);
  expect(await page.locator(".circuit-note").textContent()).toContain(
    "No executed circuit is recorded; this is the compiled one.",
  );
});

it("works by keyboard alone, and on a phone's screen", async () => {
  await page.goto(`${server.base}/tasks?limit=25`);
  // Tab through the page to the first task's link, then follow it with Enter.
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press("Tab");
    if (
      await page.evaluate(
        () => document.activeElement?.closest("tbody") !== null && document.activeElement?.tagName === "A",
      )
    )
      break;
  }
  const id = await page.evaluate(() => document.activeElement?.textContent);
  expect(id).toMatch(/^uqt_/);
  await page.keyboard.press("Enter");
  await page.waitForURL(new RegExp(`/tasks/${id}`));
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
  try {
    await phone.goto(`${server.base}/tasks?limit=25`);
    // The table scrolls in its own box; the page itself never scrolls sideways.
    expect(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await phone.screenshot({ path: join(ARTIFACTS, "tasks-phone.png"), fullPage: true });
  } finally {
    await phone.close();
  }
});

it("shows a task written by another connection without a reload", async () => {
  await page.goto(`${server.base}/tasks?limit=25`);
  await page.waitForLoadState("networkidle").catch(() => undefined);
  const before = await page.evaluate(() => performance.timeOrigin);
  const other = await openCache(file);
  try {
    await other.save({
      task_id: "uqt_from_elsewhere",
      backend: "dummy:local:simulator",
      status: "pending",
      submit_time: "2026-06-30T00:00:00Z",
    });
  } finally {
    await other.close();
  }
  await page.locator('tr[data-task-id="uqt_from_elsewhere"]').waitFor({ timeout: 10_000 });
  expect(await page.evaluate(() => performance.timeOrigin)).toBe(before);
  await shot("tasks-live");
});

it("marks a task whose machines disagreed, and shows its versions side by side", async () => {
  const sync = await startSyncServer(temp.file("sync-server.db"));
  const replica = await startServer("node", [
    "--db",
    temp.file("replica.db"),
    "--sync-url",
    sync.url,
    "--sync-interval",
    "0",
  ]);
  const ahead = await openCache(temp.file("ahead.db"), {
    syncUrl: sync.url,
    syncIntervalMs: 0,
    clock: () => new Date(Date.now() + 10 * 60_000),
  });
  try {
    const api = new Api(replica.base);
    await api.ok("PUT", "/api/tasks/uqt_disputed", { backend: "ibm:ibm_kyiv", status: "running" });
    await api.ok("POST", "/api/sync");
    await ahead.sync();
    await ahead.save({ task_id: "uqt_disputed", backend: "ibm:ibm_kyiv", status: "failed", metadata: { by: "ahead" } });
    await api.ok("PUT", "/api/tasks/uqt_disputed", {
      backend: "ibm:ibm_kyiv",
      status: "success",
      result: { counts: { "00": 512, "11": 488 } },
    });
    await api.ok("POST", "/api/sync");
    await ahead.sync();
    await api.ok("POST", "/api/sync");
    await page.goto(`${replica.base}/tasks`);
    await page.locator('tr[data-task-id="uqt_disputed"] .conflict').waitFor();
    await shot("tasks-disagreed");
    await page.getByRole("link", { name: "uqt_disputed" }).click();
    const versions = page.locator("table.versions");
    await versions.waitFor();
    const text = (await versions.textContent()) ?? "";
    expect(text).toMatch(/success/);
    expect(text).toMatch(/failed/);
    expect(text).toMatch(/"by":"ahead"/);
    await shot("task-disagreed");
  } finally {
    await ahead.close();
    await replica.stop("SIGKILL");
    await sync.stop();
  }
});
