/**
 * The typed errors of the cache. Each has a stable `code`, so callers (the HTTP app, the CLI)
 * can map them without `instanceof` chains across module copies.
 */

/** The sentence of anything thrown: its message when it is an error, else its text. */
export const messageOf = (error: unknown): string => String((error as Error | undefined)?.message ?? error);

/** Base class: every error the cache throws on purpose, with its literal code. */
export class CacheError<C extends string = string> extends Error {
  readonly code: C;
  constructor(code: C, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The task (or archived task) does not exist. */
export class NotFoundError extends CacheError<"not_found"> {
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
export class ConflictError extends CacheError<"conflict"> {
  readonly taskId: string;
  constructor(taskId: string, message: string) {
    super("conflict", message);
    this.taskId = taskId;
  }
}

/** The file is opened read-only: it is newer than this build, or its schema is another program's. */
export class ReadOnlyError extends CacheError<"read_only"> {
  readonly fileVersion: number;
  readonly supportedVersion: number;
  constructor(fileVersion: number, supportedVersion: number, reason: string) {
    super("read_only", `The cache is read-only: ${reason}`);
    this.fileVersion = fileVersion;
    this.supportedVersion = supportedVersion;
  }
}

/** The file is a SQLite database that belongs to another application. Nothing was written. */
export class ForeignDatabaseError extends CacheError<"foreign_database"> {
  constructor(message: string) {
    super("foreign_database", message);
  }
}

/** The file is not a SQLite database at all. Nothing was written. */
export class NotSqliteError extends CacheError<"not_sqlite"> {
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
export class InvalidInputError extends CacheError<"invalid_input"> {
  readonly issues: readonly InputIssue[];
  constructor(issues: readonly InputIssue[]) {
    const first = issues[0];
    const where = first?.path ? `${first.path}: ` : "";
    super("invalid_input", `Invalid input: ${where}${first?.message ?? "rejected"}`);
    this.issues = issues;
  }
}

/** A migration step failed; it was rolled back, and the file keeps the steps `applied` before it. */
export class MigrationError extends CacheError<"migration_failed"> {
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
export class ReplicaInUseError extends CacheError<"replica_in_use"> {
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
export class SyncError extends CacheError<"sync_failed"> {
  constructor(message: string, options?: ErrorOptions) {
    super("sync_failed", message, options);
  }
}

/** The cache is not a synced replica, so there is nothing to sync. */
export class NotSyncedError extends CacheError<"not_synced"> {
  constructor() {
    super("not_synced", "This cache is not a synced replica; open it with a sync URL to sync it.");
  }
}

/** A circuit text that cannot be read, with the line where reading stopped (0 for the whole text). */
export class CircuitSyntaxError extends CacheError<"circuit_syntax"> {
  readonly line: number;
  constructor(line: number, message: string) {
    super("circuit_syntax", `The circuit cannot be drawn: ${line > 0 ? `line ${line}: ` : ""}${message}`);
    this.line = line;
  }
}

/** A remote cache could not be reached, or answered with something that is not the API. */
export class ServerError extends CacheError<"server_error"> {
  readonly status: number | undefined;
  constructor(message: string, status?: number, options?: ErrorOptions) {
    super("server_error", message, options);
    this.status = status;
  }
}

/** Every error the cache throws on purpose, told apart by its `code`. */
export type AnyCacheError =
  | NotFoundError
  | ConflictError
  | ReadOnlyError
  | ForeignDatabaseError
  | NotSqliteError
  | InvalidInputError
  | MigrationError
  | ReplicaInUseError
  | SyncError
  | NotSyncedError
  | CircuitSyntaxError
  | ServerError;

/** The code of each error class: the HTTP app and the CLI each map them in one complete table. */
export type ErrorCode = AnyCacheError["code"];

/** Every code, once; the compiler holds this to the classes. */
const CODES: Record<ErrorCode, true> = {
  not_found: true,
  conflict: true,
  read_only: true,
  foreign_database: true,
  not_sqlite: true,
  invalid_input: true,
  migration_failed: true,
  replica_in_use: true,
  sync_failed: true,
  not_synced: true,
  circuit_syntax: true,
  server_error: true,
};

/** Whether `error` is one of the cache's, by its code: true across copies of this module too. */
export const isCacheError = (error: unknown): error is AnyCacheError =>
  error instanceof Error && Object.hasOwn(CODES, String((error as { code?: unknown }).code));
