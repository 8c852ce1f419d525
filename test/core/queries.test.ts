/**
 * Every listing and count the cache issues, checked with EXPLAIN QUERY PLAN: no table scan and
 * no temporary B-tree for ORDER BY, on a file of either lineage (a uniqc-lineage file keeps that
 * package's single-column indexes beside ours). Plans are stable where timings are not.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLocalFile } from "../../adapters/local-file.ts";
import { createTaskCache, type Connection, type SqlValue, type TaskCache } from "../../core/index.ts";
import { tempDir } from "../contract/fixtures.ts";
import { uniqcStore } from "../../harness/uniqc.ts";

/** Passes every call through and remembers the statements that read. */
function recording(connection: Connection, seen: { sql: string; args: readonly SqlValue[] }[]): Connection {
  return Object.assign(Object.create(connection) as Connection, {
    all: (sql: string, args: readonly SqlValue[] = []) => {
      if (/^\s*SELECT/i.test(sql)) seen.push({ sql, args });
      return connection.all(sql, args);
    },
  });
}

const after = { submit_time: new Date(1.7e12 + 200 * 60_000).toISOString().replace("Z", "000+00:00"), task_id: "p200" };
const filters = [{}, { status: "failed" as const }, { backend: "b" }, { status: "failed" as const, backend: "b" }];

describe.each(["seed", "uniqc"] as const)("query plans on a %s-lineage file", (lineage) => {
  const temp = tempDir("uniqc-plans-");
  const seen: { sql: string; args: readonly SqlValue[] }[] = [];
  let raw: Connection;
  let cache: TaskCache;

  beforeAll(async () => {
    const path = temp.file("tasks.sqlite");
    if (lineage === "uniqc") uniqcStore(path);
    raw = await openLocalFile(path);
    cache = await createTaskCache(recording(raw, seen));
    expect(cache.info.lineage).toBe(lineage);
    for (let i = 0; i < 300; i++) {
      await cache.save({
        task_id: `p${i}`,
        backend: ["a", "b", "c"][i % 3]!,
        status: (["success", "failed", "running"] as const)[i % 3]!,
        submit_time: new Date(1.7e12 + i * 60_000).toISOString(),
      });
    }
    await cache.bulkArchive(Array.from({ length: 100 }, (_, i) => `p${i}`));
    await raw.run("ANALYZE");
  });
  afterAll(async () => {
    await cache.close();
    temp.remove();
  });

  it("use an index for every listing, count, page and shard read, and never sort in a temporary B-tree", async () => {
    for (const filter of filters) {
      await cache.list({ ...filter, limit: 100 });
      await cache.list({ ...filter, limit: 100, offset: 50 });
      await cache.list({ ...filter, limit: 100, after });
      await cache.list({ ...filter, limit: 100, includeArchived: true });
      await cache.list({ ...filter, limit: 100, includeArchived: true, after });
      await cache.listArchived({ ...filter, limit: 100 });
      await cache.listArchived({ ...filter, limit: 100, after });
      await cache.count(filter);
      await cache.countArchived(filter);
    }
    await cache.counts();
    await cache.get("p150");
    await cache.getArchived("p5");
    await cache.shards("p150");
    await cache.shards("p5");
    const listings = seen.filter(({ sql }) =>
      /FROM (tasks|archived_tasks|task_counts|tscache_task_counts|task_shards|archived_task_shards)\b/.test(sql),
    );
    expect(listings.length).toBeGreaterThan(70);
    for (const { sql, args } of listings) {
      const plan = (await raw.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, args)).map((row) =>
        String(row.detail),
      );
      const text = plan.join(" | ");
      expect(text, sql).not.toMatch(/TEMP B-TREE FOR (RIGHT PART OF )?ORDER BY/);
      expect(text, sql).not.toMatch(/\bSCAN (?!CONSTANT ROW)\w+\b(?! USING)/);
    }
  });

  it("read the few tasks an id prefix names by key, and sort only those", async () => {
    seen.length = 0;
    // p1, p10–p19 and p100–p199; the archived ones are p0–p99.
    const page = await cache.list({ idPrefix: "p1", limit: 20, includeArchived: true });
    expect(page.total).toBe(111);
    expect(page.tasks.map((task) => task.task_id)).toEqual(Array.from({ length: 20 }, (_, i) => `p${199 - i}`));
    const listing = seen.find(({ sql }) => /ORDER BY \+submit_time/.test(sql));
    expect(listing).toBeDefined();
    const plan = (await raw.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${listing!.sql}`, listing!.args))
      .map((row) => String(row.detail))
      .join(" | ");
    for (const table of ["tasks", "archived_tasks"])
      expect(plan).toMatch(
        new RegExp(`SEARCH ${table} USING (COVERING )?INDEX \\w+ \\(task_id>\\? AND task_id<\\?\\)`),
      );
  });
});
