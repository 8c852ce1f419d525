/**
 * A typed client of the REST API: the library's operations over HTTP, for scripts and programs
 * that reach the cache through a running server (a synced replica belongs to one process). The
 * API's problem details come back as the library's own typed errors.
 *
 *   const client = createCacheClient({ url: "http://127.0.0.1:18765", token });
 *   const { tasks } = await client.list({ status: "running" });
 *
 * Paths, parameters, bodies and answers come from the server's routes (`hc<Api>`), so a route
 * changed there changes the types here.
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
  type CircuitFormat,
  type ErrorCode,
  type ExportScope,
  type InputIssue,
  type MatchFilter,
  type RetentionPolicy,
  type StoredTask,
  type TaskFilter,
  type TaskInput,
} from "../../core/index.ts";
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

/** How a query parameter's value is written: flags as `true`/`false`, numbers in digits. */
type QueryValue<T> = T extends boolean ? "true" | "false" : T extends number ? string : T;

/** A listing's filters (the library's) and paging. */
export interface ClientListOptions extends TaskFilter {
  limit?: number | undefined;
  offset?: number | undefined;
  /** The page after the one that gave this `next_cursor`. */
  cursor?: string | undefined;
  includeArchived?: boolean | undefined;
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

export function createCacheClient(options: ClientOptions) {
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

  /** Query values as the API reads them: strings, and nothing for what is not given. */
  const query = <Q extends Record<string, string | number | boolean | undefined>>(values: Q) =>
    Object.fromEntries(
      Object.entries(values).flatMap(([key, value]) => (value === undefined ? [] : [[key, String(value)]])),
    ) as { [K in keyof Q]?: QueryValue<Q[K]> };
  const param = (taskId: string) => ({ param: { id: encodeURIComponent(taskId) } });
  const task = (id: string) => ({ id });
  const archived = (id: string) => ({ id, where: "archive" as const });
  const filterQuery = (f: TaskFilter) =>
    query({ status: f.status, backend: f.backend, q: f.search, id_prefix: f.idPrefix, since: f.since, until: f.until });
  const matchQuery = (filter: MatchFilter) => ({
    ...filterQuery(filter),
    ...query({ all: filter.all, dry_run: filter.dryRun }),
  });
  const listQuery = (o: ClientListOptions) => ({
    ...filterQuery(o),
    ...query({ limit: o.limit, offset: o.offset, cursor: o.cursor }),
  });

  return {
    health: () => read(api.health.$get()),
    version: () => read(api.version.$get()),

    save: (input: TaskInput) =>
      read(api.tasks[":id"].$put({ ...param(input.task_id), json: input }), task(input.task_id)),
    get: (taskId: string) => find(read(api.tasks[":id"].$get(param(taskId)), task(taskId))),
    list: (o: ClientListOptions = {}) =>
      read(api.tasks.$get({ query: { ...listQuery(o), ...query({ include_archived: o.includeArchived }) } })),
    count: async (filter: TaskFilter = {}) =>
      (await read(api.tasks.$get({ query: { ...filterQuery(filter), limit: "1" } }))).total,
    counts: () => read(api.tasks.counts.$get()),
    delete: async (taskId: string) => void (await read(api.tasks[":id"].$delete(param(taskId)), task(taskId))),
    bulkDelete: (taskIds: readonly string[]) =>
      read(api.tasks["bulk-delete"].$post({ json: { task_ids: [...taskIds] } })),
    shards: (taskId: string) => find(read(api.tasks[":id"].shards.$get(param(taskId)), task(taskId))),
    conflicts: (taskId: string) => find(read(api.tasks[":id"].conflicts.$get(param(taskId)), task(taskId))),
    conflicted: async () => (await read(api.conflicts.$get())).task_ids,

    archive: async (taskId: string) => void (await read(api.tasks[":id"].archive.$post(param(taskId)), task(taskId))),
    restore: async (taskId: string) =>
      void (await read(api.archive.restore[":id"].$post(param(taskId)), archived(taskId))),
    bulkArchive: (taskIds: readonly string[]) =>
      read(api.tasks["bulk-archive"].$post({ json: { task_ids: [...taskIds] } })),
    archiveExpired: async (o: { hours?: number; terminalOnly?: boolean } = {}) => {
      const answer = await read(
        api.tasks["archive-expired"].$post({ query: query({ hours: o.hours, terminal_only: o.terminalOnly }) }),
      );
      return { archived: answer.archived, skipped: answer.skipped_running };
    },
    listArchived: (o: Omit<ClientListOptions, "includeArchived"> = {}) =>
      read(api.archive.$get({ query: listQuery(o) })),
    getArchived: (taskId: string) => find(read(api.archive[":id"].$get(param(taskId)), archived(taskId))),
    countArchived: async (filter: TaskFilter = {}) =>
      (await read(api.archive.$get({ query: { ...filterQuery(filter), limit: "1" } }))).total,
    deleteArchived: async (taskId: string) =>
      void (await read(api.archive[":id"].$delete(param(taskId)), archived(taskId))),
    purgeArchived: (o: { olderThanHours: number; dryRun?: boolean }) =>
      read(api.archive.purge.$post({ query: { older_than: `${o.olderThanHours}h`, ...query({ dry_run: o.dryRun }) } })),
    maintain: (policy: RetentionPolicy) =>
      read(
        api.maintenance.$post({
          json: { archive_after_hours: policy.archiveAfterHours, purge_after_hours: policy.purgeAfterHours },
        }),
      ),

    /** Every task a filter matches, moved or deleted, in the library's words; `dryRun` only counts them. */
    archiveMatching: (filter: MatchFilter) => read(api.tasks["archive-matching"].$post({ query: matchQuery(filter) })),
    deleteMatching: (filter: MatchFilter) => read(api.tasks["delete-matching"].$post({ query: matchQuery(filter) })),
    restoreMatching: (filter: MatchFilter) =>
      read(api.archive["restore-matching"].$post({ query: matchQuery(filter) })),
    deleteArchivedMatching: (filter: MatchFilter) =>
      read(api.archive["delete-matching"].$post({ query: matchQuery(filter) })),

    analyse: (taskId: string) => read(api.tasks[":id"].analysis.$get(param(taskId)), task(taskId)),
    compare: (taskIds: readonly string[]) => read(api.compare.$get({ query: { ids: taskIds.join(",") } })),
    stats: (o: { since?: string; until?: string; by?: "day" | "week"; includeArchived?: boolean } = {}) =>
      read(
        api.stats.$get({
          query: query({ since: o.since, until: o.until, by: o.by, include_archived: o.includeArchived }),
        }),
      ),

    getCircuit: (taskId: string, format: CircuitFormat = "source") =>
      read(api.circuits[":id"].$get({ ...param(taskId), query: { format } }), task(taskId)),
    sync: () => read(api.sync.$post()),

    importRows: (rows: readonly unknown[]) => read(api.import.$post({ json: { rows: [...rows] } })),
    /** Every stored row, streamed from the server as it reads them, with no deadline. */
    async *exportRows(scope: ExportScope = "all"): AsyncGenerator<StoredTask> {
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
  };
}

export type CacheClient = ReturnType<typeof createCacheClient>;

/** A page of a listing, as the client gives it. */
export type ClientPage = Awaited<ReturnType<CacheClient["list"]>>;
