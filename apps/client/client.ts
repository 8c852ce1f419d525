/**
 * A typed client of the REST API: the library's own `TaskCache` over HTTP, for scripts and
 * programs that reach the cache through a running server (a synced replica belongs to one
 * process). The API's problem details come back as the library's own typed errors.
 *
 *   const cache = await openCacheClient({ url: "http://127.0.0.1:18765", token });
 *   const { tasks } = await cache.list({ status: "running" });
 *
 * Paths, parameters and bodies come from the server's routes (`hc<Api>`), so a route changed
 * there changes the types here; what each call returns is the library's.
 */
import { hc } from "hono/client";
import {
  CircuitSyntaxError,
  ConflictError,
  InvalidInputError,
  NotFoundError,
  NotSyncedError,
  ReadOnlyError,
  ServerError,
  SyncError,
  type AnyCacheError,
  type CacheInfo,
  type ErrorCode,
  type InputIssue,
  type ListOptions,
  type StoredTask,
  type TaskCache,
  type TaskFilter,
  type TaskPage,
  type TaskPageText,
} from "../../core/index.ts";
import { encodeCursor, type CursorScope } from "../http/cursor.ts";
import { fromWire, toWire } from "../http/wire-names.ts";
import type { Api } from "../server/api/index.ts";

export interface ClientOptions {
  /** The server, e.g. `http://127.0.0.1:18765`. */
  url: string;
  /** Sent as `Authorization: Bearer TOKEN` when the server requires one. */
  token?: string | undefined;
  /** Per request, in milliseconds; 30 s by default. Streams (export) have none. */
  timeoutMs?: number;
  /** Another fetch (a test's, a proxy's); the global one by default. */
  fetch?: typeof fetch;
}

interface Problem {
  type?: string;
  status?: number;
  detail?: string;
  errors?: InputIssue[];
}

/** What a problem answer says, and where the request pointed. */
interface Answered {
  readonly detail: string;
  readonly problem: Problem;
  readonly status: number;
  readonly id: string;
  readonly where: "tasks" | "archive";
}

/**
 * The library's error for each code a problem carries. The server's own file failing (foreign,
 * not SQLite, a migration, a replica in use) is found when it opens, never by a request; should
 * one answer with it, it is the server's error.
 */
const ERROR_OF: Record<ErrorCode, (answer: Answered) => AnyCacheError> = {
  invalid_input: ({ problem, detail }) => new InvalidInputError(problem.errors ?? [{ path: "", message: detail }]),
  not_found: ({ id, where }) => new NotFoundError(id, where),
  conflict: ({ id, detail }) => new ConflictError(id, detail),
  read_only: ({ detail }) => new ReadOnlyError(0, 0, detail),
  not_synced: () => new NotSyncedError(),
  sync_failed: ({ detail }) => new SyncError(detail),
  circuit_syntax: ({ detail }) => new CircuitSyntaxError(0, detail),
  foreign_database: ({ detail, status }) => new ServerError(detail, status),
  not_sqlite: ({ detail, status }) => new ServerError(detail, status),
  migration_failed: ({ detail, status }) => new ServerError(detail, status),
  replica_in_use: ({ detail, status }) => new ServerError(detail, status),
  server_error: ({ detail, status }) => new ServerError(detail, status),
};

/** The library's error for a problem answer, with the server's sentence as its message. */
function errorOf(problem: Problem, status: number, id: string | undefined, where: "tasks" | "archive"): Error {
  const code = problem.type?.replace(/^urn:uniqc:problem:/, "") ?? String(status);
  const detail = problem.detail ?? `The server answered ${status}.`;
  const answer = { detail, problem, status, id: id ?? "", where };
  // Codes outside the cache's (401, 413 and other HTTP refusals) are the server's answer as it is.
  const error = Object.hasOwn(ERROR_OF, code) ? ERROR_OF[code as ErrorCode](answer) : new ServerError(detail, status);
  Object.defineProperty(error, "message", { value: detail });
  return error;
}

/** A running server's cache, as the library's interface, with what only a server has. */
export interface CacheClient extends TaskCache {
  health(): Promise<Health>;
  version(): Promise<Version>;
}

type Health = Awaited<ReturnType<Awaited<ReturnType<ReturnType<typeof hc<Api>>["api"]["health"]["$get"]>>["json"]>>;
type Version = Awaited<ReturnType<Awaited<ReturnType<ReturnType<typeof hc<Api>>["api"]["version"]["$get"]>>["json"]>>;

/** Query values as the API reads them: in its names, as strings, and nothing for what is not given. */
const query = (values: object) =>
  Object.fromEntries(Object.entries(toWire(values)).map(([key, value]) => [key, String(value)])) as Record<
    string,
    string
  >;

/**
 * Opens a running server's cache: reads what it says of its file, and answers every call of the
 * library's {@link TaskCache} over HTTP. Closing it releases nothing on the server.
 */
export async function openCacheClient(options: ClientOptions): Promise<CacheClient> {
  const base = options.url.replace(/\/+$/, "");
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;

  /** Every request has a deadline unless it brings its own signal; a network failure is a ServerError. */
  const timedFetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    try {
      return await doFetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      const reason =
        (error as Error)?.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : (error as Error)?.message;
      throw new ServerError(`Cannot reach the cache server at ${base}: ${reason}.`, undefined, { cause: error });
    }
  };
  const { api } = hc<Api>(base, {
    fetch: timedFetch,
    headers: (): Record<string, string> => (options.token ? { authorization: `Bearer ${options.token}` } : {}),
  });

  /** Reads an answer's JSON, or throws the typed error its problem names. */
  async function read<R extends Response & { json(): Promise<unknown> }>(
    request: Promise<R>,
    subject?: { id?: string; where?: "tasks" | "archive" },
  ): Promise<Awaited<ReturnType<R["json"]>>> {
    const response = await request;
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      throw new ServerError(
        `The server at ${base} answered with something that is not JSON (status ${response.status}).`,
        response.status,
      );
    }
    if (!response.ok) throw errorOf((parsed ?? {}) as Problem, response.status, subject?.id, subject?.where ?? "tasks");
    return parsed as Awaited<ReturnType<R["json"]>>;
  }

  /** One task, where 404 means "none" as in the library. */
  async function find<T>(answer: Promise<T>): Promise<T | undefined> {
    try {
      return await answer;
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  const param = (taskId: string) => ({ param: { id: encodeURIComponent(taskId) } });
  const task = (id: string) => ({ id });
  const archived = (id: string) => ({ id, where: "archive" as const });
  const ids = (taskIds: readonly string[]) => ({ json: { task_ids: [...taskIds] } });

  /** A listing's query: the library's `after` goes as the cursor the server issues for the same filters. */
  function listing(listingOf: CursorScope["listing"], { after, ...options }: ListOptions) {
    const { limit, offset, includeArchived, ...filter } = options;
    const scope: CursorScope = { listing: listingOf, ...filter, includeArchived };
    return query({ ...options, cursor: after && encodeCursor(after, scope) });
  }
  const textOf = (page: { tasks: { submit_time: string; task_id: string }[]; total: number }): TaskPageText => {
    const last = page.tasks.at(-1);
    return {
      tasks: JSON.stringify(page.tasks),
      count: page.tasks.length,
      total: page.total,
      last: last && { submit_time: last.submit_time, task_id: last.task_id },
    };
  };
  const pageOf = ({ tasks, total }: { tasks: TaskPage["tasks"]; total: number }): TaskPage => ({ tasks, total });
  const listActive = (options: ListOptions = {}) => read(api.tasks.$get({ query: listing("tasks", options) }));
  const listArchive = (options: ListOptions = {}) => read(api.archive.$get({ query: listing("archive", options) }));

  const version = await read(api.version.$get());
  const info: CacheInfo = Object.freeze({
    lineage: version.lineage,
    schemaVersion: version.schema_version,
    supportedVersion: version.supported_schema_version,
    userVersion: version.user_version,
    readOnlyReason: version.read_only_reason ?? undefined,
    readOnly: version.read_only,
    applied: version.applied,
    capabilities: fromWire(version.capabilities),
  });

  return {
    info,
    health: () => read(api.health.$get()),
    version: () => read(api.version.$get()),

    save: (input) => read(api.tasks[":id"].$put({ ...param(input.task_id), json: input }), task(input.task_id)),
    get: (taskId) => find(read(api.tasks[":id"].$get(param(taskId)), task(taskId))),
    list: async (options) => pageOf(await listActive(options)),
    listText: async (options) => textOf(await listActive(options)),
    count: async (filter: TaskFilter = {}) => (await listActive({ ...filter, limit: 1 })).total,
    counts: () => read(api.tasks.counts.$get()),
    backendCounts: async () => (await read(api.tasks.backends.$get())).backends,
    delete: async (taskId) => void (await read(api.tasks[":id"].$delete(param(taskId)), task(taskId))),
    bulkDelete: async (taskIds) => {
      const { deleted, missing } = await read(api.tasks["bulk-delete"].$post(ids(taskIds)));
      return { deleted, missing };
    },
    deleteMatching: async (filter) => ({
      count: (await read(api.tasks["delete-matching"].$post({ query: query(filter) }))).count,
    }),
    clearCompleted: async () => (await read(api.tasks["clear-completed"].$post())).count,

    archive: async (taskId) => void (await read(api.tasks[":id"].archive.$post(param(taskId)), task(taskId))),
    restore: async (taskId) => void (await read(api.archive.restore[":id"].$post(param(taskId)), archived(taskId))),
    bulkArchive: async (taskIds) => {
      const { archived, missing } = await read(api.tasks["bulk-archive"].$post(ids(taskIds)));
      return { archived, missing };
    },
    archiveMatching: async (filter) => ({
      count: (await read(api.tasks["archive-matching"].$post({ query: query(filter) }))).count,
    }),
    restoreMatching: async (filter) => {
      const { count, conflicts } = await read(api.archive["restore-matching"].$post({ query: query(filter) }));
      return { count, conflicts };
    },
    deleteArchivedMatching: async (filter) => ({
      count: (await read(api.archive["delete-matching"].$post({ query: query(filter) }))).count,
    }),
    archiveExpired: async (options = {}) => {
      const answer = await read(api.tasks["archive-expired"].$post({ query: query(options) }));
      return { archived: answer.archived, skipped: answer.skipped_running };
    },
    countExpired: async (options = {}) => (await read(api.tasks.expired.$get({ query: query(options) }))).count,
    listArchived: async (options) => pageOf(await listArchive(options)),
    listArchivedText: async (options) => textOf(await listArchive(options)),
    getArchived: (taskId) => find(read(api.archive[":id"].$get(param(taskId)), archived(taskId))),
    countArchived: async (filter: TaskFilter = {}) => (await listArchive({ ...filter, limit: 1 })).total,
    purgeArchived: async ({ olderThanHours, dryRun }) => {
      const purge = { older_than: `${olderThanHours}h`, ...query({ dryRun }) };
      const { count, cutoff } = await read(api.archive.purge.$post({ query: purge }));
      return { count, cutoff };
    },
    deleteArchived: async (taskId) => void (await read(api.archive[":id"].$delete(param(taskId)), archived(taskId))),

    shards: (taskId) => find(read(api.tasks[":id"].shards.$get(param(taskId)), task(taskId))),
    getCircuit: (taskId, format = "source") =>
      read(api.circuits[":id"].$get({ ...param(taskId), query: { format } }), task(taskId)),
    analyse: (taskId) => read(api.tasks[":id"].analysis.$get(param(taskId)), task(taskId)),
    compare: (taskIds) => read(api.compare.$get({ query: { ids: taskIds.join(",") } })),
    conflicts: (taskId) => find(read(api.tasks[":id"].conflicts.$get(param(taskId)), task(taskId))),
    conflicted: async () => (await read(api.conflicts.$get())).task_ids,
    stats: (options = {}) => read(api.stats.$get({ query: query(options) })),

    // The server runs it in its own transactions; progress is heard once, when it has finished.
    maintain: async (policy, { onProgress } = {}) => {
      const report = await read(api.maintenance.$post({ json: toWire(policy) }));
      onProgress?.(report.archived + report.purged);
      return report;
    },
    importRows: (rows) => read(api.import.$post({ json: { rows: [...rows] } })),
    /** Every stored row, streamed from the server as it reads them, with no deadline. */
    async *exportRows(scope = "all"): AsyncGenerator<StoredTask> {
      const response = await api.export.$get({ query: { scope } }, { init: { signal: new AbortController().signal } });
      if (!response.ok) {
        throw errorOf((await response.json().catch(() => ({}))) as Problem, response.status, undefined, "tasks");
      }
      let buffered = "";
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffered += value;
        const lines = buffered.split("\n");
        buffered = lines.pop()!;
        for (const line of lines) if (line) yield JSON.parse(line) as StoredTask;
      }
      if (buffered) yield JSON.parse(buffered) as StoredTask;
    },

    sync: async () => {
      const { pulled, pushed, reconciled } = await read(api.sync.$post());
      return { pulled, pushed, reconciled };
    },
    syncState: async () => (await read(api.health.$get())).sync,
    changeStamp: async () => (await read(api["change-stamp"].$get())).change_stamp,
    close: async () => undefined,
  };
}
