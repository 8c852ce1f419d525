/**
 * Finding tasks in a large cache: an id prefix, submit-time ranges and text searches through the
 * library (a page of 100 and the total), each beside the least the database can do for the same
 * question in the same run, on the same connection's driver.
 *
 *   npx tsx bench/search.ts [--db bench/out/read-1000000.sqlite] [--runs 7] [--sync-rows 100000]
 *
 * The floors: for an id prefix and a time range, counting the range on its index (the total is
 * the larger half of the work); for a search, one pass over the table that tests each row's text
 * and keeps nothing, which any search without a text index has to make. Kept pages are off, and
 * every run asks something slightly different, so no answer is served twice. With `--moves`,
 * moves by filter on a copy of the file: how long they take and the longest any transaction held
 * the write lock. With `--stats`, the activity figures over ranges of the file, the first answer
 * and the one asked again (kept). With `--sync-rows`, the same searches on a synced replica and on a local file
 * of that many tasks.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { openCache, openConnection } from "../adapters/open.ts";
import type { Connection, TaskCache, TaskFilter } from "../core/index.ts";
import { PACED_TRANSACTIONS } from "../core/store/batches.ts";
import { DEFAULTS, generate } from "../harness/generate.ts";
import { startSyncServer } from "../harness/sync-server.ts";
import { benchArgs } from "./lib/args.ts";

const { values } = benchArgs(import.meta.filename, {
  db: { type: "string" },
  runs: { type: "string" },
  moves: { type: "boolean" },
  stats: { type: "boolean" },
  "sync-rows": { type: "string" },
});
const db = values.db ?? "bench/out/read-1000000.sqlite";
const runs = Number(values.runs ?? 7);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed(fn: (run: number) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    await fn(run);
    times.push(performance.now() - start);
  }
  return median(times);
}

interface Question {
  name: string;
  /** The filter of run `run`: each run's differs a little, so nothing is answered twice. */
  filter: (run: number) => TaskFilter & { includeArchived?: boolean };
  /** The floor's statement and arguments for run `run`. */
  floor: (run: number) => [string, unknown[]];
}

const day = (n: number) => new Date(Date.UTC(2026, 9, 1) + n * 86_400_000).toISOString().slice(0, 10);
const pattern = (text: string) => `%${text}%`;
const textPass = (table: string, text: string): [string, unknown[]] => [
  `SELECT COUNT(*) FROM ${table} WHERE metadata_json LIKE ? OR task_id LIKE ?`,
  [pattern(text), pattern(text)],
];

async function questions(cache: TaskCache): Promise<Question[]> {
  const ids = JSON.parse((await cache.listText({ limit: 1000 })).tasks) as { task_id: string }[];
  const prefix = (run: number) => ids[(run * 97) % ids.length]!.task_id.slice(0, 9);
  return [
    {
      name: "id prefix (9 characters)",
      filter: (run) => ({ idPrefix: prefix(run) }),
      floor: (run) => [
        "SELECT COUNT(*) FROM tasks WHERE task_id >= ? AND task_id < ?",
        [prefix(run), `${prefix(run)}\u{10FFFF}`],
      ],
    },
    ...[1, 7, 30].map((days) => ({
      name: `time range, ${days} day${days > 1 ? "s" : ""}`,
      filter: (run: number) => ({ since: day(run), until: day(run + days) }),
      floor: (run: number): [string, unknown[]] => [
        "SELECT COUNT(*) FROM tasks WHERE submit_time >= ? AND submit_time < ?",
        [day(run), day(run + days)],
      ],
    })),
    {
      name: "time range, 1 day, failed only",
      filter: (run) => ({ since: day(run), until: day(run + 1), status: "failed" }),
      floor: (run) => [
        "SELECT COUNT(*) FROM tasks WHERE status = 'failed' AND submit_time >= ? AND submit_time < ?",
        [day(run), day(run + 1)],
      ],
    },
    // Terms that match no task, about 3 in 1,000, about 3 in 100, and every task.
    ...[
      ["no match", (run: number) => `zz-none-${run}`],
      ["rare (0.3 %)", (run: number) => `RX q[3],(1.${70 + run})`],
      ["common (3 %)", (run: number) => `RX q[3],(1.${run % 7})`],
      ["every task", (run: number) => ["bench", "BENCH", "Bench", "bEnch", "benCH", "BEnch", "bencH"][run % 7]!],
    ].map(([label, term]) => {
      const text = term as (run: number) => string;
      return {
        name: `search, ${label as string}`,
        filter: (run: number) => ({ search: text(run) }),
        floor: (run: number) => textPass("tasks", text(run)),
      };
    }),
    {
      name: "search, rare, with the archive",
      filter: (run) => ({ search: `RX q[3],(1.${70 + run})`, includeArchived: true }),
      floor: (run) => {
        const [active, args] = textPass("tasks", `RX q[3],(1.${70 + run})`);
        const [archived] = textPass("archived_tasks", `RX q[3],(1.${70 + run})`);
        return [`SELECT (${active}) + (${archived})`, [...args, ...args]];
      },
    },
    {
      name: "search, rare, in 30 days",
      filter: (run) => ({ search: `RX q[3],(1.${70 + run})`, since: day(run), until: day(run + 30) }),
      floor: (run) => textPass("tasks", `RX q[3],(1.${70 + run})`),
    },
  ];
}

interface Row {
  question: string;
  cacheMs: number;
  floorMs: number;
  total: number;
}

/** Each question through `cache`, and its floor on `connection` where one is given. */
async function measure(cache: TaskCache, connection: Connection | undefined): Promise<Row[]> {
  const rows: Row[] = [];
  for (const question of await questions(cache)) {
    let total = 0;
    const cacheMs = await timed(async (run) => {
      total = (await cache.listText({ ...question.filter(run), limit: 100 })).total;
    });
    const floorMs = connection
      ? await timed((run) => connection.all(...(question.floor(run) as [string, never[]])))
      : Number.NaN;
    rows.push({ question: question.name, cacheMs, floorMs, total });
  }
  return rows;
}

function print(title: string, rows: Row[], against: { label: string; ms: (row: Row, i: number) => number }): void {
  console.log(`\n${title}\n`);
  console.log(`| question | page of 100 + total, ms | ${against.label}, ms | ratio | tasks matched (last run) |`);
  console.log("|---|---:|---:|---:|---:|");
  rows.forEach((row, i) => {
    const base = against.ms(row, i);
    console.log(
      `| ${row.question} | ${row.cacheMs.toFixed(2)} | ${base.toFixed(2)} | ${(row.cacheMs / base).toFixed(2)} | ${row.total} |`,
    );
  });
}

async function onFile(path: string, floors: boolean): Promise<Row[]> {
  const cache = await openCache(path, { keepPages: false });
  const connection = await openConnection(path);
  try {
    // One pass over each table first, so both sides start with the file in the page cache.
    await connection.all("SELECT COUNT(*) FROM tasks WHERE metadata_json LIKE '%warm%'");
    await connection.all("SELECT COUNT(*) FROM archived_tasks WHERE metadata_json LIKE '%warm%'");
    return await measure(cache, floors ? connection : undefined);
  } finally {
    await connection.close();
    await cache.close();
  }
}

const floor = { label: "floor", ms: (row: Row) => row.floorMs };

if (!existsSync(db)) throw new Error(`No cache at ${db}: make one with bench/generate.ts or bench/run.ts.`);
print(`${db}, on ${process.release.name} ${process.version}, medians of ${runs}`, await onFile(db, true), floor);

/** Moves by filter on a copy of the file, each timed whole and by its longest transaction. */
async function moves(path: string): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), "uniqc-moves-"));
  try {
    const copy = join(scratch, "moves.sqlite");
    copyFileSync(path, copy);
    // Committed pages may still be in the log beside it: they go with the file.
    if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
    const cache = await openCache(copy, { keepPages: false });
    try {
      console.log("\nMoves by filter, in transactions paced to about 100 ms, with 100 ms between them\n");
      console.log(
        "| move | tasks | counting first, ms | whole move, s | longest transaction, ms | per task, µs (without pauses) |",
      );
      console.log("|---|---:|---:|---:|---:|---:|");
      for (const [name, filter, archived] of [
        [
          "archive: failed on one backend, 7 days",
          { status: "failed", backend: "ibm:ibm_kyiv", since: day(0), until: day(7) },
          false,
        ],
        ["archive: a search (0.3 %)", { search: "RX q[3],(1.75)" }, false],
        ["restore: the same search", { search: "RX q[3],(1.75)" }, true],
        ["delete: 1 day", { since: day(20), until: day(21) }, false],
      ] as const) {
        const started = performance.now();
        const count = archived ? await cache.countArchived(filter) : await cache.count(filter);
        const countMs = performance.now() - started;
        const times: number[] = [];
        const batch = { ...PACED_TRANSACTIONS, onTransaction: (ms: number) => times.push(ms) };
        const moveStart = performance.now();
        const done = name.startsWith("archive")
          ? await cache.archiveMatching(filter, batch)
          : name.startsWith("restore")
            ? await cache.restoreMatching(filter, batch)
            : await cache.deleteMatching(filter, batch);
        const wholeMs = performance.now() - moveStart;
        const pauses = Math.max(0, times.length - 1) * 100;
        if (done.count !== count) throw new Error(`${name}: counted ${count}, moved ${done.count}`);
        console.log(
          `| ${name} | ${done.count} | ${countMs.toFixed(1)} | ${(wholeMs / 1000).toFixed(2)} | ${Math.max(...times, 0).toFixed(1)} | ${(((wholeMs - pauses) * 1000) / Math.max(done.count, 1)).toFixed(0)} |`,
        );
      }
    } finally {
      await cache.close();
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (values.moves) await moves(db);

/** The activity figures over ranges: the first answer (median of fresh opens) and the kept one. */
async function stats(path: string): Promise<void> {
  console.log("\nActivity figures (`stats`), archived tasks included\n");
  console.log("| range | by | tasks | first answer, ms | asked again, ms |");
  console.log("|---|---|---:|---:|---:|");
  const latest = "2026-11-01T00:00:00Z";
  for (const [label, since, by] of [
    ["everything (90 days)", undefined, "day"],
    ["everything (90 days)", undefined, "week"],
    ["30 days", "2026-10-02T00:00:00Z", "day"],
    ["7 days", "2026-10-25T00:00:00Z", "day"],
    ["1 day", "2026-10-31T00:00:00Z", "day"],
  ] as const) {
    const first: number[] = [];
    const again: number[] = [];
    let total = 0;
    for (let run = 0; run < Math.min(runs, 5); run++) {
      const cache = await openCache(path);
      try {
        let started = performance.now();
        total = (await cache.stats({ since, until: latest, by })).tasks.total;
        first.push(performance.now() - started);
        started = performance.now();
        await cache.stats({ since, until: latest, by });
        again.push(performance.now() - started);
      } finally {
        await cache.close();
      }
    }
    console.log(`| ${label} | ${by} | ${total} | ${median(first).toFixed(0)} | ${median(again).toFixed(3)} |`);
  }
}

if (values.stats) await stats(db);

if (values["sync-rows"]) {
  const count = Number(values["sync-rows"]);
  const scratch = mkdtempSync(join(tmpdir(), "uniqc-search-"));
  try {
    const file = join(scratch, "file.sqlite");
    await generate(file, { ...DEFAULTS, rows: count, archived: 0.095 });
    const server = await startSyncServer(join(scratch, "server.db"));
    const replica = await openCache(join(scratch, "replica.db"), {
      syncUrl: server.url,
      syncIntervalMs: 0,
      keepPages: false,
    });
    try {
      const source = await openCache(file, { keepPages: false });
      let batch: unknown[] = [];
      for await (const row of source.exportRows("all")) {
        batch.push(row);
        if (batch.length === 5_000) {
          await replica.importRows(batch);
          batch = [];
        }
      }
      await replica.importRows(batch);
      await source.close();
      const onLocal = await onFile(file, false);
      const onReplica = await measure(replica, undefined);
      print(`a synced replica of ${count} tasks, against a local file of the same tasks`, onReplica, {
        label: "local file",
        ms: (_row, i) => onLocal[i]!.cacheMs,
      });
      // The activity figures over everything, not kept (a fresh question each run: a later `until`).
      const statsOf = async (cache: TaskCache) =>
        timed((run) => cache.stats({ until: new Date(Date.UTC(2026, 10, 2, 0, run)).toISOString() }));
      const local = await openCache(file, { keepPages: false });
      const statsLocal = await statsOf(local);
      await local.close();
      const statsReplica = await statsOf(replica);
      console.log(
        `\nstats over all ${count} tasks: replica ${statsReplica.toFixed(0)} ms, local file ${statsLocal.toFixed(0)} ms, ratio ${(statsReplica / statsLocal).toFixed(2)}`,
      );
    } finally {
      await replica.close();
      await server.stop();
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
