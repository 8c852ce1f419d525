/**
 * Where a move of many tasks spends its time: every statement of a bulk archive of 1,000 ids and
 * of an archive-expired, timed through the core on a fresh copy of a cache, then the WAL
 * checkpoint that SQLite would otherwise run inside the commit. Prints a Markdown table.
 *
 *   npx tsx bench/profile-moves.ts bench/out/write-100000.sqlite
 */
import { copyFileSync, rmSync } from "node:fs";
import { openLocalFile } from "../adapters/local-file.ts";
import { createTaskCache, type Connection, type TaskCache } from "../core/index.ts";
import { benchArgs } from "./lib/args.ts";

const { positionals } = benchArgs(import.meta.filename, {}, { positionals: true });
const source = positionals[0] ?? "bench/out/write-100000.sqlite";
const copy = `${source}.profile-moves.tmp`;
const removeCopy = () => {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${copy}${suffix}`, { force: true });
};

interface Step {
  move: string;
  statement: string;
  ms: number;
}

/** A connection that passes each statement and its time to `record`. */
function timing(connection: Connection, record: (statement: string, ms: number) => void): Connection {
  const timed =
    <A extends unknown[], R>(fn: (sql: string, ...rest: A) => Promise<R>) =>
    async (sql: string, ...rest: A): Promise<R> => {
      const start = performance.now();
      const result = await fn(sql, ...rest);
      record(sql.replace(/\s+/g, " ").trim(), performance.now() - start);
      return result;
    };
  return {
    ...connection,
    all: timed(connection.all.bind(connection)) as Connection["all"],
    run: timed(connection.run.bind(connection)),
  };
}

async function profile(move: string, act: (cache: TaskCache, raw: Connection) => Promise<number>): Promise<Step[]> {
  removeCopy();
  copyFileSync(source, copy);
  const connection = await openLocalFile(copy);
  // The checkpoint is timed on its own, after the move, instead of inside its commit.
  await connection.run("PRAGMA wal_autocheckpoint = 0");
  const steps: Step[] = [];
  let recording = false;
  const cache = await createTaskCache(
    timing(connection, (statement, ms) => recording && steps.push({ move, statement, ms })),
    { keepPages: false, clock: () => new Date("2026-11-01T00:00:00Z") },
  );
  try {
    recording = true;
    const start = performance.now();
    const moved = await act(cache, connection);
    steps.push({
      move,
      statement: `the whole call (${moved.toLocaleString("en")} moved)`,
      ms: performance.now() - start,
    });
    recording = false;
    const checkpoint = performance.now();
    await connection.all("PRAGMA wal_checkpoint(TRUNCATE)");
    steps.push({ move, statement: "WAL checkpoint after the call", ms: performance.now() - checkpoint });
  } finally {
    await cache.close();
    removeCopy();
  }
  return steps;
}

const steps = [
  ...(await profile("bulk archive", async (cache, raw) => {
    const ids = await raw.all<{ task_id: string }>("SELECT task_id FROM tasks LIMIT 1000 OFFSET 5000");
    return (await cache.bulkArchive(ids.map((row) => row.task_id))).archived.length;
  })),
  ...(await profile(
    "archive-expired",
    async (cache) => (await cache.archiveExpired({ hours: 72 * 8 })).archived.length,
  )),
];
const shorten = (sql: string) => (sql.length > 90 ? `${sql.slice(0, 87)}…` : sql).replace(/\|/g, "\\|");
console.log(`${source}\n\n| move | statement | ms |\n| --- | --- | ---: |`);
for (const step of steps) console.log(`| ${step.move} | ${shorten(step.statement)} | ${step.ms.toFixed(1)} |`);
