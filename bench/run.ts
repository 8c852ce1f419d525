/**
 * Every measurement in one run, on this machine: the core against raw prepared statements on
 * each driver and runtime, the v2 → v3 migration of a large file, and the server over HTTP
 * against a bare Hono route. Prints Markdown tables and writes the figures as JSON.
 *
 *   npx tsx bench/run.ts                 # 1M-row cache, 100k for writes (about ten minutes)
 *   npx tsx bench/run.ts --smoke         # 10k rows, Node only, seconds: keeps the harness from rotting
 */
import { spawnSync } from "node:child_process";
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { openConnection } from "../adapters/open.ts";
import { MIGRATIONS, createTaskCache } from "../core/index.ts";
import { DEFAULTS, generate } from "../harness/generate.ts";
import { measureHttp, type HttpRow } from "./lib/http.ts";
import { benchArgs } from "./lib/args.ts";

const ROOT = join(import.meta.dirname, "..");
const { values } = benchArgs(import.meta.filename, {
  smoke: { type: "boolean" },
  rows: { type: "string" },
  "write-rows": { type: "string" },
  seconds: { type: "string" },
  "http-seconds": { type: "string" },
  runtimes: { type: "string" },
  "http-runtimes": { type: "string" },
  out: { type: "string" },
  fresh: { type: "boolean" },
});
const smoke = values.smoke ?? false;
const rows = Number(values.rows ?? (smoke ? 10_000 : 1_000_000));
const writeRows = Number(values["write-rows"] ?? (smoke ? 10_000 : 100_000));
const seconds = values.seconds ?? (smoke ? "0.02" : "1");
const httpSeconds = Number(values["http-seconds"] ?? (smoke ? 1 : 5));
const runtimes = (values.runtimes ?? (smoke ? "node" : "node,node24,deno,bun")).split(",");
const httpRuntimes = (values["http-runtimes"] ?? (smoke ? "node" : "node,deno,bun")).split(",") as (
  | "node"
  | "deno"
  | "bun"
)[];
const memoryRequests = smoke ? 2_000 : 100_000;
const outDir = join(ROOT, "bench", "out");
mkdirSync(outDir, { recursive: true });
const out = values.out ?? join(outDir, smoke ? "smoke.json" : "results.json");

async function cacheFile(name: string, count: number, version = MIGRATIONS.length): Promise<string> {
  const path = join(outDir, name);
  if (values.fresh || smoke || !existsSync(path)) {
    const made = await generate(path, { ...DEFAULTS, rows: count, archived: 0.095, version });
    console.error(`generated ${name}: ${count} rows in ${made.seconds.toFixed(1)} s`);
  }
  return path;
}

const readFile = await cacheFile(`read-${rows}.sqlite`, rows);
const writeFile = await cacheFile(`write-${writeRows}.sqlite`, writeRows);

/** How to run a TypeScript file on each runtime of the core measurements. */
const LAUNCH: Record<string, string[]> = {
  node: [process.execPath, "--import", "tsx"],
  node24: [process.execPath, join(ROOT, "scripts", "node24.mjs"), "--import", "tsx"],
  deno: [join(ROOT, "node_modules", ".bin", "deno"), "run", "-A"],
  bun: [join(ROOT, "node_modules", ".bin", "bun")],
};

interface CoreRow {
  runtime: string;
  driver: string;
  operation: string;
  coreMs: number;
  rawMs: number;
}
const core: CoreRow[] = [];
for (const runtime of runtimes) {
  const [command, ...args] = LAUNCH[runtime]!;
  const result = spawnSync(
    command!,
    [...args, "bench/lib/core-ops.ts", "--file", readFile, "--scratch", writeFile, "--seconds", seconds],
    {
      cwd: ROOT,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (result.status !== 0) throw new Error(`core-ops on ${runtime} failed:\n${result.stderr}`);
  core.push(...(JSON.parse(result.stdout.trim().split("\n").at(-1)!) as CoreRow[]));
  console.error(`core operations measured on ${runtime}`);
}

// The v2 → v3 step alone (ALTER TABLE ADD COLUMN twice), then v4 (indexes and counters), on a
// copy: migrating the generated file itself would leave nothing to migrate next time.
const v2File = await cacheFile(`v2-${rows}.sqlite`, rows, 2);
const migrating = `${v2File}.migrating`;
const removeMigrating = () => {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${migrating}${suffix}`, { force: true });
};
removeMigrating();
copyFileSync(v2File, migrating);
// A file at rest, as a user's is: otherwise the first fsync of the migration waits for the
// kernel to write out the whole fresh copy.
const settled = openSync(migrating, "r+");
fsyncSync(settled);
closeSync(settled);
const migration: Record<string, number> = {};
for (const [step, migrations] of [
  ["v2 → v3", MIGRATIONS.slice(0, 3)],
  ["v3 → v4", MIGRATIONS],
] as const) {
  const start = performance.now();
  const cache = await createTaskCache(await openConnection(migrating), { migrations });
  migration[step] = performance.now() - start;
  if (cache.info.applied.length !== 1) throw new Error(`${step} applied ${cache.info.applied.join(", ") || "nothing"}`);
  await cache.close();
}
removeMigrating();
console.error("migrations measured");

const http: HttpRow[] = [];
const memory: Record<string, Record<string, number>> = {};
for (const runtime of httpRuntimes) {
  const measured = await measureHttp(runtime, { readFile, writeFile, seconds: httpSeconds, memoryRequests });
  http.push(...measured.rows);
  memory[runtime] = measured.memory;
  console.error(`HTTP measured on ${runtime}`);
}

const fmt = (n: number, digits = 2) =>
  n.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const lines = [
  `Cache: ${rows.toLocaleString("en")} tasks (9.5 % archived) for reads, ${writeRows.toLocaleString("en")} for writes.`,
  "",
  "| runtime | driver | operation | core ms | raw ms | core / raw |",
  "| --- | --- | --- | ---: | ---: | ---: |",
  ...core.map(
    (r) =>
      `| ${r.runtime} | ${r.driver} | ${r.operation} | ${fmt(r.coreMs, 3)} | ${fmt(r.rawMs, 3)} | ${fmt(r.coreMs / r.rawMs)} |`,
  ),
  "",
  "| migration of the read cache | ms |",
  "| --- | ---: |",
  ...Object.entries(migration).map(([step, ms]) => `| ${step} | ${fmt(ms, 0)} |`),
  "",
  "| runtime | request | req/s | p50 ms | p99 ms | / its floor (bare Hono, or the floor row above it) |",
  "| --- | --- | ---: | ---: | ---: | ---: |",
  ...http.map(
    (r) =>
      `| ${r.runtime} | ${r.request} | ${r.rps ? fmt(r.rps, 0) : "–"} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${r.floorRps ? fmt(r.rps / r.floorRps) : ""} |`,
  ),
  "",
  `| runtime | server RSS before ${memoryRequests.toLocaleString("en")} requests MiB | after MiB | peak MiB | anonymous before MiB | anonymous after MiB |`,
  "| --- | ---: | ---: | ---: | ---: | ---: |",
  ...Object.entries(memory).map(
    ([runtime, m]) =>
      `| ${runtime} | ${fmt(m.rssBeforeMiB!, 0)} | ${fmt(m.rssAfterMiB!, 0)} | ${fmt(m.peakMiB!, 0)} | ${fmt(m.anonBeforeMiB!, 0)} | ${fmt(m.anonAfterMiB!, 0)} |`,
  ),
];
console.log(lines.join("\n"));
writeFileSync(out, JSON.stringify({ rows, writeRows, core, migration, http, memory }, null, 2));
console.error(`figures written to ${out}`);
