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
import { REPLICA_ID, RECORDED_FIELDS, UNVERSIONED_JSON, parseVersion, type Place, type RecordedField, type TaskVersion, type VersionMeta } from "./version.ts";

/** The tables a replica keeps tasks in, each keyed by `task_id`. */
export const VERSIONED_TABLES = ["tasks", "archived_tasks", "sync_tombstones"] as const;
export type VersionedTable = (typeof VERSIONED_TABLES)[number];

/** The columns every versioned table has besides the task's own. */
export const VERSION_COLUMNS = ["sync_version", "sync_siblings"] as const;

export const placeOf = (table: VersionedTable): Place => (table === "sync_tombstones" ? "deleted" : table);
export const tableOf = (place: Place): VersionedTable => (place === "deleted" ? "sync_tombstones" : place);

/** Builds SQL and its positional arguments in the order the text names them. */
class Sql {
  readonly args: SqlValue[] = [];
  arg(value: SqlValue): string {
    this.args.push(value);
    return "?";
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
    .map((field) => `, '$.f.${field}', ${options.when ? `CASE WHEN ${options.when(field)} THEN ${dot} ELSE json_extract(${old}, '$.f.${field}') END` : dot}`)
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
const storedCount = (table: string, replica: string) => `COALESCE(json_extract(${table}.sync_version, '$.vv."${replica}"'), 0)`;
const storedSum = (table: string) => `json_extract(${table}.sync_version, '$.s')`;

/** "The stored row had been seen by a version with vector `vv`", for the row of `table`. */
function seenBy(sql: Sql, table: string, meta: VersionMeta): string {
  const replicas = Object.keys(meta.vv);
  const covered = replicas.map((replica) => `MIN(${storedCount(table, replica)}, ${sql.arg(meta.vv[replica]!)})`).join(" + ");
  return `(${covered || "0"}) = ${storedSum(table)}`;
}

/** "The stored row of `table` had seen every version in `vv`." */
function sawAll(sql: Sql, table: string, meta: VersionMeta): string {
  const replicas = Object.keys(meta.vv);
  return replicas.length ? replicas.map((replica) => `${storedCount(table, replica)} >= ${sql.arg(meta.vv[replica]!)}`).join(" AND ") : "1";
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
 *   replaces the row; where the stored row had seen more, nothing happens; otherwise both are
 *   kept as siblings and the vectors are joined (the row's columns are then the incoming ones
 *   until a replica settles it).
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
  const wins = () => seenBy(sql, table, meta);
  // Where both are kept as siblings, the columns are the incoming version's until a replica
  // settles the task: the siblings are what a settle reads, so the columns need no guard.
  const assignments = own.map((column) => `${column} = excluded.${column}`);

  // Built in the order the text names its arguments.
  const replicas = Object.keys(meta.vv);
  const versionWins = wins();
  const joinedCounts = replicas.map((replica) => `, '$.vv."${replica}"', MAX(${storedCount(table, replica)}, ${sql.arg(meta.vv[replica]!)})`);
  const added = replicas.map((replica) => ` + MAX(0, ${sql.arg(meta.vv[replica]!)} - ${storedCount(table, replica)})`);
  const clock = sql.arg(meta.c);
  assignments.push(
    `sync_version = CASE WHEN ${versionWins} THEN excluded.sync_version
       ELSE json_set(${table}.sync_version${joinedCounts.join("")}, '$.s', ${storedSum(table)}${added.join("")},
                     '$.c', MAX(json_extract(${table}.sync_version, '$.c'), ${clock})) END`,
  );

  // The stored row as a sibling, when it is a single version; appended to as text (the JSON
  // array append path of the engine's json_insert is not usable), so the text stays the same for
  // every change of one shape.
  const storedColumns = own.length ? `json_object(${own.map((column) => `'${column}', ${table}.${column}`).join(", ")})` : "json('{}')";
  const storedVersion = `json_object('place', '${placeOf(table)}', 'columns', ${storedColumns}, 'version', json(${table}.sync_version))`;
  const incoming = JSON.stringify(versionsOf(table, after)).slice(1, -1);
  const siblingsWin = wins();
  const asFirst = sql.arg(incoming);
  const asMore = sql.arg(incoming);
  assignments.push(
    `sync_siblings = CASE WHEN ${siblingsWin} THEN excluded.sync_siblings
       WHEN ${table}.sync_siblings IS NULL THEN '[' || ${storedVersion} || ',' || ${asFirst} || ']'
       ELSE substr(${table}.sync_siblings, 1, length(${table}.sync_siblings) - 1) || ',' || ${asMore} || ']' END`,
  );
  // Skipped only where the stored row had seen more: a settled row, which has seen exactly what
  // the row it settles had, replaces it.
  const stale = sawAll(sql, table, meta);
  const fresh = wins();
  const text = `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${values.join(", ")})
    ON CONFLICT (task_id) DO UPDATE SET ${assignments.join(",\n      ")}
    WHERE NOT (${stale}) OR ${fresh}`;
  return { sql: text, values: sql.args };
}

/** Which recorded fields a table's rows hold. */
export const recordedIn = (columns: Iterable<string>) => RECORDED_FIELDS.filter((field) => [...columns].includes(field));
