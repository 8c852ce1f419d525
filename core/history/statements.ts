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
import type { SqlValue } from "../driver/driver.ts";
import {
  FIELD_KEYS,
  OWN,
  REPLICA_ID,
  RECORDED_FIELDS,
  UNVERSIONED_JSON,
  UNVERSIONED,
  parseVersion,
  storedForm,
  wholeForm,
  type Place,
  type RecordedField,
  type TaskVersion,
  type VersionMeta,
} from "./version.ts";

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
  const writer = `json_extract(${old}, '$.w')`;
  const sum = `json_extract(${old}, '$.s')`;
  // The old vector whole: as stored, or implied by its writer and count (see `storedForm`).
  const vector = `COALESCE(json_extract(${old}, '$.vv'), json_object(${writer}, ${sum}))`;
  const n = `(COALESCE(json_extract(${vector}, '$."${replica}"'), 0) + 1)`;
  // A version that has seen only this replica's versions leaves its vector out.
  const newVector = `CASE WHEN ${n} = ${sum} + 1 THEN NULL ELSE json_set(${vector}, '$."${replica}"', ${n}) END`;
  // A field the old version wrote itself is marked OWN there; the new one names that version.
  const oldDot = `(${writer} || ':' || COALESCE(json_extract(${old}, '$.vv."' || ${writer} || '"'), ${sum}))`;
  const fields = RECORDED_FIELDS.map((field) => {
    const path = `'$.f.${FIELD_KEYS[field]}'`;
    const kept = `CASE json_extract(${old}, ${path}) WHEN ${OWN} THEN ${oldDot} ELSE json_extract(${old}, ${path}) END`;
    const value = !written.includes(field)
      ? kept
      : options.when
        ? `CASE WHEN ${options.when(field)} THEN ${OWN} ELSE ${kept} END`
        : `${OWN}`;
    return `'${FIELD_KEYS[field]}', ${value}`;
  });
  // Merged in as a patch, where a null removes its key: fields no version wrote take no room, and
  // a new version is a version of its own, whatever the row it replaces showed (see `m`).
  return `json_patch(json_set(${old}, '$.s', ${sum} + 1, '$.w', '${replica}',
    '$.c', MAX(${options.clock ?? "?"}, json_extract(${old}, '$.c') + 1)),
    json_object('m', NULL, 'vv', json(${newVector}), 'f', json_object(${fields.join(", ")})))`;
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
 * How a row's siblings are stored: each version as `,` and its JSON, one after another, so that
 * adding one is a concatenation (the server compiles every pushed statement anew, and each SQL
 * function in it costs more than the insert itself). A version added beside a row without
 * widening the row's vector (a task's first version, see `besideStored`) is led by a newline,
 * which JSON text never holds outside its strings' escapes: while one is there, the row's `vv`
 * does not count every version it holds, so no guard that reads it lets a write replace the row;
 * only a settle made from exactly that row does.
 */
export const ADDED_BESIDE = "\n";
export const siblingsText = (versions: readonly TaskVersion[], beside = false) =>
  versions
    .map(
      (version) =>
        `${beside ? ADDED_BESIDE : ""},${JSON.stringify({ ...version, version: storedForm(version.version) })}`,
    )
    .join("");
const addedBeside = (table: string) => `instr(${table}.sync_siblings, char(10)) > 0`;

/** The versions a sibling list holds; a list from before this format is a JSON array. */
export function parseSiblings(text: string): TaskVersion[] {
  const items = JSON.parse(text.startsWith("[") ? text : `[${text.replace(/^\s*,/, "")}]`) as TaskVersion[];
  return items.map((item) => ({ ...item, version: wholeForm(item.version) ?? UNVERSIONED }));
}

/** The versions a stored row holds: the row itself, unless it shows a merge (`m`), and its siblings. */
export function versionsOf(table: VersionedTable, row: VersionedRow): TaskVersion[] {
  const meta = parseVersion(row.sync_version);
  const own: TaskVersion = { place: placeOf(table), columns: taskColumnsOf(row), version: meta };
  if (typeof row.sync_siblings !== "string") return [own];
  let siblings: TaskVersion[];
  try {
    siblings = parseSiblings(row.sync_siblings);
  } catch {
    // A damaged sibling list is read as the row alone rather than losing the row.
    return [own];
  }
  return meta.m ? siblings : [own, ...siblings];
}

/**
 * The stored row's own vector sum expression and per-replica lookups, for guards. A row that
 * leaves its vector out has seen `s` versions of its writer and none of anyone else's.
 */
const storedCount = (table: string, replica: string) =>
  `COALESCE(${table}.sync_version ->> '$.vv."${replica}"', CASE WHEN ${table}.sync_version ->> '$.w' = '${replica}' THEN ${table}.sync_version ->> '$.s' ELSE 0 END)`;
const storedSum = (table: string) => `${table}.sync_version ->> '$.s'`;

/** "The stored row had been seen by a version with vector `vv`", for the row of `table`. */
function seenBy(sql: Sql, table: string, meta: VersionMeta): string {
  const replicas = Object.keys(meta.vv);
  const covered = replicas
    .map((replica) => `MIN(${storedCount(table, replica)}, ${sql.arg(meta.vv[replica]!, `vv:${replica}`)})`)
    .join(" + ");
  // A row with siblings added beside it holds versions its vector does not count: none has seen them all.
  return `(${covered || "0"}) = ${storedSum(table)} AND NOT IFNULL(${addedBeside(table)}, 0)`;
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
 * - A row written (every write but a settle's arrives as an insert, upserts included): where the
 *   stored row had been seen by it (or had seen exactly as much), it replaces the row; otherwise
 *   both are kept as siblings and the vectors are joined, and the replicas settle them by the
 *   rule (which drops a version the stored row had already seen). A task's first version takes
 *   a shorter path to the same end (`besideStored`).
 * - A row updated in place (only a settle does): applied only where the stored row is still
 *   exactly the one it was settled from; otherwise the next pull brings the newer row, and the
 *   settle is made again from it.
 * - A row deleted: only where the stored row is exactly the one the deleting replica held. Every
 *   delete has a partner write that carries its meaning (the moved copy, the tombstone, the
 *   settled row), so a delete that does not apply leaves the task in two places, which the
 *   replicas settle by the rule.
 */
export function mergeStatement(change: RowChange): { sql: string; values: SqlValue[] } | undefined {
  if (!(VERSIONED_TABLES as readonly string[]).includes(change.table)) return undefined;
  const table = change.table as VersionedTable;
  const sql = new Sql();
  const before = change.before;
  if (change.type !== "insert") {
    if (!before || typeof before.sync_version !== "string") return undefined;
    const unchanged = `task_id = ${sql.arg(before.task_id ?? null)} AND sync_version = ${sql.arg(before.sync_version)} AND sync_siblings IS ${sql.arg(before.sync_siblings ?? null)}`;
    if (change.type === "delete") return { sql: `DELETE FROM ${table} WHERE ${unchanged}`, values: sql.args };
    const after = change.after ?? {};
    const assignments = Object.keys(after)
      .filter((column) => column !== "task_id")
      .map((column) => `${column} = ${sql.arg(after[column] ?? null)}`);
    return { sql: `UPDATE ${table} SET ${assignments.join(", ")} WHERE ${unchanged}`, values: sql.args };
  }
  const after = change.after;
  if (!after || typeof after.sync_version !== "string") return undefined;
  const meta = parseVersion(after.sync_version);
  if (!validVector(meta)) return undefined;
  // A null is left to the column's default, which is null for every column that can hold one
  // (test/core/history/statements.test.ts): the server compiles each value it is sent.
  const columns = Object.keys(after).filter((column) => after[column] != null);
  const values = columns.map((column) => sql.arg(after[column]!));
  const insert = `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${values.join(", ")}) ON CONFLICT (task_id) DO UPDATE SET`;
  const isFirst = meta.s === 1 && after.sync_siblings == null && meta.m === undefined;
  const incoming = sql.arg(siblingsText(versionsOf(table, after), isFirst));
  const conflict = isFirst
    ? besideStored(table, incoming)
    : mergedWithStored(sql, table, meta, Object.keys(after), columns, incoming);
  // One line: the text goes to the server with every change, which compiles each anew.
  return { sql: `${insert} ${conflict}`.replace(/\s+/g, " "), values: sql.args };
}

/**
 * The first version a replica makes of a task (it had seen no other) is what most pushed changes
 * are, and they rarely meet a stored row. Where one does, the incoming version had seen none of
 * it, so it is only added beside the row, which stays as it was (see {@link ADDED_BESIDE}). One
 * concatenation: the server compiles this branch for every such change whether or not it runs.
 */
function besideStored(table: VersionedTable, incoming: string): string {
  return `sync_siblings = IFNULL(${table}.sync_siblings, '') || ${incoming}`;
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
function mergedWithStored(
  sql: Sql,
  table: VersionedTable,
  meta: VersionMeta,
  columns: readonly string[],
  sent: readonly string[],
  incoming: string,
): string {
  const own = columns.filter(
    (column) => column !== "task_id" && !(VERSION_COLUMNS as readonly string[]).includes(column),
  );
  const assignments = own.map((column) => `${column} = ${sent.includes(column) ? `excluded.${column}` : "NULL"}`);
  const wins = seenBy(sql, table, meta);
  const replicas = Object.keys(meta.vv);
  const joinedCounts = replicas.map(
    (replica) =>
      `, '$.vv."${replica}"', MAX(${storedCount(table, replica)}, ${sql.arg(meta.vv[replica]!, `vv:${replica}`)})`,
  );
  const added = replicas.map(
    (replica) => ` + MAX(0, ${sql.arg(meta.vv[replica]!, `vv:${replica}`)} - ${storedCount(table, replica)})`,
  );
  // The stored vector whole before it is joined: as stored, or implied by its writer and count.
  const storedVector = `json(COALESCE(${table}.sync_version -> '$.vv', json_object(${table}.sync_version ->> '$.w', ${storedSum(table)})))`;
  assignments.push(
    `sync_version = CASE WHEN ${wins} THEN excluded.sync_version
       ELSE json_set(${table}.sync_version, '$.vv', ${storedVector}${joinedCounts.join("")}, '$.s', ${storedSum(table)}${added.join("")},
                     '$.c', MAX(${table}.sync_version ->> '$.c', ${sql.arg(meta.c)}), '$.m', 1) END`,
  );
  // The stored versions: its sibling list when it shows a merge, else the row itself and any
  // siblings beside it.
  const list = `${table}.sync_siblings`;
  const storedColumns = own.length
    ? `json_object(${own.map((column) => `'${column}', ${table}.${column}`).join(", ")})`
    : "json('{}')";
  const storedVersion = `json_object('place', '${placeOf(table)}', 'columns', ${storedColumns}, 'version', json(${table}.sync_version))`;
  assignments.push(
    `sync_siblings = CASE WHEN ${wins} THEN excluded.sync_siblings
       ELSE CASE WHEN ${table}.sync_version ->> '$.m' IS NOT NULL THEN ${list} ELSE ',' || ${storedVersion} || IFNULL(${list}, '') END || ${incoming} END`,
  );
  return assignments.join(", ");
}

/** Which recorded fields a table's rows hold. */
export const recordedIn = (columns: Iterable<string>) =>
  RECORDED_FIELDS.filter((field) => [...columns].includes(field));
