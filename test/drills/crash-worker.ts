/**
 * The work a crash drill interrupts (see crash.test.ts): on a seed-era v2 file, the migration,
 * a bulk archive of 10,000 tasks, archive-expired, an import and a maintenance run, then single
 * archives and restores until it is killed. Nothing here deletes a task, so every id the file
 * started with must still be there, in exactly one table, whenever the kill lands.
 *
 *   node --import tsx test/drills/crash-worker.ts FILE SEED
 */
import process from "node:process";
import { openLocalFile } from "../../adapters/local-file.ts";
import { CacheError, createTaskCache } from "../../core/index.ts";

const [file, seedText] = process.argv.slice(2);
let state = Number(seedText ?? 1) >>> 0;
const next = () => {
  state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
  return state / 2 ** 32;
};

const cache = await createTaskCache(await openLocalFile(file!), { clock: () => new Date("2026-11-01T00:00:00Z") });
const ids: string[] = [];
for (let offset = 0; ids.length < 10_000; offset += 1000)
  ids.push(...(await cache.list({ limit: 1000, offset })).tasks.map((task) => task.task_id));
await cache.bulkArchive(ids.slice(0, 10_000));
await cache.archiveExpired({ hours: 24 * 60 });
const rows = [];
for await (const row of cache.exportRows("active")) {
  rows.push({ ...row, update_time: "2026-10-31T00:00:00.000000+00:00" });
  if (rows.length === 2000) break;
}
await cache.importRows(rows);
await cache.maintain({ archiveAfterHours: 24 * 30 }, { rows: 2000 });
process.stdout.write("storm\n");
// A task listed a moment ago may have moved since; anything but the cache's own refusal is a failure.
const refused = (error: unknown) => {
  if (!(error instanceof CacheError)) throw error;
};
for (;;) {
  const archived = (await cache.listArchived({ limit: 50, offset: Math.floor(next() * 1000) })).tasks;
  const live = (await cache.list({ limit: 50, offset: Math.floor(next() * 1000) })).tasks;
  for (const task of archived.slice(0, 5)) await cache.restore(task.task_id).catch(refused);
  for (const task of live.slice(0, 5)) await cache.archive(task.task_id).catch(refused);
}
