/** Moves of given ids in paced transactions: sized from the last one's pace, within their bounds. */
import { afterEach, beforeEach, expect, it } from "vitest";
import { openLocalFile } from "../../adapters/local-file.ts";
import { createTaskCache, type TaskCache } from "../../core/index.ts";
import { tempDir } from "../contract/fixtures.ts";

let temp: ReturnType<typeof tempDir>;
let cache: TaskCache;
beforeEach(async () => {
  temp = tempDir("uniqc-paced-");
  cache = await createTaskCache(await openLocalFile(temp.file("tasks.sqlite")));
  await cache.importRows(
    Array.from({ length: 300 }, (_, i) => ({
      task_id: `p${String(i).padStart(3, "0")}`,
      backend: "dummy",
      status: "success",
      shots: 0,
      submit_time: "2026-01-01T00:00:00.000000+00:00",
      update_time: "2026-01-01T00:00:00.000000+00:00",
      result_json: null,
      metadata_json: "{}",
    })),
  );
});
afterEach(async () => {
  await cache.close();
  temp.remove();
});

it("starts with 50 tasks, then sizes each transaction from the last one's pace, never past its rows", async () => {
  const sizes = (lockMs: number, rows: number) => {
    const seen: number[] = [];
    return { seen, batch: { rows, pauseMs: 0, lockMs, onTransaction: (_ms: number, n: number) => seen.push(n) } };
  };
  const generous = sizes(60_000, 120);
  expect(await cache.archiveMatching({ idPrefix: "p" }, generous.batch)).toEqual({ count: 300 });
  expect(generous.seen).toEqual([50, 120, 120, 10]);
  const strict = sizes(0.000_001, 1000);
  expect(await cache.restoreMatching({ idPrefix: "p" }, strict.batch)).toEqual({ count: 300, conflicts: [] });
  expect(strict.seen).toEqual([50, 50, 50, 50, 50, 50]);
  expect((await cache.counts()).total).toBe(300);
});
