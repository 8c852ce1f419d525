/**
 * The server over loopback, per runtime, next to a bare Hono route on the same runtime:
 * requests per second and p50 / p99 under 16 connections (autocannon), the archive round trip
 * and bulk moves as one client sees them, and the server's memory.
 */
import { copyFileSync, rmSync } from "node:fs";
import autocannon from "autocannon";
import { encodeCursor, type CursorScope } from "../../apps/http/cursor.ts";
import {
  RUNTIMES,
  memory,
  startAnnounced,
  startServer,
  type Runtime,
  type ServerProcess,
} from "../../harness/server-process.ts";

export interface HttpRow {
  runtime: string;
  request: string;
  rps: number;
  p50: number;
  p99: number;
  /** Requests per second of the bare route on the same runtime, for the ratio. */
  floorRps?: number;
}

export interface HttpOptions {
  /** A million-row cache to read (not written). */
  readFile: string;
  /** A smaller cache copied before the write measurements. */
  writeFile: string;
  seconds: number;
  /** Requests for the memory check. */
  memoryRequests: number;
}

/** Load on one URL, or, with `path`, on a path chosen afresh for every request. */
export async function load(url: string, seconds: number, amount?: number, path?: () => string) {
  const result = await autocannon({
    url,
    connections: 16,
    ...(amount ? { amount } : { duration: seconds }),
    ...(path ? { requests: [{ method: "GET", setupRequest: (request) => ({ ...request, path: path() }) }] } : {}),
  });
  if (result.non2xx || result.errors) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

export const pick = <T>(values: readonly T[]) => values[Math.floor(Math.random() * values.length)]!;

/** Where each of the newest `rows` tasks stands in the listing order. */
export async function positionsInto(api: string, rows: number): Promise<{ submit_time: string; task_id: string }[]> {
  const positions: { submit_time: string; task_id: string }[] = [];
  for (let offset = 0; offset < rows; offset += 1000) {
    const page = await (await fetch(`${api}/tasks?limit=1000&offset=${offset}`)).json();
    for (const { submit_time, task_id } of page.tasks) positions.push({ submit_time, task_id });
  }
  return positions;
}

/**
 * Cursors that start a page right after each of the first `rows` tasks of a listing: pages as
 * costly as the first one, and so many that no kept page answers a random pick of them.
 */
export async function cursorsInto(api: string, query: string, scope: CursorScope, rows: number): Promise<string[]> {
  const cursors: string[] = [];
  for (let offset = 0; offset < rows; offset += 1000) {
    const page = await (await fetch(`${api}/tasks?${query}&limit=1000&offset=${offset}`)).json();
    for (const task of page.tasks) cursors.push(encodeCursor(task, scope));
  }
  return cursors;
}

const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function timed(fn: () => Promise<Response>): Promise<number> {
  const start = performance.now();
  const response = await fn();
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return performance.now() - start;
}

export async function measureHttp(
  runtime: Runtime,
  options: HttpOptions,
): Promise<{ rows: HttpRow[]; memory: Record<string, number> }> {
  const rows: HttpRow[] = [];
  // The same launch as the server's, with the bare app as the entry file.
  const launch = RUNTIMES[runtime];
  const bare = await startAnnounced(`bare ${runtime}`, launch.command, [
    ...launch.args.slice(0, -1),
    "bench/lib/bare-server.ts",
  ]);
  let floor: number;
  try {
    floor = (await load(`${bare.base}/bare`, options.seconds)).rps;
    rows.push({ runtime, request: "bare Hono route (floor)", ...(await load(`${bare.base}/bare`, options.seconds)) });
  } finally {
    await bare.stop("SIGKILL");
  }

  let server: ServerProcess = await startServer(runtime, ["--db", options.readFile]);
  const result: Record<string, number> = {};
  try {
    const api = `${server.base}/api`;
    const first = await (await fetch(`${api}/tasks?limit=1&offset=1000`)).json();
    const id = first.tasks[0].task_id as string;
    const backend = first.tasks[0].backend as string;
    const requests: [string, string][] = [
      ["GET /api/tasks?limit=100", `${api}/tasks?limit=100`],
      ["GET /api/tasks?status=failed&limit=100", `${api}/tasks?status=failed&limit=100`],
      [
        `GET /api/tasks?backend=…&limit=100&offset=5000`,
        `${api}/tasks?backend=${encodeURIComponent(backend)}&limit=100&offset=5000`,
      ],
      ["GET /api/tasks/counts", `${api}/tasks/counts`],
      ["GET /api/tasks/{id}", `${api}/tasks/${id}`],
    ];
    for (const [request, url] of requests) {
      rows.push({
        runtime,
        request,
        ...(await load(url, options.seconds)),
        ...(request.endsWith("{id}") ? { floorRps: floor } : {}),
      });
    }
    // The same listings when no kept page can answer: every request asks for a different page.
    const positions = await positionsInto(api, 100_000);
    const newest = positions.map((position) => encodeCursor(position, { listing: "tasks" }));
    const failed = await cursorsInto(api, "status=failed", { listing: "tasks", status: "failed" }, 40_000);
    const fresh: [string, () => string][] = [
      ["GET /api/tasks?limit=100, a different page each request", () => `/api/tasks?limit=100&cursor=${pick(newest)}`],
      [
        "GET /api/tasks?status=failed&limit=100, a different page each request",
        () => `/api/tasks?status=failed&limit=100&cursor=${pick(failed)}`,
      ],
      [
        "GET /api/tasks?backend=…&limit=100&offset=5000–6999, a different page each request",
        () =>
          `/api/tasks?backend=${encodeURIComponent(backend)}&limit=100&offset=${5000 + Math.floor(Math.random() * 2000)}`,
      ],
    ];
    // Its floor: one raw statement behind a bare route, at the same cursors, on the same file.
    const bareReads = await startAnnounced(`bare reads ${runtime}`, launch.command, [
      ...launch.args.slice(0, -1),
      "bench/lib/bare-server.ts",
      "--db",
      options.readFile,
    ]);
    let pageFloor: number;
    try {
      const page = () => {
        const at = pick(positions);
        return `/bare/page?t=${encodeURIComponent(at.submit_time)}&id=${at.task_id}`;
      };
      const floorLoad = await load(bareReads.base, options.seconds, undefined, page);
      pageFloor = floorLoad.rps;
      rows.push({
        runtime,
        request: "raw page statement behind a bare route (floor), a different page each request",
        ...floorLoad,
      });
    } finally {
      await bareReads.stop("SIGKILL");
    }
    for (const [i, [request, path]] of fresh.entries())
      rows.push({
        runtime,
        request,
        ...(await load(server.base, options.seconds, undefined, path)),
        ...(i === 0 ? { floorRps: pageFloor } : {}),
      });
    const before = memory(server.pid);
    await load(`${api}/tasks/${id}`, 0, options.memoryRequests);
    const after = memory(server.pid);
    result.rssBeforeMiB = before.rss;
    result.rssAfterMiB = after.rss;
    result.peakMiB = after.peak;
    result.anonBeforeMiB = before.anon;
    result.anonAfterMiB = after.anon;
  } finally {
    await server.stop("SIGKILL");
  }

  const copy = `${options.writeFile}.http-${runtime}.tmp`;
  const fresh = () => {
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${copy}${suffix}`, { force: true });
    copyFileSync(options.writeFile, copy);
  };
  // One client moving a task to the archive and back, 200 times over 200 tasks: one POST each way.
  const moveTrips = async (archive: (id: string) => string, restore: (id: string) => string, ids: string[]) => {
    const trips: number[] = [];
    for (let i = 0; i < 200; i++) {
      const id = ids[i % ids.length]!;
      trips.push(
        (await timed(() => fetch(archive(id), { method: "POST" }))) +
          (await timed(() => fetch(restore(id), { method: "POST" }))),
      );
    }
    return {
      rps: 1000 / median([...trips]),
      p50: median(trips),
      p99: trips.sort((a, b) => a - b)[Math.floor(trips.length * 0.99)]!,
    };
  };
  fresh();
  server = await startServer(runtime, ["--db", copy]);
  let moveFloor: Omit<HttpRow, "runtime" | "request">;
  try {
    const api = `${server.base}/api`;
    const page = await (await fetch(`${api}/tasks?limit=1000&offset=2000`)).json();
    const ids: string[] = page.tasks.map((t: { task_id: string }) => t.task_id);
    // The floor, side by side: the same moves as raw statements behind a bare route, on a copy of its own.
    const bareCopy = `${copy}.bare`;
    copyFileSync(options.writeFile, bareCopy);
    const bareMoves = await startAnnounced(`bare moves ${runtime}`, launch.command, [
      ...launch.args.slice(0, -1),
      "bench/lib/bare-server.ts",
      "--db",
      bareCopy,
    ]);
    try {
      moveFloor = await moveTrips(
        (id) => `${bareMoves.base}/bare/archive/${id}`,
        (id) => `${bareMoves.base}/bare/restore/${id}`,
        ids,
      );
    } finally {
      await bareMoves.stop("SIGKILL");
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${bareCopy}${suffix}`, { force: true });
    }
    rows.push({ runtime, request: "archive + restore, raw statements behind a bare route (floor)", ...moveFloor });
    rows.push({
      runtime,
      request: "archive + restore round trip, one client",
      ...(await moveTrips(
        (id) => `${api}/tasks/${id}/archive`,
        (id) => `${api}/archive/restore/${id}`,
        ids,
      )),
      floorRps: moveFloor.rps,
    });
    const bulk = await timed(() =>
      fetch(`${api}/tasks/bulk-archive`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ task_ids: ids }),
      }),
    );
    rows.push({ runtime, request: `bulk-archive of ${ids.length} ids`, rps: 0, p50: bulk, p99: bulk });
    const expired = await timed(() => fetch(`${api}/tasks/archive-expired?hours=72`, { method: "POST" }));
    rows.push({ runtime, request: "archive-expired over the cache", rps: 0, p50: expired, p99: expired });
  } finally {
    await server.stop("SIGKILL");
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${copy}${suffix}`, { force: true });
  }
  return { rows, memory: result };
}
