/**
 * The closing line CI reads counts every way a run can fail, not only failed tests: a small suite
 * with one file of each kind (test/fixtures/summary) is run by vitest, and the script's line and
 * exit status are read back.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, test } from "vitest";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..", "..");
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs the fixture suite (or the named files of it) and returns the directory of its reports. */
async function reportsOf(...files: string[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "summary-"));
  dirs.push(dir);
  const vitest = join(ROOT, "node_modules", "vitest", "vitest.mjs");
  // The suite fails on purpose; its reports are what this test reads.
  await run(process.execPath, [vitest, "run", "--config", "test/fixtures/summary/vitest.config.ts", ...files], {
    cwd: ROOT,
    env: { ...process.env, SUMMARY_REPORTS: dir },
  }).catch((error: { code?: number }) => expect(error.code).toBe(1));
  return dir;
}

async function summary(dir: string, ...args: string[]): Promise<{ lines: string[]; status: number }> {
  try {
    const { stdout } = await run(process.execPath, [join(ROOT, "scripts", "test-summary.mjs"), dir, ...args], {
      cwd: ROOT,
    });
    return { lines: stdout.trim().split("\n"), status: 0 };
  } catch (error) {
    const { stdout, code } = error as { stdout: string; code: number };
    return { lines: stdout.trim().split("\n"), status: code };
  }
}

describe("the closing line", () => {
  test("counts a failed test, a failed setup, a failed teardown, a file that does not load and an unhandled error", async () => {
    const { lines, status } = await summary(await reportsOf());
    expect(lines.at(-1)).toBe("tests: 5 passed, 5 failed");
    expect(status).toBe(1);
    const named = (text: string) => lines.filter((line) => line.includes(text));
    expect(named("fails.case.ts > fails")).toHaveLength(1);
    expect(named("setup-fails.case.ts: the server did not start")).toHaveLength(1);
    expect(named("teardown-fails.case.ts: the final integrity check failed")).toHaveLength(1);
    expect(named("does-not-load.case.ts: Cannot find module")).toHaveLength(1);
    expect(named("unhandled Error: nobody awaited this")).toHaveLength(1);
  });

  test("says nothing failed, and exits 0, only when nothing did", async () => {
    const { lines, status } = await summary(await reportsOf("passes.case.ts"));
    expect(lines).toEqual(["tests: 2 passed, 0 failed"]);
    expect(status).toBe(0);
  });

  test("counts a pass that wrote no report, a run that left processes running, a test command that failed with clean reports, and no report at all", async () => {
    const dir = await reportsOf("passes.case.ts");
    writeFileSync(
      join(dir, "processes-left-node20.json"),
      JSON.stringify({ left: [{ pid: 1234, command: "tursodb --sync-server" }] }),
    );
    const { lines, status } = await summary(dir, "--expect", "node20,node24");
    expect(lines.at(-1)).toBe("tests: 2 passed, 2 failed");
    expect(lines.some((line) => line.startsWith("  node24: the pass wrote no report"))).toBe(true);
    expect(lines.some((line) => line.includes("tursodb --sync-server"))).toBe(true);
    expect(status).toBe(1);

    const empty = mkdtempSync(join(tmpdir(), "summary-"));
    dirs.push(empty);
    expect((await summary(await reportsOf("passes.case.ts"), "--status", "1")).lines).toEqual([
      "failed:",
      "  the test command exited 1 with no failure in its reports",
      "tests: 2 passed, 1 failed",
    ]);
    expect(await summary(empty)).toMatchObject({
      lines: ["failed:", expect.stringContaining("no vitest report"), "tests: 0 passed, 1 failed"],
      status: 1,
    });
  });
});
