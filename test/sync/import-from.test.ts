/**
 * The machine's own Python cache flowing into the shared history: `importRows` on a replica,
 * and `--import-from` on a running server while a Python process writes the file the way the
 * seed-era store does.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "vitest";
import type { Task } from "../../core/index.ts";
import { fileBytes } from "../contract/fixtures.ts";
import { Api } from "../server/conformance.ts";
import { ROOT, startServer } from "../../harness/server-process.ts";
import { everyTask, syncAll, syncWorld, type SyncWorld } from "./replicas.ts";

const stored = (task_id: string, update_time: string, extra: Record<string, unknown> = {}) => ({
  task_id,
  backend: "originq:WK_C180",
  status: "success",
  shots: 100,
  submit_time: "2026-05-03T08:00:00.000000+00:00",
  update_time,
  result_json: null,
  metadata_json: "{}",
  ...extra,
});

/** Runs the seed-era store emulation with the standard `sqlite3` module; resolves when it exits. */
function python(file: string, ops: unknown[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("python3", [join(ROOT, "test/fixtures/seed_store.py"), file, JSON.stringify(ops)], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`python exited with ${code}: ${stderr}`))));
  });
}

let world: SyncWorld;
beforeEach(async () => {
  world = await syncWorld();
});
afterEach(async () => {
  await world.close();
});

describe("importRows", () => {
  it("a row enters when its content is new, whatever its time; twice is a no-op; moves arrive as moves; bad rows are reported", async () => {
    const cache = await world.replica("a");
    await cache.save({ task_id: "mine", backend: "b", status: "running", compiled_circuit: { qasm: "OPENQASM 2.0;" } });
    const first = await cache.importRows([
      stored("p1", "2026-05-03T09:00:00.000000+00:00"),
      stored("p2", "2026-05-03T09:00:00.000000+00:00", { archived_at: "2026-05-03T10:00:00.000000+00:00" }),
      stored("old", "2000-01-01T00:00:00.000000+00:00", { task_id: "mine" }),
      { task_id: "bad/id", backend: "b" },
    ]);
    assert.equal(first.written, 3);
    assert.deepEqual(
      first.rejected.map((r) => r.task_id),
      ["bad/id"],
    );
    // The file's version had not seen the running save, and is terminal: its old time orders nothing.
    assert.equal((await cache.get("mine"))!.status, "success");
    const before = await everyTask(cache);
    assert.equal((await cache.importRows([stored("p1", "2026-05-03T09:00:00.000000+00:00")])).written, 0);
    assert.deepEqual(await everyTask(cache), before);
    // The other file archived p1, and changed mine, without a compiled circuit.
    await cache.importRows([
      stored("p1", "2026-05-03T09:00:00.000000+00:00", { archived_at: "2026-05-03T11:00:00.000000+00:00" }),
      stored("mine", "1999-01-01T00:00:00.000000+00:00", { status: "failed", compiled_circuit_json: null }),
    ]);
    const after = await everyTask(cache);
    assert.equal(after.get("p1")!.table, "archived_tasks");
    assert.equal(after.get("mine")!.task.status, "failed");
    assert.deepEqual(
      after.get("mine")!.task.compiled_circuit,
      { qasm: "OPENQASM 2.0;" },
      "a compiled circuit the other file lacks is kept",
    );
  });

  it("a result a machine's file recorded reaches every replica, though another machine touched the task later", async () => {
    const fast = await world.replica("fast", { clock: () => new Date(Date.now() + 10 * 60_000) });
    const [b, c] = [await world.replica("b"), await world.replica("c")];
    const submitted = "2026-05-03T09:00:00.000000+00:00";
    await b.importRows([stored("uqt_1", submitted, { status: "running" })]);
    await syncAll([b, fast, c]);
    // b's server is stopped; meanwhile the fast machine notes the task, ten minutes ahead.
    await fast.save({
      task_id: "uqt_1",
      backend: "originq:WK_C180",
      status: "running",
      metadata: { note: "slow queue" },
    });
    await fast.sync();
    await c.sync();
    // b's Python package recorded the result before any of that, by the clocks.
    const done = stored("uqt_1", "2026-05-03T09:05:00.000000+00:00", { result_json: '{"counts":{"00":51,"11":49}}' });
    // b's server starts again: its first round pulls the note, then the file is read.
    await b.sync();
    assert.equal((await b.importRows([done])).written, 1);
    assert.equal((await b.importRows([done])).written, 0, "the same row again enters nothing");
    await syncAll([b, fast, c], 2);
    for (const replica of [b, fast, c]) {
      const task = await replica.get("uqt_1");
      assert.equal(task?.status, "success");
      assert.deepEqual(task?.result, { counts: { "00": 51, "11": 49 } });
    }
    // A stale copy of the row, without the result, does not take it back.
    await b.importRows([stored("uqt_1", "2026-05-03T09:06:00.000000+00:00", { status: "running" })]);
    await syncAll([b, fast, c], 2);
    assert.deepEqual((await c.get("uqt_1"))?.result, { counts: { "00": 51, "11": 49 } });
  });
});

describe("--import-from", () => {
  it("tasks the Python store writes on one machine reach another replica, and its file is never written", async () => {
    const pythonFile = world.path("python-tasks.sqlite");
    await python(pythonFile, [
      ["save", "uqt_a", "running"],
      ["save", "uqt_b", "running"],
    ]);
    const server = await startServer("node", [
      "--db",
      world.path("replica-a"),
      "--sync-url",
      world.server.url,
      "--sync-interval",
      "200ms",
      "--import-from",
      pythonFile,
    ]);
    try {
      // While the server runs: a new task, an update, and an archive move, each on a new connection.
      await python(pythonFile, [
        ["sleep", 0.3],
        ["save", "uqt_c", "pending"],
        ["save", "uqt_a", "success"],
        ["archive", "uqt_b"],
      ]);
      const untouched = fileBytes(pythonFile);
      const other = await world.replica("replica-b");
      const deadline = Date.now() + 20_000;
      let seen = new Map<string, { table: string; status: string }>();
      for (;;) {
        await other.sync();
        seen = new Map(
          [...(await everyTask(other))].map(([id, entry]) => [id, { table: entry.table, status: entry.task.status }]),
        );
        if (
          seen.get("uqt_a")?.status === "success" &&
          seen.get("uqt_b")?.table === "archived_tasks" &&
          seen.has("uqt_c")
        )
          break;
        assert.ok(Date.now() < deadline, `replica-b sees ${JSON.stringify([...seen])}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.deepEqual([...seen.keys()].sort(), ["uqt_a", "uqt_b", "uqt_c"]);
      const health = await new Api(server.base).ok("GET", "/api/health");
      assert.equal(health.import_from.source, pythonFile);
      assert.ok(
        health.import_from.imported >= 5 && health.import_from.last_error === null,
        JSON.stringify(health.import_from),
      );
      assert.equal(fileBytes(pythonFile), untouched, "the followed file is only read");
    } finally {
      await server.stop("SIGKILL");
    }
  });

  it("results the Python store records while the server is stopped reach every replica, though others edited those tasks meanwhile", async () => {
    const pythonFile = world.path("python-stopped.sqlite");
    const ids = ["uqt_r1", "uqt_r2"];
    await python(
      pythonFile,
      ids.map((id) => ["save", id, "running"]),
    );
    const args = [
      "--db",
      world.path("replica-py"),
      "--sync-url",
      world.server.url,
      "--sync-interval",
      "200ms",
      "--import-from",
      pythonFile,
    ];
    const others = [
      await world.replica("ahead", { clock: () => new Date(Date.now() + 10 * 60_000) }),
      await world.replica("other"),
    ];
    const waitFor = async (what: string, holds: () => Promise<boolean>) => {
      for (const deadline = Date.now() + 20_000; !(await holds()); ) {
        const seen = await Promise.all(others.flatMap((replica) => ids.map((id) => replica.get(id))));
        assert.ok(Date.now() < deadline, `${what}: ${JSON.stringify(seen.map((t) => [t?.status, t?.result]))}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    let server = await startServer("node", args);
    try {
      await waitFor("the tasks reach the other replicas", async () => {
        for (const replica of others) await replica.sync();
        return (await Promise.all(others.map((replica) => replica.get("uqt_r2")))).every(Boolean);
      });
      await server.stop("SIGTERM");
      // The server is stopped: other machines note the tasks, and the Python package records results.
      await others[0]!.save({
        task_id: "uqt_r1",
        backend: "originq:WK_C180",
        status: "running",
        metadata: { note: "queued" },
      });
      await others[1]!.save({
        task_id: "uqt_r2",
        backend: "originq:WK_C180",
        status: "running",
        metadata: { poll: 3 },
      });
      for (const replica of others) await replica.sync();
      await python(
        pythonFile,
        ids.map((id) => ["save", id, "success", '{"counts":{"00":50,"11":50}}']),
      );
      server = await startServer("node", args);
      await waitFor("every replica shows both results", async () => {
        for (const replica of others) await replica.sync();
        const tasks = await Promise.all(others.flatMap((replica) => ids.map((id) => replica.get(id))));
        const counts = (task: Task | undefined) => (task?.result as { counts?: Record<string, number> } | null)?.counts;
        return tasks.every(
          (task) => task?.status === "success" && counts(task)?.["00"] === 50 && counts(task)?.["11"] === 50,
        );
      });
      for (const id of ids) {
        const shown = await new Api(server.base).ok("GET", `/api/tasks/${id}`);
        assert.deepEqual([shown.status, shown.result], ["success", { counts: { "00": 50, "11": 50 } }], id);
      }
    } finally {
      await server.stop("SIGKILL");
    }
  });
});
