/**
 * The typed client against the real app over real HTTP: the library's operations, and the API's
 * problems turned back into the library's typed errors.
 */
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCache } from "../../adapters/open.ts";
import { openCacheClient } from "../../apps/client/client.ts";
import { ServerError } from "../../core/index.ts";
import { createApp } from "../../apps/server/app.ts";
import { listenNode } from "../../apps/server/listeners.ts";
import type { RunningServer } from "../../apps/server/run.ts";
import { ConflictError, InvalidInputError, NotFoundError, type TaskCache } from "../../core/index.ts";
import { tempDir } from "../contract/fixtures.ts";

const temp = tempDir("uniqc-client-");
let cache: TaskCache;
let server: RunningServer;
let url: string;

beforeAll(async () => {
  cache = await openCache(temp.file("tasks.sqlite"));
  server = await listenNode(createApp(cache, { version: "0.0.0", runtime: "node", token: "t0ken" }).fetch, {
    host: "127.0.0.1",
    port: 0,
  });
  url = `http://127.0.0.1:${server.port}`;
});
afterAll(async () => {
  await server.close();
  await cache.close();
  temp.remove();
});

describe("the typed client", () => {
  it("does what the library does, with the same shapes", async () => {
    const client = await openCacheClient({ url, token: "t0ken" });
    const saved = await client.save({
      task_id: "c1",
      backend: "dummy",
      status: "failed",
      compiled_circuit: { originir: "QINIT 1" },
    });
    expect(saved).toEqual(await cache.get("c1"));
    await client.save({ task_id: "c2", backend: "dummy", status: "success", submit_time: "2026-01-01T00:00:00Z" });
    expect((await client.list({ status: "failed" })).tasks.map((t) => t.task_id)).toEqual(["c1"]);
    expect(await client.counts()).toEqual(await cache.counts());
    expect(await client.count({ status: "success" })).toBe(1);
    await client.archive("c1");
    expect((await client.getArchived("c1"))?.archived_at).toBeTruthy();
    expect(await client.get("c1")).toBeUndefined();
    expect(await client.countArchived()).toBe(1);
    await client.restore("c1");
    expect(await client.bulkArchive(["c1", "zz"])).toEqual({ archived: ["c1"], missing: ["zz"] });
    expect((await client.getCircuit("c1", "compiled")).circuit).toBe("QINIT 1");
    expect(await client.shards("c2")).toEqual({ task_id: "c2", shard_count: 0, shards: [] });
    // A local file keeps one version of each task: nothing to disagree on.
    expect(await client.conflicts("c2")).toEqual({ task_id: "c2", conflicts: [] });
    expect(await client.conflicts("zz")).toBeUndefined();
    expect(await client.conflicted()).toEqual([]);
    expect((await client.archiveExpired({ hours: 24 })).archived).toEqual(["c2"]);
    expect(await client.purgeArchived({ olderThanHours: 0, dryRun: true })).toMatchObject({ count: 2 });
    const rows = [];
    for await (const row of client.exportRows("archived")) rows.push(row);
    expect(rows.map((row) => row.task_id).sort()).toEqual(["c1", "c2"]);
    expect(await client.importRows(rows)).toEqual({ written: 0, rejected: [] });
    expect((await client.maintain({ purgeAfterHours: 0 })).purged).toBe(2);
    // Search and moves by filter, in the library's words.
    await client.save({ task_id: "f1", backend: "dummy", status: "failed", metadata: { note: "Ramsey scan" } });
    await client.save({ task_id: "f2", backend: "dummy", status: "failed", submit_time: "2025-01-01T00:00:00Z" });
    expect((await client.list({ search: "ramsey" })).tasks.map((t) => t.task_id)).toEqual(["f1"]);
    expect(await client.count({ idPrefix: "f", until: "2025-06-01" })).toBe(1);
    expect(await client.archiveMatching({ status: "failed", dryRun: true })).toEqual({ count: 2 });
    await expect(client.archiveMatching({})).rejects.toThrow(InvalidInputError);
    expect(await client.archiveMatching({ idPrefix: "f" })).toEqual({ count: 2 });
    expect(await client.countArchived({ search: "ramsey" })).toBe(1);
    expect(await client.restoreMatching({ search: "ramsey" })).toEqual({ count: 1, conflicts: [] });
    expect(await client.deleteArchivedMatching({ all: true })).toEqual({ count: 1 });
    expect(await client.deleteMatching({ search: "ramsey" })).toEqual({ count: 1 });
    expect(await client.stats({ by: "week" })).toEqual(await cache.stats({ by: "week" }));
    await client.save({
      task_id: "h1",
      backend: "dummy",
      status: "success",
      metadata: { circuit_ir: "QINIT 1\nCREG 1\nH q[0]\nMEASURE q[0],c[0]" },
      result: { counts: { "0": 45, "1": 55 } },
    });
    expect(await client.analyse("h1")).toEqual(await cache.analyse("h1"));
    await client.save({ task_id: "h2", backend: "dummy", status: "success", result: { counts: { "0": 50, "1": 50 } } });
    expect(await client.compare(["h1", "h2"])).toEqual(await cache.compare(["h1", "h2"]));
    await expect(client.analyse("nope")).rejects.toThrow(NotFoundError);
  });

  it("answers the rest of the library's interface as the library does", async () => {
    const client = await openCacheClient({ url, token: "t0ken" });
    for (const [id, backend, status, second] of [
      ["p1", "b1", "success", 1],
      ["p2", "b2", "running", 2],
      ["p3", "b1", "failed", 3],
    ] as const) {
      await client.save({ task_id: id, backend, status, submit_time: `2026-01-01T00:00:0${second}Z` });
    }
    expect(await client.backendCounts()).toEqual(await cache.backendCounts());
    expect(await client.countExpired({ hours: 1 })).toBe(await cache.countExpired({ hours: 1 }));
    expect(await client.countExpired({ hours: 1, terminalOnly: false })).toBe(
      await cache.countExpired({ hours: 1, terminalOnly: false }),
    );
    // Paging by `after`, as the library pages: the client sends it as the server's cursor.
    const first = await client.listText({ limit: 2 });
    const expected = await cache.listText({ limit: 2 });
    expect({ ...first, tasks: JSON.parse(first.tasks) }).toEqual({ ...expected, tasks: JSON.parse(expected.tasks) });
    expect(await client.list({ limit: 2, after: first.last })).toEqual(
      await cache.list({ limit: 2, after: first.last }),
    );
    expect(
      await client.list({ limit: 1, backend: "b1", after: { submit_time: "2026-01-01T00:00:03Z", task_id: "p3" } }),
    ).toEqual(
      await cache.list({ limit: 1, backend: "b1", after: { submit_time: "2026-01-01T00:00:03Z", task_id: "p3" } }),
    );
    expect(client.info).toMatchObject({
      lineage: cache.info.lineage,
      schemaVersion: cache.info.schemaVersion,
      supportedVersion: cache.info.supportedVersion,
      readOnly: false,
    });
    expect(cache.info.capabilities).toMatchObject(client.info.capabilities);
    expect(await client.syncState()).toBeUndefined();
    const stamp = await client.changeStamp();
    await client.delete("p2");
    expect(await client.changeStamp()).not.toBe(stamp);
    const finished = (await cache.counts()).success + (await cache.counts()).failed + (await cache.counts()).cancelled;
    expect(await client.clearCompleted()).toBe(finished);
    expect((await cache.counts()).total).toBe(0);
  });

  it("turns problems into the library's typed errors, with the server's sentence", async () => {
    const client = await openCacheClient({ url, token: "t0ken" });
    await client.save({ task_id: "e1", backend: "dummy", status: "success" });
    await client.archive("e1");
    await expect(client.archive("nope")).rejects.toBeInstanceOf(NotFoundError);
    const conflict = await client
      .save({ task_id: "e1", backend: "dummy", status: "success" })
      .catch((error: unknown) => error);
    expect(conflict).toBeInstanceOf(ConflictError);
    expect((conflict as Error).message).toMatch(/archived/);
    const invalid = await client
      .save({ task_id: "e2", backend: "", status: "weird" as never })
      .catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(InvalidInputError);
    expect((invalid as InvalidInputError).issues.map((issue) => issue.path).sort()).toEqual(["backend", "status"]);
    await expect(openCacheClient({ url, token: "wrong" })).rejects.toMatchObject({ status: 401 });
  });

  it("says when the server cannot be reached, or does not answer in time", async () => {
    const away = await openCacheClient({ url: "http://127.0.0.1:9" }).catch((error: unknown) => error);
    expect(away).toBeInstanceOf(ServerError);
    expect((away as Error).message).toMatch(/Cannot reach the cache server/);
    // A socket that accepts and never answers.
    const sockets: import("node:net").Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const late = await openCacheClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 200 }).catch(
        (error: unknown) => error,
      );
      expect((late as Error).message).toMatch(/no answer within 200 ms/);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
