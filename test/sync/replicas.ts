/**
 * Helpers for tests of synced replicas: a real sync server, replicas opened on it, and every row
 * of a replica read back whole.
 */
import { openCache, type OpenOptions } from "../../adapters/open.ts";
import type { Task, TaskCache } from "../../core/index.ts";
import { tempDir } from "../contract/fixtures.ts";
import { startSyncServer, type SyncServer } from "../../harness/sync-server.ts";
import { startSyncProxy, type SyncProxy } from "../fixtures/sync-proxy.ts";

export interface SyncWorld {
  server: SyncServer;
  /** A replica of the server at `name.db`, syncing only when asked unless told otherwise. */
  replica(name: string, options?: OpenOptions): Promise<TaskCache>;
  /** A replica that reaches the server through a proxy of its own, to cut it off or fail its rounds. */
  proxied(name: string, options?: OpenOptions): Promise<{ cache: TaskCache; proxy: SyncProxy }>;
  path(name: string): string;
  /** Stops the server on purpose; `restart` brings it back on the same port and file. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function syncWorld(): Promise<SyncWorld> {
  const temp = tempDir("uniqc-sync-");
  const serverFile = temp.file("server.db");
  const opened: TaskCache[] = [];
  const proxies: SyncProxy[] = [];
  const world: SyncWorld = {
    server: await startSyncServer(serverFile),
    path: (name) => temp.file(`${name}.db`),
    async replica(name, options = {}) {
      const cache = await openCache(temp.file(`${name}.db`), {
        syncUrl: world.server.url,
        syncIntervalMs: 0,
        ...options,
      });
      opened.push(cache);
      return cache;
    },
    async proxied(name, options = {}) {
      const proxy = await startSyncProxy(world.server.url);
      proxies.push(proxy);
      const cache = await openCache(temp.file(`${name}.db`), { syncUrl: proxy.url, syncIntervalMs: 0, ...options });
      opened.push(cache);
      return { cache, proxy };
    },
    async restart() {
      world.server = await startSyncServer(serverFile, world.server.port);
    },
    async close() {
      for (const proxy of proxies) proxy.mode = "offline";
      await Promise.all(opened.map((cache) => cache.close().catch(() => undefined)));
      await Promise.all(proxies.map((proxy) => proxy.close()));
      await world.server.stop();
      temp.remove();
    },
  };
  return world;
}

/** Every task of a cache, whole, by id, with the table it is in. */
export async function everyTask(
  cache: TaskCache,
): Promise<Map<string, { table: "tasks" | "archived_tasks"; task: Task }>> {
  const all = new Map<string, { table: "tasks" | "archived_tasks"; task: Task }>();
  for (const [table, list, get] of [
    ["tasks", cache.list, cache.get],
    ["archived_tasks", cache.listArchived, cache.getArchived],
  ] as const) {
    for (let offset = 0; ; offset += 1000) {
      const page = await list({ limit: 1000, offset });
      for (const summary of page.tasks) {
        if (all.has(summary.task_id)) throw new Error(`task ${summary.task_id} is in both tables`);
        all.set(summary.task_id, { table, task: (await get(summary.task_id))! });
      }
      if (page.tasks.length < 1000) break;
    }
  }
  return all;
}

/** Syncs each replica in turn, `rounds` times, so that every change has reached every replica. */
export async function syncAll(replicas: readonly TaskCache[], rounds = 2): Promise<void> {
  for (let round = 0; round < rounds; round++) for (const replica of replicas) await replica.sync();
}
