/**
 * The crash drill: a child process works on a 50,000-task file (see crash-worker.ts) and is
 * killed with SIGKILL at a random moment. After each kill the file must pass SQLite's integrity
 * check, its header must agree with its tables, every counter must equal a recount, every task
 * must be in exactly one table, and the set of ids must be the one it started with.
 * `UNIQC_DRILL_KILLS` sets how many kills (20 here; the long form in DRILLS.md runs 500).
 */
import { spawn } from "node:child_process";
import { copyFileSync } from "node:fs";
import { afterAll, expect, it } from "vitest";
import { openLocalFile } from "../../adapters/local-file.ts";
import { DEFAULTS, generate } from "../../bench/generate.ts";
import { createDriver, inspect, type Connection } from "../../core/index.ts";
import { tempDir } from "../contract/fixtures.ts";
import { ROOT } from "../server/server-process.ts";

const KILLS = Number(process.env.UNIQC_DRILL_KILLS ?? 20);
const temp = tempDir("uniqc-crash-");
afterAll(() => temp.remove());

async function ids(c: Connection): Promise<string[]> {
  const rows = await c.all<{ task_id: string }>("SELECT task_id FROM tasks UNION ALL SELECT task_id FROM archived_tasks ORDER BY 1");
  return rows.map((row) => String(row.task_id));
}

/** Everything that must hold after a kill; returns what was wrong, empty when nothing. */
async function check(path: string, expected: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  const c = await openLocalFile(path);
  try {
    const [integrity] = await c.all<{ integrity_check: string }>("PRAGMA integrity_check");
    if (integrity?.integrity_check !== "ok") problems.push(`integrity: ${integrity?.integrity_check}`);
    const plan = await inspect(createDriver(c));
    if (plan.readOnlyReason) problems.push(`header and tables disagree: ${plan.readOnlyReason}`);
    const [both] = await c.all<{ n: number }>("SELECT COUNT(*) AS n FROM tasks JOIN archived_tasks USING (task_id)");
    if (Number(both?.n) !== 0) problems.push(`${both?.n} tasks in both tables`);
    const found = await ids(c);
    if (found.length !== expected.length || found.some((id, i) => id !== expected[i])) problems.push(`ids: ${found.length} found, ${expected.length} expected`);
    const counters = await c.all<{ name: string }>("SELECT name FROM sqlite_master WHERE name = 'task_counts'");
    if (counters.length > 0) {
      const [drift] = await c.all<{ n: number }>(
        `SELECT COUNT(*) AS n FROM (
           SELECT tbl, backend, status, n FROM task_counts WHERE n != 0
           EXCEPT SELECT 'tasks', backend, status, COUNT(*) FROM tasks GROUP BY backend, status
           EXCEPT SELECT 'archived_tasks', backend, status, COUNT(*) FROM archived_tasks GROUP BY backend, status)`,
      );
      const [missing] = await c.all<{ n: number }>(
        `SELECT COUNT(*) AS n FROM (
           SELECT 'tasks' AS tbl, backend, status, COUNT(*) AS n FROM tasks GROUP BY backend, status
           UNION ALL SELECT 'archived_tasks', backend, status, COUNT(*) FROM archived_tasks GROUP BY backend, status
           EXCEPT SELECT tbl, backend, status, n FROM task_counts)`,
      );
      if (Number(drift?.n) + Number(missing?.n) !== 0) problems.push("a counter differs from its recount");
    }
  } finally {
    await c.close();
  }
  return problems;
}

it(`survives ${KILLS} kills at random moments with every task, once, and every counter right`, async () => {
  const base = temp.file("base.sqlite");
  await generate(base, { ...DEFAULTS, rows: 50_000, archived: 0.05, version: 2 });
  const before = await openLocalFile(base);
  const expected = await ids(before);
  await before.close();
  let stormed = 0;
  for (let kill = 0; kill < KILLS; kill++) {
    const path = temp.file(`run-${kill}.sqlite`);
    copyFileSync(base, path);
    const child = spawn(process.execPath, ["--import", "tsx", "test/drills/crash-worker.ts", path, String(kill + 1)], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    // From before the migration ends to well into the storm.
    await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 6000));
    child.kill("SIGKILL");
    const code = await exited;
    expect(code === null || output.trim() === "storm" || output === "", `the worker failed on its own:\n${output}`).toBe(true);
    if (output.includes("storm")) stormed++;
    expect(await check(path, expected), `kill ${kill + 1}`).toEqual([]);
  }
  // Kills landed both in the long moves and in the storm.
  expect(stormed).toBeGreaterThan(0);
  expect(stormed).toBeLessThan(KILLS);
}, 600_000);
