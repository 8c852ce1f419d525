/**
 * The SQL of the store, built once per open from the live schema.
 *
 * Reads name their columns and put `NULL` in place of any the file lacks, so a file we may only
 * read (newer, or another program's) still lists, and a file of either lineage gives a task the
 * same fields.
 */
import type { SqlValue } from "../driver/driver.ts";
import type { LiveSchema } from "../file/introspection.ts";
import type { Lineage } from "../file/migrator.ts";
import { TASK_COLUMNS } from "../file/schema.ts";
import { COMPILED_TABLE } from "../file/uniqc-lineage.ts";
import { formatTimestamp, type Clock } from "../shared/timestamps.ts";
import { TERMINAL_STATUSES, type ParsedFilter, type TimeBound } from "../shared/validation.ts";

export type Table = "tasks" | "archived_tasks";

/** A filter as statements take it: its time bounds as stored timestamps (see {@link resolveFilter}). */
export interface TaskFilter {
  status?: string | undefined;
  backend?: string | undefined;
  search?: string | undefined;
  idPrefix?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
}

/** The filter with its ages turned into instants, as of the clock's now. */
export function resolveFilter(filter: ParsedFilter, clock: Clock): TaskFilter {
  const instant = (bound: TimeBound | undefined) =>
    bound === undefined
      ? undefined
      : "at" in bound
        ? bound.at
        : formatTimestamp(new Date(clock().getTime() - bound.beforeNowMs));
  return { ...filter, since: instant(filter.since), until: instant(filter.until) };
}

/** Whether a filter takes only what the counts per backend and status answer. */
export const countedByGroups = (filter: TaskFilter) =>
  filter.search === undefined &&
  filter.idPrefix === undefined &&
  filter.since === undefined &&
  filter.until === undefined;

/**
 * Where a pass over `table` for `filter` reads from. A search matches text no index holds; through
 * an index (a status, a time range) the pass would reach each row by a lookup that costs ten times
 * a row read in order, so it reads the table straight through.
 */
export const scanOf = (table: Table, filter: TaskFilter) =>
  filter.search === undefined ? table : `${table} NOT INDEXED`;

/** Past every character an id may hold after its prefix, so a prefix is a range of the primary key. */
const PAST_PREFIX = "\u{10FFFF}";

/** `text` as a LIKE pattern that finds it anywhere, its own `%`, `_` and `\\` taken literally. */
const containing = (text: string) => `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;

/** A WHERE clause and its arguments. */
export interface Where {
  sql: string;
  args: SqlValue[];
}

const LIST_COLUMNS =
  "task_id, backend, status, shots, submit_time, update_time, result_json IS NOT NULL AS has_result, metadata_json";

/** Matches tasks in a terminal status. */
export const TERMINAL_SQL = `status IN (${TERMINAL_STATUSES.map((status) => `'${status}'`).join(", ")})`;

/** Newest first; the id breaks ties so pages never overlap or skip. */
export const NEWEST_FIRST = "ORDER BY submit_time DESC, task_id DESC";

/**
 * The keyset condition for tasks listed after `after`, in {@link NEWEST_FIRST} order. The bound on
 * `submit_time` alone says nothing SQLite does not know, but the replica's engine seeks an index
 * only by a single column's bound: with the row value alone it walks from the newest task.
 */
export function afterOf(after: { submit_time: string; task_id: string } | undefined): Where | undefined {
  return (
    after && {
      sql: "submit_time <= ? AND (submit_time, task_id) < (?, ?)",
      args: [after.submit_time, after.submit_time, after.task_id],
    }
  );
}

/**
 * A summary's members as `"name":value` text, each value JSON text already: strings through
 * `json_quote`, the stored metadata through `json()` (another writer's text that is not JSON comes
 * out as a JSON string rather than breaking the page). Joined as text, not by `json_object`: the
 * same bytes in about 70 % of the statement's time where the rows are in memory (BENCHMARKS.md,
 * "Listings: SQLite writes the JSON").
 */
const SUMMARY_MEMBERS = [
  ["task_id", "json_quote(task_id)"],
  ["backend", "json_quote(backend)"],
  ["status", "json_quote(status)"],
  ["shots", "json_quote(shots)"],
  ["submit_time", "json_quote(submit_time)"],
  ["update_time", "json_quote(update_time)"],
  ["has_result", "iif(has_result, 'true', 'false')"],
  [
    "metadata",
    "CASE WHEN metadata_json IS NULL THEN '{}' WHEN json_valid(metadata_json) THEN json(metadata_json) ELSE json_quote(metadata_json) END",
  ],
] as const;

const SUMMARY_TEXT = `'{' || ${SUMMARY_MEMBERS.map(([name, value], i) => `'${i ? "," : ""}"${name}":' || ${value}`).join(" || ")}
  || CASE WHEN archived_at IS NULL THEN '' ELSE ',"archived_at":' || json_quote(archived_at) END
  || CASE WHEN has_conflicts THEN ',"has_conflicts":true' ELSE '' END || '}'`;

/**
 * Each task of a listing as the JSON text of its summary, next to its position, so a page reaches
 * the wire without being mapped and serialised in JavaScript. `listing` is a query of the listing
 * columns in {@link NEWEST_FIRST} order; the JSON is built only for the rows it returns, not for
 * those an offset skips.
 */
export const summaryRows = (listing: string) =>
  `SELECT submit_time, task_id, ${SUMMARY_TEXT} AS summary
     FROM (${listing}) ${NEWEST_FIRST}`;

/**
 * Builds `WHERE` only from the filters given, so the planner can use each index. A search looks
 * in the id, the metadata and, where `errorMessages`, the error text.
 */
export function whereOf(filter: TaskFilter, extra?: Where, errorMessages = false): Where {
  const parts: string[] = [];
  const args: SqlValue[] = [];
  const add = (sql: string, ...values: SqlValue[]) => {
    parts.push(sql);
    args.push(...values);
  };
  if (filter.status !== undefined) add("status = ?", filter.status);
  if (filter.backend !== undefined) add("backend = ?", filter.backend);
  if (filter.idPrefix !== undefined)
    add("task_id >= ? AND task_id < ?", filter.idPrefix, filter.idPrefix + PAST_PREFIX);
  if (filter.since !== undefined) add("submit_time >= ?", filter.since);
  if (filter.until !== undefined) add("submit_time < ?", filter.until);
  if (filter.search !== undefined) {
    const columns = ["task_id", "metadata_json", ...(errorMessages ? ["error_message"] : [])];
    const pattern = containing(filter.search);
    add(`(${columns.map((column) => `${column} LIKE ? ESCAPE '\\'`).join(" OR ")})`, ...columns.map(() => pattern));
  }
  if (extra) add(extra.sql, ...extra.args);
  return { sql: parts.length ? `WHERE ${parts.join(" AND ")}` : "", args };
}

/** The filter as one condition (`1` for none), for statements that add their own. */
export function conditionOf(filter: TaskFilter, errorMessages: boolean): Where {
  const { sql, args } = whereOf(filter, undefined, errorMessages);
  return { sql: sql ? sql.slice("WHERE ".length) : "1", args };
}

/** Column lists and table presence, fixed for one open file. */
export interface TableShapes {
  /** Whether the table exists (a v1 file we only read has no archive; only the uniqc lineage's v4 has shards). */
  has(table: string): boolean;
  /**
   * Every column of a task, with `archived_at` (NULL for active tasks) and `has_conflicts` (true
   * where a synced replica keeps versions that lost beside it, else NULL), as the task's fields.
   */
  full(table: Table): string;
  /** The listing columns, with `archived_at` and `has_conflicts`. */
  summary(table: Table): string;
  /** The columns both tables share, for copying rows between them by name as the Python store does. */
  readonly copy: string;
  /** Whether the file holds `error_message` (the uniqc lineage). */
  readonly errorMessages: boolean;
  /** Where compiled circuits are written: the tables' own column, or this cache's table beside them. */
  readonly compiled: "column" | "table" | undefined;
  /** The columns both shard tables share, where the file has them (the uniqc lineage's v4 on). */
  readonly shardCopy: string | undefined;
}

export function tableShapes(schema: LiveSchema, lineage: Lineage): TableShapes {
  const live = (table: string, column: string) => schema.get(table)?.has(column) ?? false;
  const compiled =
    lineage === "uniqc"
      ? schema.has(COMPILED_TABLE)
        ? "table"
        : undefined
      : live("tasks", "compiled_circuit_json")
        ? "column"
        : undefined;
  const columnsOf = (table: Table) => {
    const columns = [...TASK_COLUMNS.filter((name) => name !== "compiled_circuit_json"), "error_message"].map((name) =>
      live(table, name) ? name : `NULL AS ${name}`,
    );
    if (compiled === "table") {
      columns.push(
        `(SELECT c.compiled_circuit_json FROM ${COMPILED_TABLE} AS c WHERE c.task_id = ${table}.task_id) AS compiled_circuit_json`,
      );
    } else columns.push(compiled === "column" ? "compiled_circuit_json" : "NULL AS compiled_circuit_json");
    return columns.join(", ");
  };
  // A row with siblings shows their merge; the versions that lost are kept with it (history/rule.ts).
  const marks = (table: Table) =>
    `${table === "archived_tasks" ? "archived_at" : "NULL AS archived_at"}, ${
      live(table, "sync_siblings") ? "sync_siblings IS NOT NULL AS has_conflicts" : "NULL AS has_conflicts"
    }`;
  const full = {
    tasks: `${columnsOf("tasks")}, ${marks("tasks")}`,
    archived_tasks: `${columnsOf("archived_tasks")}, ${marks("archived_tasks")}`,
  };
  const shared = (from: string, to: string) =>
    [...(schema.get(from) ?? [])].filter((column) => live(to, column)).join(", ");
  return Object.freeze({
    has: (table: string) => schema.has(table),
    full: (table: Table) => full[table],
    summary: (table: Table) => `${LIST_COLUMNS}, ${marks(table)}`,
    copy: shared("tasks", "archived_tasks"),
    errorMessages: live("tasks", "error_message"),
    compiled,
    shardCopy:
      schema.has("task_shards") && schema.has("archived_task_shards")
        ? shared("task_shards", "archived_task_shards")
        : undefined,
  });
}
