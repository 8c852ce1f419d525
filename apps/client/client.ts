/**
 * A typed client of the REST API: the library's operations over HTTP, for scripts and programs
 * that reach the cache through a running server (a synced replica belongs to one process). The
 * API's problem details come back as the library's own typed errors.
 *
 *   const client = createCacheClient({ url: "http://127.0.0.1:18765", token });
 *   const { tasks } = await client.list({ status: "running" });
 */
import {
  CacheError,
  ConflictError,
  InvalidInputError,
  NotFoundError,
  NotSyncedError,
  ReadOnlyError,
  SyncError,
  type ArchiveExpiredResult,
  type BulkArchiveResult,
  type BulkDeleteResult,
  type CircuitFormat,
  type CircuitView,
  type ExportScope,
  type ImportResult,
  type InputIssue,
  type MaintenanceReport,
  type RetentionPolicy,
  type StatusCounts,
  type StoredTask,
  type SyncReport,
  type Task,
  type TaskInput,
  type TaskShards,
  type TaskSummary,
} from "../../core/index.ts";

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

export interface ClientListOptions {
  status?: string | undefined;
  backend?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
  /** The page after the one that gave this `next_cursor`. */
  cursor?: string | undefined;
  includeArchived?: boolean | undefined;
}

export interface ClientPage {
  tasks: TaskSummary[];
  total: number;
  limit: number;
  offset: number;
  /** The archive listing's whole size. */
  count?: number;
  /** Give it back as `cursor` for the next page; null on the last one. */
  next_cursor: string | null;
}

/** The server could not be reached, or answered with something that is not the API. */
export class ServerError extends CacheError {
  readonly status: number | undefined;
  constructor(message: string, status?: number, options?: ErrorOptions) {
    super("server_error", message, options);
    this.status = status;
  }
}

interface Problem {
  type?: string;
  status?: number;
  detail?: string;
  errors?: InputIssue[];
}

/** The library's error for a problem answer, with the server's sentence as its message. */
function errorOf(problem: Problem, status: number, id: string | undefined, where: "tasks" | "archive"): Error {
  const code = problem.type?.replace(/^urn:uniqc:problem:/, "") ?? String(status);
  const detail = problem.detail ?? `The server answered ${status}.`;
  let error: CacheError;
  if (code === "invalid_input") error = new InvalidInputError(problem.errors ?? [{ path: "", message: detail }]);
  else if (code === "not_found") error = new NotFoundError(id ?? "", where);
  else if (code === "conflict") error = new ConflictError(id ?? "", detail);
  else if (code === "read_only") error = new ReadOnlyError(0, 0, detail);
  else if (code === "not_synced") error = new NotSyncedError();
  else if (code === "sync_failed") error = new SyncError(detail);
  else error = new ServerError(detail, status);
  Object.defineProperty(error, "message", { value: detail });
  return error;
}

export function createCacheClient(options: ClientOptions) {
  const base = options.url.replace(/\/+$/, "");
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const headers = (json: boolean): Record<string, string> => ({
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    ...(json ? { "content-type": "application/json" } : {}),
  });

  async function send(method: string, path: string, body?: unknown, timed = true): Promise<Response> {
    try {
      return await doFetch(`${base}${path}`, {
        method,
        headers: headers(body !== undefined),
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: timed ? AbortSignal.timeout(timeoutMs) : undefined,
      });
    } catch (error) {
      const reason =
        (error as Error)?.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : (error as Error)?.message;
      throw new ServerError(`Cannot reach the cache server at ${base}: ${reason}.`, undefined, { cause: error });
    }
  }

  /** Sends a request and reads its JSON, or throws the typed error its problem names. */
  async function call<T>(
    method: string,
    path: string,
    body?: unknown,
    subject?: { id?: string; where?: "tasks" | "archive" },
  ): Promise<T> {
    const response = await send(method, path, body);
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      throw new ServerError(
        `The server at ${base} answered ${method} ${path} with something that is not JSON (status ${response.status}).`,
        response.status,
      );
    }
    if (!response.ok) throw errorOf((parsed ?? {}) as Problem, response.status, subject?.id, subject?.where ?? "tasks");
    return parsed as T;
  }

  /** A GET of one task, where 404 means "none" as in the library. */
  async function find<T>(path: string, id: string, where: "tasks" | "archive"): Promise<T | undefined> {
    try {
      return await call<T>("GET", path, undefined, { id, where });
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  const query = (params: Record<string, string | number | boolean | undefined>) => {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, String(value));
    const text = search.toString();
    return text ? `?${text}` : "";
  };
  const id = (taskId: string) => encodeURIComponent(taskId);
  const listQuery = (o: ClientListOptions) => ({
    status: o.status,
    backend: o.backend,
    limit: o.limit,
    offset: o.offset,
    cursor: o.cursor,
  });

  return {
    health: () =>
      call<Record<string, unknown> & { status: "ok"; schema_version: number; lineage: string; read_only: boolean }>(
        "GET",
        "/api/health",
      ),
    version: () =>
      call<Record<string, unknown> & { version: string; schema_version: number; lineage: string; read_only: boolean }>(
        "GET",
        "/api/version",
      ),

    save: (task: TaskInput) => call<Task>("PUT", `/api/tasks/${id(task.task_id)}`, task, { id: task.task_id }),
    get: (taskId: string) => find<Task>(`/api/tasks/${id(taskId)}`, taskId, "tasks"),
    list: (o: ClientListOptions = {}) =>
      call<ClientPage>("GET", `/api/tasks${query({ ...listQuery(o), include_archived: o.includeArchived })}`),
    count: async (filter: { status?: string; backend?: string } = {}) =>
      (await call<ClientPage>("GET", `/api/tasks${query({ ...filter, limit: 1 })}`)).total,
    counts: () => call<StatusCounts>("GET", "/api/tasks/counts"),
    delete: (taskId: string) =>
      call<{ deleted: string }>("DELETE", `/api/tasks/${id(taskId)}`, undefined, { id: taskId }).then(() => undefined),
    bulkDelete: (taskIds: readonly string[]) =>
      call<BulkDeleteResult & { count: number }>("POST", "/api/tasks/bulk-delete", { task_ids: taskIds }),
    shards: (taskId: string) => find<TaskShards>(`/api/tasks/${id(taskId)}/shards`, taskId, "tasks"),

    archive: (taskId: string) =>
      call<{ archived: string }>("POST", `/api/tasks/${id(taskId)}/archive`, undefined, { id: taskId }).then(
        () => undefined,
      ),
    restore: (taskId: string) =>
      call<{ restored: string }>("POST", `/api/archive/restore/${id(taskId)}`, undefined, {
        id: taskId,
        where: "archive",
      }).then(() => undefined),
    bulkArchive: (taskIds: readonly string[]) =>
      call<BulkArchiveResult & { count: number }>("POST", "/api/tasks/bulk-archive", { task_ids: taskIds }),
    archiveExpired: async (o: { hours?: number; terminalOnly?: boolean } = {}): Promise<ArchiveExpiredResult> => {
      const answer = await call<{ archived: string[]; skipped_running: string[] }>(
        "POST",
        `/api/tasks/archive-expired${query({ hours: o.hours, terminal_only: o.terminalOnly })}`,
      );
      return { archived: answer.archived, skipped: answer.skipped_running };
    },
    listArchived: (o: Omit<ClientListOptions, "includeArchived"> = {}) =>
      call<ClientPage>("GET", `/api/archive${query(listQuery(o))}`),
    getArchived: (taskId: string) => find<Task>(`/api/archive/${id(taskId)}`, taskId, "archive"),
    countArchived: async (filter: { status?: string; backend?: string } = {}) =>
      (await call<ClientPage>("GET", `/api/archive${query({ ...filter, limit: 1 })}`))[
        filter.status || filter.backend ? "total" : "count"
      ] ?? 0,
    deleteArchived: (taskId: string) =>
      call<{ deleted: string }>("DELETE", `/api/archive/${id(taskId)}`, undefined, {
        id: taskId,
        where: "archive",
      }).then(() => undefined),
    purgeArchived: (o: { olderThanHours: number; dryRun?: boolean }) =>
      call<{ count: number; cutoff: string }>(
        "POST",
        `/api/archive/purge${query({ older_than: `${o.olderThanHours}h`, dry_run: o.dryRun })}`,
      ),
    maintain: (policy: RetentionPolicy) =>
      call<MaintenanceReport>("POST", "/api/maintenance", {
        archive_after_hours: policy.archiveAfterHours,
        purge_after_hours: policy.purgeAfterHours,
      }),

    getCircuit: (taskId: string, format: CircuitFormat = "source") =>
      call<CircuitView>("GET", `/api/circuits/${id(taskId)}${query({ format })}`, undefined, { id: taskId }),
    sync: () => call<SyncReport & { sync: unknown }>("POST", "/api/sync"),

    importRows: (rows: readonly unknown[]) => call<ImportResult>("POST", "/api/import", { rows }),
    /** Every stored row, streamed from the server as it reads them. */
    async *exportRows(scope: ExportScope = "all"): AsyncGenerator<StoredTask> {
      const response = await send("GET", `/api/export${query({ scope })}`, undefined, false);
      if (!response.ok)
        throw errorOf((await response.json().catch(() => ({}))) as Problem, response.status, undefined, "tasks");
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
