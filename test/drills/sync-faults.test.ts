/**
 * The shared history under faults: a replica killed (SIGKILL) in the middle of its rounds, the
 * sync server restarted during a push, and a proxy that loses or delays the server's answers.
 * In each, one replica records final results that another, unaware of them, saves over as
 * still running; whatever the fault interrupted, every replica must end with every result (the
 * rule: a terminal version wins over a concurrent one that is not), every task in one place,
 * and all replicas alike. `UNIQC_DRILL_SYNC_KILLS` sets the kills (3 here; DRILLS.md has the
 * long form).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { afterEach, beforeEach, it } from "vitest";
import type { TaskCache } from "../../core/index.ts";
import { ROOT } from "../../harness/server-process.ts";
import { everyTask, syncWorld, type SyncWorld } from "../sync/replicas.ts";

const KILLS = Number(process.env.UNIQC_DRILL_SYNC_KILLS ?? 3);
/** The longest a round had to be tried again before it went through. */
let longestBusyMs = 0;
const TASKS = 40;

let world: SyncWorld;
beforeEach(async () => {
  world = await syncWorld();
});
afterEach(async () => {
  await world.close();
});

/** Saves `prefix-i` as running on `cache`: a stale view of tasks another replica finished. */
async function staleSaves(cache: TaskCache, prefix: string) {
  for (let i = 0; i < TASKS; i++)
    await cache.save({
      task_id: `${prefix}-${i}`,
      backend: "originq:WK_C180",
      status: "running",
      metadata: { poll: i },
    });
}

/**
 * A round, tried again while it fails: a client killed inside a push leaves its write open on
 * the server until the server gives up on it, and pushes meanwhile answer "busy".
 */
async function syncUntilDone(cache: TaskCache, within = 60_000) {
  const started = Date.now();
  for (;;) {
    try {
      const round = await cache.sync();
      longestBusyMs = Math.max(longestBusyMs, Date.now() - started);
      return round;
    } catch (error) {
      if (Date.now() - started > within) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** Every replica alike, every task of `prefix` finished with its result. */
async function assertResultsKept(replicas: readonly TaskCache[], prefix: string, what: string) {
  for (let round = 0; round < 3; round++) for (const replica of replicas) await syncUntilDone(replica);
  const reference = await everyTask(replicas[0]!);
  for (const replica of replicas.slice(1))
    assert.deepEqual(await everyTask(replica), reference, `${what}: replicas differ`);
  for (let i = 0; i < TASKS; i++) {
    const entry = reference.get(`${prefix}-${i}`);
    assert.equal(entry?.task.status, "success", `${what}: ${prefix}-${i}`);
    assert.deepEqual(entry?.task.result, { counts: { [prefix]: i } }, `${what}: ${prefix}-${i}`);
  }
}

it(`a replica killed ${KILLS} times during its rounds loses no result it had committed`, {
  timeout: 60_000 + KILLS * 15_000,
}, async () => {
  const other = await world.replica("other");
  let killedInRound = 0;
  for (let kill = 0; kill < KILLS; kill++) {
    const prefix = `k${kill}`;
    const path = world.path(`killed-${kill}`);
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "test/drills/sync-fault-worker.ts", path, world.server.url, prefix, String(TASKS)],
      {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    for (let waited = 0; !output.includes("committed") && waited < 30_000; waited += 10)
      await new Promise((resolve) => setTimeout(resolve, 10));
    assert.ok(output.includes("committed"), `the worker did not start: ${output}`);
    // The other machine, unaware, saves the same tasks as still running; then the kill lands
    // somewhere in the worker's first rounds.
    await staleSaves(other, prefix);
    await syncUntilDone(other);
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 150));
    child.kill("SIGKILL");
    await exited;
    if ((output.match(/round/g) ?? []).length > 0) killedInRound++;
    // The killed replica is opened again, as its owner would after a crash, and rounds go on.
    const reopened = await world.replica(`killed-${kill}`);
    await assertResultsKept([reopened, other], prefix, `kill ${kill + 1}`);
    await reopened.close();
  }
  assert.ok(killedInRound > 0, "some kills landed during a round");
  console.log(
    `sync faults: ${KILLS} kills, ${killedInRound} during a round; the longest wait for a round to go through was ${longestBusyMs} ms`,
  );
});

it("a sync server restarted in the middle of a push loses nothing that either replica committed", {
  timeout: 120_000,
}, async () => {
  const [a, b] = [await world.replica("a"), await world.replica("b")];
  for (const [round, delay] of [10, 40, 120].entries()) {
    const prefix = `s${round}`;
    for (let i = 0; i < TASKS; i++)
      await a.save({
        task_id: `${prefix}-${i}`,
        backend: "originq:WK_C180",
        status: "success",
        result: { counts: { [prefix]: i } },
      });
    await staleSaves(b, prefix);
    // A large push in flight when the server goes down.
    for (let i = 0; i < 2000; i++)
      await a.save({ task_id: `${prefix}-bulk-${i}`, backend: "ibm:ibm_kyiv", status: "pending" });
    const push = a.sync().then(
      () => "done",
      () => "failed",
    );
    await new Promise((resolve) => setTimeout(resolve, delay));
    await world.server.stop();
    await world.restart();
    await push;
    await b.sync().catch(() => undefined);
    await assertResultsKept([a, b], prefix, `restart ${delay} ms into the push`);
    assert.equal((await a.list({ backend: "ibm:ibm_kyiv" })).total, 2000 * (round + 1));
  }
});

it("answers lost after the server applied a push, or held back, change nothing of the outcome", {
  timeout: 120_000,
}, async () => {
  const { cache: a, proxy } = await world.proxied("a");
  const b = await world.replica("b");
  proxy.mode = "lose-push-answers";
  for (let i = 0; i < TASKS; i++) {
    await a.save({ task_id: `l-${i}`, backend: "originq:WK_C180", status: "success", result: { counts: { l: i } } });
    if (i % 10 === 9) await assert.rejects(a.sync(), "the round sees its push answer lost");
  }
  assert.ok(proxy.pushesForwarded > 0, "the server received the pushes whose answers were lost");
  await staleSaves(b, "l");
  await b.sync();
  proxy.mode = "pass";
  proxy.delayMs = 300;
  await assertResultsKept([a, b], "l", "lost and delayed answers");
  const state = (await a.syncState())!;
  assert.equal(state.pending_changes, 0);
});
