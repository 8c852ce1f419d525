/**
 * One file, two tools: the current uniqc package (its store as `uniqc_store.py` runs it, with
 * Python's `sqlite3`) and this cache take turns, in both directions.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openLocalFile } from "../../adapters/local-file.ts";
import { createApp } from "../../apps/server/app.ts";
import { createTaskCache, type Connection, type TaskCache } from "../../core/index.ts";
import { UNIC, buildSeedFile, tempDir } from "../contract/fixtures.ts";
import { uniqcDump, uniqcStore, type UniqcDump, type UniqcOp } from "../../harness/uniqc.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const scratch: (() => void)[] = [];
afterEach(() => {
  for (const remove of scratch.splice(0)) remove();
});

function scratchFile(): string {
  const dir = tempDir("uniqc-lineage-");
  scratch.push(dir.remove);
  return dir.file("tasks.sqlite");
}

async function withRaw<T>(path: string, fn: (c: Connection) => Promise<T>): Promise<T> {
  const c = await openLocalFile(path);
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

const schemaOf = (path: string) =>
  withRaw(path, (c) =>
    c.all<{ entry: string }>(
      "SELECT type || ' ' || name || ': ' || COALESCE(sql, '') AS entry FROM sqlite_master ORDER BY type, name",
    ),
  );

/** A small random source, so a failing turn can be replayed from its seed. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return state / 2 ** 32;
  };
}

/** What the cache sees: every task with its table, and its shards. */
async function cacheView(cache: TaskCache) {
  const page = await cache.list({ includeArchived: true, limit: 1000 });
  const tasks = new Map<string, { table: string; status: string; shards: string[] }>();
  for (const summary of page.tasks) {
    const shards = (await cache.shards(summary.task_id))!;
    expect(shards.shard_count).toBe(shards.shards.length);
    tasks.set(summary.task_id, {
      table: summary.archived_at ? "archived" : "active",
      status: summary.status,
      shards: shards.shards.map((s) => `${s.shard_index}:${s.platform_task_id}:${s.status}`),
    });
  }
  return tasks;
}

/** What the package sees, in the same shape, after checking that no task is in both tables and no shard is orphaned. */
function pythonView(dump: UniqcDump) {
  const active = new Set(dump.tasks.map((t) => String(t.task_id)));
  const archived = new Set(dump.archived_tasks.map((t) => String(t.task_id)));
  for (const id of active) expect(archived.has(id), `${id} is in both tables`).toBe(false);
  for (const shard of dump.task_shards)
    expect(active.has(String(shard.uniqc_task_id)), "orphaned active shard").toBe(true);
  for (const shard of dump.archived_task_shards)
    expect(archived.has(String(shard.uniqc_task_id)), "orphaned archived shard").toBe(true);
  const shardsOf = (rows: Record<string, unknown>[], id: string) =>
    rows.filter((s) => s.uniqc_task_id === id).map((s) => `${s.shard_index}:${s.platform_task_id}:${s.status}`);
  const tasks = new Map<string, { table: string; status: string; shards: string[] }>();
  for (const t of dump.tasks)
    tasks.set(String(t.task_id), {
      table: "active",
      status: String(t.status),
      shards: shardsOf(dump.task_shards, String(t.task_id)),
    });
  for (const t of dump.archived_tasks) {
    tasks.set(String(t.task_id), {
      table: "archived",
      status: String(t.status),
      shards: shardsOf(dump.archived_task_shards, String(t.task_id)),
    });
  }
  return tasks;
}

describe("a file of the uniqc lineage, shared turn by turn", () => {
  it("after every turn both tools see the same tasks and shards, each task in one table, no shard orphaned", async () => {
    const path = scratchFile();
    uniqcStore(path);
    const next = random(Number(process.env.UNIQC_LINEAGE_SEED ?? 7));
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
    const ids = Array.from({ length: 12 }, (_, i) => `uqt_${i.toString(16).padStart(32, "0")}`);
    const statuses = ["pending", "running", "success", "failed", "cancelled"] as const;
    const cache = await createTaskCache(await openLocalFile(path));
    const seen = { active: 0, archived: 0 };
    try {
      for (let turn = 0; turn < 16; turn++) {
        const view = pythonView(uniqcDump(path));
        const activeIds = ids.filter((id) => view.get(id)?.table === "active");
        const archivedIds = ids.filter((id) => view.get(id)?.table === "archived");
        if (turn % 2 === 0) {
          const ops: UniqcOp[] = [];
          // Distinct ids within a turn, so each operation finds its task where the view says.
          for (const id of [...new Set(Array.from({ length: 4 }, () => pick(ids)))]) {
            const where = view.get(id)?.table;
            const choice = next();
            if (where === undefined) ops.push(["save", id, "pending"], ["shard", id, 0, `job-${turn}`, pick(statuses)]);
            else if (where === "active" && choice < 0.3)
              ops.push(["shard", id, Math.floor(next() * 3), `job-${turn}`, pick(statuses)]);
            else if (where === "active" && choice < 0.6) ops.push(["archive", id]);
            else if (where === "active" && choice < 0.7) ops.push(["delete", id]);
            else if (where === "active") ops.push(["save", id, pick(statuses), { error_message: "from python" }]);
            else if (choice < 0.7) ops.push(["restore", id]);
            else ops.push(["delete_archived", id]);
          }
          uniqcStore(path, ops);
        } else {
          const choice = next();
          if (choice < 0.25 && activeIds.length) await cache.bulkArchive(activeIds.slice(0, 3));
          else if (choice < 0.45 && archivedIds.length) await cache.restore(pick(archivedIds));
          else if (choice < 0.6 && archivedIds.length) await cache.deleteArchived(pick(archivedIds));
          else if (choice < 0.7 && activeIds.length) await cache.delete(pick(activeIds));
          else if (choice < 0.8) await cache.clearCompleted();
          else if (choice < 0.9) await cache.archiveExpired({ hours: 0 });
          else
            await cache.save({
              task_id: pick(ids.filter((id) => !archivedIds.includes(id))),
              backend: "dummy",
              status: pick(statuses),
              error_message: "from the cache",
            });
        }
        const after = uniqcDump(path);
        expect(await cacheView(cache), `turn ${turn}`).toEqual(pythonView(after));
        seen.active += after.task_shards.length;
        seen.archived += after.archived_task_shards.length;
      }
      // The turns had shards on both sides.
      expect(seen.active).toBeGreaterThan(0);
      expect(seen.archived).toBeGreaterThan(0);
    } finally {
      await cache.close();
    }
  });

  it("our objects come out with one documented step, and the file is then exactly that package's again", async () => {
    const path = scratchFile();
    uniqcStore(path, [
      ["save", "uqt_a", "running"],
      ["shard", "uqt_a", 0, "job-a", "running"],
    ]);
    const before = await schemaOf(path);
    const cache = await createTaskCache(await openLocalFile(path));
    await cache.save({
      task_id: "uqt_b",
      backend: "dummy",
      status: "success",
      compiled_circuit: { originir: "QINIT 1" },
    });
    await cache.archive("uqt_a");
    await cache.close();
    expect((await schemaOf(path)).length).toBeGreaterThan(before.length);
    const out = execFileSync("python3", [join(ROOT, "scripts/remove-cache-objects.py"), path], { encoding: "utf8" });
    expect(out).toMatch(/^removed \d+ objects/);
    expect(await schemaOf(path)).toEqual(before);
    // That package carries on with the file, shards and all.
    uniqcStore(path, [
      ["restore", "uqt_a"],
      ["shard", "uqt_a", 0, "job-a", "success"],
    ]);
    const dump = uniqcDump(path);
    expect(dump.tasks.map((t) => [t.task_id, t.status])).toEqual([
      ["uqt_a", "success"],
      ["uqt_b", "success"],
    ]);
    expect(dump.task_shards).toHaveLength(1);
  });
});

describe("the API on a file of the uniqc lineage", () => {
  it("answers shards as that package's gateway does, shows error_message, and says which lineage it serves", async () => {
    const path = scratchFile();
    uniqcStore(path, [
      ["save", "uqt_g", "pending", { error_message: "calibration drift" }],
      ["shard", "uqt_g", 0, "job-g0", "success"],
      ["shard", "uqt_g", 1, "job-g1", "running"],
    ]);
    const cache = await createTaskCache(await openLocalFile(path));
    try {
      const app = createApp(cache, { version: "0.0.0", runtime: "node" });
      const get = async (url: string) => {
        const response = await app.request(url);
        return { status: response.status, body: await response.json() };
      };
      const shards = await get("/api/tasks/uqt_g/shards");
      expect(shards.status).toBe(200);
      expect(shards.body.task_id).toBe("uqt_g");
      expect(shards.body.shard_count).toBe(2);
      expect(
        shards.body.shards.map((s: { platform_task_id: string; status: string }) => [s.platform_task_id, s.status]),
      ).toEqual([
        ["job-g0", "success"],
        ["job-g1", "running"],
      ]);
      expect(Object.keys(shards.body.shards[0]).sort()).toEqual([
        "backend",
        "circuit_count",
        "error_message",
        "platform_task_id",
        "shard_index",
        "status",
        "sub_index_offset",
        "submit_time",
        "uniqc_task_id",
        "update_time",
      ]);
      const task = await get("/api/tasks/uqt_g");
      expect([task.body.status, task.body.error_message]).toEqual(["running", "calibration drift"]);
      const page = await (await app.request("/tasks/uqt_g")).text();
      expect(page).toContain("<h2>Shards</h2>");
      expect(page).toContain("job-g1");
      expect(page).toContain("calibration drift");
      expect(await get("/api/health")).toEqual({
        status: 200,
        body: { status: "ok", schema_version: 5, lineage: "uniqc", read_only: false },
      });
      const archived = await app.request("/api/tasks/uqt_g/archive", { method: "POST" });
      expect(archived.status).toBe(200);
      expect(
        (await get("/api/tasks/uqt_g/shards")).body.shards.every(
          (s: { archived_at?: string }) => typeof s.archived_at === "string",
        ),
      ).toBe(true);
      expect(uniqcDump(path).archived_task_shards).toHaveLength(2);
    } finally {
      await cache.close();
    }
  });
});

describe("a seed-era file, opened by this cache, then by the current uniqc package", () => {
  it("upgrades through that package's v3 to v5 without error and keeps every row; this cache then serves it as that lineage", async () => {
    const path = scratchFile();
    await withRaw(path, (c) => buildSeedFile(c, 2, 30, 10));
    const cache = await createTaskCache(await openLocalFile(path));
    expect([cache.info.lineage, cache.info.userVersion]).toEqual(["seed", 2]);
    await cache.save({
      task_id: "cloud-job-7",
      backend: "originq:WK_C180",
      status: "success",
      compiled_circuit: { originir: "QINIT 2" },
    });
    await cache.archive("cloud-job-7");
    await cache.close();

    // Run as a new user would: the package opens the file and runs its own steps.
    uniqcStore(path);
    const dump = uniqcDump(path);
    expect(dump.tasks).toHaveLength(30);
    expect(dump.archived_tasks).toHaveLength(11);
    const all = [...dump.tasks, ...dump.archived_tasks];
    expect(all.every((t) => /^uqt_/.test(String(t.task_id)))).toBe(true);
    const legacy = all.map((t) => JSON.parse(String(t.metadata_json)).legacy_platform_id).filter(Boolean);
    expect(legacy).toContain("cloud-job-7");
    expect(dump.task_shards.length + dump.archived_task_shards.length).toBeGreaterThanOrEqual(1);

    const again = await createTaskCache(await openLocalFile(path));
    try {
      expect([again.info.lineage, again.info.schemaVersion, again.info.readOnly]).toEqual(["uniqc", 5, false]);
      expect(await again.count()).toBe(30);
      expect(await again.countArchived()).toBe(11);
      const moved = dump.archived_tasks.find(
        (t) => JSON.parse(String(t.metadata_json)).legacy_platform_id === "cloud-job-7",
      )!;
      expect((await again.getArchived(String(moved.task_id)))!.compiled_circuit).toEqual({ originir: "QINIT 2" });
      expect((await again.shards(String(moved.task_id)))!.shards.map((s) => s.platform_task_id)).toEqual([
        "cloud-job-7",
      ]);
      await again.restore(String(moved.task_id));
    } finally {
      await again.close();
    }
    // The seed-era objects of this cache now carry its prefix; the package still works with the file.
    const names = (await schemaOf(path)).map((row) => row.entry);
    expect(
      names.filter((entry) => /^(index|trigger|table) (task_counts|tasks_order_idx|tasks_count_insert)/.test(entry)),
    ).toEqual([]);
    expect(names.some((entry) => entry.startsWith("table tscache_task_counts"))).toBe(true);
    uniqcStore(path, [["archive_expired", 0]]);
    expect(uniqcDump(path).tasks.length).toBeLessThan(31);
  });

  it("a file an earlier build took to header v4 gets v2 back, so that package upgrades it too", async () => {
    const path = scratchFile();
    await (await createTaskCache(await openLocalFile(path))).close();
    await withRaw(path, (c) => c.run("PRAGMA user_version = 4"));
    const cache = await createTaskCache(await openLocalFile(path));
    expect([cache.info.lineage, cache.info.schemaVersion, cache.info.userVersion, cache.info.applied]).toEqual([
      "seed",
      4,
      2,
      [],
    ]);
    await cache.save({ task_id: "t1", backend: "dummy", status: "success" });
    await cache.close();
    uniqcStore(path);
    const dump = uniqcDump(path);
    expect(dump.tasks).toHaveLength(1);
    expect(
      await withRaw(
        path,
        async (c) =>
          (
            await c.all<{ v: number; a: number }>(
              "SELECT (SELECT user_version FROM pragma_user_version) AS v, (SELECT application_id FROM pragma_application_id) AS a",
            )
          )[0],
      ),
    ).toEqual({
      v: 5,
      a: UNIC,
    });
  });
});
