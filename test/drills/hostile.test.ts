/**
 * Hostile input: every endpoint, and every entry of the library, fed with fast-check's cases
 * (hostile-input.ts). Each answer is a 2xx or a 4xx problem+json within 5 s, never a 5xx; a
 * refusal changes nothing; after every change the file's invariants hold (invariants.ts).
 * `UNIQC_DRILL_CASES` sets the cases per endpoint and per entry (2,000 here; 100,000 long).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLocalFile } from "../../adapters/local-file.ts";
import { openCache } from "../../adapters/open.ts";
import { createApp } from "../../apps/server/app.ts";
import { documentedEndpoints } from "../server/endpoints.ts";
import { CacheError, TASK_STATUSES, type Connection, type TaskCache } from "../../core/index.ts";
import { tempDir } from "../contract/fixtures.ts";
import { body, contentType, pathSegment, queryString, taskId } from "./hostile-input.ts";
import { dataVersion, fileProblems } from "./invariants.ts";

const ENDPOINTS = await documentedEndpoints();

const CASES = Number(process.env.UNIQC_DRILL_CASES ?? 2000);
const BODY_LIMIT = 64 * 1024;
const SEEDS = Array.from({ length: 40 }, (_, i) => `seed-${i}`);
/** Words no problem may carry: a stack frame, a file path, SQL or the driver's own errors. */
const LEAKS =
  /\n\s+at |\/(?:work|tmp|home|root)\/|node_modules|\.ts:\d|\bSELECT\b|\bINSERT\b|\bUPDATE \w+ SET\b|SQLITE_|sqlite3?_|no such (?:table|column)/;

const temp = tempDir("uniqc-hostile-");
let cache: TaskCache;
/** A second connection, to see what the cache's own commits did. */
let checker: Connection;
let app: ReturnType<typeof createApp>;
const cursors: string[] = [];

/** Puts back the seeded tasks that cases deleted or purged, so every case finds the same ones. */
async function refill(): Promise<void> {
  const [row] = await checker.all<{ n: number }>(
    `SELECT COUNT(*) AS n FROM (SELECT task_id FROM tasks UNION ALL SELECT task_id FROM archived_tasks) WHERE task_id LIKE 'seed-%'`,
  );
  if (Number(row!.n) === SEEDS.length) return;
  for (const [i, id] of SEEDS.entries()) {
    if ((await cache.get(id)) || (await cache.getArchived(id))) continue;
    await cache.save({
      task_id: id,
      backend: i % 3 ? "dummy" : "originq:wukong",
      status: TASK_STATUSES[i % 5]!,
      metadata: { circuit_ir: "QINIT 2\nH q[0]\nCNOT q[0],q[1]" },
    });
    if (i % 4 === 0) await cache.archive(id);
  }
}

function within<T>(promise: Promise<T>, what: string, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms)),
  );
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Reads an answer; of an event stream, only its start, which must come at once. */
async function readAnswer(response: Response): Promise<string> {
  if (!response.headers.get("content-type")?.startsWith("text/event-stream")) return response.text();
  const reader = response.body!.getReader();
  const { value } = await reader.read();
  await reader.cancel();
  return new TextDecoder().decode(value);
}

/** The outcome of one case, checked; throws (failing the property) on any violation. */
async function checkAnswer(what: string, response: Response, text: string, changed: boolean): Promise<void> {
  const { status } = response;
  if (status >= 500 || status < 200 || (status >= 300 && status < 400))
    throw new Error(`${what}: ${status} ${text.slice(0, 500)}`);
  if (status >= 400) {
    if (response.headers.get("content-type") !== "application/problem+json")
      throw new Error(`${what}: ${status} without problem+json`);
    const problem = JSON.parse(text) as { status: number; detail: unknown };
    if (problem.status !== status || typeof problem.detail !== "string")
      throw new Error(`${what}: malformed problem ${text}`);
    if (LEAKS.test(text)) throw new Error(`${what}: the problem leaks internals: ${text.slice(0, 500)}`);
    if (changed) throw new Error(`${what}: refused with ${status}, but the file changed`);
  }
}

async function afterChange(what: string): Promise<void> {
  const problems = await fileProblems(checker, { integrity: false });
  if (problems.length > 0) throw new Error(`${what}: ${problems.join("; ")}`);
  await refill();
}

beforeAll(async () => {
  const path = temp.file("tasks.sqlite");
  cache = await openCache(path);
  checker = await openLocalFile(path);
  await refill();
  app = createApp(cache, { version: "0.0.0", runtime: "node", bodyLimit: BODY_LIMIT });
  for (const listing of [
    "/api/tasks?limit=2",
    "/api/tasks?limit=2&status=success",
    "/api/tasks?limit=3&include_archived=true",
    "/api/archive?limit=2",
  ]) {
    const page = (await (await app.request(listing)).json()) as { next_cursor: string };
    cursors.push(page.next_cursor);
  }
});

afterAll(async () => {
  const problems = await fileProblems(checker);
  await checker.close();
  await cache.close();
  temp.remove();
  expect(problems).toEqual([]);
});

describe("every endpoint answers hostile requests with a 2xx or a 4xx problem, and refusals change nothing", () => {
  it.each(ENDPOINTS.map((endpoint) => [`${endpoint.method.toUpperCase()} ${endpoint.path}`, endpoint] as const))(
    `%s: ${CASES} cases`,
    async (_name, endpoint) => {
      const method = endpoint.method.toUpperCase();
      const takesBody = method !== "GET";
      const request = fc.record({
        segment: pathSegment(SEEDS),
        query: queryString(cursors),
        body: takesBody ? body(SEEDS, BODY_LIMIT) : fc.constant(undefined),
        type: contentType,
      });
      await fc.assert(
        fc.asyncProperty(request, async ({ segment, query, body, type }) => {
          const url = `${endpoint.path.replace("{id}", segment)}?${query}`;
          const what = `${method} ${url.slice(0, 300)}`;
          const before = await dataVersion(checker);
          const response = await within(
            Promise.resolve(
              app.request(url, { method, body, headers: type === undefined ? {} : { "content-type": type } }),
            ),
            what,
          );
          const text = await within(readAnswer(response), `${what} (its body)`);
          const changed = (await dataVersion(checker)) !== before;
          await checkAnswer(what, response, text, changed);
          if (changed) await afterChange(what);
        }),
        { numRuns: CASES },
      );
    },
    // A case takes about a millisecond; the long form sets its own pace.
    CASES * 50 + 30_000,
  );
});

describe("every library entry resolves or throws a typed error, and a throw changes nothing", () => {
  const id = taskId(SEEDS);
  const ids = fc.oneof(fc.array(id, { maxLength: 20 }), fc.anything());
  const options = fc.oneof(
    fc.anything(),
    fc.record(
      {
        limit: fc.anything(),
        offset: fc.anything(),
        status: fc.anything(),
        backend: fc.anything(),
        after: fc.anything(),
        hours: fc.anything(),
        olderThanHours: fc.anything(),
        terminalOnly: fc.anything(),
      },
      { requiredKeys: [] },
    ),
  );
  // Deliberately untyped: callers in plain JavaScript pass anything.
  const ENTRIES: Record<string, [fc.Arbitrary<unknown[]>, (c: TaskCache, ...args: never[]) => Promise<unknown>]> = {
    save: [
      fc.tuple(
        fc.oneof(
          body(SEEDS, BODY_LIMIT).map((text) => {
            try {
              return JSON.parse(text ?? "null");
            } catch {
              return text;
            }
          }),
          fc.anything(),
        ),
      ),
      (c, input) => c.save(input),
    ],
    get: [fc.tuple(id), (c, taskId) => c.get(taskId)],
    getArchived: [fc.tuple(id), (c, taskId) => c.getArchived(taskId)],
    shards: [fc.tuple(id), (c, taskId) => c.shards(taskId)],
    getCircuit: [
      fc.tuple(id, fc.oneof(fc.constantFrom("source", "qasm", "svg", "originir"), fc.anything())),
      (c, taskId, format) => c.getCircuit(taskId, format),
    ],
    delete: [fc.tuple(id), (c, taskId) => c.delete(taskId)],
    deleteArchived: [fc.tuple(id), (c, taskId) => c.deleteArchived(taskId)],
    archive: [fc.tuple(id), (c, taskId) => c.archive(taskId)],
    restore: [fc.tuple(id), (c, taskId) => c.restore(taskId)],
    bulkArchive: [fc.tuple(ids), (c, taskIds) => c.bulkArchive(taskIds)],
    bulkDelete: [fc.tuple(ids), (c, taskIds) => c.bulkDelete(taskIds)],
    list: [fc.tuple(options), (c, o) => c.list(o)],
    listArchived: [fc.tuple(options), (c, o) => c.listArchived(o)],
    count: [fc.tuple(options), (c, o) => c.count(o)],
    countArchived: [fc.tuple(options), (c, o) => c.countArchived(o)],
    archiveExpired: [fc.tuple(options), (c, o) => c.archiveExpired(o)],
    countExpired: [fc.tuple(options), (c, o) => c.countExpired(o)],
    purgeArchived: [fc.tuple(options), (c, o) => c.purgeArchived(o)],
    maintain: [
      fc.tuple(
        fc.oneof(
          fc.anything(),
          fc.record({ archiveAfterHours: fc.anything(), purgeAfterHours: fc.anything() }, { requiredKeys: [] }),
        ),
      ),
      (c, policy) => c.maintain(policy),
    ],
    importRows: [
      fc.tuple(fc.oneof(fc.array(fc.anything(), { maxLength: 5 }), fc.anything())),
      (c, rows) => c.importRows(rows),
    ],
    exportRows: [
      fc.tuple(fc.anything()),
      async (c, scope) => {
        for await (const _ of c.exportRows(scope)) {
          /* drain */
        }
      },
    ],
  };

  it.each(Object.entries(ENTRIES))(
    `%s: ${CASES} cases`,
    async (name, [args, call]) => {
      await fc.assert(
        fc.asyncProperty(args, async (values) => {
          const what = `${name}(${fc.stringify(values).slice(0, 300)})`;
          const before = await dataVersion(checker);
          let thrown: unknown;
          try {
            await within((call as (c: TaskCache, ...rest: unknown[]) => Promise<unknown>)(cache, ...values), what);
          } catch (error) {
            thrown = error;
          }
          const changed = (await dataVersion(checker)) !== before;
          if (thrown !== undefined) {
            if (!(thrown instanceof CacheError)) throw new Error(`${what} threw an untyped error: ${String(thrown)}`);
            if (changed) throw new Error(`${what} threw ${thrown.code}, but the file changed`);
          }
          if (changed) await afterChange(what);
        }),
        { numRuns: CASES },
      );
    },
    CASES * 50 + 30_000,
  );
});
