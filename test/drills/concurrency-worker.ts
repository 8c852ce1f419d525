/**
 * One writer of the concurrency drill, on Node, Bun or Deno:
 * `concurrency-worker.ts TARGET PREFIX START_AT_MS UNTIL_MS LOG`, where TARGET is a file, a
 * `file:` URL (libSQL) or `http://…` (the server, through the client).
 *
 * It owns the ids that start with PREFIX and does random saves, archives, restores, bulk moves,
 * deletes and reads on them until UNTIL_MS, as fast as it can. It only asks for what its own
 * tasks allow (an archive of a task it knows is active), so every operation must succeed. Each
 * one is logged to LOG as a JSON line with what it did, its outcome and its time; the drill
 * replays the logs to know what the file must hold.
 */
import { appendFileSync } from "node:fs";
import process from "node:process";
import { openCache } from "../../adapters/open.ts";
import { openCacheClient } from "../../apps/client/client.ts";
import { TASK_STATUSES } from "../../core/index.ts";

const [target, prefix, startAt, until, log] = process.argv.slice(2) as [string, string, string, string, string];
const BACKENDS = ["originq:WK_C180", "ibm:brisbane", "dummy"];
const store = target.startsWith("http") ? await openCacheClient({ url: target }) : await openCache(target);

const active = new Set<string>();
const archived = new Set<string>();
let next = 0;
const lines: string[] = [];

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
const some = (from: Set<string>, most: number) =>
  [...from].sort(() => Math.random() - 0.5).slice(0, 2 + Math.floor(Math.random() * (most - 1)));

/** One random operation that this writer's tasks allow; it says what it will do to them. */
function choose(): { op: string; ids: string[]; status?: string; run: () => Promise<unknown> } {
  const roll = Math.random();
  if (roll < 0.35 || active.size < 5) {
    const id = active.size > 0 && Math.random() < 0.4 ? pick([...active]) : `${prefix}-${next++}`;
    const status = pick(TASK_STATUSES);
    return {
      op: "save",
      ids: [id],
      status,
      run: () =>
        store.save({ task_id: id, backend: pick(BACKENDS), status, shots: 1000, metadata: { writer: prefix } }),
    };
  }
  if (roll < 0.5) {
    const id = pick([...active]);
    return { op: "archive", ids: [id], run: () => store.archive(id) };
  }
  if (roll < 0.6 && archived.size > 0) {
    const id = pick([...archived]);
    return { op: "restore", ids: [id], run: () => store.restore(id) };
  }
  if (roll < 0.67) {
    const ids = some(active, 10);
    return { op: "bulkArchive", ids, run: () => store.bulkArchive(ids) };
  }
  if (roll < 0.72) {
    const id = pick([...active]);
    return { op: "delete", ids: [id], run: () => store.delete(id) };
  }
  if (roll < 0.75) {
    const ids = some(active, 5);
    return { op: "bulkDelete", ids, run: () => store.bulkDelete(ids) };
  }
  if (roll < 0.78 && archived.size > 0) {
    const id = pick([...archived]);
    return { op: "deleteArchived", ids: [id], run: () => store.deleteArchived(id) };
  }
  if (roll < 0.9) return { op: "list", ids: [], run: () => store.list({ limit: 50, status: pick(TASK_STATUSES) }) };
  const id = pick([...active]);
  return { op: "get", ids: [id], run: () => store.get(id) };
}

function apply(op: string, ids: string[]): void {
  for (const id of ids) {
    const isActive = op === "save" || op === "restore";
    const isArchived = op === "archive" || op === "bulkArchive";
    if (!isActive && !isArchived && op !== "delete" && op !== "bulkDelete" && op !== "deleteArchived") continue;
    if (isActive) active.add(id);
    else active.delete(id);
    if (isArchived) archived.add(id);
    else archived.delete(id);
  }
}

await new Promise((resolve) => setTimeout(resolve, Number(startAt) - Date.now()));
while (Date.now() < Number(until)) {
  const { op, ids, status, run } = choose();
  const started = performance.now();
  let error: string | undefined;
  try {
    await run();
  } catch (caught) {
    error = caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught);
  }
  const ms = performance.now() - started;
  if (!error) apply(op, ids);
  lines.push(
    JSON.stringify({
      op,
      ids,
      ...(status ? { status } : {}),
      ok: !error,
      ms: Math.round(ms * 100) / 100,
      ...(error ? { error } : {}),
    }),
  );
  // Written in batches so the log costs the writer little; the last batch after the loop.
  if (lines.length >= 200) appendFileSync(log, `${lines.splice(0).join("\n")}\n`);
}
if (lines.length > 0) appendFileSync(log, `${lines.join("\n")}\n`);
if ("close" in store) await store.close();
