/**
 * Why better-sqlite3 is the local driver on Node 20: the same work on it and on libSQL's file
 * mode, in one run, reported as a ratio. `npx tsx bench/node-fallback.ts [rows]`
 */
import Database from "better-sqlite3";
import { createClient } from "@libsql/client";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchArgs } from "./lib/args.ts";

const { positionals } = benchArgs(import.meta.filename, {}, { positionals: true });
const rows = Number(positionals[0] ?? 20_000);
const dir = mkdtempSync(join(tmpdir(), "uniqc-fallback-"));
const DDL =
  "CREATE TABLE tasks (task_id TEXT PRIMARY KEY, backend TEXT NOT NULL, status TEXT NOT NULL, submit_time TEXT NOT NULL, metadata_json TEXT NOT NULL)";
const INSERT = "INSERT INTO tasks VALUES (?, ?, ?, ?, ?)";
const GET = "SELECT * FROM tasks WHERE task_id = ?";
const LIST = "SELECT * FROM tasks ORDER BY submit_time DESC LIMIT 100";
const row = (i: number) => [
  `uqt_${i.toString(16).padStart(32, "0")}`,
  `backend-${i % 6}`,
  i % 7 ? "success" : "failed",
  new Date(1.7e12 + i * 1000).toISOString(),
  JSON.stringify({ circuit_ir: "QINIT 2\nH q[0]".padEnd(200, " ") }),
];

async function time(fn: () => unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const better = new Database(join(dir, "better.sqlite"));
better.pragma("journal_mode = WAL");
better.exec(DDL);
better.exec("CREATE INDEX tasks_submit_time_idx ON tasks(submit_time)");
const libsql = createClient({ url: `file:${join(dir, "libsql.sqlite")}`, concurrency: 1 });
await libsql.execute("PRAGMA journal_mode = WAL");
await libsql.execute(DDL);
await libsql.execute("CREATE INDEX tasks_submit_time_idx ON tasks(submit_time)");

const [insert, get, list, write] = [
  better.prepare(INSERT),
  better.prepare(GET),
  better.prepare(LIST),
  better.prepare(INSERT),
];
const ops: [string, () => unknown, () => Promise<unknown>][] = [
  [
    `insert ${rows} rows, one transaction`,
    () =>
      better.transaction(() => {
        for (let i = 0; i < rows; i++) insert.run(row(i));
      })(),
    () =>
      libsql.batch(
        Array.from({ length: rows }, (_, i) => ({ sql: INSERT, args: row(i) })),
        "write",
      ),
  ],
  [
    `get by id x${rows}`,
    () => {
      for (let i = 0; i < rows; i++) get.get(row(i)[0]);
    },
    async () => {
      for (let i = 0; i < rows; i++) await libsql.execute({ sql: GET, args: [row(i)[0]!] });
    },
  ],
  [
    "list newest 100 x2000",
    () => {
      for (let i = 0; i < 2000; i++) list.all();
    },
    async () => {
      for (let i = 0; i < 2000; i++) await libsql.execute(LIST);
    },
  ],
  [
    "single-row write transaction x2000",
    () => {
      for (let i = 0; i < 2000; i++) better.transaction(() => write.run(row(rows + i)))();
    },
    async () => {
      for (let i = 0; i < 2000; i++) await libsql.batch([{ sql: INSERT, args: row(rows + i) }], "write");
    },
  ],
];

console.log(
  `| operation | better-sqlite3 ms | libSQL file ms | libSQL / better-sqlite3 |\n| --- | ---: | ---: | ---: |`,
);
for (const [name, onBetter, onLibsql] of ops) {
  const b = await time(onBetter);
  const l = await time(onLibsql);
  console.log(`| ${name} | ${b.toFixed(0)} | ${l.toFixed(0)} | ${(l / b).toFixed(1)}x |`);
}
better.close();
libsql.close();
rmSync(dir, { recursive: true, force: true });
