/**
 * The dashboard through the app itself, on a real file: pages, filters, paging, the forms'
 * actions, the task page, read-only files, and the token. (The browser checks are a separate
 * matter: they need Chromium.)
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openCache } from "../../adapters/open.ts";
import { createApp } from "../../apps/server/app.ts";
import type { TaskCache } from "../../core/index.ts";
import { buildSeedFile, tempDir } from "../contract/fixtures.ts";
import { openLibsql } from "../../adapters/libsql.ts";

let temp: ReturnType<typeof tempDir>;
let cache: TaskCache;
beforeEach(async () => {
  temp = tempDir("uniqc-dashboard-");
  cache = await openCache(temp.file("tasks.sqlite"));
  for (let i = 0; i < 30; i++) {
    await cache.save({
      task_id: `t${String(i).padStart(2, "0")}`,
      backend: i % 2 ? "originq:WK_C180" : "ibm:ibm_kyiv",
      status: (["success", "failed", "running"] as const)[i % 3]!,
      submit_time: `2026-05-${String(1 + (i % 28)).padStart(2, "0")}T00:00:${String(i).padStart(2, "0")}Z`,
      metadata: { circuit_ir: "QINIT 2\nCREG 2\nH q[0]\nCNOT q[0],q[1]\nMEASURE q[0],c[0]" },
      ...(i % 3 === 0 ? { result: { counts: { "00": 500 + i, "11": 500 - i } } } : {}),
      ...(i % 3 === 1 ? { result: { error: "calibration expired" } } : {}),
    });
  }
});
afterEach(async () => {
  await cache.close();
  temp.remove();
});

const app = (token?: string) => createApp(cache, { version: "0.0.0", runtime: "node", token });
const form = (fields: [string, string][]) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
});

describe("dashboard", () => {
  it("overview: counts by status and backend, links into filtered lists, recent tasks", async () => {
    const page = await (await app().request("/")).text();
    expect(page).toContain('<b data-count="success">10</b>');
    expect(page).toContain('href="/tasks?status=failed"');
    expect(page).toContain('href="/tasks?backend=ibm%3Aibm_kyiv"');
    expect(page.match(/<tr data-task-id=/g)).toHaveLength(10);
  });

  it("tasks: filters and page sizes in the URL, and cursor pages that walk every task once", async () => {
    const filtered = await (await app().request("/tasks?status=running&limit=25")).text();
    expect(filtered).toContain("10 active tasks match.");
    expect(filtered).toMatch(/<option value="running" selected/);
    const seen: string[] = [];
    let url: string | undefined = "/tasks?limit=25";
    while (url) {
      const page = await (await app().request(url)).text();
      seen.push(...[...page.matchAll(/<tr data-task-id="([^"]+)"/g)].map((m) => m[1]!));
      url = /href="([^"]+)" rel="next"/.exec(page)?.[1]?.replace(/&amp;/g, "&");
    }
    expect(seen).toHaveLength(30);
    expect(new Set(seen).size).toBe(30);
    expect((await app().request("/tasks?limit=7")).status).toBe(400);
    expect((await app().request("/tasks?status=done")).status).toBe(400);
  });

  it("tasks: a search and a time range in the URL, kept by the next page; a time it cannot read is said on the page", async () => {
    const ids = (page: string) => [...page.matchAll(/<tr data-task-id="([^"]+)"/g)].map((m) => m[1]!);
    const narrow = await (await app().request("/tasks?q=t1&since=2026-05-05&until=2026-05-20")).text();
    // t10–t19 were submitted on 11–20 May: those before the 20th.
    expect(narrow).toContain("9 active tasks match.");
    expect(narrow).toContain('name="q" value="t1"');
    expect(narrow).toContain('name="since" value="2026-05-05"');
    expect(ids(narrow)).toEqual(["t18", "t17", "t16", "t15", "t14", "t13", "t12", "t11", "t10"]);
    const first = await (await app().request("/tasks?q=t&since=2026-05-02&limit=25")).text();
    expect(first).toContain("28 active tasks match.");
    const next = /href="([^"]+)" rel="next"/.exec(first)?.[1]?.replace(/&amp;/g, "&");
    expect(next).toMatch(/^\/tasks\?q=t&since=2026-05-02&limit=25&cursor=/);
    expect(ids(await (await app().request(next!)).text())).toHaveLength(3);
    const wrong = await app().request("/tasks?since=last+tuesday");
    expect(wrong.status).toBe(400);
    const page = await wrong.text();
    expect(page).toMatch(/role="alert">Invalid input: since: must be an ISO-8601 timestamp/);
    expect(page).toContain('name="since" value="last tuesday"');
  });

  it("bulk archive and delete from the list, restore and delete from the archive, each redirecting back with a notice", async () => {
    const archived = await app().request(
      "/ui/tasks/bulk",
      form([
        ["action", "archive"],
        ["task_ids", "t00"],
        ["task_ids", "t01"],
        ["return_to", "/tasks?limit=25"],
      ]),
    );
    expect(archived.status).toBe(303);
    expect(archived.headers.get("location")).toBe("/tasks?limit=25&notice=Archived%202%20tasks.");
    expect((await cache.listArchived()).tasks.map((t) => t.task_id).sort()).toEqual(["t00", "t01"]);
    const archive = await (await app().request("/archive")).text();
    expect(archive).toContain('<tr data-task-id="t00"');
    const restored = await app().request(
      "/ui/archive/bulk",
      form([
        ["action", "restore"],
        ["task_ids", "t00"],
        ["return_to", "/archive"],
      ]),
    );
    expect(restored.headers.get("location")).toBe("/archive?notice=Restored%201%20of%201%20tasks.");
    expect(await cache.get("t00")).toBeDefined();
    await app().request(
      "/ui/tasks/bulk",
      form([
        ["action", "delete"],
        ["task_ids", "t02"],
      ]),
    );
    expect(await cache.get("t02")).toBeUndefined();
    // Refused: another site's form, a path off this site, an action the list does not have.
    const foreign = await app().request("/ui/tasks/bulk", {
      ...form([
        ["action", "delete"],
        ["task_ids", "t03"],
      ]),
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" },
    });
    expect(foreign.status).toBe(403);
    expect(
      (
        await app().request(
          "/ui/tasks/bulk",
          form([
            ["action", "archive"],
            ["task_ids", "t03"],
            ["return_to", "https://evil.example/"],
          ]),
        )
      ).status,
    ).toBe(400);
    expect(
      (
        await app().request(
          "/ui/tasks/bulk",
          form([
            ["action", "restore"],
            ["task_ids", "t03"],
          ]),
        )
      ).status,
    ).toBe(400);
    expect(await cache.get("t03")).toBeDefined();
  });

  it("everything a filter matches: the list offers it, a page says how many and what, then the move", async () => {
    const listing = await (await app().request("/tasks?status=failed&since=2026-05-10")).text();
    expect(listing).toContain("6 active tasks match.");
    const link = /href="(\/ui\/tasks\/matching\?action=archive[^"]*)"/.exec(listing)?.[1]?.replace(/&amp;/g, "&");
    expect(link).toBe("/ui/tasks/matching?action=archive&status=failed&since=2026-05-10");
    const confirm = await (await app().request(link!)).text();
    expect(confirm).toContain(
      '<b data-count="matching">6</b> active tasks match (status failed, submitted since 2026-05-10).',
    );
    expect(confirm).toContain('name="since" value="2026-05-10"');
    const moved = await app().request(
      "/ui/tasks/matching",
      form([
        ["action", "archive"],
        ["status", "failed"],
        ["since", "2026-05-10"],
        ["return_to", "/tasks?status=failed&since=2026-05-10"],
      ]),
    );
    expect(moved.status).toBe(303);
    expect(decodeURIComponent(moved.headers.get("location")!)).toBe(
      "/tasks?status=failed&since=2026-05-10&notice=Archived 6 tasks.",
    );
    expect(await cache.countArchived({ status: "failed" })).toBe(6);
    expect(await cache.count({ status: "failed", since: "2026-05-10" })).toBe(0);
    // From the archive, with no filter at all: the page says it is every task, and the form says all.
    const every = await (await app().request("/ui/archive/matching?action=restore")).text();
    expect(every).toContain("(no filter: every task)");
    const restored = await app().request("/ui/archive/matching", form([["action", "restore"]]));
    expect(decodeURIComponent(restored.headers.get("location")!)).toMatch(/notice=Restored 6 tasks\.$/);
    expect(await cache.countArchived()).toBe(0);
    // An action the listing does not offer, or a filter the cache cannot read, moves nothing.
    expect((await app().request("/ui/tasks/matching", form([["action", "restore"]]))).status).toBe(400);
    expect(
      (
        await app().request(
          "/ui/tasks/matching",
          form([
            ["action", "delete"],
            ["since", "soon"],
          ]),
        )
      ).status,
    ).toBe(400);
    expect((await cache.counts()).total).toBe(30);
  });

  it("activity: charts drawn on the server for the range in the URL, the figures beside them", async () => {
    await cache.archive("t03");
    const response = await app().request("/activity?since=2026-05-01&until=2026-05-08&by=day");
    expect(response.status).toBe(200);
    const page = await response.text();
    const figures = await cache.stats({ since: "2026-05-01", until: "2026-05-08" });
    expect(page).toContain(`<b data-count="stats-total">${figures.tasks.total}</b> tasks submitted`);
    // One group of bars a day, each rectangle a status that had tasks.
    expect([...page.matchAll(/<g data-period="([^"]+)"/g)].map((m) => m[1])).toEqual(
      figures.periods.map((period) => period.start),
    );
    expect(page).toMatch(/<svg class="chart"[^>]*data-chart="success"/);
    expect(page).toMatch(/<svg class="chart"[^>]*data-chart="turnaround"/);
    expect(page).toContain('<main data-live="off">');
    const weeks = await (await app().request("/activity?since=&by=week")).text();
    expect([...weeks.matchAll(/<g data-period="([^"]+)"/g)].map((m) => m[1])).toEqual([
      "2026-04-27",
      "2026-05-04",
      "2026-05-11",
      "2026-05-18",
      "2026-05-25",
    ]);
    const wrong = await app().request("/activity?since=the+start");
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toMatch(/role="alert">Invalid input: since: must be an ISO-8601 timestamp/);
  });

  it("a task's ideal beside its measured outcomes, and a compare page for the ticked tasks", async () => {
    const page = await (await app().request("/tasks/t03")).text();
    const analysis = await cache.analyse("t03");
    expect(analysis.tvd).not.toBeNull();
    expect(page).toContain(`<b data-figure="tvd">${analysis.tvd!.toFixed(4)}</b>`);
    expect(page).toContain(`<b data-figure="fidelity">${analysis.hellinger_fidelity!.toFixed(4)}</b>`);
    expect(page).toMatch(/<svg class="chart"[^>]*data-chart="distribution"/);
    expect([...page.matchAll(/<g data-outcome="([^"]+)"/g)].map((m) => m[1])).toEqual(["00", "01", "11"]);
    const noResult = await (await app().request("/tasks/t01")).text();
    expect(noResult).toContain("No measured outcomes yet: the ideal alone.");
    const compared = await app().request(
      "/ui/tasks/bulk",
      form([
        ["action", "compare"],
        ["task_ids", "t00"],
        ["task_ids", "t03"],
      ]),
    );
    expect(compared.status).toBe(303);
    const location = compared.headers.get("location")!;
    expect(decodeURIComponent(location)).toBe("/compare?ids=t00,t03");
    const comparePage = await (await app().request(location)).text();
    const comparison = await cache.compare(["t00", "t03"]);
    expect(comparePage).toContain(`<td>${comparison.tvd[0]![1]!.toFixed(4)}</td>`);
    expect((await app().request("/compare?ids=t00")).status).toBe(400);
  });

  it("archive-expired asks first, saying how many, then moves them", async () => {
    const confirm = await (await app().request("/ui/tasks/archive-expired")).text();
    const count = Number(/data-count="expired">(\d+)</.exec(confirm)![1]);
    expect(count).toBe(20);
    const done = await app().request("/ui/tasks/archive-expired", form([["hours", "72"]]));
    expect(done.status).toBe(303);
    expect(await cache.countArchived()).toBe(20);
    expect((await cache.counts()).running).toBe(10);
  });

  it("the task page: every field, the error text, the histogram, and circuit tabs that say when they fall back", async () => {
    const page = await (await app().request("/tasks/t00?circuit=source")).text();
    expect(page).toContain('class="uniqc-histogram"');
    expect(page).toContain('class="circuit-svg"');
    expect(page).toMatch(/aria-selected="true"[^>]*>source</);
    const failed = await (await app().request("/tasks/t01?circuit=compiled")).text();
    expect(failed).toContain('<dd class="error">calibration expired</dd>');
    expect(failed).toContain('data-reason="none"');
    expect((await app().request("/tasks/nope")).status).toBe(404);
  });

  it("a read-only file is shown as such, with the reason, and every write control disabled", async () => {
    const path = temp.file("newer.sqlite");
    const setup = openLibsql({ url: `file:${path}` });
    await buildSeedFile(setup, 2, 3, 1);
    await setup.run("PRAGMA user_version = 5");
    await setup.close();
    const newer = await openCache(path);
    try {
      const page = await (await createApp(newer, { version: "0.0.0", runtime: "node" }).request("/tasks")).text();
      expect(page).toMatch(/class="banner"[^>]*>Read-only: the file is at schema v5/);
      expect(page).not.toMatch(/<button type="submit" name="action"(?![^>]*disabled)/);
      expect(page).not.toMatch(/<input type="checkbox"(?![^>]*disabled)/);
    } finally {
      await newer.close();
    }
  });

  it("with a token: the token is entered once, kept in a same-site cookie, and the API still wants the header", async () => {
    const guarded = app("s3cret");
    const first = await guarded.request("/");
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe("/ui/login");
    expect((await guarded.request("/ui/login", form([["token", "wrong"]]))).status).toBe(401);
    const login = await guarded.request("/ui/login", form([["token", "s3cret"]]));
    const cookie = login.headers.get("set-cookie")!;
    expect(cookie).toMatch(/uniqc_token=s3cret; Path=\/; HttpOnly; SameSite=Strict/);
    const jar = { cookie: cookie.split(";")[0]! };
    expect((await guarded.request("/tasks", { headers: jar })).status).toBe(200);
    expect((await guarded.request("/api/tasks", { headers: jar })).status).toBe(401);
    const events = await guarded.request("/api/events", { headers: jar });
    expect(events.status).toBe(200);
    await events.body?.cancel();
    expect((await guarded.request("/api/events")).status).toBe(401);
  });
});
