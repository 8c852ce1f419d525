/**
 * The concurrency drill: on one file at once, four library writers (Node with its local driver
 * and with libSQL, Bun, Deno), a client loading the server over HTTP, and the seed-era Python
 * store, each on its own tasks, for `UNIQC_DRILL_SECONDS` (10 here; 600 in the long form). Then
 * the file must hold exactly what their logs say, no operation may have failed (no SQLITE_BUSY,
 * "database is locked" or 5xx), the file's invariants must hold, and each kind of operation's p99
 * must stay under the bound. The figures go to reports/concurrency-drill.json.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { openLocalFile } from "../../adapters/local-file.ts";
import { tempDir } from "../contract/fixtures.ts";
import { ROOT, startServer, type ServerProcess } from "../../harness/server-process.ts";
import { fileProblems } from "./invariants.ts";

const SECONDS = Number(process.env.UNIQC_DRILL_SECONDS ?? 10);
/** Python's store gives up on a lock after 5 s; no kind of operation may come near it. */
const P99_BOUND_MS = 2000;
const BIN = join(ROOT, "node_modules", ".bin");
const WORKER = "test/drills/concurrency-worker.ts";

interface LogLine {
  op: string;
  ids: string[];
  status?: string;
  ok: boolean;
  ms: number;
  error?: string;
}

const temp = tempDir("uniqc-concurrency-");
let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.stop("SIGKILL");
  temp.remove();
});

function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(command, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  // A writer that outlives its time by a minute is stuck, and is stopped.
  const timer = setTimeout(() => child.kill("SIGKILL"), (SECONDS + 60) * 1000);
  return new Promise((resolve) =>
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

/** What a writer's log says its tasks must be at the end: id to [table, status]. */
function replay(lines: readonly LogLine[]): Map<string, [string, string]> {
  const expected = new Map<string, [string, string]>();
  for (const { op, ids, status, ok } of lines) {
    if (!ok) continue;
    for (const id of ids) {
      const now = expected.get(id);
      if (op === "save") expected.set(id, ["tasks", status!]);
      else if (op === "archive" || op === "bulkArchive") expected.set(id, ["archived_tasks", now![1]]);
      else if (op === "restore") expected.set(id, ["tasks", now![1]]);
      else if (op === "delete" || op === "bulkDelete" || op === "deleteArchived") expected.delete(id);
    }
  }
  return expected;
}

/** Ids whose place or status in the file differs from the log's, as readable lines (at most 20). */
function differences(found: Map<string, [string, string]>, expected: Map<string, [string, string]>): string[] {
  const ids = new Set([...found.keys(), ...expected.keys()]);
  const wrong = [...ids].filter((id) => String(found.get(id)) !== String(expected.get(id)));
  return wrong
    .slice(0, 20)
    .map((id) => `${id}: file ${found.get(id)?.join(" ") ?? "none"}, log ${expected.get(id)?.join(" ") ?? "none"}`);
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

it(
  `six writers on one file for ${SECONDS} s lose nothing, fail nothing, and keep p99 under ${P99_BOUND_MS} ms`,
  async () => {
    const path = temp.file("tasks.sqlite");
    // The file as the seed-era store leaves it, with tasks nobody in the drill touches.
    const untouched = Array.from({ length: 20 }, (_, i) => ["save", `before-${i}`, "success"]);
    const seeded = await run("python3", ["test/fixtures/seed_store.py", path, JSON.stringify(untouched)]);
    expect(seeded.code, seeded.output).toBe(0);
    server = await startServer("node", ["--db", path]);

    const startAt = Date.now() + 4000;
    const until = startAt + SECONDS * 1000;
    const times = [String(startAt), String(until)];
    const writers: { name: string; prefix: string; command: string; args: (log: string) => string[] }[] = [
      {
        name: "node, local file",
        prefix: "node",
        command: process.execPath,
        args: (log) => ["--import", "tsx", WORKER, path, "node", ...times, log],
      },
      {
        name: "node, libsql",
        prefix: "libsql",
        command: process.execPath,
        args: (log) => ["--import", "tsx", WORKER, `file:${path}`, "libsql", ...times, log],
      },
      {
        name: "bun, local file",
        prefix: "bun",
        command: join(BIN, "bun"),
        args: (log) => [WORKER, path, "bun", ...times, log],
      },
      {
        name: "deno, local file",
        prefix: "deno",
        command: join(BIN, "deno"),
        args: (log) => ["run", "-A", WORKER, path, "deno", ...times, log],
      },
      {
        name: "http, node server",
        prefix: "http",
        command: process.execPath,
        args: (log) => ["--import", "tsx", WORKER, server!.base, "http", ...times, log],
      },
      {
        name: "python, seed-era store",
        prefix: "python",
        command: "python3",
        args: (log) => ["test/fixtures/seed_era_worker.py", path, "python", ...times, log],
      },
    ];
    const results = await Promise.all(
      writers.map((writer) => run(writer.command, writer.args(temp.file(`${writer.prefix}.log`)))),
    );
    expect(await server.stop("SIGTERM"), server.output()).toBe(0);
    server = undefined;
    for (const [i, result] of results.entries()) expect(result, writers[i]!.name).toMatchObject({ code: 0 });

    const c = await openLocalFile(path);
    const report: Record<string, Record<string, { n: number; p50: number; p99: number; max: number }>> = {};
    const failures: string[] = [];
    try {
      for (const writer of writers) {
        const lines = readFileSync(temp.file(`${writer.prefix}.log`), "utf8")
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line) as LogLine);
        for (const line of lines.filter((l) => !l.ok))
          failures.push(`${writer.name} ${line.op} ${line.ids.join(",")}: ${line.error}`);
        const rows = await c.all<{ task_id: string; tbl: string; status: string }>(
          `SELECT task_id, 'tasks' AS tbl, status FROM tasks WHERE task_id LIKE ? || '-%'
         UNION ALL SELECT task_id, 'archived_tasks', status FROM archived_tasks WHERE task_id LIKE ? || '-%'`,
          [writer.prefix, writer.prefix],
        );
        expect(
          differences(new Map(rows.map((row) => [row.task_id, [row.tbl, row.status]])), replay(lines)),
          `${writer.name}: the file against its log`,
        ).toEqual([]);
        report[writer.name] = {};
        const kinds = new Map<string, number[]>();
        for (const line of lines) {
          if (!kinds.has(line.op)) kinds.set(line.op, []);
          kinds.get(line.op)!.push(line.ms);
        }
        for (const [op, times] of kinds) {
          const ms = times.sort((a, b) => a - b);
          report[writer.name]![op] = {
            n: ms.length,
            p50: percentile(ms, 50),
            p99: percentile(ms, 99),
            max: ms.at(-1)!,
          };
        }
        // Every writer really wrote for the whole time, or the drill proved little.
        expect(lines.length, writer.name).toBeGreaterThan(SECONDS * 5);
      }
      const [before] = await c.all<{ n: number }>(
        "SELECT COUNT(*) AS n FROM tasks WHERE task_id LIKE 'before-%' AND status = 'success'",
      );
      expect(Number(before!.n)).toBe(untouched.length);
      expect(await fileProblems(c)).toEqual([]);
    } finally {
      await c.close();
    }
    mkdirSync(join(ROOT, "reports"), { recursive: true });
    writeFileSync(
      join(ROOT, "reports", "concurrency-drill.json"),
      JSON.stringify({ seconds: SECONDS, bound_ms: P99_BOUND_MS, writers: report }, null, 2),
    );
    expect(failures).toEqual([]);
    const slow = Object.entries(report).flatMap(([name, kinds]) =>
      Object.entries(kinds)
        .filter(([, k]) => k.p99 > P99_BOUND_MS)
        .map(([op, k]) => `${name} ${op}: p99 ${k.p99} ms`),
    );
    expect(slow).toEqual([]);
  },
  (SECONDS + 120) * 1000,
);
