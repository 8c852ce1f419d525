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
import { FIELD_KEYS, REPLICA_ID, RECORDED_FIELDS, UNVERSIONED_JSON, ownVersion, parseVersion, type Place, type RecordedField, type TaskVersion, type VersionMeta } from "./version.ts";

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
  // A new version is a version of its own, whatever the row it replaces showed (see `m`, `o`).
  return `json_remove(json_set(${old}, '$.vv."${replica}"', ${n}, '$.s', json_extract(${old}, '$.s') + 1, '$.w', '${replica}',
    '$.c', MAX(${options.clock ?? "?"}, json_extract(${old}, '$.c') + 1)${fields}), '$.m', '$.o')`;
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

/**
 * The versions a stored row holds: the row itself, unless it shows a merge (`m`), and its
 * siblings (a JSON array).
 */
export function versionsOf(table: VersionedTable, row: VersionedRow): TaskVersion[] {
  const meta = parseVersion(row.sync_version);
  const own: TaskVersion = { place: placeOf(table), columns: taskColumnsOf(row), version: ownVersion(meta) };
  if (typeof row.sync_siblings !== "string") return [own];
  let siblings: TaskVersion[];
  try {
    siblings = (JSON.parse(row.sync_siblings) as TaskVersion[]).map((sibling) => ({ ...sibling, version: ownVersion(sibling.version) }));
  } catch {
    // A damaged sibling list is read as the row alone rather than losing the row.
    return [own];
  }
  return meta.m ? siblings : [own, ...siblings];
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
 *   A task's first version takes a shorter path to the same end (`besideStored`).
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
  const values = columns.map((column) => sql.arg(after[column] ?? null));
  const insert = `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${values.join(", ")}) ON CONFLICT (task_id) DO UPDATE SET`;
  const incoming = sql.arg(JSON.stringify(versionsOf(table, after)).slice(1, -1));
  const isFirst = meta.s === 1 && after.sync_siblings == null && meta.m === undefined;
  const conflict = isFirst ? besideStored(sql, table, meta, incoming) : mergedWithStored(sql, table, meta, columns, incoming);
  // One line: the text goes to the server with every change, which compiles each anew.
  return { sql: `${insert} ${conflict}`.replace(/\s+/g, " "), values: sql.args };
}

/**
 * The first version a replica makes of a task (it had seen no other) is what most pushed changes
 * are, and they rarely meet a stored row. Where one does, the incoming version had seen none of
 * it, so it is only added beside the row: the row stays a version of its own (`o` keeps its
 * vector and clock), and its `vv` and clock widen to count the sibling. A short branch, since the server
 * compiles it for every such change whether or not it runs.
 */
function besideStored(sql: Sql, table: VersionedTable, meta: VersionMeta, incoming: string): string {
  const [replica] = Object.keys(meta.vv) as [string];
  const version = `${table}.sync_version`;
  const count = `IFNULL(${version} ->> '$.vv."${replica}"', 0)`;
  const own = `COALESCE(json(${version} ->> '$.o'), json_object('vv', json(${version} ->> '$.vv'), 'c', ${version} ->> '$.c'))`;
  return `sync_version = json_set(${version}, '$.o', ${own},
      '$.vv."${replica}"', MAX(${count}, 1), '$.s', (${version} ->> '$.s') + (${count} = 0), '$.c', MAX(${version} ->> '$.c', ${sql.arg(meta.c)})),
    sync_siblings = COALESCE(substr(${table}.sync_siblings, 1, length(${table}.sync_siblings) - 1) || ',', '[') || ${incoming} || ']'`;
}

/**
 * Any other version: where the stored row had been seen by it (or had seen exactly as much), it
 * replaces the row; otherwise the stored versions and the incoming one are kept as siblings, the
 * row shows their merge (`m`) until a replica settles it, and the vectors are joined.
 *
 * Where both are kept, the columns are the incoming version's until the settle: the siblings are
 * what a settle reads, so the columns need no guard. The same holds for a version the stored row
 * had already seen, which arrives only when a change is sent again: kept as a sibling, the settle
 * drops it. So one guard decides everything.
 */
function mergedWithStored(sql: Sql, table: VersionedTable, meta: VersionMeta, columns: readonly string[], incoming: string): string {
  const own = columns.filter((column) => column !== "task_id" && !(VERSION_COLUMNS as readonly string[]).includes(column));
  const assignments = own.map((column) => `${column} = excluded.${column}`);
  const wins = seenBy(sql, table, meta);
  const replicas = Object.keys(meta.vv);
  const joinedCounts = replicas.map((replica) => `, '$.vv."${replica}"', MAX(${storedCount(table, replica)}, ${sql.arg(meta.vv[replica]!, `vv:${replica}`)})`);
  const added = replicas.map((replica) => ` + MAX(0, ${sql.arg(meta.vv[replica]!, `vv:${replica}`)} - ${storedCount(table, replica)})`);
  assignments.push(
    `sync_version = CASE WHEN ${wins} THEN excluded.sync_version
       ELSE json_set(${table}.sync_version${joinedCounts.join("")}, '$.s', ${storedSum(table)}${added.join("")},
                     '$.c', MAX(${table}.sync_version ->> '$.c', ${sql.arg(meta.c)}), '$.m', 1) END`,
  );
  // The stored versions: its sibling list when it shows a merge, else the row itself and any
  // siblings beside it. Appended to as text (the engine's JSON array append path is not usable).
  const list = `${table}.sync_siblings`;
  const storedColumns = own.length ? `json_object(${own.map((column) => `'${column}', ${table}.${column}`).join(", ")})` : "json('{}')";
  const storedVersion = `json_object('place', '${placeOf(table)}', 'columns', ${storedColumns}, 'version', json(${table}.sync_version))`;
  assignments.push(
    `sync_siblings = CASE WHEN ${wins} THEN excluded.sync_siblings
       ELSE CASE WHEN ${table}.sync_version ->> '$.m' IS NOT NULL THEN substr(${list}, 1, length(${list}) - 1)
                 ELSE '[' || ${storedVersion} || COALESCE(',' || substr(${list}, 2, length(${list}) - 2), '') END
            || ',' || ${incoming} || ']' END`,
  );
  return assignments.join(", ");
}

/** Which recorded fields a table's rows hold. */
export const recordedIn = (columns: Iterable<string>) => RECORDED_FIELDS.filter((field) => [...columns].includes(field));
