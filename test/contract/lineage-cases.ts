/**
 * The contract's cases about the uniqc package's own lineage (its v3 to v5), and how a
 * seed-lineage file answers the same calls.
 */
import assert from "node:assert/strict";
import { ConflictError, InvalidInputError, ReadOnlyError, createTaskCache } from "../../core/index.ts";
import { UNIC, fileBytes } from "./fixtures.ts";
import { uniqcDump, uniqcStore } from "../../harness/uniqc.ts";
import type { ContractCase } from "./cache-contract.ts";
import { withCache, withFile, raw, pragma, schemaSql, task, orphanShards, shardsSeenByPython } from "./helpers.ts";

export const lineageCases: readonly ContractCase[] = [
  {
    name: "a uniqc-lineage file opens read-write at its own version; its header and that package's objects stay, ours are all prefixed",
    lineage: "uniqc",
    needsFile: true,
    async run(target) {
      await withFile(async (path) => {
        uniqcStore(path, [
          ["save", "uqt_a", "running"],
          ["shard", "uqt_a", 0, "job-1", "running"],
        ]);
        const before = await raw(target, path, schemaSql);
        const cache = await createTaskCache(await target.connect(path));
        try {
          assert.deepEqual(
            {
              lineage: cache.info.lineage,
              version: cache.info.schemaVersion,
              supported: cache.info.supportedVersion,
              header: cache.info.userVersion,
            },
            { lineage: "uniqc", version: 5, supported: 5, header: 5 },
          );
          assert.equal(cache.info.readOnly, false);
          assert.deepEqual(cache.info.applied, []);
          await cache.save(task("uqt_b", { compiled_circuit: { originir: "QINIT 1" } }));
          await cache.archive("uqt_a");
          await cache.restore("uqt_a");
        } finally {
          await cache.close();
        }
        await raw(target, path, async (c) => {
          assert.equal(await pragma(c, "user_version"), 5);
          assert.equal(await pragma(c, "application_id"), UNIC);
          const after = await schemaSql(c);
          for (const entry of before) assert.ok(after.includes(entry), `changed or gone: ${entry}`);
          const added = after.filter((entry) => !before.includes(entry));
          assert.ok(added.length > 0);
          for (const entry of added) assert.match(entry, /^\w+ tscache_/);
        });
      });
    },
  },
  {
    name: "shards move with their task (archive, restore, bulk, expired) and go with it (deletes, clear completed); none is ever orphaned",
    lineage: "uniqc",
    needsFile: true,
    async run(target) {
      await withFile(async (path) => {
        uniqcStore(path, [
          ["save", "uqt_s", "pending", { submit_time: "2026-01-01T00:00:00+00:00" }],
          ["shard", "uqt_s", 0, "job-s0", "success"],
          ["shard", "uqt_s", 1, "job-s1", "failed"],
          ["save", "uqt_t", "pending", { submit_time: "2026-01-02T00:00:00+00:00" }],
          ["shard", "uqt_t", 0, "job-t0", "success"],
          ["save", "uqt_plain", "success"],
        ]);
        const cache = await createTaskCache(await target.connect(path));
        try {
          const shards = (await cache.shards("uqt_s"))!;
          assert.equal(shards.shard_count, 2);
          assert.deepEqual(
            shards.shards.map((s) => [s.shard_index, s.platform_task_id, s.status, s.error_message]),
            [
              [0, "job-s0", "success", null],
              [1, "job-s1", "failed", "job failed on the device"],
            ],
          );
          assert.equal("result_json" in shards.shards[0]!, false);
          assert.equal((await cache.get("uqt_s"))!.status, "failed");
          assert.deepEqual(await cache.shards("uqt_plain"), { task_id: "uqt_plain", shard_count: 0, shards: [] });
          assert.equal(await cache.shards("uqt_nope"), undefined);

          await cache.archive("uqt_s");
          const archived = (await cache.shards("uqt_s"))!;
          assert.equal(archived.shard_count, 2);
          const archivedAt = (await cache.getArchived("uqt_s"))!.archived_at;
          assert.ok(archived.shards.every((s) => s.archived_at === archivedAt));
          assert.deepEqual(shardsSeenByPython(path, "uqt_s"), { active: 0, archived: 2 });

          await cache.restore("uqt_s");
          assert.deepEqual(shardsSeenByPython(path, "uqt_s"), { active: 2, archived: 0 });
          assert.equal((await cache.shards("uqt_s"))!.shards[1]!.archived_at, undefined);

          assert.deepEqual((await cache.bulkArchive(["uqt_s", "uqt_t", "uqt_none"])).missing, ["uqt_none"]);
          assert.deepEqual(shardsSeenByPython(path, "uqt_t"), { active: 0, archived: 1 });
          await cache.deleteArchived("uqt_t");
          assert.deepEqual(shardsSeenByPython(path, "uqt_t"), { active: 0, archived: 0 });

          await cache.restore("uqt_s");
          const expired = await cache.archiveExpired({ hours: 24 });
          assert.deepEqual(expired.archived, ["uqt_s"]);
          assert.deepEqual(shardsSeenByPython(path, "uqt_s"), { active: 0, archived: 2 });
          await cache.restore("uqt_s");
          await cache.delete("uqt_s");
          assert.deepEqual(shardsSeenByPython(path, "uqt_s"), { active: 0, archived: 0 });

          uniqcStore(path, [
            ["save", "uqt_u", "pending"],
            ["shard", "uqt_u", 0, "job-u0", "success"],
            ["save", "uqt_v", "pending"],
            ["shard", "uqt_v", 0, "job-v0", "running"],
          ]);
          assert.deepEqual(await cache.bulkDelete(["uqt_v"]), { deleted: ["uqt_v"], missing: [] });
          assert.equal(await cache.clearCompleted(), 2);
          assert.deepEqual(uniqcDump(path).task_shards, []);
          assert.equal(await raw(target, path, orphanShards), 0);
        } finally {
          await cache.close();
        }
      });
    },
  },
  {
    name: "error_message is written and read by both tools, kept when omitted, cleared by null, and moves with its task",
    lineage: "uniqc",
    needsFile: true,
    async run(target) {
      await withFile(async (path) => {
        uniqcStore(path, [["save", "uqt_p", "failed", { error_message: "quota exceeded" }]]);
        const cache = await createTaskCache(await target.connect(path));
        try {
          assert.equal((await cache.get("uqt_p"))!.error_message, "quota exceeded");
          const saved = await cache.save(task("uqt_c", { status: "failed", error_message: "device offline" }));
          assert.equal(saved.error_message, "device offline");
          assert.equal((await cache.save(task("uqt_c", { status: "failed" }))).error_message, "device offline");
          assert.equal(uniqcDump(path).tasks.find((t) => t.task_id === "uqt_c")!.error_message, "device offline");
          await cache.archive("uqt_c");
          assert.equal((await cache.getArchived("uqt_c"))!.error_message, "device offline");
          await cache.restore("uqt_c");
          assert.equal(
            (await cache.save(task("uqt_c", { status: "success", error_message: null }))).error_message,
            null,
          );
          await assert.rejects(cache.save(task("uqt_c", { error_message: 42 })), InvalidInputError);
        } finally {
          await cache.close();
        }
      });
    },
  },
  {
    name: "compiled circuits are kept beside that package's tables, follow the task through either tool's moves, and go with it",
    lineage: "uniqc",
    needsFile: true,
    async run(target) {
      await withFile(async (path) => {
        uniqcStore(path);
        const compiled = { originir: "QINIT 1\nX q[0]" };
        const cache = await createTaskCache(await target.connect(path));
        const kept = async () =>
          (
            await raw(target, path, (c) =>
              c.all<{ task_id: string }>("SELECT task_id FROM tscache_compiled_circuits ORDER BY task_id"),
            )
          ).map((row) => row.task_id);
        try {
          assert.deepEqual(
            (await cache.save(task("uqt_k", { compiled_circuit: compiled }))).compiled_circuit,
            compiled,
          );
          assert.deepEqual((await cache.save(task("uqt_k"))).compiled_circuit, compiled);
          await cache.archive("uqt_k");
          assert.deepEqual((await cache.getArchived("uqt_k"))!.compiled_circuit, compiled);
          uniqcStore(path, [
            ["restore", "uqt_k"],
            ["archive", "uqt_k"],
            ["restore", "uqt_k"],
          ]);
          assert.deepEqual((await cache.get("uqt_k"))!.compiled_circuit, compiled);
          assert.deepEqual((await cache.getCircuit("uqt_k", "compiled")).circuit, compiled.originir);
          // A conflict writes nothing, the circuit included.
          await cache.save(task("uqt_z", { compiled_circuit: compiled }));
          await cache.archive("uqt_z");
          await assert.rejects(cache.save(task("uqt_z", { compiled_circuit: { originir: "QINIT 2" } })), ConflictError);
          assert.deepEqual((await cache.getArchived("uqt_z"))!.compiled_circuit, compiled);
          uniqcStore(path, [["delete_archived", "uqt_z"]]);
          assert.deepEqual(await kept(), ["uqt_k"]);
          assert.equal((await cache.save(task("uqt_k", { compiled_circuit: null }))).compiled_circuit, null);
          await cache.save(task("uqt_k", { compiled_circuit: compiled }));
          uniqcStore(path, [["delete", "uqt_k"]]);
          assert.deepEqual(await kept(), []);
        } finally {
          await cache.close();
        }
      });
    },
  },
  {
    name: "counts stay exact while that package writes: upserts, shard-driven statuses, moves one by one, deletes",
    lineage: "uniqc",
    needsFile: true,
    async run(target) {
      await withFile(async (path) => {
        uniqcStore(path);
        const cache = await createTaskCache(await target.connect(path));
        try {
          for (let i = 0; i < 12; i++)
            await cache.save(
              task(`uqt_own${i}`, { status: i % 2 ? "success" : "running", submit_time: "2026-01-01T00:00:00Z" }),
            );
          uniqcStore(path, [
            ["save", "uqt_py1", "pending"],
            ["shard", "uqt_py1", 0, "job-1", "running"],
            ["shard", "uqt_py1", 1, "job-2", "success"],
            ["shard", "uqt_py1", 0, "job-1", "cancelled"],
            ["archive", "uqt_own1"],
            ["archive_expired", 1],
            ["restore", "uqt_own3"],
            ["delete", "uqt_own0"],
            ["clear_completed"],
          ]);
          const dump = uniqcDump(path);
          const tally = (rows: Record<string, unknown>[]) => {
            const counts: Record<string, number> = {};
            for (const row of rows) counts[String(row.status)] = (counts[String(row.status)] ?? 0) + 1;
            return counts;
          };
          const { total, ...byStatus } = await cache.counts();
          assert.deepEqual(Object.fromEntries(Object.entries(byStatus).filter(([, n]) => n > 0)), tally(dump.tasks));
          assert.equal(total, dump.tasks.length);
          assert.equal(await cache.countArchived(), dump.archived_tasks.length);
          assert.equal(await cache.countArchived({ status: "success" }), tally(dump.archived_tasks).success ?? 0);
          assert.equal(
            (await cache.list({ includeArchived: true, limit: 1000 })).total,
            dump.tasks.length + dump.archived_tasks.length,
          );
        } finally {
          await cache.close();
        }
      });
    },
  },
  {
    name: "files at that package's v3 (no shards yet) and v4 open read-write; a v6 one is read-only and left as it was",
    lineage: "uniqc",
    needsFile: true,
    async run(target) {
      for (const version of [3, 4]) {
        await withFile(async (path) => {
          uniqcStore(path, [["save", "old-id", "failed", { error_message: "timeout" }]], version);
          const cache = await createTaskCache(await target.connect(path));
          try {
            assert.deepEqual(
              [cache.info.lineage, cache.info.schemaVersion, cache.info.readOnly],
              ["uniqc", version, false],
            );
            assert.equal((await cache.get("old-id"))!.error_message, "timeout");
            assert.deepEqual(await cache.shards("old-id"), { task_id: "old-id", shard_count: 0, shards: [] });
            await cache.archive("old-id");
            await cache.restore("old-id");
          } finally {
            await cache.close();
          }
          // That package still takes the file up to its v5 afterwards.
          uniqcStore(path);
          const dump = uniqcDump(path);
          assert.equal(dump.tasks.length, 1);
          assert.match(String(dump.tasks[0]!.task_id), /^uqt_[0-9a-f]{32}$/);
          assert.equal(await raw(target, path, (c) => pragma(c, "user_version")), 5);
        });
      }
      await withFile(async (path) => {
        uniqcStore(path, [["save", "uqt_x", "success"]]);
        await raw(target, path, (c) => c.run("PRAGMA user_version = 6"));
        const bytes = fileBytes(path);
        const cache = await createTaskCache(await target.connect(path));
        try {
          assert.equal(cache.info.readOnly, true);
          assert.equal((await cache.get("uqt_x"))!.task_id, "uqt_x");
          await assert.rejects(cache.archive("uqt_x"), (error: unknown) => {
            assert.ok(error instanceof ReadOnlyError);
            assert.deepEqual([error.fileVersion, error.supportedVersion], [6, 5]);
            return true;
          });
        } finally {
          await cache.close();
        }
        assert.equal(fileBytes(path), bytes);
      });
    },
  },
  {
    name: "on a seed-lineage file a task has no error_message and no shards; saving one is refused and writes nothing",
    lineage: "seed",
    async run(target) {
      await withCache(target, async (cache) => {
        const saved = await cache.save(task("s1", { error_message: null }));
        assert.equal(saved.error_message, null);
        assert.deepEqual(await cache.shards("s1"), { task_id: "s1", shard_count: 0, shards: [] });
        await assert.rejects(cache.save(task("s2", { error_message: "boom" })), (error: unknown) => {
          assert.ok(error instanceof InvalidInputError);
          assert.equal(error.issues[0]?.path, "error_message");
          return true;
        });
        assert.equal(await cache.get("s2"), undefined);
      });
    },
  },
];
