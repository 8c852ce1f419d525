/**
 * Retention under contention: `uniqc-cache maintain` moves tens of thousands of tasks while a
 * Python process writes a task every 10 ms as the Python package does. No Python write may fail.
 * (At a million tasks, the same run is in bench/retention.ts.)
 */
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { DEFAULTS, generate } from "../../bench/generate.ts";
import { tempDir } from "../contract/fixtures.ts";
import { ROOT } from "../server/server-process.ts";
import { cli } from "./cli-process.ts";

const temp = tempDir("uniqc-retention-");
afterAll(() => temp.remove());

it("maintain archives and purges in short transactions while the Python package writes every 10 ms, and none of its writes fails", async () => {
  const db = temp.file("tasks.sqlite");
  await generate(db, { ...DEFAULTS, rows: 40_000, archived: 0.1 });
  const stop = temp.file("stop");
  const writer = spawn("python3", [join(ROOT, "test/fixtures/steady_writer.py"), db, stop, "10"], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  writer.stdout.on("data", (chunk) => (output += chunk));
  const finished = new Promise((resolve) => writer.once("exit", resolve));
  try {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const run = cli(["--db", db, "--json", "maintain", "--archive-after", "1h", "--purge-after", "0h"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.archived).toBeGreaterThan(30_000);
    expect(run.json.purged).toBeGreaterThan(30_000);
    expect(run.json.transactions).toBeGreaterThan(60);
    // Long enough for the writer to have had to wait for the lock many times.
    expect(run.json.took_ms).toBeGreaterThan(1000);
  } finally {
    writeFileSync(stop, "");
    await finished;
  }
  const report = JSON.parse(output.trim());
  expect(report.failures, JSON.stringify(report.errors)).toBe(0);
  expect(report.writes).toBeGreaterThan(50);
  expect(report.longest_wait_ms).toBeLessThan(5000);
  expect(existsSync(stop)).toBe(true);
});
