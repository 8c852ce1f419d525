/**
 * The shared history held to a reference model of its merge rule, on random schedules.
 *
 * Three to five replicas of a real sync server, each behind a proxy that can cut it off or refuse
 * its pushes, each with its clock up to ten minutes off, run random saves, moves, deletes and
 * restores on a few task ids, and sync in random orders. The model knows every version made, and
 * for each the exact set of versions its replica had seen (a replica knows what it made and
 * what it pulled; the server, what was pushed to it). From those sets alone, with no version
 * vectors, it says what each replica must show: after every round, that replica's tasks; at the
 * end, with every replica online for a few rounds, the same tasks everywhere.
 *
 * Runs under vitest, Deno and Bun alike (node:assert and fast-check only).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { openCache } from "../../adapters/open.ts";
import { CacheError, formatTimestamp, type Task, type TaskCache } from "../../core/index.ts";
import { tempDir } from "../contract/fixtures.ts";
import { startSyncProxy, type ProxyMode, type SyncProxy } from "../fixtures/sync-proxy.ts";
import { startSyncServer } from "../../harness/sync-server.ts";
import { everyTask } from "./replicas.ts";

const TERMINAL = new Set(["success", "failed", "cancelled"]);
const STATUSES = ["pending", "running", "success", "failed", "cancelled"] as const;
const RECORDED = ["result", "compiled_circuit"] as const;
type Recorded = (typeof RECORDED)[number];
/** The recorded fields that say how a task ended. */
const OUTCOMES: readonly Recorded[] = ["result"];
type Place = "tasks" | "archived_tasks" | "deleted";
const PLACE_NAMES = { tasks: "active", archived_tasks: "archived", deleted: "deleted" } as const;

/** One version, as the model keeps it. */
interface Version {
  readonly id: number;
  readonly task: string;
  readonly replica: string;
  /** Every version of the task its replica knew when it made this one, this one included. */
  readonly seen: ReadonlySet<number>;
  readonly clock: number;
  readonly place: Place;
  /** The task's fields as `get` shows them (nothing for a delete). */
  readonly fields: Readonly<Record<string, unknown>>;
  /** The version that wrote each recorded field's value. */
  readonly writers: Readonly<Partial<Record<Recorded, number>>>;
}

/** What the rule makes of a task from the versions known. */
interface Shown {
  readonly place: Place;
  readonly fields: Record<string, unknown>;
  readonly writers: Partial<Record<Recorded, number>>;
  readonly clock: number;
  /** The versions that lost to the winner and stay readable beside it, best-ranked first. */
  readonly losers: readonly Version[];
}

/** Whether `v` holds a value of one of `fields` whose writer `u` had not seen. */
const holdsUnseen = (v: Version, u: Version, fields: readonly Recorded[]) =>
  fields.some(
    (field) => (v.fields[field] ?? null) !== null && v.writers[field] !== undefined && !u.seen.has(v.writers[field]!),
  );

/** The order among versions none of which had seen another: negative when `a` wins. */
function ranking(frontier: readonly Version[]) {
  const others = (v: Version) => frontier.filter((u) => u !== v);
  const blind = (v: Version) => v.place === "deleted" && others(v).some((u) => holdsUnseen(u, v, RECORDED));
  const news = (v: Version) => others(v).some((u) => holdsUnseen(v, u, OUTCOMES));
  const terminal = (v: Version) => (v.place === "deleted" || TERMINAL.has(String(v.fields.status)) ? 1 : 0);
  return (a: Version, b: Version) =>
    Number(blind(a)) - Number(blind(b)) ||
    Number(news(b)) - Number(news(a)) ||
    terminal(b) - terminal(a) ||
    b.clock - a.clock ||
    (a.replica < b.replica ? 1 : a.replica > b.replica ? -1 : 0);
}

/** The rule, from the versions' seen sets: what the versions of one task make together. */
export function shownBy(versions: readonly Version[]): Shown | undefined {
  const concurrent = versions.filter((v) => !versions.some((u) => u !== v && u.seen.has(v.id)));
  const frontier = concurrent.sort(ranking(concurrent));
  const winner = frontier[0];
  if (!winner) return undefined;
  const fields = { ...winner.fields };
  const writers: Partial<Record<Recorded, number>> = {};
  if (winner.place !== "deleted") {
    for (const field of RECORDED) {
      const writer = (v: Version) => v.writers[field];
      // The outcome is the winner's; a value is otherwise replaced when another version left had
      // seen its writer and holds another.
      const replaced = (v: Version) =>
        frontier.some((u) => u !== v && (writer(v) === undefined || u.seen.has(writer(v)!)) && writer(u) !== writer(v));
      const kept = OUTCOMES.includes(field)
        ? winner
        : (frontier.find((v) => (v.fields[field] ?? null) !== null && !replaced(v)) ?? winner);
      fields[field] = kept.fields[field] ?? null;
      if (writer(kept) !== undefined) writers[field] = writer(kept)!;
    }
  }
  return {
    place: winner.place,
    fields,
    writers,
    clock: Math.max(...versions.map((v) => v.clock)),
    losers: frontier.slice(1),
  };
}

/** One step of a schedule. */
type Step =
  | {
      kind: "save";
      replica: number;
      task: number;
      status: (typeof STATUSES)[number];
      result: boolean;
      clearResult: boolean;
      metadata: boolean;
      compiled: boolean;
    }
  | { kind: "archive" | "restore" | "delete" | "deleteArchived"; replica: number; task: number }
  | { kind: "bulkArchive"; replica: number; tasks: number[] }
  | { kind: "archiveExpired" | "purge" | "clearCompleted" | "reimport"; replica: number }
  | { kind: "archiveMatching" | "deleteMatching"; replica: number; status: (typeof STATUSES)[number] }
  /** The machine's Python package writes its own file, and the replica imports the row. */
  | { kind: "pySave"; replica: number; task: number; status: (typeof STATUSES)[number]; result: boolean }
  | { kind: "pyArchive"; replica: number; task: number }
  | { kind: "sync"; replica: number }
  | { kind: "network"; replica: number; mode: ProxyMode };

export interface Schedule {
  readonly replicas: number;
  /** Each replica's clock offset, in milliseconds. */
  readonly skews: readonly number[];
  readonly steps: readonly Step[];
  /** Milliseconds the shared clock moves before each step. */
  readonly gaps: readonly number[];
}

const TASKS = 6;
const MAX_SKEW = 10 * 60_000;

export function scheduleArbitrary(maxSteps: number): fc.Arbitrary<Schedule> {
  const replica = fc.nat(4);
  const task = fc.nat(TASKS - 1);
  const step: fc.Arbitrary<Step> = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant("save" as const),
        replica,
        task,
        status: fc.constantFrom(...STATUSES),
        result: fc.boolean(),
        clearResult: fc.boolean(),
        metadata: fc.boolean(),
        compiled: fc.boolean(),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constantFrom("archive" as const, "restore" as const, "delete" as const, "deleteArchived" as const),
        replica,
        task,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant("bulkArchive" as const),
        replica,
        tasks: fc.uniqueArray(task, { minLength: 1, maxLength: 3 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constantFrom(
          "archiveExpired" as const,
          "purge" as const,
          "clearCompleted" as const,
          "reimport" as const,
        ),
        replica,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constantFrom("archiveMatching" as const, "deleteMatching" as const),
        replica,
        status: fc.constantFrom(...STATUSES),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant("pySave" as const),
        replica,
        task,
        status: fc.constantFrom(...STATUSES),
        result: fc.boolean(),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("pyArchive" as const), replica, task }) },
    { weight: 5, arbitrary: fc.record({ kind: fc.constant("sync" as const), replica }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant("network" as const),
        replica,
        mode: fc.constantFrom<ProxyMode>("pass", "pass", "offline", "refuse-pushes"),
      }),
    },
  );
  return fc.integer({ min: 3, max: 5 }).chain((replicas) =>
    fc.record({
      replicas: fc.constant(replicas),
      // Replicas with the same clock, and steps in the same millisecond, make versions whose
      // clocks tie, so that the replica id decides between them.
      skews: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: -MAX_SKEW, max: MAX_SKEW })), {
        minLength: replicas,
        maxLength: replicas,
      }),
      steps: fc
        .array(step, { minLength: Math.min(10, maxSteps), maxLength: maxSteps, size: "max" })
        .map((steps) => steps.map((s) => ({ ...s, replica: s.replica % replicas }))),
      gaps: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 90_000 })), {
        minLength: maxSteps,
        maxLength: maxSteps,
      }),
    }),
  );
}

/** A value as JSON would carry it: keys that hold undefined are gone. */
const plain = (value: unknown) => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

/** A task as `everyTask` reads it, in the form the model compares. */
const comparable = (entry: { table: string; task: Task } | undefined) =>
  plain(entry && { place: entry.table, fields: { ...entry.task, task_id: undefined } });

/** Plays one schedule against real replicas and the model; throws on the first difference. */
export async function playSchedule(schedule: Schedule): Promise<{ versions: number; rounds: number }> {
  const temp = tempDir("uniqc-model-");
  const server = await startSyncServer(temp.file("server.db"));
  const proxies: SyncProxy[] = [];
  const caches: TaskCache[] = [];
  let now = Date.parse("2030-01-01T00:00:00Z");
  try {
    const versions: Version[] = [];
    const known: Set<number>[] = [];
    const onServer = new Set<number>();
    const ids: string[] = [];
    for (let r = 0; r < schedule.replicas; r++) {
      const proxy = await startSyncProxy(server.url);
      proxies.push(proxy);
      const skew = schedule.skews[r]!;
      caches.push(
        await openCache(temp.file(`r${r}.db`), {
          syncUrl: proxy.url,
          syncIntervalMs: 0,
          clock: () => new Date(now + skew),
        }),
      );
      ids.push((await caches[r]!.syncState())!.replica_id);
      // A new replica starts from what the server holds.
      known.push(new Set(onServer));
    }
    const name = (task: number) => `task-${task}`;
    const shown = (r: number, task: string) => shownBy(versions.filter((v) => v.task === task && known[r]!.has(v.id)));
    const make = (
      r: number,
      task: string,
      place: Place,
      fields: Record<string, unknown>,
      writers: Partial<Record<Recorded, number>>,
    ) => {
      const seen = new Set(versions.filter((v) => v.task === task && known[r]!.has(v.id)).map((v) => v.id));
      const id = versions.length;
      seen.add(id);
      const before = shown(r, task);
      const clock = Math.max(now + schedule.skews[r]!, (before?.clock ?? 0) + 1);
      versions.push({ id, task, replica: ids[r]!, seen, clock, place, fields, writers });
      known[r]!.add(id);
    };
    /**
     * Each machine's own cache file, as its Python package writes it, and what its replica last
     * took from each row. A row taken is a version of the file's own writer, which had seen only
     * that writer's earlier versions of the task, its clock the row's time.
     */
    const files: Map<string, Record<string, unknown>>[] = ids.map(() => new Map());
    const taken: Map<string, string>[] = ids.map(() => new Map());
    const importer = (r: number) => `${ids[r]}py`;
    const enter = async (r: number, row: Record<string, unknown>, at: string) => {
      const task = String(row.task_id);
      const { written } = await caches[r]!.importRows([row]);
      const content = JSON.stringify(row);
      const fresh = taken[r]!.get(task) !== content;
      assert.equal(written, fresh ? 1 : 0, `${at}: rows entered`);
      if (!fresh) return;
      taken[r]!.set(task, content);
      const before = shown(r, task);
      const held = before && before.place !== "deleted" ? before : undefined;
      const chain = versions.filter((v) => v.task === task && v.replica === importer(r));
      const id = versions.length;
      const rowResult = row.result_json === null ? null : JSON.parse(String(row.result_json));
      const heldResult = held?.fields.result ?? null;
      const ownResult = rowResult !== null && JSON.stringify(rowResult) !== JSON.stringify(heldResult);
      const writers: Partial<Record<Recorded, number>> = {};
      if (ownResult) writers.result = id;
      else if (heldResult !== null && held?.writers.result !== undefined) writers.result = held.writers.result;
      if ((held?.fields.compiled_circuit ?? null) !== null && held?.writers.compiled_circuit !== undefined)
        writers.compiled_circuit = held.writers.compiled_circuit;
      const { result_json: _, metadata_json, task_id: __, ...rest } = row;
      const fields = {
        ...rest,
        metadata: JSON.parse(String(metadata_json)),
        result: ownResult ? rowResult : heldResult,
        compiled_circuit: held?.fields.compiled_circuit ?? null,
        error_message: null,
      };
      const time = Date.parse(String(row.archived_at ?? row.update_time));
      versions.push({
        id,
        task,
        replica: importer(r),
        seen: new Set([...chain.map((v) => v.id), id]),
        clock: Math.max(time, ...chain.map((v) => v.clock + 1)),
        place: row.archived_at === undefined ? "tasks" : "archived_tasks",
        fields,
        writers,
      });
      known[r]!.add(id);
    };
    /** Runs an operation the model expects to succeed (`allowed`) or to be refused as not found or a conflict. */
    const expect = async (allowed: boolean, run: () => Promise<unknown>, what: string) => {
      try {
        await run();
        assert.ok(allowed, `${what} succeeded, but the model says the replica does not hold the task so`);
      } catch (error) {
        if (!(error instanceof CacheError) || !["not_found", "conflict"].includes(error.code)) throw error;
        assert.ok(!allowed, `${what} was refused (${error.message}), but the model says it holds`);
      }
    };
    const checkReplica = async (r: number, when: string) => {
      const tasks = await everyTask(caches[r]!);
      for (let t = 0; t < TASKS; t++) {
        const model = shown(r, name(t));
        const where = `replica ${r} (${ids[r]}), ${name(t)}, ${when}`;
        const conflicted = model && model.losers.length > 0 ? { has_conflicts: true } : {};
        const wanted = plain(
          model && model.place !== "deleted"
            ? { place: model.place, fields: { ...model.fields, ...conflicted } }
            : undefined,
        );
        assert.deepEqual(comparable(tasks.get(name(t))), wanted, where);
        // The versions that lost, as the replica reads them back: who made each, when, and where it put the task.
        const read = await caches[r]!.conflicts(name(t));
        assert.deepEqual(
          read?.conflicts.map((c) => [c.replica_id, Date.parse(c.clock), c.place]),
          model && (model.place !== "deleted" || model.losers.length > 0)
            ? model.losers.map((v) => [v.replica, v.clock, PLACE_NAMES[v.place]])
            : undefined,
          `${where}: its conflicts`,
        );
      }
    };

    let rounds = 0;
    for (const [i, step] of schedule.steps.entries()) {
      now += schedule.gaps[i] ?? 0;
      const r = step.replica;
      const cache = caches[r]!;
      const at = `step ${i} (${JSON.stringify(step)})`;
      switch (step.kind) {
        case "save": {
          const task = name(step.task);
          const before = shown(r, task);
          const allowed = before?.place !== "archived_tasks";
          const input = {
            task_id: task,
            backend: `b${step.task % 2}`,
            status: step.status,
            ...(step.result ? { result: { counts: { [`${i}`]: i } } } : step.clearResult ? { result: null } : {}),
            ...(step.metadata ? { metadata: { step: i } } : {}),
            ...(step.compiled ? { compiled_circuit: { qasm: `// ${i}` } } : {}),
          };
          let saved: Task | undefined;
          await expect(allowed, async () => (saved = await cache.save(input)), at);
          if (!saved) break;
          // A new life when the replica holds no such task (or holds its delete); else an update
          // of what it shows, keeping what the save left out.
          const fresh = !before || before.place === "deleted";
          const prior = fresh
            ? { shots: 0, metadata: {}, result: null, compiled_circuit: null, error_message: null }
            : before.fields;
          const fields = {
            ...prior,
            backend: input.backend,
            status: input.status,
            submit_time: fresh ? saved.submit_time : prior.submit_time,
            update_time: saved.update_time,
            ...("result" in input ? { result: input.result } : {}),
            ...("metadata" in input ? { metadata: input.metadata } : {}),
            ...("compiled_circuit" in input ? { compiled_circuit: input.compiled_circuit } : {}),
          };
          const writers: Partial<Record<Recorded, number>> = fresh ? {} : { ...before.writers };
          for (const field of RECORDED) if (fresh || field in input) writers[field] = versions.length;
          assert.deepEqual(plain(saved), plain({ task_id: task, ...fields }), `${at}: the saved task`);
          make(r, task, "tasks", fields, writers);
          break;
        }
        case "archive":
        case "restore":
        case "delete":
        case "deleteArchived": {
          const task = name(step.task);
          const before = shown(r, task);
          const from = step.kind === "archive" || step.kind === "delete" ? "tasks" : "archived_tasks";
          const allowed = before?.place === from;
          let done = false;
          await expect(
            allowed,
            async () => {
              await cache[step.kind](task);
              done = true;
            },
            at,
          );
          if (!done || !before) break;
          if (step.kind === "delete" || step.kind === "deleteArchived") make(r, task, "deleted", {}, before.writers);
          else if (step.kind === "archive") {
            const archived = await cache.getArchived(task);
            make(r, task, "archived_tasks", { ...before.fields, archived_at: archived!.archived_at }, before.writers);
          } else {
            const { archived_at: _, ...fields } = before.fields;
            make(r, task, "tasks", fields, before.writers);
          }
          break;
        }
        case "bulkArchive": {
          const tasks = step.tasks.map(name);
          const active = tasks.filter((task) => shown(r, task)?.place === "tasks");
          const { archived } = await cache.bulkArchive(tasks);
          assert.deepEqual([...archived].sort(), [...active].sort(), `${at}: archived`);
          for (const task of active) {
            const before = shown(r, task)!;
            make(
              r,
              task,
              "archived_tasks",
              { ...before.fields, archived_at: (await cache.getArchived(task))!.archived_at },
              before.writers,
            );
          }
          break;
        }
        case "archiveExpired": {
          const cutoff = formatTimestamp(new Date(now + schedule.skews[r]!));
          const due = Array.from({ length: TASKS }, (_, t) => name(t)).filter((task) => {
            const s = shown(r, task);
            return (
              s?.place === "tasks" && TERMINAL.has(String(s.fields.status)) && String(s.fields.submit_time) < cutoff
            );
          });
          const { archived } = await cache.archiveExpired({ hours: 0 });
          assert.deepEqual([...archived].sort(), [...due].sort(), `${at}: archived`);
          for (const task of due) {
            const before = shown(r, task)!;
            make(
              r,
              task,
              "archived_tasks",
              { ...before.fields, archived_at: (await cache.getArchived(task))!.archived_at },
              before.writers,
            );
          }
          break;
        }
        case "purge":
        case "clearCompleted":
        case "archiveMatching":
        case "deleteMatching": {
          const cutoff = formatTimestamp(new Date(now + schedule.skews[r]!));
          const table = step.kind === "purge" ? "archived_tasks" : "tasks";
          const chosen = Array.from({ length: TASKS }, (_, t) => name(t)).filter((task) => {
            const s = shown(r, task);
            if (s?.place !== table) return false;
            if (step.kind === "purge") return String(s.fields.archived_at) < cutoff;
            if (step.kind === "clearCompleted") return TERMINAL.has(String(s.fields.status));
            return "status" in step && s.fields.status === step.status;
          });
          const done =
            step.kind === "purge"
              ? (await cache.purgeArchived({ olderThanHours: 0 })).count
              : step.kind === "clearCompleted"
                ? await cache.clearCompleted()
                : "status" in step
                  ? (await cache[step.kind]({ status: step.status })).count
                  : 0;
          assert.equal(done, chosen.length, `${at}: tasks taken`);
          for (const task of chosen) {
            const before = shown(r, task)!;
            if (step.kind === "archiveMatching") {
              const archived_at = (await cache.getArchived(task))!.archived_at;
              make(r, task, "archived_tasks", { ...before.fields, archived_at }, before.writers);
            } else make(r, task, "deleted", {}, before.writers);
          }
          break;
        }
        case "pySave": {
          const task = name(step.task);
          const stamp = formatTimestamp(new Date(now + schedule.skews[r]!));
          const file = files[r]!;
          const old = file.get(task);
          const row = {
            task_id: task,
            backend: `b${step.task % 2}`,
            shots: 1000,
            submit_time: old?.submit_time ?? stamp,
            metadata_json: JSON.stringify({ py: i }),
            result_json: step.result ? JSON.stringify({ counts: { [`${i}`]: i } }) : (old?.result_json ?? null),
            status: step.status,
            update_time: stamp,
          };
          file.set(task, row);
          await enter(r, row, at);
          break;
        }
        case "pyArchive": {
          const task = name(step.task);
          const row = files[r]!.get(task);
          if (!row || row.archived_at !== undefined) break;
          const archived = { ...row, archived_at: formatTimestamp(new Date(now + schedule.skews[r]!)) };
          files[r]!.set(task, archived);
          await enter(r, archived, at);
          break;
        }
        case "reimport":
          for (const row of files[r]!.values()) await enter(r, row, at);
          break;
        case "network":
          proxies[r]!.mode = step.mode;
          break;
        case "sync": {
          const mode = proxies[r]!.mode;
          const ok = await cache.sync().then(
            () => true,
            () => false,
          );
          rounds++;
          assert.equal(ok, mode === "pass", `${at}: a round through a proxy in mode ${mode}`);
          if (mode === "offline") break;
          for (const v of onServer) known[r]!.add(v);
          if (mode === "pass") for (const v of known[r]!) onServer.add(v);
          await checkReplica(r, `after its round at ${at}`);
          break;
        }
      }
    }

    // Every machine back online; a few full rounds, in order, until every change reached all.
    for (const proxy of proxies) proxy.mode = "pass";
    for (let round = 0; round < 3; round++) {
      for (const [r, cache] of caches.entries()) {
        await cache.sync();
        rounds++;
        for (const v of onServer) known[r]!.add(v);
        for (const v of known[r]!) onServer.add(v);
      }
    }
    const reference = await everyTask(caches[0]!);
    for (let r = 0; r < caches.length; r++) {
      assert.equal(known[r]!.size, versions.length, "every version reached every replica");
      await checkReplica(r, "at the end");
      assert.deepEqual(await everyTask(caches[r]!), reference, `replica ${r} differs from replica 0 at the end`);
    }
    return { versions: versions.length, rounds };
  } finally {
    for (const proxy of proxies) proxy.mode = "offline";
    await Promise.all(caches.map((cache) => cache.close().catch(() => undefined)));
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await server.stop();
    temp.remove();
  }
}

/** Runs `runs` random schedules of up to `maxSteps` steps; resolves with totals, or rejects with fast-check's report. */
export async function checkHistoryModel(options: { runs: number; maxSteps: number; seed?: number }) {
  const totals = { schedules: 0, versions: 0, rounds: 0 };
  await fc.assert(
    fc.asyncProperty(scheduleArbitrary(options.maxSteps), async (schedule) => {
      const { versions, rounds } = await playSchedule(schedule);
      totals.schedules++;
      totals.versions += versions;
      totals.rounds += rounds;
    }),
    { numRuns: options.runs, ...(options.seed === undefined ? {} : { seed: options.seed }), endOnFailure: true },
  );
  return totals;
}
