/**
 * Replicas of one real Turso sync server, in this process: bootstrap, exchange, offline writes,
 * schema adoption, the reconcile rule, kept answers, and counts.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "vitest";
import { MIGRATIONS, NotSyncedError, SyncError, createTaskCache } from "../../core/index.ts";
import { openCache } from "../../adapters/open.ts";
import { openTursoSync } from "../../adapters/turso-sync.ts";
import { startSyncProxy } from "../fixtures/sync-proxy.ts";
import { everyTask, syncAll, syncWorld, type SyncWorld } from "./replicas.ts";

const task = (task_id: string, extra: Record<string, unknown> = {}) => ({
  task_id,
  backend: "dummy:local:simulator",
  status: "running" as const,
  ...extra,
});

let world: SyncWorld;
beforeEach(async () => {
  world = await syncWorld();
});
afterEach(async () => {
  await world.close();
});

describe("synced replicas", () => {
  it("a settle that failed is made again by the next round, though its pull brings nothing", async () => {
    const b = await world.replica("b");
    const connection = await openTursoSync({ path: world.path("a"), url: world.server.url });
    // The settle's write fails once, as a full disk or a killed statement would fail it.
    let failSettle = false;
    const a = await createTaskCache(
      {
        ...connection,
        run: (sql, args) => {
          if (failSettle && /^\s*(UPDATE|INSERT INTO) tasks\b/.test(sql)) {
            failSettle = false;
            return Promise.reject(new Error("disk I/O error"));
          }
          return connection.run(sql, args);
        },
      },
      { syncIntervalMs: 0 },
    );
    try {
      await a.save(task("u"));
      await syncAll([a, b]);
      await b.save(task("u", { status: "success", result: { counts: { "1": 2 } } }));
      await b.sync();
      await a.save(task("u", { metadata: { note: "polled" } }));
      failSettle = true;
      await assert.rejects(a.sync(), SyncError);
      assert.equal(failSettle, false, "the settle was tried");
      await a.sync();
      assert.equal((await a.get("u"))?.status, "success");
      assert.deepEqual((await a.get("u"))?.result, { counts: { "1": 2 } });
    } finally {
      await a.close();
    }
  });

  it("a replica opened on an empty path bootstraps the whole history, both tables", async () => {
    const a = await world.replica("a");
    for (let i = 0; i < 50; i++) await a.save(task(`t${i}`, { status: i % 2 ? "success" : "running" }));
    await a.bulkArchive(["t1", "t3", "t5"]);
    await a.sync();
    const b = await world.replica("b");
    assert.deepEqual(await everyTask(b), await everyTask(a));
    assert.equal((await b.list()).total, 47);
    assert.equal(await b.countArchived(), 3);
    assert.equal(b.info.schemaVersion, 4);
    assert.deepEqual(b.info.applied, [], "the schema came with the bootstrap");
  });

  it("checkpoints its WAL after every round once the cache has read its schema", async () => {
    // Reading the schema with table-valued pragmas made the engine refuse every later checkpoint
    // ("Database is busy"), which failed the round before its pull.
    const a = await world.replica("a");
    await a.save(task("first"));
    await a.sync();
    await a.close();
    const b = await createTaskCache(
      await openTursoSync({ path: world.path("b"), url: world.server.url, checkpointBytes: 0 }),
      { syncIntervalMs: 0 },
    );
    try {
      for (const id of ["second", "third"]) {
        await b.save(task(id));
        const round = await b.sync();
        assert.equal(round.pushed >= 1, true);
      }
      assert.deepEqual((await b.list()).tasks.map((t) => t.task_id).sort(), ["first", "second", "third"]);
    } finally {
      await b.close();
    }
  });

  it("writes on each replica reach the others after a sync, and the round says what moved", async () => {
    const [a, b] = [await world.replica("a"), await world.replica("b")];
    await a.save(task("from-a"));
    await b.save(task("from-b"));
    const pushed = await a.sync();
    assert.ok(pushed.pushed >= 1, JSON.stringify(pushed));
    assert.equal((await a.syncState())!.pending_changes, 0);
    const round = await b.sync();
    assert.equal(round.pulled, true);
    await a.sync();
    for (const replica of [a, b])
      assert.deepEqual((await replica.list()).tasks.map((t) => t.task_id).sort(), ["from-a", "from-b"]);
  });

  it("a replica whose server is down keeps its writes, says so, and pushes them when it is back", async () => {
    const a = await world.replica("a");
    await a.save(task("before"));
    await a.sync();
    await world.server.stop();
    await a.save(task("offline-1"));
    await a.archive("before");
    await assert.rejects(a.sync(), SyncError);
    const down = (await a.syncState())!;
    assert.ok(down.last_error && down.failures === 1 && down.pending_changes > 0, JSON.stringify(down));
    assert.deepEqual(
      (await a.list()).tasks.map((t) => t.task_id),
      ["offline-1"],
      "local reads and writes go on",
    );
    await world.restart();
    await a.sync();
    assert.equal((await a.syncState())!.last_error, null);
    const b = await world.replica("b");
    assert.deepEqual(
      (await b.list()).tasks.map((t) => t.task_id),
      ["offline-1"],
    );
    assert.deepEqual(
      (await b.listArchived()).tasks.map((t) => t.task_id),
      ["before"],
    );
  });

  it("retries on its interval with backoff while the server is down", async () => {
    const a = await world.replica("a", { syncIntervalMs: 50 });
    await world.server.stop();
    await new Promise((resolve) => setTimeout(resolve, 600));
    const state = (await a.syncState())!;
    // 50, 100, 200 ms: three or four failed rounds in 600 ms, not twelve.
    assert.ok(state.failures >= 2 && state.failures <= 5, JSON.stringify(state));
    await world.restart();
    await a.save(task("late"));
    await a.sync();
    assert.equal((await a.syncState())!.failures, 0);
  });

  it("a replica of an older schema and one of the current schema end identical", async () => {
    const old = await world.replica("old", { migrations: MIGRATIONS.slice(0, 3) });
    assert.equal(old.info.schemaVersion, 3);
    await old.save(task("old-1", { compiled_circuit: { qasm: "OPENQASM 2.0;" } }));
    await old.sync();
    await old.close();
    const current = await world.replica("current");
    assert.deepEqual(current.info.applied, [4], "the current build adds v4 to the history it was given");
    await current.save(task("new-1"));
    await current.sync();
    // The older replica, opened again by the current build, adopts the tables it pulls.
    const adopted = await world.replica("old");
    await adopted.sync();
    assert.equal(adopted.info.schemaVersion, 4);
    await current.sync();
    assert.deepEqual(await everyTask(adopted), await everyTask(current));
    assert.equal((await adopted.list()).total, 2);
  });

  it("a task archived on one replica and saved on another ends in one table: the later event wins", async () => {
    const [a, b] = [await world.replica("a"), await world.replica("b")];
    await a.save(task("x", { status: "success" }));
    await a.save(task("y", { status: "success" }));
    await syncAll([a, b]);
    // x: archived first, saved later elsewhere, so the save wins and x stays active.
    await a.archive("x");
    await new Promise((resolve) => setTimeout(resolve, 5));
    await b.save(task("x", { status: "failed", result: { error: "later" } }));
    // y: saved first elsewhere, archived later, so the archive wins, and keeps what the save recorded.
    await b.save(task("y", { status: "success", compiled_circuit: { qasm: "OPENQASM 2.0;" } }));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await a.archive("y");
    await a.sync();
    const round = await b.sync();
    assert.deepEqual(round.reconciled, { active: ["x"], archived: ["y"], deleted: [] });
    await syncAll([a, b]);
    for (const replica of [a, b]) {
      const all = await everyTask(replica);
      assert.equal(all.get("x")!.table, "tasks");
      assert.equal(all.get("x")!.task.status, "failed");
      assert.equal(all.get("y")!.table, "archived_tasks");
      assert.deepEqual(
        all.get("y")!.task.compiled_circuit,
        { qasm: "OPENQASM 2.0;" },
        "the archived copy took the save's record",
      );
    }
    assert.deepEqual(await everyTask(a), await everyTask(b));
  });

  it("a bootstrap waits longer for the server's first answer than a round may", async () => {
    const a = await world.replica("a");
    await a.save(task("t"));
    await a.sync();
    const proxy = await startSyncProxy(world.server.url);
    try {
      proxy.delayMs = 800;
      const b = await openTursoSync({
        path: world.path("b"),
        url: proxy.url,
        timeoutMs: 300,
        bootstrapTimeoutMs: 5000,
      });
      try {
        assert.deepEqual(await b.all("SELECT task_id FROM tasks"), [{ task_id: "t" }]);
        await assert.rejects(b.replica!.pull(), /did not answer within 300 ms/);
      } finally {
        await b.close();
      }
    } finally {
      await proxy.close();
    }
  });

  it("a task settled here is not lost when another replica moves it again before this settling is pushed", async () => {
    // Replica x reaches the server through a proxy that can refuse pushes while pulls go through.
    const proxy = await startSyncProxy(world.server.url);
    try {
      const x = await openCache(world.path("x"), { syncUrl: proxy.url, syncIntervalMs: 0 });
      const [b, c] = [await world.replica("b"), await world.replica("c")];
      await b.save(task("z", { status: "success" }));
      await syncAll([b, c, x]);
      // The server ends with z in both tables: archived on b, saved later on c.
      await b.archive("z");
      await new Promise((resolve) => setTimeout(resolve, 5));
      await c.save(task("z", { status: "failed" }));
      await b.sync();
      await c.sync();
      // x pulls and settles z (the save wins), but cannot push the settling.
      proxy.mode = "refuse-pushes";
      await assert.rejects(x.sync(), SyncError);
      // Meanwhile b settles it the same way, then archives z again, and pushes first.
      await b.sync();
      await b.archive("z");
      await b.sync();
      proxy.mode = "pass";
      await x.sync();
      await syncAll([b, c, x], 2);
      const all = await everyTask(b);
      // b's move came last: z is archived everywhere, not lost to x's late delete of the old copy.
      assert.equal(all.get("z")?.table, "archived_tasks");
      assert.deepEqual(await everyTask(c), all);
      assert.deepEqual(await everyTask(x), all);
      await x.close();
    } finally {
      await proxy.close();
    }
  });

  it("kept listings and counts follow the replica's own writes and its pulls", async () => {
    const [a, b] = [await world.replica("a"), await world.replica("b")];
    await a.save(task("one", { status: "success" }));
    const first = await a.listText();
    assert.equal(await a.listText(), first, "an unchanged replica answers from the kept page");
    assert.equal((await a.counts()).success, 1);
    await a.sync();
    await b.sync();
    await b.save(task("two", { status: "success" }));
    await b.archive("one");
    await b.sync();
    await a.sync();
    assert.deepEqual(
      (await a.list()).tasks.map((t) => t.task_id),
      ["two"],
    );
    assert.deepEqual(await a.counts(), { pending: 0, running: 0, success: 1, failed: 0, cancelled: 0, total: 1 });
    assert.equal(await a.countArchived(), 1);
    await a.delete("two");
    assert.equal((await a.counts()).total, 0);
  });

  it("counts are counted on a replica, and equal a recount after moves of many tasks", async () => {
    const a = await world.replica("a");
    for (let i = 0; i < 60; i++)
      await a.save(task(`m${i}`, { backend: `b${i % 3}`, status: ["success", "failed", "running"][i % 3] }));
    await a.bulkArchive(Array.from({ length: 20 }, (_, i) => `m${i}`));
    await a.archiveExpired({ hours: 0 });
    const active = (await a.list({ limit: 1000 })).tasks;
    const archived = (await a.listArchived({ limit: 1000 })).tasks;
    assert.equal((await a.counts()).total, active.length);
    assert.equal((await a.counts()).running, active.filter((t) => t.status === "running").length);
    assert.equal(await a.countArchived({ backend: "b1" }), archived.filter((t) => t.backend === "b1").length);
    assert.equal(active.length + archived.length, 60);
  });

  it("its kept counts equal a recount after random saves, moves, deletes and pulls on two replicas", async () => {
    const replicas = [await world.replica("a"), await world.replica("b")];
    let seed = 20261203;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const statuses = ["pending", "running", "success", "failed", "cancelled"] as const;
    const id = () => `t${random(12)}`;
    for (let step = 0; step < 60; step++) {
      const cache = replicas[random(2)]!;
      const move = random(7);
      // A save or move the task's place refuses is a typed error that changes nothing.
      const tried = (work: Promise<unknown>) => work.catch(() => undefined);
      if (move === 0 || move === 1)
        await tried(cache.save(task(id(), { status: statuses[random(5)], backend: `b${random(3)}` })));
      else if (move === 2) await tried(cache.archive(id()));
      else if (move === 3) await tried(cache.restore(id()));
      else if (move === 4) await tried(cache.delete(id()));
      else if (move === 5) await cache.bulkArchive([id(), id(), id()]);
      else await cache.sync();
      for (const replica of replicas) {
        const tasks = [...(await everyTask(replica)).values()];
        const active = tasks.filter((entry) => entry.table === "tasks");
        const counts = await replica.counts();
        assert.equal(counts.total, active.length, `step ${step}: active total`);
        for (const status of statuses)
          assert.equal(
            counts[status],
            active.filter((entry) => entry.task.status === status).length,
            `step ${step}: ${status}`,
          );
        assert.equal(await replica.countArchived(), tasks.length - active.length, `step ${step}: archived`);
        assert.equal(
          await replica.count({ backend: "b1" }),
          active.filter((entry) => entry.task.backend === "b1").length,
        );
      }
    }
  });

  it("takes its token as a function, asked again for the requests of every round", async () => {
    let asked = 0;
    const a = await world.replica("a", { authToken: async () => `token-${++asked}` });
    const before = asked;
    await a.save(task("t"));
    await a.sync();
    assert.ok(before > 0 && asked > before, `asked ${before}, then ${asked}`);
  });

  it("sync on a cache that is not a replica is a typed error", async () => {
    const local = await openCache(world.path("plain.sqlite"));
    try {
      await assert.rejects(local.sync(), NotSyncedError);
      assert.equal(await local.syncState(), undefined);
    } finally {
      await local.close();
    }
  });

  it("a replica that cannot be bootstrapped says so, with the file and the server", async () => {
    await world.server.stop();
    await assert.rejects(
      world.replica("never"),
      (error: Error) => error instanceof SyncError && /never\.db.*could not be bootstrapped/.test(error.message),
    );
    await world.restart();
  });
});
