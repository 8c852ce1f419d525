import { createTaskCache, type CacheOptions, type Connection, type TaskCache } from "../../core/index.ts";
import { tempDir } from "./fixtures.ts";
import { uniqcDump } from "../../harness/uniqc.ts";
import type { ContractTarget } from "./cache-contract.ts";

export const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/;

/** A clock the test moves by hand. */
export function manualClock(start = "2026-06-01T12:00:00.000Z") {
  let now = new Date(start).getTime();
  const clock = () => new Date(now);
  return Object.assign(clock, {
    advanceHours: (hours: number) => {
      now += hours * 3_600_000;
    },
  });
}

export async function withCache(
  target: ContractTarget,
  fn: (cache: TaskCache) => Promise<void>,
  options?: CacheOptions,
) {
  const cache = await createTaskCache(await target.connect(), options);
  try {
    await fn(cache);
  } finally {
    await cache.close();
  }
}

export async function withFile(fn: (path: string) => Promise<void>) {
  const temp = tempDir();
  try {
    await fn(temp.file("tasks.sqlite"));
  } finally {
    temp.remove();
  }
}

/** Runs `fn` on a raw connection and closes it. */
export async function raw<T>(target: ContractTarget, path: string, fn: (c: Connection) => Promise<T>): Promise<T> {
  const connection = await target.connect(path);
  try {
    return await fn(connection);
  } finally {
    await connection.close();
  }
}

export async function pragma(c: Connection, name: string): Promise<number> {
  const [row] = await c.all<Record<string, number>>(`PRAGMA ${name}`);
  return Number(row?.[name]);
}

export async function schemaSql(c: Connection): Promise<string[]> {
  const rows = await c.all<{ sql: string }>(
    "SELECT type || ' ' || name || ': ' || sql AS sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name",
  );
  return rows.map((r) => String(r.sql));
}

export async function whereIs(cache: TaskCache, id: string): Promise<string> {
  const active = await cache.get(id);
  const archived = await cache.getArchived(id);
  return active && archived ? "both" : active ? "tasks" : archived ? "archive" : "neither";
}

export const task = (id: string, extra: Record<string, unknown> = {}) => ({
  task_id: id,
  backend: "dummy:local:simulator",
  status: "success" as const,
  ...extra,
});

/** Shards whose task is not beside them, in either table: none may ever exist. */
export async function orphanShards(c: Connection): Promise<number> {
  const [row] = await c.all<{ n: number }>(
    `SELECT (SELECT COUNT(*) FROM task_shards WHERE uniqc_task_id NOT IN (SELECT task_id FROM tasks))
          + (SELECT COUNT(*) FROM archived_task_shards WHERE uniqc_task_id NOT IN (SELECT task_id FROM archived_tasks)) AS n`,
  );
  return Number(row?.n);
}

/** Where that package's store finds a task's shards: active, archived, or none. */
export function shardsSeenByPython(path: string, id: string): { active: number; archived: number } {
  const dump = uniqcDump(path);
  return {
    active: dump.task_shards.filter((s) => s.uniqc_task_id === id).length,
    archived: dump.archived_task_shards.filter((s) => s.uniqc_task_id === id).length,
  };
}
