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
import { existsSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { DEFAULTS, generate } from "./generate.ts";
import { memory, startServer, type Runtime } from "./server-process.ts";

export interface SustainedRow {
  runtime: string;
  seconds: number;
  rate: number;
  /** Requests answered per second, over the whole run. */
  held: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  memoryStart: number;
  memoryEnd: number;
  peak: number;
  samples: MemorySample[];
}

export interface MemorySample {
  seconds: number;
  rss: number;
  anon: number;
  fileBacked: number;
  /** The database and its write-ahead log, MiB. */
  database: number;
  /** On Deno with `--trace-gc`: V8's heap after its latest collection, in use and committed, MiB. */
  heap?: { used: number; committed: number } | undefined;
}

/** The sizes of V8's latest collection in `--trace-gc` output: `… -> 9.8 (13.3) MB`. */
function lastCollection(output: string): MemorySample["heap"] {
  const sizes = [...output.matchAll(/-> ([\d.]+) \(([\d.]+)\) MB/g)].at(-1);
  return sizes && { used: Number(sizes[1]), committed: Number(sizes[2]) };
}

const CONNECTIONS = 16;
const WARM_UP_SECONDS = 2;

/** One task's life per connection; autocannon's per-connection context carries its id. */
function lifeOfATask(runtime: string): autocannon.Request[] {
  let n = 0;
  const id = (context: object) => (context as { id: string }).id;
  const json = { "content-type": "application/json" };
  const task = (status: string) =>
    JSON.stringify({
      backend: "originq:WK_C180",
      status,
      shots: 1000,
      metadata: { circuit_ir: "QINIT 2\nH q[0]\nCNOT q[0],q[1]" },
    });
  return [
    {
      method: "PUT",
      setupRequest: (request, context) => {
        Object.assign(context, { id: `load-${runtime}-${n++}` });
        return { ...request, path: `/api/tasks/${id(context)}`, headers: json, body: task("running") };
      },
    },
    { method: "GET", setupRequest: (request, context) => ({ ...request, path: `/api/tasks/${id(context)}` }) },
    { method: "GET", path: "/api/tasks?limit=50&status=running" },
    { method: "POST", setupRequest: (request, context) => ({ ...request, path: `/api/tasks/${id(context)}/archive` }) },
    { method: "GET", path: "/api/tasks/counts" },
    {
      method: "POST",
      setupRequest: (request, context) => ({ ...request, path: `/api/archive/restore/${id(context)}` }),
    },
    { method: "GET", path: "/api/archive?limit=50" },
    {
      method: "PUT",
      setupRequest: (request, context) => ({
        ...request,
        path: `/api/tasks/${id(context)}`,
        headers: json,
        body: task("success"),
      }),
    },
  ];
}

export async function sustain(
  runtime: Runtime,
  options: {
    seconds: number;
    rate: number;
    file: string;
    sampleSeconds?: number;
    traceGc?: boolean;
    fillCache?: boolean;
  },
): Promise<SustainedRow> {
  // Only Deno takes V8's flags from its environment (Node's NODE_OPTIONS refuses --trace-gc).
  const env = options.traceGc && runtime === "deno" ? { DENO_V8_FLAGS: "--trace-gc" } : {};
  const server = await startServer(runtime, ["--db", options.file], env);
  const samples: MemorySample[] = [];
  let sampler: ReturnType<typeof setInterval> | undefined;
  try {
    const run = (seconds: number, tag: string) =>
      autocannon({
        url: server.base,
        connections: CONNECTIONS,
        overallRate: options.rate,
        duration: seconds,
        requests: lifeOfATask(`${runtime}-${tag}`),
      });
    if (options.fillCache) {
      // A search reads every row of its table: SQLite's page cache is full before the run.
      for (const listing of ["tasks", "archive"])
        if (!(await fetch(`${server.base}/api/${listing}?q=nothing-matches-this&limit=1`)).ok)
          throw new Error(`the search of ${listing} that fills the page cache failed`);
    }
    await run(WARM_UP_SECONDS, "warm");
    const start = memory(server.pid);
    const began = performance.now();
    const sample = () => {
      const now = memory(server.pid);
      const size = (suffix: string) =>
        existsSync(`${options.file}${suffix}`) ? statSync(`${options.file}${suffix}`).size : 0;
      samples.push({
        seconds: Math.round((performance.now() - began) / 1000),
        rss: now.rss,
        anon: now.anon,
        fileBacked: now.fileBacked,
        database: (size("") + size("-wal")) / 1024 / 1024,
        heap: lastCollection(server.output()),
      });
    };
    if (options.sampleSeconds) sampler = setInterval(sample, options.sampleSeconds * 1000);
    const result = await run(options.seconds, "run");
    if (options.sampleSeconds) sample();
    const end = memory(server.pid);
    return {
      runtime,
      seconds: options.seconds,
      rate: options.rate,
      held: result.requests.total / options.seconds,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors + result.timeouts,
      non2xx: result.non2xx,
      memoryStart: start.rss,
      memoryEnd: end.rss,
      peak: end.peak,
      samples,
    };
  } finally {
    clearInterval(sampler);
    await server.stop("SIGTERM");
  }
}

/** A fresh 10,000-task file for each runtime, so no run inherits another's writes. */
export async function sustainOnFreshFile(
  runtime: Runtime,
  options: {
    seconds: number;
    rate: number;
    sampleSeconds?: number;
    rows?: number;
    traceGc?: boolean;
    fillCache?: boolean;
  },
): Promise<SustainedRow> {
  const file = join(tmpdir(), `uniqc-sustained-${runtime}-${process.pid}.sqlite`);
  try {
    await generate(file, { ...DEFAULTS, rows: options.rows ?? 10_000, archived: 0.1 });
    return await sustain(runtime, { ...options, file });
  } finally {
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
  }
}

export function sustainedTable(rows: readonly SustainedRow[]): string {
  const fmt = (n: number, digits = 1) =>
    n.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });
  return [
    "| runtime | seconds | asked req/s | held req/s | p50 ms | p99 ms | errors | non-2xx | RSS after warm-up MiB | RSS at end MiB | peak MiB |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows.map(
      (r) =>
        `| ${r.runtime} | ${r.seconds} | ${r.rate} | ${fmt(r.held)} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.non2xx} | ${fmt(r.memoryStart)} | ${fmt(r.memoryEnd)} | ${fmt(r.peak)} |`,
    ),
  ].join("\n");
}
