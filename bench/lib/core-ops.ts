/**
 * Each operation through the core, and the same work as prepared statements on the same
 * connection with no core around it, in one run on this runtime. Prints one JSON line.
 *
 *   npx tsx bench/lib/core-ops.ts --file bench/out/1m.sqlite --scratch bench/out/100k.sqlite
 *   deno run -A bench/lib/core-ops.ts …    bun bench/lib/core-ops.ts …
 *
 * `--file` is read only; the writes (archive round trip, bulk archive, archive-expired) run on
 * copies of `--scratch`. "raw" is the adapter's connection: the driver's prepared statement and
 * its rows, without validation, row mapping or JSON parsing. The core keeps no listing pages
 * here, so every call does the query, except in the one row named "page kept".
 */
import { copyFileSync, rmSync } from "node:fs";
import process from "node:process";
import { openLibsql } from "../../adapters/libsql.ts";
import { openLocalFile } from "../../adapters/local-file.ts";
import { createTaskCache, type Connection, type TaskCache } from "../../core/index.ts";
import { meanMs } from "./mean-time.ts";
import { COPY, rawArchive, rawRestore, rawTransaction } from "./raw-moves.ts";
import { benchArgs } from "./args.ts";

const { values } = benchArgs(import.meta.filename, {
  file: { type: "string" },
  scratch: { type: "string" },
  seconds: { type: "string" },
});
const file = values.file!;
const scratch = values.scratch ?? file;
const budgetMs = Number(values.seconds ?? 1) * 1000;
const runtime =
  "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : `node${process.versions.node.split(".")[0]}`;

const measure = (fn: () => Promise<unknown>) => meanMs(fn, budgetMs);

const SUMMARY =
  "task_id, backend, status, shots, submit_time, update_time, result_json IS NOT NULL AS has_result, metadata_json, NULL AS archived_at";
const ORDER = "ORDER BY submit_time DESC, task_id DESC";
const total = (where: string) => `SELECT COALESCE(SUM(n), 0) AS n FROM task_counts WHERE tbl = 'tasks'${where}`;

interface Operation {
  name: string;
  /** Timed on a cache that keeps listing pages, where the others keep none. */
  kept?: boolean;
  core: (cache: TaskCache) => Promise<unknown>;
  raw: (db: Connection) => Promise<unknown>;
}

function readOperations(ids: string[], backend: string): Operation[] {
  let i = 0;
  const nextId = () => ids[i++ % ids.length]!;
  const listing =
    (where: string, args: (string | number)[], offset: number, filter: string) => async (db: Connection) =>
      Promise.all([
        db.all(
          `SELECT ${SUMMARY} FROM tasks ${where ? `WHERE ${where}` : ""} ${ORDER} LIMIT 100 OFFSET ${offset}`,
          args,
        ),
        db.all(total(filter), args),
      ]);
  // Listings are timed as the server asks for them: the page as JSON text, which SQLite writes.
  return [
    { name: "list newest 100", core: (c) => c.listText({ limit: 100 }), raw: listing("", [], 0, "") },
    { name: "list newest 100, as objects", core: (c) => c.list({ limit: 100 }), raw: listing("", [], 0, "") },
    {
      name: "list newest 100, page kept",
      kept: true,
      core: (c) => c.listText({ limit: 100 }),
      raw: listing("", [], 0, ""),
    },
    {
      name: "list status=failed",
      core: (c) => c.listText({ status: "failed", limit: 100 }),
      raw: listing("status = ?", ["failed"], 0, " AND status = ?"),
    },
    {
      name: "list backend",
      core: (c) => c.listText({ backend, limit: 100 }),
      raw: listing("backend = ?", [backend], 0, " AND backend = ?"),
    },
    {
      name: "list status and backend",
      core: (c) => c.listText({ status: "failed", backend, limit: 100 }),
      raw: listing("status = ? AND backend = ?", ["failed", backend], 0, " AND status = ? AND backend = ?"),
    },
    {
      name: "deep page offset=50000",
      core: (c) => c.listText({ limit: 100, offset: 50_000 }),
      raw: listing("", [], 50_000, ""),
    },
    {
      name: "counts",
      core: (c) => c.counts(),
      raw: (db) => db.all("SELECT status, SUM(n) AS n FROM task_counts WHERE tbl = 'tasks' GROUP BY status"),
    },
    {
      name: "get by id",
      core: (c) => c.get(nextId()),
      raw: (db) => db.all("SELECT *, NULL AS archived_at FROM tasks WHERE task_id = ?", [nextId()]),
    },
  ];
}

/** Writes on a fresh copy of the scratch file each time, so every run starts from the same state. */
async function writeOperations(open: (path: string) => Promise<Connection>, label: string) {
  const results: Record<string, { core: number; raw: number }> = {};
  const copy = `${scratch}.${label}.${runtime}.tmp`;
  const fresh = () => {
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${copy}${suffix}`, { force: true });
    copyFileSync(scratch, copy);
  };
  try {
    fresh();
    const cache = await createTaskCache(await open(copy), { keepPages: false });
    const raw = await open(copy);
    const [{ task_id: id } = { task_id: "" }] = await raw.all<{ task_id: string }>(
      "SELECT task_id FROM tasks ORDER BY submit_time DESC LIMIT 1",
    );
    results["archive + restore round trip"] = {
      core: await measure(async () => {
        await cache.archive(id);
        await cache.restore(id);
      }),
      raw: await measure(async () => {
        await rawArchive(raw, id);
        await rawRestore(raw, id);
      }),
    };
    // Ten disjoint sets of 1,000 ids scattered over the table, alternately moved by the core and by
    // the raw statements, each after a checkpoint so that neither pays for the other's WAL.
    const active = (await raw.all<{ task_id: string }>("SELECT task_id FROM tasks ORDER BY task_id")).map(
      (r) => r.task_id,
    );
    const step = Math.max(10, Math.floor(active.length / 1000));
    const sets = Array.from({ length: 10 }, (_, k) => active.filter((_, i) => i % step === k).slice(0, 1000));
    const timedOnce = async (fn: () => Promise<unknown>) => {
      const start = performance.now();
      await fn();
      return performance.now() - start;
    };
    const afterCheckpoint = async (fn: () => Promise<unknown>) => {
      await raw.all("PRAGMA wal_checkpoint(TRUNCATE)");
      return timedOnce(fn);
    };
    const bulkCore: number[] = [];
    const bulkRaw: number[] = [];
    for (const [k, set] of sets.entries()) {
      const json = JSON.stringify(set);
      if (k % 2 === 0) bulkCore.push(await afterCheckpoint(() => cache.bulkArchive(set)));
      else
        bulkRaw.push(
          await afterCheckpoint(() =>
            rawTransaction(raw, async (tx) => {
              await tx.run(
                `INSERT INTO archived_tasks (${COPY}, archived_at) SELECT ${COPY}, '2026-11-01T00:00:00.000000+00:00' FROM tasks WHERE task_id IN (SELECT value FROM json_each(?))`,
                [json],
              );
              await tx.run("DELETE FROM tasks WHERE task_id IN (SELECT value FROM json_each(?))", [json]);
            }),
          ),
        );
    }
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    results["bulk archive 1,000 scattered ids (median of 5)"] = { core: median(bulkCore), raw: median(bulkRaw) };
    await cache.close();
    await raw.close();

    // archive-expired moves most of the file once; each side gets its own fresh copy.
    fresh();
    const expiring = await createTaskCache(await open(copy), { clock: () => new Date("2026-11-01T00:00:00Z") });
    let moved = 0;
    const expiredCore = await timedOnce(
      async () => (moved = (await expiring.archiveExpired({ hours: 72 * 8 })).archived.length),
    );
    await expiring.close();
    fresh();
    const rawExpiring = await open(copy);
    const cutoff = "2026-10-08T00:00:00.000000+00:00";
    const where = "submit_time < ? AND status IN ('success', 'failed', 'cancelled')";
    const expiredRaw = await timedOnce(() =>
      rawTransaction(rawExpiring, async (tx) => {
        await tx.run(
          `INSERT INTO archived_tasks (${COPY}, archived_at) SELECT ${COPY}, '2026-11-01T00:00:00.000000+00:00' FROM tasks WHERE ${where}`,
          [cutoff],
        );
        await tx.all(`DELETE FROM tasks WHERE ${where} RETURNING task_id`, [cutoff]);
        await tx.all(
          "SELECT task_id FROM tasks WHERE submit_time < ? AND status NOT IN ('success', 'failed', 'cancelled')",
          [cutoff],
        );
      }),
    );
    await rawExpiring.close();
    results[`archive-expired (${moved.toLocaleString("en")} moved)`] = { core: expiredCore, raw: expiredRaw };
  } finally {
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${copy}${suffix}`, { force: true });
  }
  return results;
}

const drivers: { label: string; open: (path: string) => Promise<Connection> }[] = [
  { label: "local", open: (path) => openLocalFile(path) },
  { label: "libsql", open: async (path) => openLibsql({ url: `file:${path}` }) },
];

const report: { runtime: string; driver: string; operation: string; coreMs: number; rawMs: number }[] = [];
for (const { label, open } of drivers) {
  const cache = await createTaskCache(await open(file), { keepPages: false });
  const keeping = await createTaskCache(await open(file));
  const raw = await open(file);
  const driver = label === "local" ? cache.info.capabilities.adapter : "libsql";
  const ids = (
    await raw.all<{ task_id: string }>("SELECT task_id FROM tasks ORDER BY task_id LIMIT 1000 OFFSET 1000")
  ).map((r) => r.task_id);
  const [{ backend } = { backend: "" }] = await raw.all<{ backend: string }>(
    "SELECT backend FROM task_counts WHERE tbl = 'tasks' ORDER BY n DESC LIMIT 1",
  );
  for (const op of readOperations(ids, backend)) {
    const subject = op.kept ? keeping : cache;
    report.push({
      runtime,
      driver,
      operation: op.name,
      coreMs: await measure(() => op.core(subject)),
      rawMs: await measure(() => op.raw(raw)),
    });
  }
  await cache.close();
  await keeping.close();
  await raw.close();
  for (const [operation, { core, raw: rawMs }] of Object.entries(await writeOperations(open, label))) {
    report.push({ runtime, driver, operation, coreMs: core, rawMs });
  }
}
console.log(JSON.stringify(report));
