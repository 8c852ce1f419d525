/**
 * The command line and the client at a million tasks, in one run:
 *
 * - retention under contention: `maintain` archives several hundred thousand tasks while a Python
 *   process writes a task every 10 ms as the Python package does, next to the same move made in
 *   one transaction; what the writer saw (failures, its longest wait) and the longest write-lock
 *   hold;
 * - `uniqc-cache export` and `import` of every row: time and peak memory of the process;
 * - the typed client against a raw `fetch` of the same request, on the same server.
 *
 *   npx tsx bench/maintenance.ts                  # 1M tasks, a few minutes
 *   npx tsx bench/maintenance.ts --rows 50000     # quicker
 */
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openCache } from "../adapters/open.ts";
import { openCacheClient } from "../apps/client/client.ts";
import { createApp } from "../apps/server/app.ts";
import { listenNode } from "../apps/server/listeners.ts";
import { DEFAULTS, generate } from "../harness/generate.ts";
import { meanMs } from "./lib/mean-time.ts";
import { benchArgs } from "./lib/args.ts";

const ROOT = join(import.meta.dirname, "..");
const { values } = benchArgs(import.meta.filename, {
  rows: { type: "string" },
  out: { type: "string" },
  "skip-retention": { type: "boolean" },
});
const rows = Number(values.rows ?? 1_000_000);
const outDir = join(ROOT, "bench", "out");
mkdirSync(outDir, { recursive: true });
const out = values.out ?? join(outDir, "maintenance.json");
const remove = (path: string) => {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
};
const now = () => new Date("2026-11-01T00:00:00Z");

const base = join(outDir, `maintenance-${rows}.sqlite`);
await generate(base, { ...DEFAULTS, rows, archived: 0.095 });
console.error(`generated ${rows} tasks`);

/** Runs `work` while the Python writer writes every 10 ms; returns both results. */
async function underContention<T>(db: string, work: () => Promise<T>) {
  const stop = `${db}.stop`;
  rmSync(stop, { force: true });
  const writer = spawn("python3", [join(ROOT, "test/fixtures/steady_writer.py"), db, stop, "10"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let text = "";
  writer.stdout.on("data", (chunk) => (text += chunk));
  const exited = new Promise((resolve) => writer.once("exit", resolve));
  await new Promise((resolve) => setTimeout(resolve, 500));
  const started = performance.now();
  const result = await work();
  const ms = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 500));
  writeFileSync(stop, "");
  await exited;
  rmSync(stop, { force: true });
  return {
    result,
    ms,
    writer: JSON.parse(text.trim()) as { writes: number; failures: number; longest_wait_ms: number; errors: string[] },
  };
}

// 30 days: most of the file's 90 days of finished tasks.
const HOURS = 24 * 30;

/** `maintain` next to the same move in one transaction, each on its own copy, under the writer. */
async function measureRetention() {
  const shortFile = join(outDir, "maintenance-short.sqlite");
  const longFile = join(outDir, "maintenance-long.sqlite");
  for (const copy of [shortFile, longFile]) {
    remove(copy);
    copyFileSync(base, copy);
  }
  const short = await underContention(shortFile, async () => {
    const cache = await openCache(shortFile, { clock: now });
    try {
      return await cache.maintain({ archiveAfterHours: HOURS });
    } finally {
      await cache.close();
    }
  });
  console.error("maintain measured");
  const long = await underContention(longFile, async () => {
    const cache = await openCache(longFile, { clock: now });
    try {
      return (await cache.archiveExpired({ hours: HOURS })).archived.length;
    } finally {
      await cache.close();
    }
  });
  console.error("one-transaction move measured");
  remove(shortFile);
  remove(longFile);
  return { short, long };
}
const retention = values["skip-retention"] ? undefined : await measureRetention();

const HEAP_MIB = 64;

/** Runs the program and samples its peak resident memory (VmHWM) until it exits. */
async function measured(args: string[]) {
  // A small heap: a program that held the rows would run out of it long before a million.
  const child = spawn(
    process.execPath,
    [`--max-old-space-size=${HEAP_MIB}`, "--import", "tsx", "apps/cli/main.ts", ...args],
    {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  let peakKiB = 0;
  let anonKiB = 0;
  const sample = () => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      peakKiB = Math.max(peakKiB, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
      // Without the file's pages that SQLite maps (mmap_size, 256 MiB at most): what the process holds.
      anonKiB = Math.max(anonKiB, Number(/RssAnon:\s+(\d+)/.exec(status)?.[1] ?? 0));
    } catch {
      // Gone already.
    }
  };
  const timer = setInterval(sample, 20);
  const started = performance.now();
  const code = await new Promise((resolve) => child.once("exit", resolve));
  clearInterval(timer);
  if (code !== 0) throw new Error(`uniqc-cache ${args.join(" ")} exited with ${code}`);
  return {
    seconds: (performance.now() - started) / 1000,
    peakMiB: Math.round(peakKiB / 1024),
    anonMiB: Math.round(anonKiB / 1024),
  };
}
const exportFile = join(outDir, "maintenance-export.ndjson");
const importDb = join(outDir, "maintenance-import.sqlite");
remove(importDb);
const exported = await measured(["--db", base, "export", "--out", exportFile]);
const imported = await measured(["--db", importDb, "import", exportFile]);
const lines = spawnSync("wc", ["-l", exportFile], { encoding: "utf8" }).stdout.trim().split(" ")[0];
rmSync(exportFile, { force: true });
remove(importDb);
console.error("export and import measured");

// The client next to a raw fetch: one task, and a page of 100, on the same server.
const cache = await openCache(base);
const server = await listenNode(createApp(cache, { version: "0.0.0", runtime: "node" }).fetch, {
  host: "127.0.0.1",
  port: 0,
});
const url = `http://127.0.0.1:${server.port}`;
const client = await openCacheClient({ url });
const [first] = (await cache.list({ limit: 1 })).tasks;
const id = first!.task_id;
const clientRows = [
  {
    request: "one task (GET /api/tasks/{id})",
    client: await meanMs(() => client.get(id), 2000),
    raw: await meanMs(() => fetch(`${url}/api/tasks/${id}`).then((r) => r.json()), 2000),
  },
  {
    request: "a page of 100 (GET /api/tasks?limit=100)",
    client: await meanMs(() => client.list({ limit: 100 }), 2000),
    raw: await meanMs(() => fetch(`${url}/api/tasks?limit=100`).then((r) => r.json()), 2000),
  },
];
await server.close();
await cache.close();
remove(base);

const fmt = (n: number, digits = 3) =>
  n.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const report = [
  `${rows.toLocaleString("en")} tasks; a Python writer upserts a task every 10 ms, a new connection each time (Python's default 5 s busy timeout).`,
  "",
  ...(retention
    ? [
        "| archiving the finished tasks older than 30 days | tasks moved | took s | transactions | longest lock hold ms | Python writes | failed | Python's longest wait ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        `| \`maintain\` (1,000 a transaction, 100 ms apart) | ${retention.short.result.archived.toLocaleString("en")} | ${fmt(retention.short.ms / 1000, 1)} | ${retention.short.result.transactions} | ${fmt(retention.short.result.longest_transaction_ms, 1)} | ${retention.short.writer.writes} | ${retention.short.writer.failures} | ${fmt(retention.short.writer.longest_wait_ms, 1)} |`,
        `| \`archiveExpired\` in one transaction | ${retention.long.result.toLocaleString("en")} | ${fmt(retention.long.ms / 1000, 1)} | 1 | ${fmt(retention.long.ms, 0)} | ${retention.long.writer.writes} | ${retention.long.writer.failures} | ${fmt(retention.long.writer.longest_wait_ms, 1)} |`,
        "",
      ]
    : []),
  `| command (Node, \`--max-old-space-size=${HEAP_MIB}\`) | rows | took s | peak RSS MiB | peak anonymous MiB |`,
  "| --- | ---: | ---: | ---: | ---: |",
  `| \`uniqc-cache export\` (NDJSON to a file) | ${Number(lines).toLocaleString("en")} | ${fmt(exported.seconds, 1)} | ${exported.peakMiB} | ${exported.anonMiB} |`,
  `| \`uniqc-cache import\` (into an empty file, 1,000 a transaction) | ${Number(lines).toLocaleString("en")} | ${fmt(imported.seconds, 1)} | ${imported.peakMiB} | ${imported.anonMiB} |`,
  "",
  "| request | client ms | raw fetch ms | client / raw |",
  "| --- | ---: | ---: | ---: |",
  ...clientRows.map(
    (row) => `| ${row.request} | ${fmt(row.client)} | ${fmt(row.raw)} | ${(row.client / row.raw).toFixed(2)} |`,
  ),
];
console.log(report.join("\n"));
writeFileSync(out, JSON.stringify({ rows, retention, exported, imported, clientRows }, null, 2));
