/**
 * The SQL that carries versions: a new version stamped in the statement that writes it, and the
 * guarded forms into which a replica's pushed changes are rewritten, so that the server (and the
 * replica itself, when it replays its unpushed changes after a pull) merges by the rule instead
 * of letting the last push win.
 *
 * Guards test "had seen" with arithmetic on the stored vector: a row's vector E is covered by an
 * incoming vector I exactly when the sum over I's replicas of min(E[r], I[r]) equals E's stored
 * sum. Only I's replicas are named, and they are known when the statement is made, so no guard
 * needs to walk a JSON object.
 */
import type { SqlValue } from "../driver.ts";
import { FIELD_KEYS, REPLICA_ID, RECORDED_FIELDS, UNVERSIONED_JSON, parseVersion, type Place, type RecordedField, type TaskVersion, type VersionMeta } from "./version.ts";

/** The tables a replica keeps tasks in, each keyed by `task_id`. */
export const VERSIONED_TABLES = ["tasks", "archived_tasks", "sync_tombstones"] as const;
export type VersionedTable = (typeof VERSIONED_TABLES)[number];

/** The columns every versioned table has besides the task's own. */
export const VERSION_COLUMNS = ["sync_version", "sync_siblings"] as const;

export const placeOf = (table: VersionedTable): Place => (table === "sync_tombstones" ? "deleted" : table);
export const tableOf = (place: Place): VersionedTable => (place === "deleted" ? "sync_tombstones" : place);

/**
 * Builds SQL and its numbered arguments. A value given a `key` is sent once however often the
 * text names it: a push sends a statement for every change, so each byte counts.
 */
class Sql {
  readonly args: SqlValue[] = [];
  readonly #named = new Map<string, string>();
  arg(value: SqlValue, key?: string): string {
    const known = key === undefined ? undefined : this.#named.get(key);
    if (known) return known;
    this.args.push(value);
    const placeholder = `?${this.args.length}`;
    if (key !== undefined) this.#named.set(key, placeholder);
    return placeholder;
  }
}

/**
 * A new version of the row whose `sync_version` is `old` (an SQL expression), made by `replica`:
 * its own counter one up, its clock above the old one and at least `clock` (by default the one
 * argument it takes: now, in milliseconds), and the fields in `written` marked as written by it
 * (with `when`, only where that condition holds).
 */
export function stampSql(
  old: string,
  replica: string,
  written: readonly RecordedField[] = [],
  options: { clock?: string; when?: (field: RecordedField) => string } = {},
): string {
  if (!REPLICA_ID.test(replica)) throw new Error(`not a replica id: ${replica}`);
  const n = `(COALESCE(json_extract(${old}, '$.vv."${replica}"'), 0) + 1)`;
  const dot = `'${replica}:' || ${n}`;
  const fields = written
    .map((field) => {
      const path = `'$.f.${FIELD_KEYS[field]}'`;
      return `, ${path}, ${options.when ? `CASE WHEN ${options.when(field)} THEN ${dot} ELSE json_extract(${old}, ${path}) END` : dot}`;
    })
    .join("");
  return `json_set(${old}, '$.vv."${replica}"', ${n}, '$.s', json_extract(${old}, '$.s') + 1, '$.w', '${replica}',
    '$.c', MAX(${options.clock ?? "?"}, json_extract(${old}, '$.c') + 1)${fields})`;
}

/** The stored version of a row of `table` that may be missing: unversioned when it is. */
export const storedVersionSql = (table: VersionedTable, id: string) =>
  `COALESCE((SELECT sync_version FROM ${table} WHERE task_id = ${id}), '${UNVERSIONED_JSON}')`;

/** A row of a versioned table as a replica stores it. */
export type VersionedRow = Readonly<Record<string, SqlValue>>;

/** The columns of a stored row that are the task's own. */
export function taskColumnsOf(row: VersionedRow): Record<string, string | number | null> {
  const columns: Record<string, string | number | null> = {};
  for (const [name, value] of Object.entries(row)) {
    if (name === "task_id" || (VERSION_COLUMNS as readonly string[]).includes(name)) continue;
    columns[name] = typeof value === "bigint" ? Number(value) : (value as string | number | null);
  }
  return columns;
}

/** The versions a stored row holds: its siblings (a JSON array) when it has them, else the row itself. */
export function versionsOf(table: VersionedTable, row: VersionedRow): TaskVersion[] {
  if (typeof row.sync_siblings === "string") {
    try {
      return JSON.parse(row.sync_siblings) as TaskVersion[];
    } catch {
      // A damaged sibling list is read as the row alone rather than losing the row.
    }
  }
  return [{ place: placeOf(table), columns: taskColumnsOf(row), version: parseVersion(row.sync_version) }];
}

/** The stored row's own vector sum expression and per-replica lookups, for guards. */
const storedCount = (table: string, replica: string) => `IFNULL(${table}.sync_version ->> '$.vv."${replica}"', 0)`;
const storedSum = (table: string) => `${table}.sync_version ->> '$.s'`;

/** "The stored row had been seen by a version with vector `vv`", for the row of `table`. */
function seenBy(sql: Sql, table: string, meta: VersionMeta): string {
  const replicas = Object.keys(meta.vv);
  const covered = replicas.map((replica) => `MIN(${storedCount(table, replica)}, ${sql.arg(meta.vv[replica]!, `vv:${replica}`)})`).join(" + ");
  return `(${covered || "0"}) = ${storedSum(table)}`;
}

const validVector = (meta: VersionMeta) => Object.keys(meta.vv).every((replica) => REPLICA_ID.test(replica));

/** A change to a versioned table, as the sync engine hands it over before sending or replaying it. */
export interface RowChange {
  readonly table: string;
  readonly type: "insert" | "update" | "delete";
  readonly before?: VersionedRow | undefined;
  readonly after?: VersionedRow | undefined;
}

/**
 * The statement that applies `change` by the rule, or undefined to apply it as it is (a table
 * that holds no versions, or a row from before versions).
 *
 * - A row written: where the stored row had been seen by it (or had seen exactly as much), it
 *   replaces the row; otherwise both are kept as siblings and the vectors are joined, and the
 *   replicas settle them by the rule (which drops a version the stored row had already seen).
 * - A row deleted: only where the deleting replica had seen the stored row; a row that holds
 *   something it had not seen stays, and the replicas settle it against the version that
 *   replaced it elsewhere.
 */
export function mergeStatement(change: RowChange): { sql: string; values: SqlValue[] } | undefined {
  if (!(VERSIONED_TABLES as readonly string[]).includes(change.table)) return undefined;
  const table = change.table as VersionedTable;
  const sql = new Sql();
  if (change.type === "delete") {
    const before = change.before;
    if (!before || typeof before.sync_version !== "string") return undefined;
    const meta = parseVersion(before.sync_version);
    if (!validVector(meta)) return undefined;
    const id = sql.arg(before.task_id ?? null);
    return { sql: `DELETE FROM ${table} WHERE task_id = ${id} AND ${seenBy(sql, table, meta)}`, values: sql.args };
  }
  const after = change.after;
  if (!after || typeof after.sync_version !== "string") return undefined;
  const meta = parseVersion(after.sync_version);
  if (!validVector(meta)) return undefined;
  const columns = Object.keys(after);
  const own = columns.filter((column) => column !== "task_id" && !(VERSION_COLUMNS as readonly string[]).includes(column));
  const values = columns.map((column) => sql.arg(after[column] ?? null));
  // Where both are kept as siblings, the columns are the incoming version's until a replica
  // settles the task: the siblings are what a settle reads, so the columns need no guard. The
  // same holds for a version the stored row had already seen, which arrives only when a change
  // is sent again: kept as a sibling, the settle drops it. So one guard decides everything.
  const assignments = own.map((column) => `${column} = excluded.${column}`);
  const wins = seenBy(sql, table, meta);
  const replicas = Object.keys(meta.vv);
  const joinedCounts = replicas.map((replica) => `, '$.vv."${replica}"', MAX(${storedCount(table, replica)}, ${sql.arg(meta.vv[replica]!, `vv:${replica}`)})`);
  const added = replicas.map((replica) => ` + MAX(0, ${sql.arg(meta.vv[replica]!, `vv:${replica}`)} - ${storedCount(table, replica)})`);
  const clock = sql.arg(meta.c);
  assignments.push(
    `sync_version = CASE WHEN ${wins} THEN excluded.sync_version
       ELSE json_set(${table}.sync_version${joinedCounts.join("")}, '$.s', ${storedSum(table)}${added.join("")},
                     '$.c', MAX(${table}.sync_version ->> '$.c', ${clock})) END`,
  );
  // The stored row as a sibling when it is a single version; the list appended to as text (the
  // engine's JSON array append path is not usable).
  const storedColumns = own.length ? `json_object(${own.map((column) => `'${column}', ${table}.${column}`).join(", ")})` : "json('{}')";
  const storedVersion = `json_object('place', '${placeOf(table)}', 'columns', ${storedColumns}, 'version', json(${table}.sync_version))`;
  const incoming = sql.arg(JSON.stringify(versionsOf(table, after)).slice(1, -1));
  assignments.push(
    `sync_siblings = CASE WHEN ${wins} THEN excluded.sync_siblings
       ELSE COALESCE(substr(${table}.sync_siblings, 1, length(${table}.sync_siblings) - 1), '[' || ${storedVersion}) || ',' || ${incoming} || ']' END`,
  );
  const text = `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${values.join(", ")})
    ON CONFLICT (task_id) DO UPDATE SET ${assignments.join(", ")}`;
  // One line: the text goes to the server with every change.
  return { sql: text.replace(/\s+/g, " "), values: sql.args };
}

/** Which recorded fields a table's rows hold. */
export const recordedIn = (columns: Iterable<string>) => RECORDED_FIELDS.filter((field) => [...columns].includes(field));
