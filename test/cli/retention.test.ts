/**
 * Retention under contention: `uniqc-cache maintain` moves tens of thousands of tasks while a
 * Python process writes a task every 10 ms as the Python package does. No Python write may fail.
 * (At a million tasks, the same run is in bench/retention.ts.)
 */
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { DEFAULTS, generate } from "../../harness/generate.ts";
import { tempDir } from "../contract/fixtures.ts";
import { ROOT } from "../../harness/server-process.ts";
import { cli } from "./cli-process.ts";

const temp = tempDir("uniqc-retention-");
afterAll(() => temp.remove());

/** What "short" means for a transaction of 1,000 tasks (docs/cli.md, maintain): far below Python's 5 s give-up. */
const MAX_TRANSACTION_MS = 500;
const WRITE_MARGIN_MS = 200;

it("maintain archives and purges in short transactions while the Python package writes every 10 ms, and none of its writes fails", async () => {
  const db = temp.file("tasks.sqlite");
  await generate(db, { ...DEFAULTS, rows: 40_000, archived: 0.1 });
  const stop = temp.file("stop");
  let longestTransactionMs = Number.POSITIVE_INFINITY;
  const writer = spawn("python3", [join(ROOT, "test/fixtures/steady_writer.py"), db, stop, "10"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
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
    longestTransactionMs = run.json.longest_transaction_ms;
  } finally {
    writeFileSync(stop, "");
    await finished;
  }
  const report = JSON.parse(output.trim());
  expect(report.failures, JSON.stringify(report.errors)).toBe(0);
  expect(report.writes).toBeGreaterThan(50);
  // The bounds docs/cli.md gives: transactions of 1,000 tasks, each short, and a writer in SQLite's busy
  // handler (naps of at most 100 ms) gets the lock within one of them. The writer's own connect
  // and commit take the rest of the margin.
  expect(longestTransactionMs).toBeLessThan(MAX_TRANSACTION_MS);
  expect(report.longest_wait_ms).toBeLessThan(longestTransactionMs + 100 + WRITE_MARGIN_MS);
  expect(existsSync(stop)).toBe(true);
});
