/**
 * The merge rule of the shared history, case by case, on replicas of a real sync server. Each
 * case is played so that the version the rule must drop reaches the server last: merged by
 * arrival (the engine's own rule), every one of them ends wrong.
 */
import assert from "node:assert/strict";
import { copyFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, it } from "vitest";
import type { Clock, TaskCache } from "../../core/index.ts";
import { everyTask, syncAll, syncWorld, type SyncWorld } from "./replicas.ts";

const task = (task_id: string, extra: Record<string, unknown> = {}) => ({
  task_id,
  backend: "originq:WK_C180",
  status: "running" as const,
  ...extra,
});

/** A clock `skewMs` off the real one. */
const skewed =
  (skewMs: number): Clock =>
  () =>
    new Date(Date.now() + skewMs);
const TEN_MINUTES = 10 * 60_000;
const tick = () => new Promise((resolve) => setTimeout(resolve, 3));

let world: SyncWorld;
beforeEach(async () => {
  world = await syncWorld();
});
afterEach(async () => {
  await world.close();
});

/** Every replica holds the same tasks; the task `id` as they all hold it, with its table. */
async function agreed(replicas: readonly TaskCache[], id: string) {
  await syncAll(replicas, 2);
  const first = await everyTask(replicas[0]!);
  for (const replica of replicas.slice(1)) assert.deepEqual(await everyTask(replica), first);
  return first.get(id);
}

describe("the merge rule of the shared history", () => {
  it("a save made offline and pushed last does not erase a result recorded elsewhere", async () => {
    const { cache: a, proxy } = await world.proxied("a");
    const b = await world.replica("b");
    await a.save(task("t1"));
    await syncAll([a, b]);
    proxy.mode = "offline";
    await a.save(task("t1", { metadata: { note: "still waiting" } }));
    await tick();
    await b.save(task("t1", { status: "success", result: { counts: { "00": 510, "11": 490 } } }));
    await b.sync();
    proxy.mode = "pass";
    await a.sync();
    const t1 = await agreed([a, b], "t1");
    assert.equal(t1?.task.status, "success");
    assert.deepEqual(t1?.task.result, { counts: { "00": 510, "11": 490 } });
  });

  it("a failed task is not set back to running by a stale save pushed after it", async () => {
    const [a, b] = [await world.replica("a"), await world.replica("b")];
    await a.save(task("t2"));
    await syncAll([a, b]);
    await a.save(task("t2", { status: "failed", metadata: { reason: "calibration" } }));
    await a.sync();
    // b has not pulled the failure: its save is a stale view, however late it is.
    await tick();
    await b.save(task("t2", { status: "running", metadata: { poll: 7 } }));
    await b.sync();
    const t2 = await agreed([a, b], "t2");
    assert.equal(t2?.task.status, "failed");
    assert.deepEqual(t2?.task.metadata, { reason: "calibration" });
  });

  it("an archive made without seeing a result does not bury it under the status it had seen", async () => {
    const [a, b] = [await world.replica("a", { clock: skewed(TEN_MINUTES) }), await world.replica("b")];
    await a.save(task("t3"));
    await syncAll([a, b]);
    await b.save(task("t3", { status: "success", result: { counts: { "0": 3 } } }));
    await b.sync();
    // a saw the task fail and archived it, ten minutes ahead by its clock, without seeing b's result.
    await a.save(task("t3", { status: "failed" }));
    await a.archive("t3");
    await a.sync();
    const t3 = await agreed([a, b], "t3");
    assert.equal(t3?.task.status, "success");
    assert.deepEqual(t3?.task.result, { counts: { "0": 3 } });
  });

  it("causality beats clocks: a save made after seeing another wins, whatever the clocks say", async () => {
    const fast = await world.replica("fast", { clock: skewed(TEN_MINUTES) });
    const slow = await world.replica("slow", { clock: skewed(-TEN_MINUTES) });
    await fast.save(task("t4", { status: "success", result: { v: "fast" } }));
    await fast.sync();
    await slow.sync();
    // Twenty minutes behind the fast machine's clock, but it had seen the fast machine's version.
    await slow.save(task("t4", { status: "running", result: null, metadata: { rerun: true } }));
    await slow.sync();
    const t4 = await agreed([fast, slow], "t4");
    assert.equal(t4?.task.status, "running");
    assert.equal(t4?.task.result, null, "the version that had seen the result cleared it");
    assert.deepEqual(t4?.task.metadata, { rerun: true });
    // And the fast machine's next save, made after seeing that one, wins in turn.
    await fast.save(task("t4", { status: "cancelled" }));
    await fast.sync();
    assert.equal((await agreed([fast, slow], "t4"))?.task.status, "cancelled");
  });

  it("between concurrent versions of one kind the later clock wins, then the higher replica id", async () => {
    const [a, b] = [await world.replica("a"), await world.replica("b")];
    await a.save(task("later"));
    await a.save(task("tie"));
    await syncAll([a, b]);
    await a.save(task("later", { metadata: { by: "a" } }));
    await tick();
    await b.save(task("later", { metadata: { by: "b" } }));
    // The later one pushed first, the earlier one last.
    await b.sync();
    await a.sync();
    assert.deepEqual((await agreed([a, b], "later"))?.task.metadata, { by: "b" });

    // The same instant on both machines: the replica id decides, the same way everywhere.
    const instant = new Date("2030-01-01T00:00:00Z");
    const [c, d] = [
      await world.replica("c", { clock: () => instant }),
      await world.replica("d", { clock: () => instant }),
    ];
    await syncAll([a, b, c, d]);
    await c.save(task("tie", { metadata: { by: "c" } }));
    await d.save(task("tie", { metadata: { by: "d" } }));
    const ids = { c: (await c.syncState())!.replica_id, d: (await d.syncState())!.replica_id };
    const expected = ids.c > ids.d ? "c" : "d";
    // The winner pushes first, so arrival alone would pick the other.
    await (expected === "c" ? c : d).sync();
    await (expected === "c" ? d : c).sync();
    assert.deepEqual((await agreed([a, b, c, d], "tie"))?.task.metadata, { by: expected });
  });

  it("a terminal version wins over a concurrent one that is not, even a later one", async () => {
    const [a, b] = [
      await world.replica("a", { clock: skewed(-TEN_MINUTES) }),
      await world.replica("b", { clock: skewed(TEN_MINUTES) }),
    ];
    await a.save(task("t6"));
    await syncAll([a, b]);
    await a.save(task("t6", { status: "cancelled" }));
    await b.save(task("t6", { status: "running", metadata: { later: true } }));
    await a.sync();
    await b.sync();
    assert.equal((await agreed([a, b], "t6"))?.task.status, "cancelled");
  });

  it("a save that leaves a field out keeps what another machine recorded; the status goes with the result", async () => {
    const [a, b] = [await world.replica("a"), await world.replica("b")];
    await a.save(task("t7", { compiled_circuit: { qasm: "OPENQASM 2.0;" } }));
    await syncAll([a, b]);
    await b.save(task("t7", { status: "success", result: { counts: { "1": 9 } } }));
    await tick();
    await a.save(task("t7", { status: "failed", metadata: { note: "checked" } }));
    await b.sync();
    await a.sync();
    const t7 = await agreed([a, b], "t7");
    assert.equal(t7?.task.status, "success", "b's version holds the result a had not seen");
    assert.deepEqual(t7?.task.result, { counts: { "1": 9 } });
    assert.deepEqual(t7?.task.compiled_circuit, { qasm: "OPENQASM 2.0;" });
  });

  it("restore against archive, and archive against save, follow the same order", async () => {
    const [a, b] = [await world.replica("a"), await world.replica("b")];
    await a.save(task("moved", { status: "success" }));
    await a.archive("moved");
    await syncAll([a, b]);
    // b restores having seen the archive; a, later and unaware, saves nothing: b's restore stands.
    await b.restore("moved");
    await b.sync();
    await a.sync();
    assert.equal((await agreed([a, b], "moved"))?.table, "tasks");
    // A move made after seeing the restore wins over it.
    await a.archive("moved");
    await a.sync();
    assert.equal((await agreed([a, b], "moved"))?.table, "archived_tasks");
    // A running save on one machine and a concurrent archive of the finished task on another: the
    // terminal archive wins, and every replica holds the task in one table.
    await a.save(task("busy", { status: "success" }));
    await syncAll([a, b]);
    await b.archive("busy");
    await a.save(task("busy", { status: "running" }));
    await b.sync();
    await a.sync();
    const busy = await agreed([a, b], "busy");
    assert.equal(busy?.table, "archived_tasks");
    assert.equal(busy?.task.status, "success");
  });

  it("delete against save: a delete wins over what it had seen and over a concurrent unfinished save, not over a later finished one", async () => {
    const [a, b] = [await world.replica("a"), await world.replica("b")];
    for (const id of ["seen", "stale", "kept"]) await a.save(task(id));
    await syncAll([a, b]);
    // b saves, a deletes after seeing that save: gone everywhere, and b's older save pushed again
    // cannot bring it back.
    await b.save(task("seen", { metadata: { n: 1 } }));
    await syncAll([a, b]);
    await a.delete("seen");
    await a.sync();
    // a deletes; b, unaware, saves the task as still running, and pushes last.
    await a.delete("stale");
    await tick();
    await b.save(task("stale", { metadata: { poll: 2 } }));
    await a.sync();
    await b.sync();
    // a deletes; b, unaware and later, records the result: the result stays.
    await a.delete("kept");
    await tick();
    await b.save(task("kept", { status: "success", result: { counts: { "1": 1 } } }));
    await b.sync();
    await a.sync();
    const all = await (async () => {
      await agreed([a, b], "seen");
      return everyTask(a);
    })();
    assert.equal(all.has("seen"), false);
    assert.equal(all.has("stale"), false);
    assert.deepEqual(all.get("kept")?.task.result, { counts: { "1": 1 } });
    // A save made after seeing a delete brings the task back, as a new life of it.
    await b.save(task("seen", { status: "pending" }));
    await b.sync();
    assert.equal((await agreed([a, b], "seen"))?.task.status, "pending");
  });

  it("a task first saved on two machines at once keeps both machines' records, by the rule, in either push order", async () => {
    for (const [first, second] of [
      ["a", "b"],
      ["b", "a"],
    ] as const) {
      const replicas = { a: await world.replica(`a-${first}`), b: await world.replica(`b-${first}`) };
      const id = `both-${first}`;
      // Neither had seen the other's: a finished one with a result, and a later unfinished one with a circuit.
      await replicas.a.save(task(id, { status: "success", result: { counts: { "1": 9 } } }));
      await tick();
      await replicas.b.save(task(id, { compiled_circuit: { qasm: "OPENQASM 2.0;" }, metadata: { poll: 1 } }));
      await replicas[first].sync();
      await replicas[second].sync();
      const settled = await agreed([replicas.a, replicas.b], id);
      assert.equal(settled?.task.status, "success");
      assert.deepEqual(settled?.task.result, { counts: { "1": 9 } });
      assert.deepEqual(settled?.task.compiled_circuit, { qasm: "OPENQASM 2.0;" });
    }
  });

  it("the order in which machines sync does not change the outcome", async () => {
    const outcomes: string[] = [];
    for (const order of [
      [0, 1, 2],
      [2, 1, 0],
      [1, 2, 0],
    ]) {
      const names = ["x", "y", "z"].map((name) => `${name}${order.join("")}`);
      const replicas = [await world.replica(names[0]!), await world.replica(names[1]!), await world.replica(names[2]!)];
      const id = `o${order.join("")}`;
      await replicas[0]!.save(task(id));
      await syncAll(replicas);
      await replicas[0]!.save(task(id, { status: "success", result: { r: 0 } }));
      await replicas[1]!.save(task(id, { metadata: { poll: 1 } }));
      await replicas[2]!.archive(id).catch(() => undefined);
      for (const i of order) await replicas[i]!.sync().catch(() => undefined);
      const settled = await agreed(replicas, id);
      outcomes.push(
        JSON.stringify({ table: settled?.table, status: settled?.task.status, result: settled?.task.result }),
      );
    }
    assert.equal(new Set(outcomes).size, 1, outcomes.join("\n"));
  });

  it("a replica file copied with its id takes a new id once it meets the original, and no version is lost to a collision", async () => {
    const a = await world.replica("a");
    await a.save(task("t9"));
    await a.sync();
    await a.close();
    // The database and its id file, copied to another machine (or restored there from a backup).
    // The engine's own state file (`-info`) is left behind: copied too, it makes the server refuse
    // the original's rounds as another client's.
    const dir = dirname(world.path("a"));
    for (const suffix of ["", "-wal", "-replica-id"])
      copyFileSync(join(dir, `a.db${suffix}`), join(dir, `copy.db${suffix}`));
    const original = await world.replica("a");
    const copy = await world.replica("copy");
    const id = (await original.syncState())!.replica_id;
    assert.equal((await copy.syncState())!.replica_id, id, "the copy starts with the original's id");
    // The copy writes first; the original meets its mark at its next round.
    await copy.save(task("other"));
    await copy.sync();
    await original.sync();
    const ids = [(await original.syncState())!.replica_id, (await copy.syncState())!.replica_id];
    assert.notEqual(ids[0], ids[1], "one of them took a new id");
    // Both now write the same task unaware of each other: two versions, both kept by the rule.
    await copy.save(task("t9", { status: "success", result: { counts: { "1": 4 } } }));
    await tick();
    await original.save(task("t9", { status: "failed", metadata: { by: "original" } }));
    await original.sync();
    await copy.sync();
    const t9 = await agreed([original, copy], "t9");
    assert.equal(t9?.task.status, "success");
    assert.deepEqual(t9?.task.result, { counts: { "1": 4 } });
    const lost = await original.conflicts("t9");
    assert.deepEqual(
      lost?.conflicts.map((c) => [c.task?.status, c.task?.metadata]),
      [["failed", { by: "original" }]],
    );
  });

  describe("nothing recorded is dropped (three replicas, one ten minutes ahead)", () => {
    /** Three replicas of one server, the first ten minutes ahead, each holding `ids` as running. */
    async function three(...ids: string[]) {
      const fast = await world.replica("fast", { clock: skewed(TEN_MINUTES) });
      const [b, c] = [await world.replica("b"), await world.replica("c")];
      for (const id of ids) await b.save(task(id));
      await syncAll([b, fast, c]);
      return [fast, b, c] as const;
    }
    const counts = { counts: { "00": 480, "11": 520 } };

    it("a delete made without seeing a result leaves the task with it; one made after seeing it deletes it", async () => {
      const [fast, b, c] = await three("blind", "seeing");
      await fast.delete("blind");
      await fast.sync();
      await b.save(task("blind", { status: "success", result: counts }));
      await b.save(task("seeing", { status: "success", result: counts }));
      await b.sync();
      await fast.sync();
      await fast.delete("seeing");
      await fast.sync();
      const all = await (async () => {
        await agreed([fast, b, c], "blind");
        return everyTask(c);
      })();
      assert.equal(all.get("blind")?.task.status, "success");
      assert.deepEqual(all.get("blind")?.task.result, counts);
      assert.equal(all.has("seeing"), false);
    });

    it("a task shows the status of the version whose result it shows", async () => {
      const [fast, b, c] = await three("t10");
      await b.save(task("t10", { status: "success", result: counts }));
      await fast.save(task("t10", { status: "failed", metadata: { reason: "timeout" } }));
      await b.sync();
      await fast.sync();
      const t10 = await agreed([fast, b, c], "t10");
      assert.equal(t10?.task.status, "success");
      assert.deepEqual(t10?.task.result, counts);
      assert.equal(t10?.task.has_conflicts, true);
      assert.deepEqual((await c.counts()).failed, 0, "the activity counts it as a success");
      // The version that lost stays readable, until a save made after seeing it resolves it.
      const lost = (await c.conflicts("t10"))!.conflicts;
      assert.deepEqual(
        lost.map((version) => [version.place, version.task?.status, version.task?.metadata]),
        [["active", "failed", { reason: "timeout" }]],
      );
      assert.deepEqual(await c.conflicted(), ["t10"]);
      await c.save(task("t10", { status: "success", metadata: { checked: true } }));
      await syncAll([fast, b, c]);
      assert.deepEqual((await fast.conflicts("t10"))?.conflicts, []);
      assert.equal((await fast.get("t10"))?.has_conflicts, undefined);
    });

    it("clear-completed, a delete by filter and a purge that had not seen a result keep it", async () => {
      const [fast, b, c] = await three("cleared", "filtered", "purged");
      await b.save(task("cleared", { status: "failed" }));
      await b.save(task("filtered", { status: "failed" }));
      await b.save(task("purged", { status: "failed" }));
      await b.archive("purged");
      await syncAll([b, fast, c]);
      await fast.clearCompleted();
      await fast.deleteMatching({ idPrefix: "filtered" });
      await fast.purgeArchived({ olderThanHours: 0 });
      await fast.sync();
      // b had not seen any of it: the jobs were retried and succeeded.
      await b.save(task("cleared", { status: "success", result: counts }));
      await b.save(task("filtered", { status: "success", result: counts }));
      await b.restore("purged");
      await b.save(task("purged", { status: "success", result: counts }));
      await b.sync();
      await agreed([fast, b, c], "cleared");
      const all = await everyTask(fast);
      for (const id of ["cleared", "filtered", "purged"]) {
        assert.equal(all.get(id)?.task.status, "success", id);
        assert.deepEqual(all.get(id)?.task.result, counts, id);
      }
    });
  });
});
