/**
 * Tasks as the API speaks of them, and their mapping to and from table rows.
 * The wire names are the Python gateway's (snake_case), so one shape serves library and HTTP.
 */
import * as v from "valibot";
import type { Row, SqlValue } from "../driver/driver.ts";
import { InvalidInputError } from "../shared/errors.ts";
import { Stamp, Text, Whole } from "../shared/shapes.ts";

/** A task's fields that a listing and a whole task share. */
const taskEntries = {
  task_id: Text,
  backend: Text,
  status: v.pipe(Text, v.description("One of the five statuses for tasks we write; other writers' rows as they are")),
  shots: v.number(),
  submit_time: Stamp,
  update_time: Stamp,
  metadata: v.pipe(
    v.record(Text, v.unknown()),
    v.description("Submission metadata, parsed; the source circuit usually sits here"),
  ),
  archived_at: v.optional(v.pipe(Stamp, v.description("On archived tasks only"))),
  has_conflicts: v.optional(
    v.pipe(
      v.literal(true),
      v.description("On a synced replica, where machines disagreed: the versions that lost are at /conflicts"),
    ),
  ),
};

/** A task, whole. */
export const TaskSchema = v.object({
  ...taskEntries,
  result: v.pipe(v.unknown(), v.description("The backend's result, parsed; null while there is none")),
  compiled_circuit: v.pipe(
    v.nullable(v.record(Text, v.unknown())),
    v.description("The circuit in each compiled format, keyed by format name; null when not recorded"),
  ),
  error_message: v.pipe(
    v.nullable(Text),
    v.description("The cloud's error text, on files of the uniqc lineage; null elsewhere and while there is none"),
  ),
});
export type Task = v.InferOutput<typeof TaskSchema>;

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
export const TaskSummarySchema = v.object({ ...taskEntries, has_result: v.boolean() });
export type TaskSummary = v.InferOutput<typeof TaskSummarySchema>;

/** Tasks per status; statuses other writers invented count in `total` only. */
export const StatusCountsSchema = v.object({
  pending: Whole,
  running: Whole,
  success: Whole,
  failed: Whole,
  cancelled: Whole,
  total: Whole,
});
export type StatusCounts = v.InferOutput<typeof StatusCountsSchema>;

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
