/**
 * The behaviour suite under Deno and Bun, each with its own local driver, with libSQL, and on a
 * replica synced with a real Turso sync server; and the shared history's model test.
 * Spawns `test/runtimes/run-contract.ts` and `run-history-model.ts` on each runtime and checks
 * every case passed.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appliesTo, cacheContract } from "../contract/cache-contract.ts";
import { TARGET_SHAPES } from "../contract/targets.ts";

const root = join(import.meta.dirname, "..", "..");
const runner = "test/runtimes/run-contract.ts";
const expected = TARGET_SHAPES.reduce(
  (sum, target) => sum + cacheContract.filter((c) => appliesTo(c, target)).length,
  0,
);

const runtimes = [
  {
    name: "deno",
    command: join(root, "node_modules", ".bin", "deno"),
    args: ["run", "-A", runner],
    local: "node:sqlite",
  },
  { name: "bun", command: join(root, "node_modules", ".bin", "bun"), args: [runner], local: "bun:sqlite" },
];

describe.each(runtimes)("$name", ({ command, args, local }) => {
  // Each waits as long as the child it spawns may run.
  it(`passes the whole contract on ${local}, libsql file:, libsql :memory:, a synced replica, and uniqc-lineage files`, {
    timeout: 120_000,
  }, () => {
    const result = spawnSync(command, args, { cwd: root, encoding: "utf8", timeout: 120_000 });
    const report = JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "{}");
    expect(report.failures, result.stderr).toEqual([]);
    expect(report.adapters).toEqual([
      `local file (${local})`,
      "libsql file:",
      "libsql :memory:",
      "turso sync replica",
      `uniqc lineage v5, local file (${local})`,
      "uniqc lineage v5, libsql file:",
    ]);
    expect(report.passed).toBe(expected);
    expect(result.status).toBe(0);
  });

  it("holds every replica of the shared history to the merge rule's model, on random schedules", {
    timeout: 240_000,
  }, () => {
    const model = args.map((arg) => (arg === runner ? "test/runtimes/run-history-model.ts" : arg));
    const result = spawnSync(command, model, { cwd: root, encoding: "utf8", timeout: 240_000 });
    const report = JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "{}");
    expect(report.failure, result.stderr).toBeNull();
    expect(report.schedules).toBeGreaterThan(0);
    expect(result.status).toBe(0);
  });
});
