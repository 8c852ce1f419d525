/**
 * Tasks as the API speaks of them, and their mapping to and from table rows.
 * The wire names are the Python gateway's (snake_case), so one shape serves library and HTTP.
 */
import type { Row, SqlValue } from "./driver.ts";
import { InvalidInputError } from "./errors.ts";

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
  /** Set on archived tasks only. */
  archived_at?: string;
}

/** A task in a listing: the result is left out (it can be large), its presence is kept. */
export type TaskSummary = Omit<Task, "result" | "compiled_circuit"> & { has_result: boolean };

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
    throw new InvalidInputError([{ path: field, message: `is not serialisable as JSON (${(error as Error).message})` }]);
  }
  if (text === undefined) throw new InvalidInputError([{ path: field, message: "is not serialisable as JSON" }]);
  return text;
}

function common(row: Row) {
  return {
    task_id: String(row.task_id),
    backend: String(row.backend),
    status: String(row.status),
    shots: Number(row.shots),
    submit_time: String(row.submit_time),
    update_time: String(row.update_time),
  };
}

function withArchivedAt<T extends object>(task: T, row: Row): T & { archived_at?: string } {
  return row.archived_at === null || row.archived_at === undefined ? task : { ...task, archived_at: String(row.archived_at) };
}

/** Maps a full row (`SELECT` of every column) to a task. */
export function rowToTask(row: Row): Task {
  return withArchivedAt(
    {
      ...common(row),
      result: parseJson(row.result_json),
      metadata: (parseJson(row.metadata_json) ?? {}) as Record<string, unknown>,
      compiled_circuit: parseJson(row.compiled_circuit_json) as Record<string, unknown> | null,
    },
    row,
  );
}

/** Maps a listing row (which carries `has_result` instead of the result) to a summary. */
export function rowToSummary(row: Row): TaskSummary {
  return withArchivedAt(
    {
      ...common(row),
      has_result: Number(row.has_result) === 1,
      metadata: (parseJson(row.metadata_json) ?? {}) as Record<string, unknown>,
    },
    row,
  );
}
