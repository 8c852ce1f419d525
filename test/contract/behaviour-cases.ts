/**
 * The contract's cases about the cache's behaviour on files of either lineage: tasks, archive,
 * moves, counts, listings, migrations and the header.
 */
import assert from "node:assert/strict";
import {
  ConflictError,
  ForeignDatabaseError,
  InvalidInputError,
  MIGRATIONS,
  MigrationError,
  NotFoundError,
  NotSqliteError,
  ReadOnlyError,
  createTaskCache,
} from "../../core/index.ts";
import { Buffer } from "node:buffer";
import { writeFileSync } from "node:fs";
import { UNIC, buildSeedFile, fileBytes, seedRow, tableBytes } from "./fixtures.ts";
import type { ContractCase } from "./cache-contract.ts";
import { TIMESTAMP, manualClock, withCache, withFile, raw, pragma, schemaSql, whereIs, task } from "./helpers.ts";
import { V1_COLUMNS } from "../../core/file/schema.ts";

export const behaviourCases: readonly ContractCase[] = [
  {
    name: "a fresh database is stamped UNIC and migrated to the newest version",
    lineage: "seed",
    async run(target) {
      await withCache(target, async (cache) => {
        assert.equal(cache.info.schemaVersion, 4);
        assert.deepEqual(cache.info.applied, [1, 2, 3, 4]);
        assert.equal(cache.info.readOnly, false);
      });
    },
  },
  {
    name: "the header says v2, the version both lineages share; the schema is the seed's tables, plus v3's column and v4's indexes and counters",
    lineage: "seed",
    needsFile: true,
    async run(target) {
      await withFile(async (path) => {
        await (await createTaskCache(await target.connect(path))).close();
        await raw(target, path, async (c) => {
          assert.equal(await pragma(c, "application_id"), UNIC);
          assert.equal(await pragma(c, "user_version"), 2);
          const indexes = await c.all<{ name: string }>(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name",
          );
          assert.deepEqual(
            indexes.map((r) => r.name),
            [
              "archived_backend_order_idx",
              "archived_backend_status_order_idx",
              "archived_order_idx",
              "archived_status_order_idx",
              "tasks_backend_order_idx",
              "tasks_backend_status_order_idx",
              "tasks_order_idx",
              "tasks_status_order_idx",
            ],
          );
          const triggers = await c.all<{ name: string }>(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name",
          );
          assert.equal(triggers.length, 6);
          for (const [table, extra] of [
            ["tasks", []],
            ["archived_tasks", ["archived_at"]],
          ] as const) {
            const columns = await c.all<{
              name: string;
              type: string;
              notnull: number;
              dflt_value: string | null;
              pk: number;
            }>(`SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info('${table}')`);
            assert.deepEqual(
              columns.map((col) => col.name),
              [...V1_COLUMNS, ...extra, "compiled_circuit_json"],
            );
            assert.deepEqual(
              { ...columns.find((col) => col.name === "metadata_json") },
              { name: "metadata_json", type: "TEXT", notnull: 1, dflt_value: "'{}'", pk: 0 },
            );
            assert.equal(columns.find((col) => col.name === "task_id")?.pk, 1);
          }
          const [mode] = await c.all<{ journal_mode: string }>("PRAGMA journal_mode");
          assert.equal(mode?.journal_mode, "wal");
        });
      });
    },
  },
  {
    name: "save records a task with defaults and stamps both times in the Python store's form",
    async run(target) {
      await withCache(target, async (cache) => {
        const saved = await cache.save({ task_id: "t1", backend: "originq:WK_C180", status: "pending" });
        assert.equal(saved.shots, 0);
        assert.deepEqual(saved.metadata, {});
        assert.equal(saved.result, null);
        assert.equal(saved.compiled_circuit, null);
        assert.match(saved.submit_time, TIMESTAMP);
        assert.match(saved.update_time, TIMESTAMP);
        assert.deepEqual(await cache.get("t1"), saved);
        assert.equal(await cache.get("absent"), undefined);
      });
    },
  },
  {
    name: "save updates by task_id: keeps submit_time and omitted fields, stamps update_time",
    async run(target) {
      const clock = manualClock();
      await withCache(
        target,
        async (cache) => {
          const first = await cache.save(
            task("t1", {
              status: "running",
              shots: 1000,
              metadata: { circuit_ir: "QINIT 1" },
              compiled_circuit: { qasm: "OPENQASM 2.0;" },
              submit_time: "2026-05-03T08:05:27.5+08:00",
            }),
          );
          assert.equal(first.submit_time, "2026-05-03T00:05:27.500000+00:00");
          clock.advanceHours(1);
          const second = await cache.save(
            task("t1", { status: "success", result: { "0": 1000 }, submit_time: "2030-01-01T00:00:00Z" }),
          );
          assert.equal(second.submit_time, first.submit_time);
          assert.ok(second.update_time > first.update_time);
          assert.equal(second.status, "success");
          assert.equal(second.shots, 1000);
          assert.deepEqual(second.metadata, { circuit_ir: "QINIT 1" });
          assert.deepEqual(second.compiled_circuit, { qasm: "OPENQASM 2.0;" });
          assert.deepEqual(second.result, { "0": 1000 });
          const cleared = await cache.save(task("t1", { result: null, compiled_circuit: null }));
          assert.equal(cleared.result, null);
          assert.equal(cleared.compiled_circuit, null);
          assert.equal(await cache.count(), 1);
        },
        { clock },
      );
    },
  },
  {
    name: "invalid input is refused with a typed error naming the field, and nothing is written",
    async run(target) {
      await withCache(target, async (cache) => {
        const bad: [unknown, string][] = [
          [{ backend: "b", status: "success" }, "task_id"],
          [{ task_id: "", backend: "b", status: "success" }, "task_id"],
          [{ task_id: "a/b", backend: "b", status: "success" }, "task_id"],
          [{ task_id: "x", status: "success" }, "backend"],
          [{ task_id: "x", backend: "b", status: "done" }, "status"],
          [{ task_id: "x", backend: "b", status: "success", shots: -1 }, "shots"],
          [{ task_id: "x", backend: "b", status: "success", shots: 1.5 }, "shots"],
          [{ task_id: "x", backend: "b", status: "success", submit_time: "yesterday" }, "submit_time"],
          [{ task_id: "x", backend: "b", status: "success", metadata: [1, 2] }, "metadata"],
          [{ task_id: "x", backend: "b", status: "success", compiled_circuit: "QINIT" }, "compiled_circuit"],
          [{ task_id: "x", backend: "b", status: "success", result: { n: 1n } }, "result"],
          [null, ""],
        ];
        for (const [input, field] of bad) {
          await assert.rejects(
            cache.save(input as never),
            (error: unknown) => {
              assert.ok(error instanceof InvalidInputError, `expected InvalidInputError for ${field}`);
              assert.equal(error.code, "invalid_input");
              if (field)
                assert.ok(
                  error.issues.some((issue) => issue.path === field),
                  `issue path ${field}: ${JSON.stringify(error.issues)}`,
                );
              return true;
            },
            `accepted input for ${field || "the whole task"}`,
          );
        }
        await assert.rejects(cache.list({ limit: 0 }), InvalidInputError);
        await assert.rejects(cache.list({ limit: 1001 }), InvalidInputError);
        await assert.rejects(cache.list({ offset: -1 }), InvalidInputError);
        await assert.rejects(cache.list({ status: "weird" as never }), InvalidInputError);
        await assert.rejects(cache.bulkArchive("t1" as never), InvalidInputError);
        await assert.rejects(cache.bulkDelete([""]), InvalidInputError);
        await assert.rejects(cache.archiveExpired({ hours: -1 }), InvalidInputError);
        await assert.rejects(cache.get(42 as never), InvalidInputError);
        assert.equal(await cache.count(), 0);
      });
    },
  },
  {
    name: "list returns newest first, filters by status and backend, pages with limit and offset",
    async run(target) {
      await withCache(target, async (cache) => {
        for (let i = 0; i < 30; i++) {
          await cache.save({
            task_id: `t${String(i).padStart(2, "0")}`,
            backend: i % 3 === 0 ? "ibm:ibm_brisbane" : "dummy:local:simulator",
            status: i % 2 === 0 ? "success" : "failed",
            submit_time: `2026-05-${String(1 + i).padStart(2, "0")}T00:00:00Z`,
            result: i % 4 === 0 ? { counts: { "0": i } } : undefined,
          });
        }
        const page = await cache.list();
        assert.equal(page.total, 30);
        assert.equal(page.tasks.length, 30);
        assert.equal(page.tasks[0]!.task_id, "t29");
        assert.equal(page.tasks[29]!.task_id, "t00");
        assert.equal(page.tasks[0]!.has_result, false);
        assert.equal(page.tasks.find((t) => t.task_id === "t28")!.has_result, true);
        assert.equal("result" in page.tasks[0]!, false);
        const failed = await cache.list({ status: "failed" });
        assert.equal(failed.total, 15);
        assert.ok(failed.tasks.every((t) => t.status === "failed"));
        const ibm = await cache.list({ backend: "ibm:ibm_brisbane" });
        assert.equal(ibm.total, 10);
        const both = await cache.list({ backend: "ibm:ibm_brisbane", status: "failed", limit: 2 });
        assert.equal(both.total, 5);
        assert.deepEqual(
          both.tasks.map((t) => t.task_id),
          ["t27", "t21"],
        );
        const second = await cache.list({ limit: 10, offset: 10 });
        assert.deepEqual(
          second.tasks.map((t) => t.task_id),
          Array.from({ length: 10 }, (_, i) => `t${19 - i}`),
        );
        assert.equal((await cache.list({ offset: 100 })).tasks.length, 0);
        assert.equal(await cache.count({ status: "success", backend: "dummy:local:simulator" }), 10);
      });
    },
  },
  {
    name: "keyset paging with after walks every task once, ties on submit_time broken by id",
    async run(target) {
      await withCache(target, async (cache) => {
        for (let i = 0; i < 25; i++)
          await cache.save(
            task(`k${String(i).padStart(2, "0")}`, {
              status: i % 2 ? "failed" : "success",
              submit_time: `2026-05-0${1 + (i % 4)}T00:00:00Z`,
            }),
          );
        await cache.bulkArchive(["k03", "k04"]);
        for (const options of [{}, { status: "failed" as const }, { includeArchived: true }]) {
          const seen: string[] = [];
          let after: { submit_time: string; task_id: string } | undefined;
          for (;;) {
            const page = await cache.list({ ...options, limit: 4, after });
            seen.push(...page.tasks.map((t) => t.task_id));
            const last = page.tasks.at(-1);
            if (page.tasks.length < 4 || !last) break;
            after = { submit_time: last.submit_time, task_id: last.task_id };
          }
          const all = await cache.list({ ...options, limit: 1000 });
          assert.deepEqual(
            seen,
            all.tasks.map((t) => t.task_id),
          );
        }
        const archived = await cache.listArchived({
          limit: 1,
          after: { submit_time: "2026-05-04T00:00:00.000000+00:00", task_id: "k03" },
        });
        assert.deepEqual(
          archived.tasks.map((t) => t.task_id),
          ["k04"],
        );
        assert.equal(archived.total, 2);
      });
    },
  },
  {
    name: "list with includeArchived interleaves archived tasks, each marked with archived_at",
    async run(target) {
      await withCache(target, async (cache) => {
        for (let i = 0; i < 6; i++) await cache.save(task(`t${i}`, { submit_time: `2026-05-0${i + 1}T00:00:00Z` }));
        await cache.bulkArchive(["t1", "t4"]);
        const active = await cache.list();
        assert.deepEqual(
          active.tasks.map((t) => t.task_id),
          ["t5", "t3", "t2", "t0"],
        );
        assert.ok(active.tasks.every((t) => t.archived_at === undefined));
        const all = await cache.list({ includeArchived: true });
        assert.equal(all.total, 6);
        assert.deepEqual(
          all.tasks.map((t) => t.task_id),
          ["t5", "t4", "t3", "t2", "t1", "t0"],
        );
        assert.match(all.tasks[1]!.archived_at!, TIMESTAMP);
        assert.equal(all.tasks[0]!.archived_at, undefined);
        assert.equal((await cache.list({ includeArchived: true, limit: 2, offset: 1 })).tasks[0]!.task_id, "t4");
      });
    },
  },
  {
    name: "a listing as JSON text is the listing, and keeps what other writers stored that is not JSON",
    needsFile: true,
    async run(target) {
      await withFile(async (path) => {
        const cache = await createTaskCache(await target.connect(path));
        try {
          const metadata = {
            circuit: "QINIT 2\nH q[0]",
            ratio: 0.25,
            quote: 'é "q" \\ \u2603',
            nested: { counts: [1, 2] },
            none: null,
          };
          await cache.save(
            task("own", { metadata, submit_time: "2026-05-03T00:00:00Z", result: { counts: { "00": 1 } } }),
          );
          const insert = `INSERT INTO tasks (task_id, backend, status, shots, submit_time, update_time, result_json, metadata_json)
            VALUES (?, 'dummy', 'success', 0, ?, ?, NULL, ?)`;
          await raw(target, path, async (c) => {
            await c.run(insert, [
              "spaced",
              "2026-05-02T00:00:00+00:00",
              "2026-05-02T00:00:00+00:00",
              ' { "a" : [ 1 , 2 ] } ',
            ]);
            await c.run(insert, [
              "not-json",
              "2026-05-01T00:00:00+00:00",
              "2026-05-01T00:00:00+00:00",
              "QINIT 1 (not JSON)",
            ]);
          });
          await cache.save(task("gone", { submit_time: "2026-04-01T00:00:00Z" }));
          await cache.archive("gone");

          const text = await cache.listText({ includeArchived: true, limit: 3 });
          const page = await cache.list({ includeArchived: true, limit: 3 });
          assert.deepEqual(JSON.parse(text.tasks), page.tasks);
          assert.equal(text.count, 3);
          assert.equal(text.total, 4);
          assert.deepEqual(text.last, { submit_time: "2026-05-01T00:00:00+00:00", task_id: "not-json" });
          assert.deepEqual(
            page.tasks.map((t) => t.task_id),
            ["own", "spaced", "not-json"],
          );
          assert.deepEqual(page.tasks[0]!.metadata, metadata);
          assert.equal(page.tasks[0]!.has_result, true);
          assert.deepEqual(page.tasks[1]!.metadata, { a: [1, 2] });
          assert.equal(page.tasks[2]!.metadata, "QINIT 1 (not JSON)");
          assert.deepEqual(Object.keys(page.tasks[0]!), [
            "task_id",
            "backend",
            "status",
            "shots",
            "submit_time",
            "update_time",
            "has_result",
            "metadata",
          ]);

          const archived = await cache.listArchivedText();
          assert.equal(archived.count, 1);
          assert.match(JSON.parse(archived.tasks)[0].archived_at, TIMESTAMP);
          const empty = await cache.listText({ status: "pending" });
          assert.deepEqual(
            { ...empty, tasks: JSON.parse(empty.tasks) },
            { tasks: [], count: 0, total: 0, last: undefined },
          );
        } finally {
          await cache.close();
        }
      });
    },
  },
  {
    name: "a listing asked again is answered again only while nobody has written, whoever writes",
    needsFile: true,
    async run(target) {
      await withFile(async (path) => {
        const cache = await createTaskCache(await target.connect(path));
        const ids = async () =>
          (await cache.list({ includeArchived: true })).tasks.map(
            (t) => `${t.task_id}${t.archived_at ? " (archived)" : ""}`,
          );
        try {
          await cache.save(task("a", { submit_time: "2026-05-01T00:00:00Z" }));
          const first = await cache.listText();
          if (cache.info.capabilities.singleConnection)
            assert.equal(await cache.listText(), first, "an unchanged file answers from the kept page");
          await cache.save(task("b", { submit_time: "2026-05-02T00:00:00Z" }));
          assert.deepEqual(await ids(), ["b", "a"]);
          await cache.archive("a");
          assert.deepEqual(await ids(), ["b", "a (archived)"]);
          // Another connection to the file: what another process, or the Python store, does.
          await raw(target, path, (c) =>
            c.run(
              "INSERT INTO tasks (task_id, backend, status, submit_time, update_time) VALUES ('c', 'dummy', 'running', '2026-05-03T00:00:00+00:00', '2026-05-03T00:00:00+00:00')",
            ),
          );
          assert.deepEqual(await ids(), ["c", "b", "a (archived)"]);
          await raw(target, path, (c) => c.run("UPDATE tasks SET status = 'failed' WHERE task_id = 'c'"));
          assert.deepEqual(
            (await cache.list({ status: "failed" })).tasks.map((t) => t.task_id),
            ["c"],
          );
          await cache.bulkDelete(["c"]);
          assert.deepEqual(await ids(), ["b", "a (archived)"]);
          assert.equal((await cache.list({ status: "failed" })).total, 0);
        } finally {
          await cache.close();
        }
      });
    },
  },
  {
    name: "counts gives every status and the total in one answer",
    async run(target) {
      await withCache(target, async (cache) => {
        const statuses = [
          "pending",
          "running",
          "running",
          "success",
          "success",
          "success",
          "failed",
          "cancelled",
        ] as const;
        for (const [i, status] of statuses.entries()) await cache.save(task(`t${i}`, { status }));
        await cache.archive("t7");
        assert.deepEqual(await cache.counts(), {
          pending: 1,
          running: 2,
          success: 3,
          failed: 1,
          cancelled: 0,
          total: 7,
        });
      });
    },
  },
  {
    name: "delete, bulk delete and clear completed remove only what they name",
    async run(target) {
      await withCache(target, async (cache) => {
        const statuses = ["pending", "running", "success", "failed", "cancelled", "success"] as const;
        for (const [i, status] of statuses.entries()) await cache.save(task(`t${i}`, { status }));
        await cache.delete("t0");
        await assert.rejects(cache.delete("t0"), NotFoundError);
        await cache.archive("t5");
        const bulk = await cache.bulkDelete(["t1", "t1", "nope", "t5"]);
        assert.deepEqual(bulk, { deleted: ["t1"], missing: ["nope", "t5"] });
        assert.equal(await whereIs(cache, "t5"), "archive");
        assert.equal(await cache.clearCompleted(), 3);
        assert.equal(await cache.count(), 0);
        assert.equal(await cache.countArchived(), 1);
      });
    },
  },
  {
    name: "archive and restore move a task whole, every column by name",
    async run(target) {
      await withCache(target, async (cache) => {
        const saved = await cache.save(
          task("t1", {
            shots: 512,
            result: { a: 1 },
            metadata: { circuit_ir: "QINIT 3" },
            compiled_circuit: { originir: "QINIT 3" },
          }),
        );
        await cache.archive("t1");
        assert.equal(await whereIs(cache, "t1"), "archive");
        const archived = await cache.getArchived("t1");
        const { archived_at, ...rest } = archived!;
        assert.match(archived_at!, TIMESTAMP);
        assert.deepEqual(rest, saved);
        await cache.restore("t1");
        assert.equal(await whereIs(cache, "t1"), "tasks");
        assert.deepEqual(await cache.get("t1"), saved);
        await assert.rejects(cache.archive("nope"), NotFoundError);
        await assert.rejects(cache.restore("t1"), NotFoundError);
      });
    },
  },
  {
    name: "saving an archived id is a conflict, so no task lands in both tables",
    async run(target) {
      await withCache(target, async (cache) => {
        await cache.save(task("t1", { status: "failed" }));
        await cache.archive("t1");
        await assert.rejects(cache.save(task("t1", { status: "running" })), ConflictError);
        assert.equal(await whereIs(cache, "t1"), "archive");
        assert.equal((await cache.getArchived("t1"))!.status, "failed");
      });
    },
  },
  {
    name: "restoring over a live task of the same id is a conflict and changes nothing",
    needsFile: true,
    async run(target) {
      await withFile(async (path) => {
        const cache = await createTaskCache(await target.connect(path));
        try {
          await cache.save(task("t1", { status: "failed" }));
          await cache.archive("t1");
          // The Python store's upsert does not look at the archive, so a live row can reappear.
          await raw(target, path, (c) =>
            c.run(
              "INSERT INTO tasks (task_id, backend, status, submit_time, update_time) VALUES ('t1', 'dummy', 'running', '2026-01-01T00:00:00.000000+00:00', '2026-01-01T00:00:00.000000+00:00')",
            ),
          );
          await assert.rejects(cache.restore("t1"), ConflictError);
          assert.equal((await cache.get("t1"))!.status, "running");
          assert.equal((await cache.getArchived("t1"))!.status, "failed");
          await assert.rejects(cache.archive("t1"), ConflictError);
          assert.equal((await cache.get("t1"))!.status, "running");
        } finally {
          await cache.close();
        }
      });
    },
  },
  {
    name: "bulk archive moves many ids in one transaction and reports the missing ones",
    async run(target) {
      await withCache(target, async (cache) => {
        for (let i = 0; i < 50; i++) await cache.save(task(`t${i}`));
        const ids = [...Array.from({ length: 40 }, (_, i) => `t${i}`), "t0", "ghost", "t39"];
        const result = await cache.bulkArchive(ids);
        assert.equal(result.archived.length, 40);
        assert.deepEqual(new Set(result.archived), new Set(Array.from({ length: 40 }, (_, i) => `t${i}`)));
        assert.deepEqual(result.missing, ["ghost"]);
        assert.equal(await cache.count(), 10);
        assert.equal(await cache.countArchived(), 40);
        assert.deepEqual(await cache.bulkArchive([]), { archived: [], missing: [] });
        assert.deepEqual((await cache.bulkArchive(["t0"])).missing, ["t0"]);
      });
    },
  },
  {
    name: "archive-expired moves old terminal tasks in set statements and reports the old running ones",
    async run(target) {
      const clock = manualClock("2026-06-10T00:00:00.000Z");
      await withCache(
        target,
        async (cache) => {
          const at = (hoursAgo: number) => new Date(clock().getTime() - hoursAgo * 3_600_000).toISOString();
          await cache.save(task("old-success", { submit_time: at(100) }));
          await cache.save(task("old-failed", { status: "failed", submit_time: at(80) }));
          await cache.save(task("old-running", { status: "running", submit_time: at(90) }));
          await cache.save(task("old-pending", { status: "pending", submit_time: at(73) }));
          await cache.save(task("new-success", { submit_time: at(10) }));
          const result = await cache.archiveExpired();
          assert.deepEqual(new Set(result.archived), new Set(["old-success", "old-failed"]));
          assert.deepEqual(new Set(result.skipped), new Set(["old-running", "old-pending"]));
          assert.equal(await whereIs(cache, "old-failed"), "archive");
          const all = await cache.archiveExpired({ hours: 24, terminalOnly: false });
          assert.deepEqual(new Set(all.archived), new Set(["old-running", "old-pending"]));
          assert.deepEqual(all.skipped, []);
          assert.deepEqual(
            (await cache.list()).tasks.map((t) => t.task_id),
            ["new-success"],
          );
          assert.deepEqual(await cache.archiveExpired({ hours: 0 }), { archived: ["new-success"], skipped: [] });
        },
        { clock },
      );
    },
  },
  {
    name: "the archive lists, counts, gets and deletes with the listing's filters and paging",
    async run(target) {
      await withCache(target, async (cache) => {
        for (let i = 0; i < 12; i++) {
          await cache.save({
            task_id: `a${String(i).padStart(2, "0")}`,
            backend: i % 2 ? "ibm:x" : "dummy",
            status: i % 3 ? "success" : "failed",
            submit_time: `2026-04-${String(i + 1).padStart(2, "0")}T00:00:00Z`,
          });
        }
        await cache.bulkArchive(Array.from({ length: 12 }, (_, i) => `a${String(i).padStart(2, "0")}`));
        const page = await cache.listArchived({ limit: 5 });
        assert.equal(page.total, 12);
        assert.deepEqual(
          page.tasks.map((t) => t.task_id),
          ["a11", "a10", "a09", "a08", "a07"],
        );
        assert.ok(page.tasks.every((t) => TIMESTAMP.test(t.archived_at!)));
        assert.equal((await cache.listArchived({ status: "failed" })).total, 4);
        assert.equal((await cache.listArchived({ backend: "ibm:x", status: "failed" })).total, 2);
        assert.equal(await cache.countArchived({ backend: "dummy" }), 6);
        assert.equal((await cache.listArchived({ offset: 10 })).tasks.length, 2);
        await cache.deleteArchived("a00");
        await assert.rejects(cache.deleteArchived("a00"), NotFoundError);
        assert.equal(await cache.getArchived("a00"), undefined);
        assert.equal(await cache.countArchived(), 11);
      });
    },
  },
  {
    name: "search, id prefix and time ranges narrow listings and counts, active and archived, and page like any listing",
    async run(target) {
      const clock = manualClock("2026-05-21T00:00:00.000Z");
      await withCache(
        target,
        async (cache) => {
          const errors = cache.info.lineage === "uniqc";
          for (let i = 0; i < 20; i++) {
            const day = String(i + 1).padStart(2, "0");
            await cache.save({
              task_id: i === 7 ? "Bell-07" : `run-${day}`,
              backend: i % 2 ? "ibm:x" : "dummy",
              status: i % 4 === 3 ? "failed" : "success",
              submit_time: `2026-05-${day}T12:00:00Z`,
              metadata: { circuit_name: i % 3 === 0 ? "Bell pair" : "GHZ", note: i === 5 ? "100%_done" : "1000 done" },
              ...(errors && i === 11 ? { error_message: "Backend said: BELL calibration expired" } : {}),
            });
          }
          const ids = (page: { tasks: { task_id: string }[] }) => page.tasks.map((t) => t.task_id);
          // In the metadata, in the id, and (where the file keeps it) in the error text, in any case.
          const bell = await cache.list({ search: "bell" });
          const expected = ["run-19", "run-16", "run-13", "run-10", "Bell-07", "run-07", "run-04", "run-01"];
          if (errors) expected.splice(3, 0, "run-12");
          assert.deepEqual(ids(bell), expected);
          assert.equal(bell.total, expected.length);
          assert.equal(await cache.count({ search: "BELL" }), expected.length);
          // Wildcards are the text itself.
          assert.deepEqual(ids(await cache.list({ search: "100%_" })), ["run-06"]);
          assert.deepEqual(ids(await cache.list({ search: "%" })), ["run-06"]);
          // A search with other filters, paged by offset and by position, keeps its total on every page.
          const narrowed = { search: "bell", status: "success" as const, backend: "dummy" };
          const firstTwo = await cache.list({ ...narrowed, limit: 2 });
          assert.deepEqual(ids(firstTwo), ["run-19", "run-13"]);
          const all = await cache.list({ ...narrowed, limit: 1000 });
          assert.deepEqual(ids(all), ["run-19", "run-13", "run-07", "run-01"]);
          const last = firstTwo.tasks.at(-1)!;
          const rest = await cache.list({
            ...narrowed,
            after: { submit_time: last.submit_time, task_id: last.task_id },
          });
          assert.deepEqual([...ids(firstTwo), ...ids(rest)], ids(all));
          assert.equal(rest.total, all.total);
          const beyond = await cache.list({ ...narrowed, offset: 50 });
          assert.deepEqual(beyond, { tasks: [], total: all.total });
          // Id prefixes are exact in case; time ranges run from `since` to just before `until`.
          assert.deepEqual(ids(await cache.list({ idPrefix: "run-1" })), [
            "run-19",
            "run-18",
            "run-17",
            "run-16",
            "run-15",
            "run-14",
            "run-13",
            "run-12",
            "run-11",
            "run-10",
          ]);
          assert.equal((await cache.list({ idPrefix: "bell" })).total, 0);
          const range = await cache.list({ since: "2026-05-10", until: "2026-05-15T12:00:00Z" });
          assert.deepEqual(ids(range), ["run-14", "run-13", "run-12", "run-11", "run-10"]);
          assert.equal(range.total, 5);
          // An age counts back from the cache's clock.
          assert.deepEqual(ids(await cache.list({ since: "2d" })), ["run-20", "run-19"]);
          assert.deepEqual(ids(await cache.list({ since: "60h", until: "35h" })), ["run-19", "run-18"]);
          assert.equal(await cache.count({ until: "2026-05-03", status: "success" }), 2);
          // The archive and the listing of both tables take the same filters.
          await cache.bulkArchive(["run-10", "run-13", "run-14"]);
          assert.deepEqual(ids(await cache.listArchived({ search: "bell" })), ["run-13", "run-10"]);
          assert.deepEqual(ids(await cache.listArchived({ since: "2026-05-14" })), ["run-14"]);
          assert.equal(await cache.countArchived({ search: "ghz" }), 1);
          const both = await cache.list({ search: "bell", includeArchived: true });
          assert.deepEqual(ids(both), expected);
          assert.equal(both.tasks.find((t) => t.task_id === "run-13")!.archived_at !== undefined, true);
          assert.equal(
            (await cache.list({ since: "2026-05-13", until: "2026-05-15", includeArchived: true })).total,
            2,
          );
          // Bad filters are refused by name.
          for (const [filter, path] of [
            [{ search: "  " }, "search"],
            [{ search: "x".repeat(201) }, "search"],
            [{ since: "yesterday" }, "since"],
            [{ until: "2026-02-30" }, "until"],
            [{ idPrefix: "a b" }, "idPrefix"],
          ] as const) {
            await assert.rejects(cache.list(filter), (error: unknown) => {
              assert.ok(error instanceof InvalidInputError);
              assert.equal(error.issues[0]!.path, path);
              return true;
            });
          }
        },
        { clock },
      );
    },
  },
  {
    name: "moves and deletes by filter take every task it matches and nothing else, in short transactions; an empty filter needs all",
    async run(target) {
      await withCache(target, async (cache) => {
        for (let i = 0; i < 30; i++) {
          await cache.save({
            task_id: `m${String(i).padStart(2, "0")}`,
            backend: i % 3 ? "ibm:x" : "dummy",
            status: i % 2 ? "failed" : "success",
            submit_time: `2026-03-${String(i + 1).padStart(2, "0")}T00:00:00Z`,
            metadata: { circuit_name: i % 5 ? "GHZ" : "Bell pair" },
          });
        }
        const everything = async () =>
          JSON.stringify([await cache.list({ limit: 1000 }), await cache.listArchived({ limit: 1000 })]);
        const before = await everything();
        for (const refused of [
          () => cache.archiveMatching({}),
          () => cache.deleteMatching({ all: false }),
          () => cache.restoreMatching({}),
          () => cache.deleteArchivedMatching({}),
          () => cache.archiveMatching({ since: "yesterday" }),
        ]) {
          await assert.rejects(refused(), InvalidInputError);
        }
        assert.equal(await everything(), before);
        // Failed on ibm:x, in transactions of three tasks at most.
        const filter = { status: "failed" as const, backend: "ibm:x" };
        const expected = (await cache.list({ ...filter, limit: 1000 })).tasks.map((t) => t.task_id);
        assert.equal(await cache.count(filter), expected.length);
        assert.deepEqual(await cache.archiveMatching({ ...filter, dryRun: true }), { count: expected.length });
        assert.equal(await everything(), before);
        await assert.rejects(cache.deleteMatching({ dryRun: true }), InvalidInputError);
        const chunks: number[] = [];
        const archived = await cache.archiveMatching(filter, {
          rows: 3,
          pauseMs: 0,
          onTransaction: (_ms, rows) => chunks.push(rows),
        });
        assert.equal(archived.count, expected.length);
        assert.deepEqual(chunks, [3, 3, 3, 1]);
        assert.deepEqual(
          (await cache.listArchived({ limit: 1000 })).tasks.map((t) => t.task_id),
          expected,
        );
        assert.equal((await cache.counts()).total, 30 - expected.length);
        for (const id of expected) assert.equal(await whereIs(cache, id), "archive");
        // Back by a search among them: only the Bell pairs.
        assert.deepEqual(await cache.restoreMatching({ search: "bell", dryRun: true }), { count: 2, conflicts: [] });
        const restored = await cache.restoreMatching({ search: "bell" });
        assert.deepEqual(restored, { count: 2, conflicts: [] });
        assert.equal(await whereIs(cache, "m05"), "tasks");
        assert.equal(await whereIs(cache, "m25"), "tasks");
        assert.equal(await cache.countArchived(), expected.length - 2);
        // A time range of active tasks (m01 of those four days is archived), deleted; then the
        // whole archive, which must say so.
        assert.deepEqual(await cache.deleteMatching({ since: "2026-03-01", until: "2026-03-05" }), { count: 3 });
        assert.equal(await whereIs(cache, "m03"), "neither");
        assert.deepEqual(await cache.deleteArchivedMatching({ all: true }), { count: expected.length - 2 });
        assert.equal(await cache.countArchived(), 0);
        assert.equal((await cache.counts()).total, 30 - expected.length + 2 - 3);
        assert.deepEqual(await cache.archiveMatching({ search: "no such text" }), { count: 0 });
      });
    },
  },
  {
    name: "stats: tasks per day and week by status, and per backend the success rate, shots and turnaround",
    async run(target) {
      const clock = manualClock("2026-06-10T12:00:00.000Z");
      await withCache(
        target,
        async (cache) => {
          const made = [
            ["a", "success", "A", "2026-06-10T11:59:30Z", 100],
            ["b", "failed", "A", "2026-06-10T11:00:00Z", 200],
            ["c", "success", "B", "2026-06-09T12:00:00Z", 300],
            ["d", "running", "B", "2026-06-08T00:00:00Z", 400],
            ["e", "success", "A", "2026-06-01T12:00:00Z", 500],
            ["f", "cancelled", "A", "2026-06-10T12:00:00Z", 600],
          ] as const;
          for (const [id, status, backend, submit_time, shots] of made) {
            await cache.save({ task_id: id, status, backend, submit_time, shots });
          }
          await cache.archive("e");
          const stats = await cache.stats();
          assert.deepEqual(stats.tasks, { pending: 0, running: 1, success: 3, failed: 1, cancelled: 1, total: 6 });
          assert.deepEqual(
            stats.periods.map((p) => [p.start, p.tasks.total]),
            [
              ["2026-06-01", 1],
              ["2026-06-08", 1],
              ["2026-06-09", 1],
              ["2026-06-10", 3],
            ],
          );
          const [a, b] = stats.backends;
          assert.equal(a!.backend, "A");
          assert.equal(a!.success_rate, 0.5);
          assert.equal(a!.shots, 1400);
          // 0 s, 30 s, an hour and nine days, in bins of 1–9 × 10^k seconds, the empty ones between too.
          assert.deepEqual(
            a!.turnaround.histogram.filter((bin) => bin.n > 0),
            [
              { below_s: 1, n: 1 },
              { below_s: 40, n: 1 },
              { below_s: 4000, n: 1 },
              { below_s: 800_000, n: 1 },
            ],
          );
          assert.deepEqual(
            a!.turnaround.histogram.slice(0, 12).map((bin) => bin.below_s),
            [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30],
          );
          assert.equal(a!.turnaround.histogram.length, 1 + 9 * 5 + 7);
          assert.equal(a!.turnaround.finished, 4);
          assert.equal(a!.turnaround.p50_s, 40);
          assert.equal(a!.turnaround.p90_s, 760_000);
          assert.deepEqual([b!.backend, b!.success_rate, b!.shots, b!.turnaround.finished], ["B", 1, 700, 1]);
          assert.deepEqual(b!.turnaround.histogram, [{ below_s: 90_000, n: 1 }]);
          assert.equal(stats.turnaround.finished, 5);
          // By week, from Mondays; in a range; without the archive.
          const weeks = await cache.stats({ by: "week" });
          assert.deepEqual(
            weeks.periods.map((p) => [p.start, p.tasks.total]),
            [
              ["2026-06-01", 1],
              ["2026-06-08", 5],
            ],
          );
          const recent = await cache.stats({ since: "2d" });
          assert.equal(recent.since, "2026-06-08T12:00:00.000000+00:00");
          assert.equal(recent.tasks.total, 4);
          assert.equal((await cache.stats({ includeArchived: false })).tasks.total, 5);
          assert.equal((await cache.stats({ since: "2026-06-09", until: "2026-06-10" })).tasks.total, 1);
          await assert.rejects(cache.stats({ by: "month" as "day" }), InvalidInputError);
          await assert.rejects(cache.stats({ since: "soon" }), InvalidInputError);
        },
        { clock },
      );
    },
  },
  {
    name: "compiled circuits are stored by format and read back parsed; circuits are found in metadata",
    async run(target) {
      await withCache(target, async (cache) => {
        const compiled = {
          originir: "QINIT 2\nCREG 2\nH q[0]",
          qasm: "OPENQASM 2.0;\nqreg q[2];",
          ir: { gates: [["H", 0]] },
        };
        await cache.save(
          task("c1", {
            metadata: { submission: { options: { qasm: "OPENQASM 2.0;\nqreg q[1];" } } },
            compiled_circuit: compiled,
          }),
        );
        assert.deepEqual((await cache.get("c1"))!.compiled_circuit, compiled);
        assert.deepEqual(await cache.getCircuit("c1", "source"), {
          task_id: "c1",
          format: "source",
          language: "qasm",
          circuit: "OPENQASM 2.0;\nqreg q[1];",
        });
        assert.deepEqual(await cache.getCircuit("c1", "compiled"), {
          task_id: "c1",
          format: "compiled",
          language: "originir",
          circuit: compiled.originir,
        });
        assert.equal((await cache.getCircuit("c1", "executed")).circuit, compiled.originir);
        await cache.save(
          task("c2", { metadata: { circuit_ir: "QINIT 1\nX q[0]", executed_circuit: "QINIT 1\nRX q[0],(3.14)" } }),
        );
        await cache.archive("c2");
        assert.deepEqual(await cache.getCircuit("c2", "source"), {
          task_id: "c2",
          format: "source",
          language: "originir",
          circuit: "QINIT 1\nX q[0]",
        });
        assert.equal((await cache.getCircuit("c2", "executed")).circuit, "QINIT 1\nRX q[0],(3.14)");
        assert.deepEqual(await cache.getCircuit("c2", "compiled"), {
          task_id: "c2",
          format: "compiled",
          language: null,
          circuit: null,
        });
        await assert.rejects(cache.getCircuit("nope", "source"), NotFoundError);
        await assert.rejects(cache.getCircuit("c1", "pulse" as never), InvalidInputError);
        // As the Python package stores them: compiled and executed circuits in the metadata.
        const packaged = {
          circuit_ir: "QINIT 2\nH q[0]",
          compiled_circuit_ir: "QINIT 2\nRPhi q[0],(1.57,0)",
          executed_circuit_ir: "QINIT 2\nRPhi q[0],(1.57,0)\nBARRIER q[0]",
        };
        await cache.save(task("c3", { metadata: packaged }));
        for (const [format, key] of [
          ["source", "circuit_ir"],
          ["compiled", "compiled_circuit_ir"],
          ["executed", "executed_circuit_ir"],
        ] as const) {
          assert.deepEqual(await cache.getCircuit("c3", format), {
            task_id: "c3",
            format,
            language: "originir",
            circuit: packaged[key],
          });
        }
        // This cache's column comes first; what is only in the result is found there.
        await cache.save(
          task("c4", { metadata: { compiled_circuit_ir: "QINIT 1\nX q[0]" }, compiled_circuit: compiled }),
        );
        assert.equal((await cache.getCircuit("c4", "compiled")).circuit, compiled.originir);
        await cache.save(task("c5", { result: { counts: { "0": 1 }, compiled_qasm: "OPENQASM 2.0;\nqreg q[1];" } }));
        assert.deepEqual(await cache.getCircuit("c5", "executed"), {
          task_id: "c5",
          format: "executed",
          language: "qasm",
          circuit: "OPENQASM 2.0;\nqreg q[1];",
          fallback: "compiled",
        });
      });
    },
  },
  {
    name: "500 concurrent archive, restore and save calls leave every task in exactly one table",
    async run(target) {
      await withCache(target, async (cache) => {
        const ids = Array.from({ length: 50 }, (_, i) => `c${i}`);
        for (const id of ids) await cache.save(task(id));
        const calls = Array.from({ length: 500 }, (_, i) => {
          const id = ids[(i * 7) % ids.length]!;
          const op = i % 5;
          if (op === 0 || op === 3) return cache.archive(id);
          if (op === 1 || op === 4) return cache.restore(id);
          return cache.save(task(id, { status: "failed", shots: i }));
        });
        const outcomes = await Promise.allSettled(calls);
        for (const outcome of outcomes) {
          if (outcome.status === "rejected") {
            const error = outcome.reason;
            assert.ok(error instanceof NotFoundError || error instanceof ConflictError, `unexpected ${error}`);
          }
        }
        assert.ok(outcomes.some((o) => o.status === "fulfilled"));
        for (const id of ids) {
          const where = await whereIs(cache, id);
          assert.ok(where === "tasks" || where === "archive", `${id} is in ${where}`);
        }
        assert.equal((await cache.count()) + (await cache.countArchived()), ids.length);
      });
    },
  },
  {
    name: "counts stay exact when the seed-era Python store writes the file (the triggers fire for it)",
    needsFile: true,
    async run(target) {
      await withFile(async (path) => {
        const cache = await createTaskCache(await target.connect(path));
        try {
          for (let i = 0; i < 20; i++)
            await cache.save(
              task(`own-${i}`, { backend: i % 2 ? "ibm:x" : "dummy", status: i % 3 ? "success" : "running" }),
            );
          await cache.bulkArchive(["own-0", "own-1", "own-2"]);
          // What that store does, statement for statement: named-column upsert, archive by copying
          // every column then deleting, restore, delete.
          const upsert = `INSERT INTO tasks (task_id, backend, status, shots, submit_time, update_time, result_json, metadata_json)
            VALUES (?, ?, ?, 0, '2026-05-01T00:00:00+00:00', '2026-05-01T00:00:00+00:00', NULL, '{}')
            ON CONFLICT(task_id) DO UPDATE SET backend = excluded.backend, status = excluded.status, update_time = excluded.update_time`;
          await raw(target, path, async (c) => {
            await c.run(upsert, ["py-1", "originq:WK_C180", "running"]);
            await c.run(upsert, ["py-2", "originq:WK_C180", "pending"]);
            await c.run(upsert, ["py-1", "originq:WK_C180", "failed"]);
            await c.run(upsert, ["own-5", "originq:WK_C180", "cancelled"]);
            await c.run(
              "INSERT INTO archived_tasks (task_id, backend, status, shots, submit_time, update_time, result_json, metadata_json, archived_at) SELECT task_id, backend, status, shots, submit_time, update_time, result_json, metadata_json, '2026-05-02T00:00:00+00:00' FROM tasks WHERE task_id = 'py-1'",
            );
            await c.run("DELETE FROM tasks WHERE task_id = 'py-1'");
            await c.run(
              "INSERT INTO tasks (task_id, backend, status, shots, submit_time, update_time, result_json, metadata_json) SELECT task_id, backend, status, shots, submit_time, update_time, result_json, metadata_json FROM archived_tasks WHERE task_id = 'own-1'",
            );
            await c.run("DELETE FROM archived_tasks WHERE task_id = 'own-1'");
            await c.run("DELETE FROM tasks WHERE task_id IN ('own-6', 'own-7')");
          });
          const recount = await raw(target, path, (c) =>
            c.all<{ tbl: string; backend: string; status: string; n: number }>(
              "SELECT 'tasks' AS tbl, backend, status, COUNT(*) AS n FROM tasks GROUP BY backend, status UNION ALL SELECT 'archived_tasks', backend, status, COUNT(*) FROM archived_tasks GROUP BY backend, status",
            ),
          );
          const expected = (tbl: string, keep: (r: { backend: string; status: string }) => boolean) =>
            recount.filter((r) => r.tbl === tbl && keep(r)).reduce((sum, r) => sum + Number(r.n), 0);
          const counts = await cache.counts();
          for (const status of ["pending", "running", "success", "failed", "cancelled"] as const) {
            assert.equal(
              counts[status],
              expected("tasks", (r) => r.status === status),
              status,
            );
            assert.equal(
              await cache.countArchived({ status }),
              expected("archived_tasks", (r) => r.status === status),
              `archived ${status}`,
            );
          }
          assert.equal(
            counts.total,
            expected("tasks", () => true),
          );
          assert.equal(await cache.count({ backend: "originq:WK_C180", status: "cancelled" }), 1);
          assert.equal(
            (await cache.list({ backend: "originq:WK_C180" })).total,
            expected("tasks", (r) => r.backend === "originq:WK_C180"),
          );
          assert.equal(
            (await cache.list({ includeArchived: true })).total,
            recount.reduce((sum, r) => sum + Number(r.n), 0),
          );
        } finally {
          await cache.close();
        }
      });
    },
  },
  {
    name: "moving many tasks at once keeps every counter exact, and the schema as a fresh file's",
    needsFile: true,
    async run(target) {
      await withFile(async (path) => {
        const clock = manualClock();
        const cache = await createTaskCache(await target.connect(path), { clock });
        try {
          const statuses = ["success", "failed", "cancelled", "running", "pending"] as const;
          for (let i = 0; i < 60; i++) {
            await cache.save(
              task(`m${i}`, {
                backend: `b${i % 3}`,
                status: statuses[i % 5],
                submit_time: `2026-05-${String(1 + (i % 28)).padStart(2, "0")}T00:00:00Z`,
              }),
            );
          }
          const schemaBefore = await raw(target, path, schemaSql);
          // An id in both tables (a broken file): a move leaves its active row alone.
          await raw(target, path, (c) =>
            c.run(
              "INSERT INTO archived_tasks (task_id, backend, status, submit_time, update_time, archived_at) VALUES ('m0', 'b0', 'success', 'x', 'x', 'x')",
            ),
          );
          const bulk = await cache.bulkArchive(["m0", "m1", "m2", "m3", "m4", "m5", "nope"]);
          assert.deepEqual(bulk, { archived: ["m1", "m2", "m3", "m4", "m5"], missing: ["m0", "nope"] });
          assert.ok(await cache.get("m0"));
          const expired = await cache.archiveExpired({ hours: 24 * 10 });
          assert.ok(expired.archived.length > 20 && expired.skipped.length > 5, JSON.stringify(expired));
          await cache.restore("m1");
          await cache.bulkArchive(["m1"]);

          const recount = await raw(target, path, (c) =>
            c.all<{ tbl: string; backend: string; status: string; n: number }>(
              `SELECT 'tasks' AS tbl, backend, status, COUNT(*) AS n FROM tasks GROUP BY backend, status
               UNION ALL SELECT 'archived_tasks', backend, status, COUNT(*) FROM archived_tasks GROUP BY backend, status ORDER BY 1, 2, 3`,
            ),
          );
          const counters = await raw(target, path, (c) =>
            c.all<{ tbl: string; backend: string; status: string; n: number }>(
              `SELECT tbl, backend, status, n FROM ${target.lineage === "uniqc" ? "tscache_task_counts" : "task_counts"} WHERE n != 0 ORDER BY 1, 2, 3`,
            ),
          );
          assert.deepEqual(
            counters.map((r) => ({ ...r, n: Number(r.n) })),
            recount.map((r) => ({ ...r, n: Number(r.n) })),
          );
          assert.deepEqual(await raw(target, path, schemaSql), schemaBefore);
        } finally {
          await cache.close();
        }
      });
    },
  },
  {
    name: "a v1 file from the seed's DDL upgrades to v3 with every value byte-identical",
    lineage: "seed",
    needsFile: true,
    async run(target) {
      await withFile(async (path) => {
        const before = await raw(target, path, async (c) => {
          await buildSeedFile(c, 1, 40);
          return tableBytes(c, "tasks", V1_COLUMNS);
        });
        const cache = await createTaskCache(await target.connect(path));
        assert.deepEqual(cache.info.applied, [2, 3, 4]);
        assert.equal((await cache.list()).total, 40);
        const one = (await cache.get(String(seedRow(5)[0])))!;
        assert.deepEqual(one.result, JSON.parse(String(seedRow(5)[6])));
        assert.equal(one.submit_time, seedRow(5)[4]);
        await cache.close();
        await raw(target, path, async (c) => {
          assert.deepEqual(await tableBytes(c, "tasks", V1_COLUMNS), before);
          assert.equal(await pragma(c, "user_version"), 2);
          assert.equal((await c.all("SELECT 1 FROM tasks WHERE compiled_circuit_json IS NOT NULL")).length, 0);
        });
      });
    },
  },
  {
    name: "a v2 file from the seed's DDL upgrades to v3 with both tables byte-identical, and the schema matches a fresh one",
    lineage: "seed",
    needsFile: true,
    async run(target) {
      await withFile(async (path) => {
        const before = await raw(target, path, async (c) => {
          await buildSeedFile(c, 2, 25, 15);
          return [
            await tableBytes(c, "tasks", V1_COLUMNS),
            await tableBytes(c, "archived_tasks", [...V1_COLUMNS, "archived_at"]),
          ];
        });
        const cache = await createTaskCache(await target.connect(path));
        assert.deepEqual(cache.info.applied, [3, 4]);
        assert.equal(await cache.countArchived(), 15);
        assert.equal(
          (await cache.listArchived({ limit: 1 })).tasks[0]!.archived_at,
          "2026-05-04T00:00:00.000000+00:00",
        );
        await cache.close();
        const after = await raw(target, path, async (c) => [
          await tableBytes(c, "tasks", V1_COLUMNS),
          await tableBytes(c, "archived_tasks", [...V1_COLUMNS, "archived_at"]),
        ]);
        assert.deepEqual(after, before);
        await withFile(async (fresh) => {
          await (await createTaskCache(await target.connect(fresh))).close();
          const freshColumns = await raw(target, fresh, (c) =>
            c.all(
              "SELECT m.name AS t, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY m.name, p.cid",
            ),
          );
          const upgradedColumns = await raw(target, path, (c) =>
            c.all(
              "SELECT m.name AS t, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY m.name, p.cid",
            ),
          );
          assert.deepEqual(upgradedColumns, freshColumns);
        });
      });
    },
  },
  {
    name: "a migration that stops at a step keeps the steps before it, and says which it applied",
    lineage: "seed",
    needsFile: true,
    async run(target) {
      await withFile(async (path) => {
        const broken = [
          ...MIGRATIONS.slice(0, 2),
          { ...MIGRATIONS[2]!, changes: ["CREATE INDEX tasks_broken_idx ON no_such_table(x)"] },
        ];
        await assert.rejects(
          target.connect(path).then((c) => createTaskCache(c, { migrations: broken })),
          (error: unknown) => {
            assert.ok(error instanceof MigrationError);
            assert.equal(error.version, 3);
            assert.deepEqual(error.applied, [1, 2]);
            assert.match(error.message, /v1, v2 applied before it stay/);
            return true;
          },
        );
        const healed = await createTaskCache(await target.connect(path));
        assert.deepEqual(healed.info.applied, [3, 4]);
        await healed.close();
      });
    },
  },
  {
    name: "a migration step that fails half-way leaves the version and the schema as they were",
    lineage: "seed",
    needsFile: true,
    async run(target) {
      await withFile(async (path) => {
        await raw(target, path, (c) => buildSeedFile(c, 2, 3, 2));
        const schemaBefore = await raw(target, path, schemaSql);
        const broken = [
          ...MIGRATIONS.slice(0, 2),
          {
            ...MIGRATIONS[2]!,
            changes: [...MIGRATIONS[2]!.changes, "CREATE INDEX tasks_broken_idx ON no_such_table(x)"],
          },
        ];
        await assert.rejects(
          target.connect(path).then((c) => createTaskCache(c, { migrations: broken })),
          (error: unknown) => {
            assert.ok(error instanceof MigrationError);
            assert.equal(error.version, 3);
            return true;
          },
        );
        await raw(target, path, async (c) => {
          assert.equal(await pragma(c, "user_version"), 2);
          assert.deepEqual(await schemaSql(c), schemaBefore);
        });
        const healed = await createTaskCache(await target.connect(path));
        assert.deepEqual(healed.info.applied, [3, 4]);
        assert.equal(await healed.count(), 3);
        await healed.close();
      });
    },
  },
  {
    name: "migrations run twice are no-ops, and a file with the tables but user_version 0 is adopted",
    lineage: "seed",
    needsFile: true,
    async run(target) {
      await withFile(async (path) => {
        const first = await createTaskCache(await target.connect(path));
        await first.save(task("keep"));
        await first.close();
        const schemaBefore = await raw(target, path, schemaSql);
        const second = await createTaskCache(await target.connect(path));
        assert.deepEqual(second.info.applied, []);
        await second.close();
        assert.deepEqual(await raw(target, path, schemaSql), schemaBefore);
        // A synced replica carries the tables but not the header.
        await raw(target, path, async (c) => {
          await c.run("PRAGMA user_version = 0");
          await c.run("PRAGMA application_id = 0");
        });
        const adopted = await createTaskCache(await target.connect(path));
        // Its tables show every step, so none runs again.
        assert.deepEqual(adopted.info.applied, []);
        assert.equal(adopted.info.readOnly, false);
        assert.equal((await adopted.get("keep"))?.task_id, "keep");
        await adopted.close();
        await raw(target, path, async (c) => {
          assert.equal(await pragma(c, "user_version"), 2);
          assert.equal(await pragma(c, "application_id"), UNIC);
          assert.deepEqual(await schemaSql(c), schemaBefore);
        });
      });
    },
  },
  {
    name: "a seed-lineage file at version 5 is served read-only: reads work, writes say both versions, bytes unchanged",
    lineage: "seed",
    needsFile: true,
    async run(target) {
      await withFile(async (path) => {
        await raw(target, path, async (c) => {
          await buildSeedFile(c, 2, 4, 1);
          await c.run("CREATE TABLE task_events (id INTEGER PRIMARY KEY, task_id TEXT)");
          await c.run("PRAGMA user_version = 5");
        });
        const bytes = fileBytes(path);
        const cache = await createTaskCache(await target.connect(path));
        assert.equal(cache.info.readOnly, true);
        assert.equal(cache.info.schemaVersion, 5);
        assert.equal((await cache.list()).total, 4);
        assert.equal((await cache.listArchived()).total, 1);
        assert.equal((await cache.get(String(seedRow(0)[0])))!.compiled_circuit, null);
        assert.equal((await cache.counts()).total, 4);
        const writes = [
          () => cache.save(task("new")),
          () => cache.archive(String(seedRow(0)[0])),
          () => cache.restore(String(seedRow(4)[0])),
          () => cache.delete(String(seedRow(0)[0])),
          () => cache.bulkDelete([String(seedRow(1)[0])]),
          () => cache.bulkArchive([String(seedRow(1)[0])]),
          () => cache.archiveExpired({ hours: 0 }),
          () => cache.clearCompleted(),
          () => cache.deleteArchived(String(seedRow(4)[0])),
        ];
        for (const write of writes) {
          await assert.rejects(write(), (error: unknown) => {
            assert.ok(error instanceof ReadOnlyError);
            assert.equal(error.fileVersion, 5);
            assert.equal(error.supportedVersion, 4);
            assert.match(error.message, /v5.*v4/);
            return true;
          });
        }
        await cache.close();
        assert.equal(fileBytes(path), bytes);
      });
    },
  },
  {
    name: "a uniqc-lineage file whose tables differ from its version is read-only with the difference named",
    lineage: "seed",
    needsFile: true,
    async run(target) {
      await withFile(async (path) => {
        await raw(target, path, async (c) => {
          await buildSeedFile(c, 2, 3, 2);
          await c.run("ALTER TABLE tasks ADD COLUMN error_message TEXT");
          await c.run("ALTER TABLE archived_tasks ADD COLUMN error_message TEXT");
          await c.run("PRAGMA user_version = 4");
        });
        const bytes = fileBytes(path);
        const cache = await createTaskCache(await target.connect(path));
        assert.equal(cache.info.readOnly, true);
        assert.equal(cache.info.lineage, "uniqc");
        assert.match(cache.info.readOnlyReason!, /task_shards is missing/);
        assert.equal((await cache.list({ includeArchived: true })).total, 5);
        await assert.rejects(cache.save(task("x")), ReadOnlyError);
        await cache.close();
        assert.equal(fileBytes(path), bytes);
      });
    },
  },
  {
    name: "a file of another application is refused before anything is written",
    lineage: "seed",
    needsFile: true,
    async run(target) {
      await withFile(async (path) => {
        await raw(target, path, async (c) => {
          await c.run("PRAGMA application_id = 1234");
          await c.run("CREATE TABLE tasks (id INTEGER)");
        });
        const bytes = fileBytes(path);
        await assert.rejects(
          target.connect(path).then((c) => createTaskCache(c)),
          ForeignDatabaseError,
        );
        assert.equal(fileBytes(path), bytes);
        await raw(target, path, (c) =>
          c.run("PRAGMA application_id = 0").then(() => c.run("ALTER TABLE tasks RENAME TO notes")),
        );
        const unstamped = fileBytes(path);
        await assert.rejects(
          target.connect(path).then((c) => createTaskCache(c)),
          /other tables \(notes\)/,
        );
        assert.equal(fileBytes(path), unstamped);
      });
    },
  },
  {
    name: "a file that is not SQLite is refused with a clear error and left as it was",
    lineage: "seed",
    needsFile: true,
    async run(target) {
      await withFile(async (path) => {
        const content = "task_id,backend\nuqt_1,dummy\n".repeat(200);
        writeFileSync(path, content);
        await assert.rejects(
          target.connect(path).then((c) => createTaskCache(c)),
          (error: unknown) => error instanceof NotSqliteError && /not a SQLite database/.test(error.message),
        );
        assert.equal(fileBytes(path), `${Buffer.from(content).toString("base64")}|`);
      });
    },
  },
];
