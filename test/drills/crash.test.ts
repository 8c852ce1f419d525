/**
 * The crash drill: a child process works on a 50,000-task file (see crash-worker.ts) and is
 * killed with SIGKILL at a random moment. After each kill the file must pass SQLite's integrity
 * check, its header must agree with its tables, every counter must equal a recount, every task
 * must be in exactly one table, and the set of ids must be the one it started with.
 * `UNIQC_DRILL_KILLS` sets how many kills (20 here; the long form in DRILLS.md runs 500).
 */
import { spawn } from "node:child_process";
import { copyFileSync, rmSync } from "node:fs";
import { afterAll, expect, it } from "vitest";
import { openLocalFile } from "../../adapters/local-file.ts";
import { DEFAULTS, generate } from "../../harness/generate.ts";
import { tempDir } from "../contract/fixtures.ts";
import { ROOT } from "../../harness/server-process.ts";
import { fileProblems, taskIds } from "./invariants.ts";

const KILLS = Number(process.env.UNIQC_DRILL_KILLS ?? 20);
const temp = tempDir("uniqc-crash-");
afterAll(() => temp.remove());

/** Everything that must hold after a kill; returns what was wrong, empty when nothing. */
async function check(path: string, expected: readonly string[]): Promise<string[]> {
  const c = await openLocalFile(path);
  try {
    const problems = await fileProblems(c);
    const found = await taskIds(c);
    if (found.length !== expected.length || found.some((id, i) => id !== expected[i]))
      problems.push(`ids: ${found.length} found, ${expected.length} expected`);
    return problems;
  } finally {
    await c.close();
  }
}

it(
  `survives ${KILLS} kills at random moments with every task, once, and every counter right`,
  async () => {
    const base = temp.file("base.sqlite");
    await generate(base, { ...DEFAULTS, rows: 50_000, archived: 0.05, version: 2 });
    const before = await openLocalFile(base);
    const expected = await taskIds(before);
    await before.close();
    let stormed = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      const path = temp.file(`run-${kill}.sqlite`);
      copyFileSync(base, path);
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "test/drills/crash-worker.ts", path, String(kill + 1)],
        { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
      );
      let output = "";
      child.stdout.on("data", (chunk) => (output += chunk));
      child.stderr.on("data", (chunk) => (output += chunk));
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      // From before the migration ends to well into the storm.
      await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 6000));
      child.kill("SIGKILL");
      const code = await exited;
      expect(
        code === null || output.trim() === "storm" || output === "",
        `the worker failed on its own:\n${output}`,
      ).toBe(true);
      if (output.includes("storm")) stormed++;
      expect(await check(path, expected), `kill ${kill + 1}`).toEqual([]);
      // A file that passed is of no more use; 500 of them would fill a disk.
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
    }
    // Kills landed both in the long moves and in the storm.
    expect(stormed).toBeGreaterThan(0);
    expect(stormed).toBeLessThan(KILLS);
    // A kill comes within 6.3 s and its checks take a few more.
  },
  KILLS * 15_000 + 60_000,
);
