/**
 * A file of the uniqc package's own lineage against one of the seed's, with the same tasks, in
 * one run: every listing and count through the core on each, and their ratio; what opening such
 * a file the first time costs (this cache adds its own indexes and counters); and an archive
 * round trip, which on that lineage moves the task's shard too.
 *
 *   npx tsx bench/lineage.ts                  # 1M tasks, about two minutes
 *   npx tsx bench/lineage.ts --rows 10000 --seconds 0.05 --out /tmp/lineage.json
 *
 * The uniqc file is the seed-era v2 file taken through that package's v3 to v5 by
 * `test/fixtures/uniqc_store.py`, with one shard per task, as its v5 step leaves them.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { openConnection } from "../adapters/open.ts";
import { createTaskCache, type TaskCache } from "../core/index.ts";
import { uniqcStore } from "../harness/uniqc.ts";
import { DEFAULTS, generate } from "../harness/generate.ts";
import { meanMs } from "./lib/mean-time.ts";
import { benchArgs } from "./lib/args.ts";

const { values } = benchArgs(import.meta.filename, {
  rows: { type: "string" },
  seconds: { type: "string" },
  out: { type: "string" },
});
const rows = Number(values.rows ?? 1_000_000);
const budgetMs = Number(values.seconds ?? 1) * 1000;
const out = values.out ?? join(import.meta.dirname, "out", "lineage.json");
const outDir = dirname(out);
mkdirSync(outDir, { recursive: true });
const remove = (path: string) => {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
};

const seedFile = join(outDir, `lineage-seed-${rows}.sqlite`);
const uniqcFile = join(outDir, `lineage-uniqc-${rows}.sqlite`);
await generate(seedFile, { ...DEFAULTS, rows, archived: 0.095 });
await generate(uniqcFile, { ...DEFAULTS, rows, archived: 0.095, version: 2 });
uniqcStore(uniqcFile);
const shards = await openConnection(uniqcFile);
for (const [parents, table, extra] of [
  ["tasks", "task_shards", ""],
  ["archived_tasks", "archived_task_shards", ", archived_at"],
] as const) {
  await shards.run(
    `INSERT INTO ${table} (uniqc_task_id, shard_index, platform_task_id, backend, circuit_count, sub_index_offset, status, result_json, error_message, submit_time, update_time${extra})
     SELECT task_id, 0, 'job-' || substr(task_id, 5, 12), backend, 1, 0, status, result_json, NULL, submit_time, update_time${extra} FROM ${parents}`,
  );
}
await shards.run("ANALYZE");
await shards.close();
console.error(`generated ${rows} tasks on each lineage`);

// The first open adds this cache's objects: the listing indexes and the recounted counters.
let started = performance.now();
await (await createTaskCache(await openConnection(uniqcFile))).close();
const firstOpenMs = performance.now() - started;
started = performance.now();
await (await createTaskCache(await openConnection(uniqcFile))).close();
const laterOpenMs = performance.now() - started;

const backend = "ibm:ibm_kyiv";
const reads: [string, (cache: TaskCache) => Promise<unknown>][] = [
  ["list newest 100", (c) => c.listText({ limit: 100 })],
  ["list status=failed", (c) => c.listText({ status: "failed", limit: 100 })],
  ["list backend", (c) => c.listText({ backend, limit: 100 })],
  ["list status and backend", (c) => c.listText({ status: "failed", backend, limit: 100 })],
  ["list with the archive", (c) => c.listText({ includeArchived: true, limit: 100 })],
  ["archive listing", (c) => c.listArchivedText({ limit: 100 })],
  ["deep page offset=50000", (c) => c.listText({ limit: 100, offset: 50_000 })],
  ["counts", (c) => c.counts()],
  ["archive count", (c) => c.countArchived()],
];

const open = (path: string) =>
  openConnection(path).then((connection) => createTaskCache(connection, { keepPages: false }));
const seed = await open(seedFile);
const uniqc = await open(uniqcFile);
const table: { operation: string; seedMs: number; uniqcMs: number }[] = [];
try {
  for (const [operation, read] of reads) {
    table.push({
      operation,
      seedMs: await meanMs(() => read(seed), budgetMs),
      uniqcMs: await meanMs(() => read(uniqc), budgetMs),
    });
  }
  const roundTrip = async (cache: TaskCache) => {
    const [first] = (await cache.list({ limit: 1 })).tasks;
    return meanMs(async () => {
      await cache.archive(first!.task_id);
      await cache.restore(first!.task_id);
    }, budgetMs);
  };
  table.push({
    operation: "archive + restore round trip",
    seedMs: await roundTrip(seed),
    uniqcMs: await roundTrip(uniqc),
  });
} finally {
  await seed.close();
  await uniqc.close();
}

const fmt = (n: number) => n.toLocaleString("en", { maximumFractionDigits: 3, minimumFractionDigits: 3 });
const lines = [
  `${rows.toLocaleString("en")} tasks, 9.5 % archived; the uniqc-lineage file has one shard per task.`,
  "",
  `First open of the uniqc-lineage file (adds the tscache_ indexes and counters): ${fmt(firstOpenMs)} ms; later opens: ${fmt(laterOpenMs)} ms.`,
  "",
  "| operation | seed lineage ms | uniqc lineage ms | uniqc / seed |",
  "| --- | ---: | ---: | ---: |",
  ...table.map(
    (row) =>
      `| ${row.operation} | ${fmt(row.seedMs)} | ${fmt(row.uniqcMs)} | ${(row.uniqcMs / row.seedMs).toFixed(2)} |`,
  ),
];
console.log(lines.join("\n"));
writeFileSync(out, JSON.stringify({ rows, firstOpenMs, laterOpenMs, table }, null, 2));
remove(seedFile);
remove(uniqcFile);
