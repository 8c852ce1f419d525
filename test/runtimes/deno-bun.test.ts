/**
 * The behaviour suite under Deno and Bun, each with its own local driver, with libSQL, and on a
 * replica synced with a real Turso sync server.
 * Spawns `test/runtime/run-contract.ts` on each runtime and checks every case passed.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cacheContract } from "../contract/cache-contract.ts";

const root = join(import.meta.dirname, "..", "..");
const runner = "test/runtime/run-contract.ts";
// Four targets; the in-memory one and the replica skip the file cases.
const expected = cacheContract.length * 4 - 2 * cacheContract.filter((c) => c.needsFile).length;

const runtimes = [
  { name: "deno", command: join(root, "node_modules", ".bin", "deno"), args: ["run", "-A", runner], local: "node:sqlite" },
  { name: "bun", command: join(root, "node_modules", ".bin", "bun"), args: [runner], local: "bun:sqlite" },
];

describe.each(runtimes)("$name", ({ command, args, local }) => {
  it(`passes the whole contract on ${local}, libsql file:, libsql :memory: and a synced replica`, () => {
    const result = spawnSync(command, args, { cwd: root, encoding: "utf8", timeout: 120_000 });
    const report = JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "{}");
    expect(report.failures, result.stderr).toEqual([]);
    expect(report.adapters).toEqual([`local file (${local})`, "libsql file:", "libsql :memory:", "turso sync replica"]);
    expect(report.passed).toBe(expected);
    expect(result.status).toBe(0);
  });
});
