/**
 * The server on synced replicas, as OS processes: the conformance suite on Node, Deno and Bun,
 * three runtimes' replicas exchanging tasks through one sync server, and one process per replica.
 */
import assert from "node:assert/strict";
import * as v from "valibot";
import { afterAll, beforeAll, describe, it } from "vitest";
import { openCache } from "../../adapters/open.ts";
import { SyncReportSchema, SyncStateSchema } from "../../core/index.ts";
import { ReplicaInUseError } from "../../core/index.ts";
import { tempDir } from "../contract/fixtures.ts";
import { startSyncServer, type SyncServer } from "../../harness/sync-server.ts";
import { Api, conformance } from "../server/conformance.ts";
import { runToExit, startServer, type Runtime, type ServerProcess } from "../../harness/server-process.ts";

const RUNTIMES: Runtime[] = ["node", "deno", "bun"];

describe.each(RUNTIMES)("%s on a synced replica", (runtime) => {
  const temp = tempDir("uniqc-sync-server-");
  let sync: SyncServer;
  let server: ServerProcess;
  const api = () => new Api(server.base);

  beforeAll(async () => {
    sync = await startSyncServer(temp.file("server.db"));
    server = await startServer(runtime, [
      "--db",
      temp.file("replica.db"),
      "--sync-url",
      sync.url,
      "--sync-interval",
      "1s",
    ]);
  });
  afterAll(async () => {
    await server?.stop("SIGKILL");
    await sync?.stop();
    temp.remove();
  });

  it("serves with the turso-sync adapter and reports its sync state", async () => {
    assert.equal((await api().ok("GET", "/api/version")).adapter, "turso-sync");
    const { sync: state } = await api().ok("GET", "/api/health");
    assert.equal(state.interval_ms, 1000);
    assert.equal(state.last_error, null);
  });

  for (const conformanceCase of conformance) {
    it(conformanceCase.name, () => conformanceCase.run(api()));
  }

  it("POST /api/sync pushes and pulls now and says what moved", async () => {
    // The server's own round, once a second, may push a change just before the asked-for one
    // does; a few tries make sure one of them finds its change still waiting.
    let round: any;
    for (let attempt = 0; attempt < 5; attempt++) {
      await api().ok("PUT", `/api/tasks/sync-now-${attempt}`, { backend: "b", status: "pending" });
      round = await api().ok("POST", "/api/sync");
      if (round.pushed >= 1) break;
    }
    assert.deepEqual(
      v.safeParse(v.object({ ...SyncReportSchema.entries, sync: SyncStateSchema }), round).issues,
      undefined,
      "the answer its route describes",
    );
    assert.equal(typeof round.pulled, "boolean");
    assert.ok(round.pushed >= 1, JSON.stringify(round));
    assert.deepEqual(round.reconciled, { active: [], archived: [], deleted: [] });
    assert.equal(round.sync.pending_changes, 0);
  });

  it("a result recorded here outranks a machine that failed the task unaware of it; the loser is read at /conflicts", async () => {
    const id = `conflicted-${runtime}`;
    await api().ok("PUT", `/api/tasks/${id}`, { backend: "b", status: "running" });
    await api().ok("POST", "/api/sync");
    const ahead = await openCache(temp.file(`ahead-${runtime}.db`), {
      syncUrl: sync.url,
      syncIntervalMs: 0,
      clock: () => new Date(Date.now() + 10 * 60_000),
    });
    try {
      await ahead.save({ task_id: id, backend: "b", status: "failed", metadata: { by: "ahead" } });
      const result = { counts: { "01": 7 } };
      await api().ok("PUT", `/api/tasks/${id}`, { backend: "b", status: "success", result });
      await api().ok("POST", "/api/sync");
      await ahead.sync();
      await api().ok("POST", "/api/sync");
      const shown = await api().ok("GET", `/api/tasks/${id}`);
      assert.deepEqual([shown.status, shown.result, shown.has_conflicts], ["success", result, true]);
      const { conflicts } = await api().ok("GET", `/api/tasks/${id}/conflicts`);
      assert.deepEqual(
        conflicts.map((c: any) => [c.replica_id, c.place, c.task.status, c.task.metadata]),
        [[(await ahead.syncState())!.replica_id, "active", "failed", { by: "ahead" }]],
      );
      assert.ok((await api().ok("GET", "/api/conflicts")).task_ids.includes(id));
      const page = await api().ok("GET", `/api/tasks?id_prefix=${id}`);
      assert.equal(page.tasks[0].has_conflicts, true);
    } finally {
      await ahead.close();
    }
  });

  it("a second process on the same replica is refused with the file named, and the first goes on", async () => {
    const { code, output } = await runToExit(runtime, [
      "--db",
      temp.file("replica.db"),
      "--sync-url",
      sync.url,
      "--port",
      "0",
    ]);
    assert.equal(code, 1, output);
    assert.match(output, /replica\.db is open in another process/);
    assert.match(output, /server that holds it/);
    assert.doesNotMatch(output, /Failed locking|\bat .*\.(ts|js):\d+/);
    assert.equal((await api().ok("GET", "/api/health")).status, "ok");
  });

  it("finishes on SIGTERM with exit 0 after a last push", async () => {
    const running = await startServer(runtime, [
      "--db",
      temp.file("graceful.db"),
      "--sync-url",
      sync.url,
      "--sync-interval",
      "0",
    ]);
    await new Api(running.base).ok("PUT", "/api/tasks/last-words", { backend: "b", status: "pending" });
    assert.equal(await running.stop("SIGTERM"), 0, running.output());
    const other = await openCache(temp.file("reader.db"), { syncUrl: sync.url, syncIntervalMs: 0 });
    try {
      assert.ok(await other.get("last-words"), "the write made before SIGTERM reached the server");
    } finally {
      await other.close();
    }
  });
});

describe("three runtimes, three replicas, one history", () => {
  const temp = tempDir("uniqc-sync-three-");
  let sync: SyncServer;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    sync = await startSyncServer(temp.file("server.db"));
    for (const runtime of RUNTIMES) {
      servers.push(
        await startServer(runtime, [
          "--db",
          temp.file(`${runtime}.db`),
          "--sync-url",
          sync.url,
          "--sync-interval",
          "200ms",
        ]),
      );
    }
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop("SIGKILL")));
    await sync?.stop();
    temp.remove();
  });

  it("writes on each replica reach the others on the sync interval", async () => {
    const apis = servers.map((server) => new Api(server.base));
    for (const [i, api] of apis.entries()) {
      for (let n = 0; n < 5; n++)
        await api.ok("PUT", `/api/tasks/${RUNTIMES[i]}-${n}`, { backend: RUNTIMES[i], status: "success" });
      await api.ok("POST", `/api/tasks/${RUNTIMES[i]}-0/archive`);
    }
    const expected = RUNTIMES.flatMap((runtime) => [1, 2, 3, 4].map((n) => `${runtime}-${n}`)).sort();
    const deadline = Date.now() + 20_000;
    for (const api of apis) {
      for (;;) {
        const active = (await api.ok("GET", "/api/tasks?limit=100")).tasks
          .map((t: { task_id: string }) => t.task_id)
          .sort();
        const archived = (await api.ok("GET", "/api/archive?limit=100")).tasks
          .map((t: { task_id: string }) => t.task_id)
          .sort();
        if (JSON.stringify(active) === JSON.stringify(expected) && archived.length === 3) break;
        assert.ok(Date.now() < deadline, `${api.base} still sees ${active} and ${archived}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.deepEqual(await api.ok("GET", "/api/tasks/counts"), {
        pending: 0,
        running: 0,
        success: 12,
        failed: 0,
        cancelled: 0,
        total: 12,
      });
    }
  });

  it("the library refuses a replica that a server holds, naming the file and what to do", async () => {
    await assert.rejects(openCache(temp.file("node.db"), { syncUrl: sync.url }), (error: Error) => {
      assert.ok(error instanceof ReplicaInUseError);
      assert.match(error.message, /node\.db is open in another process.*Send requests to the server that holds it/s);
      return true;
    });
  });
});
