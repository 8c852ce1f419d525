/**
 * Tasks as the API speaks of them, and their mapping to and from table rows.
 * The wire names are the Python gateway's (snake_case), so one shape serves library and HTTP.
 */
import type { Row, SqlValue } from "../driver/driver.ts";
import { InvalidInputError } from "../shared/errors.ts";

/** A task, whole. */
export interface Task {
  task_id: string;
  backend: string;
  /** One of the five statuses for tasks we write; other writers' rows are shown as they are. */
  status: string;
  shots: number;
  submit_time: string;
  update_time: string;
  /** The backend's result, parsed; null while there is none. */
  result: unknown;
  /** Submission metadata, parsed; the source circuit usually sits here. */
  metadata: Record<string, unknown>;
  /** The circuit in each compiled format, keyed by format name; null when not recorded. */
  compiled_circuit: Record<string, unknown> | null;
  /** The cloud's error text, on files of the uniqc lineage; null elsewhere and while there is none. */
  error_message: string | null;
  /** Set on archived tasks only. */
  archived_at?: string;
  /** Set on a synced replica where machines disagreed and the versions that lost are kept (`conflicts`). */
  has_conflicts?: true;
}

/**
 * The error text a task carries, wherever its writer put it: the `error_message` column of the
 * uniqc lineage, else an error the backend's result or the submission's metadata records.
 */
export function errorTextOf(task: Task): string | undefined {
  if (task.error_message) return task.error_message;
  for (const source of [task.result, task.metadata]) {
    if (source && typeof source === "object") {
      for (const key of ["error_message", "error", "message"]) {
        const value = (source as Record<string, unknown>)[key];
        if (typeof value === "string" && value !== "") return value;
      }
    }
  }
  return undefined;
}

/** A task in a listing: the result is left out (it can be large), its presence is kept. */
export type TaskSummary = Omit<Task, "result" | "compiled_circuit" | "error_message"> & { has_result: boolean };

/** Active tasks per status. */
export interface StatusCounts {
  pending: number;
  running: number;
  success: number;
  failed: number;
  cancelled: number;
  total: number;
}

/**
 * Parses a JSON column. A value another writer stored that is not valid JSON is returned as
 * its text rather than dropped.
 */
function parseJson(text: SqlValue | undefined): unknown {
  if (text === null || text === undefined) return null;
  try {
    return JSON.parse(String(text));
  } catch {
    return String(text);
  }
}

/** Encodes a value for a JSON column, refusing what JSON cannot hold. */
export function encodeJson(value: unknown, field: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new InvalidInputError([
      { path: field, message: `is not serialisable as JSON (${(error as Error).message})` },
    ]);
  }
  if (text === undefined) throw new InvalidInputError([{ path: field, message: "is not serialisable as JSON" }]);
  return text;
}

/**
 * Maps a full row (`SELECT` of every column) to a task. Columns come back with these types
 * already (TEXT and INTEGER affinity), so they are cast, not converted. Listings do not come
 * through here: SQLite writes their JSON (`summaryRows` in `queries.ts`).
 */
export function rowToTask(row: Row): Task {
  const task: Task = {
    task_id: row.task_id as string,
    backend: row.backend as string,
    status: row.status as string,
    shots: row.shots as number,
    submit_time: row.submit_time as string,
    update_time: row.update_time as string,
    result: parseJson(row.result_json),
    metadata: (parseJson(row.metadata_json) ?? {}) as Record<string, unknown>,
    compiled_circuit: parseJson(row.compiled_circuit_json) as Record<string, unknown> | null,
    error_message: (row.error_message ?? null) as string | null,
  };
  if (row.archived_at != null) task.archived_at = row.archived_at as string;
  if (row.has_conflicts) task.has_conflicts = true;
  return task;
}
