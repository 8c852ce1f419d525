/**
 * The typed errors of the cache. Each has a stable `code`, so callers (the HTTP app, the CLI)
 * can map them without `instanceof` chains across module copies.
 */

/** Every code a cache error carries. The HTTP app and the CLI each map them in one complete table. */
export const ERROR_CODES = [
  "not_found",
  "conflict",
  "read_only",
  "foreign_database",
  "not_sqlite",
  "invalid_input",
  "migration_failed",
  "replica_in_use",
  "sync_failed",
  "not_synced",
  "circuit_syntax",
  // The typed client's: the server could not be reached, or answered outside the API.
  "server_error",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The sentence of anything thrown: its message when it is an error, else its text. */
export const messageOf = (error: unknown): string => String((error as Error | undefined)?.message ?? error);

/** Base class: every error the cache throws on purpose. */
export class CacheError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The task (or archived task) does not exist. */
export class NotFoundError extends CacheError {
  readonly taskId: string;
  constructor(taskId: string, where: "tasks" | "archive") {
    super(
      "not_found",
      where === "tasks" ? `Task ${taskId} is not an active task.` : `Task ${taskId} is not in the archive.`,
    );
    this.taskId = taskId;
  }
}

/** The operation would put a task in both tables, or overwrite one. */
export class ConflictError extends CacheError {
  readonly taskId: string;
  constructor(taskId: string, message: string) {
    super("conflict", message);
    this.taskId = taskId;
  }
}

/** The file is opened read-only: it is newer than this build, or its schema is another program's. */
export class ReadOnlyError extends CacheError {
  readonly fileVersion: number;
  readonly supportedVersion: number;
  constructor(fileVersion: number, supportedVersion: number, reason: string) {
    super("read_only", `The cache is read-only: ${reason}`);
    this.fileVersion = fileVersion;
    this.supportedVersion = supportedVersion;
  }
}

/** The file is a SQLite database that belongs to another application. Nothing was written. */
export class ForeignDatabaseError extends CacheError {
  constructor(message: string) {
    super("foreign_database", message);
  }
}

/** The file is not a SQLite database at all. Nothing was written. */
export class NotSqliteError extends CacheError {
  constructor(message: string, options?: ErrorOptions) {
    super("not_sqlite", message, options);
  }
}

/** One problem with an input, located by its path (`metadata.circuit`, `task_ids.3`). */
export interface InputIssue {
  readonly path: string;
  readonly message: string;
}

/** An argument failed validation. Nothing was written. */
export class InvalidInputError extends CacheError {
  readonly issues: readonly InputIssue[];
  constructor(issues: readonly InputIssue[]) {
    const first = issues[0];
    const where = first?.path ? `${first.path}: ` : "";
    super("invalid_input", `Invalid input: ${where}${first?.message ?? "rejected"}`);
    this.issues = issues;
  }
}

/** A migration step failed; it was rolled back, and the file keeps the steps `applied` before it. */
export class MigrationError extends CacheError {
  readonly version: number;
  readonly applied: readonly number[];
  constructor(version: number, cause: unknown, applied: readonly number[] = []) {
    const kept = applied.length ? ` (v${applied.join(", v")} applied before it stay)` : "";
    super(
      "migration_failed",
      `Migration to schema v${version} failed and was rolled back${kept}: ${messageOf(cause)}`,
      {
        cause,
      },
    );
    this.version = version;
    this.applied = applied;
  }
}

/** A synced replica is open in another process: one process owns a replica. Nothing was written. */
export class ReplicaInUseError extends CacheError {
  constructor(path: string, options?: ErrorOptions) {
    super(
      "replica_in_use",
      `The synced replica ${path} is open in another process, and a replica belongs to one process. ` +
        "Send requests to the server that holds it, or stop that server first.",
      options,
    );
  }
}

/** The sync server could not be reached, or refused. Local writes are kept and go out with the next push. */
export class SyncError extends CacheError {
  constructor(message: string, options?: ErrorOptions) {
    super("sync_failed", message, options);
  }
}

/** The cache is not a synced replica, so there is nothing to sync. */
export class NotSyncedError extends CacheError {
  constructor() {
    super("not_synced", "This cache is not a synced replica; open it with a sync URL to sync it.");
  }
}

const CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/** Whether `error` is one of the cache's, by its code: true across copies of this module too. */
export const isCacheError = (error: unknown): error is CacheError =>
  error instanceof Error && CODES.has(String((error as { code?: unknown }).code));
