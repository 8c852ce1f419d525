/**
 * Sustained load: the server on each runtime takes mixed reads and writes at a fixed rate for a
 * while, on a 10,000-task file. Each of 16 connections runs a task's life over and over (save,
 * read it, list, archive, count, restore, list the archive, finish it), so half the requests
 * write. Reported per runtime: the rate held, p50 / p99 latency, errors and non-2xx answers
 * (both must be 0), and the server's resident memory after a warm-up and at the end.
 *
 *   npx tsx bench/sustained.ts [--seconds 60] [--rate 400] [--runtimes node,deno,bun] [--out FILE] [--sample 30] [--rows 10000] [--trace-gc] [--fill-cache]
 *
 * With `--sample`, the server's memory every that many seconds, split the way the kernel counts
 * it (anonymous: the heaps and SQLite's page cache; file-backed: pages of the database that its
 * memory map has touched), beside the size of the database and its log.
 */
import { writeFileSync } from "node:fs";
import { sustainOnFreshFile, sustainedTable, type SustainedRow } from "../harness/sustained.ts";
import type { Runtime } from "../harness/server-process.ts";
import { benchArgs } from "./lib/args.ts";

const { values } = benchArgs(import.meta.filename, {
  seconds: { type: "string" },
  rate: { type: "string" },
  runtimes: { type: "string" },
  out: { type: "string" },
  sample: { type: "string" },
  rows: { type: "string" },
  "trace-gc": { type: "boolean" },
  "fill-cache": { type: "boolean" },
});
const seconds = Number(values.seconds ?? 60);
const rate = Number(values.rate ?? 400);
const sampleSeconds = values.sample === undefined ? undefined : Number(values.sample);
const fileRows = values.rows === undefined ? undefined : Number(values.rows);
const rows: SustainedRow[] = [];
for (const runtime of (values.runtimes ?? "node,deno,bun").split(",") as Runtime[])
  rows.push(
    await sustainOnFreshFile(runtime, {
      seconds,
      rate,
      sampleSeconds,
      rows: fileRows,
      traceGc: values["trace-gc"],
      fillCache: values["fill-cache"],
    }),
  );
console.log(sustainedTable(rows));
for (const row of rows.filter((r) => r.samples.length)) {
  console.log(`\n${row.runtime}: memory under load, MiB\n`);
  console.log("| seconds | RSS | anonymous | file-backed | database + log | V8 heap after GC (committed) |");
  console.log("| ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const s of row.samples)
    console.log(
      `| ${s.seconds} | ${s.rss.toFixed(1)} | ${s.anon.toFixed(1)} | ${s.fileBacked.toFixed(1)} | ${s.database.toFixed(1)} | ${s.heap ? `${s.heap.used.toFixed(1)} (${s.heap.committed.toFixed(1)})` : "–"} |`,
    );
}
if (values.out) writeFileSync(values.out, JSON.stringify(rows, null, 2));
