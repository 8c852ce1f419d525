/** The benchmark harness on 10k rows, so it cannot rot: every figure present and measured. */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { tempDir } from "./contract/fixtures.ts";

const ROOT = join(import.meta.dirname, "..");

it("bench/run --smoke measures every operation, the migration and the server", () => {
  const temp = tempDir("uniqc-bench-");
  try {
    const out = temp.file("smoke.json");
    const run = spawnSync(process.execPath, ["--import", "tsx", "bench/run.ts", "--smoke", "--out", out], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\| core \/ raw \|/);
    const figures = JSON.parse(readFileSync(out, "utf8"));
    const operations = new Set(figures.core.map((row: { operation: string }) => row.operation.replace(/ \(.*\)$/, "")));
    expect([...operations].sort()).toEqual(
      [
        "archive + restore round trip",
        "archive-expired",
        "bulk archive 1,000 scattered ids",
        "counts",
        "deep page offset=50000",
        "get by id",
        "list backend",
        "list newest 100",
        "list newest 100, as objects",
        "list newest 100, page kept",
        "list status and backend",
        "list status=failed",
      ].sort(),
    );
    expect(new Set(figures.core.map((row: { driver: string }) => row.driver)).size).toBe(2);
    for (const row of figures.core) {
      expect(row.coreMs, row.operation).toBeGreaterThan(0);
      expect(row.rawMs, row.operation).toBeGreaterThan(0);
    }
    expect(Object.keys(figures.migration)).toEqual(["v2 → v3", "v3 → v4"]);
    const requests = figures.http.filter((row: { request: string }) => row.request.startsWith("GET"));
    expect(requests).toHaveLength(8);
    expect(
      requests.filter((row: { request: string }) => row.request.endsWith("a different page each request")),
    ).toHaveLength(3);
    for (const row of requests) expect(row.rps, row.request).toBeGreaterThan(0);
    expect(figures.memory.node.peakMiB).toBeGreaterThan(0);
  } finally {
    temp.remove();
  }
});

it("bench/lineage measures every operation on both lineages, and the first open", () => {
  const temp = tempDir("uniqc-bench-");
  try {
    const out = temp.file("lineage.json");
    const run = spawnSync(
      process.execPath,
      ["--import", "tsx", "bench/lineage.ts", "--rows", "3000", "--seconds", "0.02", "--out", out],
      { cwd: ROOT, encoding: "utf8", timeout: 120_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\| uniqc \/ seed \|/);
    const figures = JSON.parse(readFileSync(out, "utf8"));
    expect(figures.table).toHaveLength(10);
    for (const row of figures.table) {
      expect(row.seedMs, row.operation).toBeGreaterThan(0);
      expect(row.uniqcMs, row.operation).toBeGreaterThan(0);
    }
    expect(figures.firstOpenMs).toBeGreaterThan(0);
  } finally {
    temp.remove();
  }
});
