/**
 * Reading a file as it is: its header and live tables in one snapshot, whose file it is, and
 * how its tables compare with the versions a lineage defines. Nothing here writes; the migrator
 * decides from what this reads.
 */
import type { Capabilities, Executor } from "../driver/driver.ts";
import { ForeignDatabaseError, NotSqliteError } from "../shared/errors.ts";
import { APPLICATION_ID, type AddedObjects } from "./schema.ts";
import { uniqcTables } from "./uniqc-lineage.ts";

/** Live columns per table, read from `sqlite_master` and `pragma_table_info`. */
export type LiveSchema = ReadonlyMap<string, ReadonlySet<string>>;

/** The tables and indexes a schema version requires. */
export interface VersionShape {
  readonly version: number;
  readonly tables: Readonly<Record<string, readonly string[]>>;
  readonly indexes: readonly string[];
}

export interface FileState {
  readonly applicationId: number;
  readonly userVersion: number;
  readonly schema: LiveSchema;
  /** Indexes and triggers, by name. */
  readonly objects: ReadonlySet<string>;
}

/** What reading a file needs to know of its driver. */
export type Reading = Pick<Capabilities, "internalTables" | "tableValuedPragmas">;

type HeaderAndColumn = { application_id: number; user_version: number; tbl: string | null; col: string | null };

/**
 * Reads the header and the tables in one statement, so they come from one snapshot: read
 * separately, another process could commit a migration step in between, and its new version
 * would seem to belong to the old tables. Where the engine's table-valued pragmas cannot be used,
 * they are read statement by statement; only a replica's engine is such, and one process owns it.
 */
export async function readFile(db: Executor, reading: Reading): Promise<FileState> {
  const internal = reading.internalTables ?? [];
  let rows: HeaderAndColumn[];
  try {
    rows =
      reading.tableValuedPragmas === false
        ? await readByStatements(db, internal)
        : await db.all(
            `SELECT h.application_id, h.user_version, s.tbl, s.col
               FROM (SELECT (SELECT application_id FROM pragma_application_id) AS application_id,
                            (SELECT user_version FROM pragma_user_version) AS user_version) AS h
               LEFT JOIN (${LIVE_COLUMNS}) AS s`,
          );
  } catch (error) {
    // Drivers word this differently but all carry SQLite's own message.
    if (/not a database|file is encrypted/i.test(String((error as Error)?.message))) {
      throw new NotSqliteError("The file is not a SQLite database; it was left untouched.", { cause: error });
    }
    throw error;
  }
  const [first] = rows;
  const ours = rows.filter((row) => row.tbl !== null && !internal.some((prefix) => row.tbl!.startsWith(prefix)));
  return {
    applicationId: Number(first?.application_id ?? 0),
    userVersion: Number(first?.user_version ?? 0),
    schema: toSchema(ours.filter((row) => row.col !== null) as { tbl: string; col: string }[]),
    objects: new Set(ours.filter((row) => row.col === null).map((row) => row.tbl!)),
  };
}

/** The same rows as the one statement gives, from plain `PRAGMA` statements, one per table. */
async function readByStatements(db: Executor, internal: readonly string[]): Promise<HeaderAndColumn[]> {
  const [header] = await db.all<{ application_id: number }>("PRAGMA application_id");
  const [version] = await db.all<{ user_version: number }>("PRAGMA user_version");
  const head = { application_id: header?.application_id ?? 0, user_version: version?.user_version ?? 0 };
  const objects = await db.all<{ type: string; name: string }>(
    "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'index', 'trigger') AND name NOT LIKE 'sqlite_%'",
  );
  const rows: HeaderAndColumn[] = [];
  for (const { type, name } of objects) {
    if (internal.some((prefix) => name.startsWith(prefix))) continue;
    if (type !== "table") {
      rows.push({ ...head, tbl: name, col: null });
      continue;
    }
    const columns = await db.all<{ name: string }>(`PRAGMA table_info("${name.replaceAll('"', '""')}")`);
    for (const column of columns) rows.push({ ...head, tbl: name, col: column.name });
  }
  return rows.length > 0 ? rows : [{ ...head, tbl: null, col: null }];
}

/** Each table's columns, and each index and trigger by name with no column. */
const LIVE_COLUMNS = `SELECT m.name AS tbl, p.name AS col
  FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p
 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
 UNION ALL
SELECT name, NULL FROM sqlite_master WHERE type IN ('index', 'trigger') AND name NOT LIKE 'sqlite_%'`;

function toSchema(rows: readonly { tbl: string; col: string }[]): LiveSchema {
  const schema = new Map<string, Set<string>>();
  for (const { tbl, col } of rows) {
    const columns = schema.get(tbl) ?? new Set();
    schema.set(tbl, columns.add(col));
  }
  return schema;
}

/** Refuses files that belong to another program, before anything is written. */
export function checkOwnership(applicationId: number, schema: LiveSchema): void {
  if (applicationId !== 0 && applicationId !== APPLICATION_ID) {
    throw new ForeignDatabaseError(
      `The file belongs to another application (application_id 0x${(applicationId >>> 0).toString(16)}); it was left untouched.`,
    );
  }
  // An unstamped file is ours to stamp only if it is empty or already holds our tables (a
  // replica, or a copy made by a tool that dropped the header); not someone else's database.
  if (applicationId === 0 && schema.size > 0 && !schema.has("tasks")) {
    const names = [...schema.keys()].slice(0, 3).join(", ");
    throw new ForeignDatabaseError(
      `The file is a SQLite database with other tables (${names}) and no task cache; it was left untouched.`,
    );
  }
}

/** The version of the seed lineage a file's tables show: how steps after v2, and every step on a replica, are known. */
export function inferVersion(
  schema: LiveSchema,
  objects: ReadonlySet<string>,
  migrations: readonly VersionShape[],
): number {
  let version = 0;
  for (const migration of migrations) {
    const complete =
      Object.entries(migration.tables).every(([table, columns]) =>
        columns.every((column) => schema.get(table)?.has(column)),
      ) && migration.indexes.every((index) => objects.has(index));
    if (!complete) break;
    version = migration.version;
  }
  return version;
}

/**
 * How the live tables differ from `required` (tables that must exist with these columns) and
 * from `known` (every column a table may have, `extraNote` saying whose those others are).
 */
function tableProblems(
  schema: LiveSchema,
  required: Readonly<Record<string, readonly string[]>>,
  known: Readonly<Record<string, readonly string[]>>,
  extraNote: string,
): string[] {
  const problems: string[] = [];
  for (const [table, columns] of Object.entries(required)) {
    const live = schema.get(table);
    if (!live) problems.push(`table ${table} is missing`);
    const missing = live ? columns.filter((column) => !live.has(column)) : [];
    if (missing.length > 0) problems.push(`${table} lacks ${missing.join(", ")}`);
  }
  for (const [table, columns] of Object.entries(known)) {
    const extra = [...(schema.get(table) ?? [])].filter((column) => !columns.includes(column));
    if (extra.length > 0) problems.push(`${table} has ${extra.join(", ")}, ${extraNote}`);
  }
  return problems;
}

/**
 * Says how the live tables differ from the version the file claims, or returns undefined when
 * they match. Columns of our later versions are allowed (a replica may carry the tables without
 * the header); columns we never defined mean another program's lineage.
 */
export function describeMismatch(
  schema: LiveSchema,
  migrations: readonly VersionShape[],
  claimed: number,
): string | undefined {
  const problems = tableProblems(
    schema,
    migrations[claimed - 1]?.tables ?? {},
    migrations[migrations.length - 1]?.tables ?? {},
    "which this build never defined",
  );
  if (problems.length === 0) return undefined;
  return `the file says schema v${claimed} but its tables differ from ours (${problems.join("; ")}); it was written by another program`;
}

/** Says how a file of the uniqc lineage differs from the version it claims, or undefined when it matches. */
export function describeUniqcMismatch(schema: LiveSchema, claimed: number): string | undefined {
  // Its columns show v3 at least, whatever the header says.
  const required = uniqcTables(Math.max(claimed, 3));
  // compiled_circuit_json is this cache's seed-era column, carried along by that package.
  const known = Object.fromEntries(
    (["tasks", "archived_tasks"] as const).map((table) => [table, [...required[table]!, "compiled_circuit_json"]]),
  );
  const problems = [
    ...(claimed < 3 ? ["it has error_message, which that package added in its v3"] : []),
    ...tableProblems(schema, required, known, "which neither lineage defines"),
  ];
  if (problems.length === 0) return undefined;
  return `the file says v${claimed} of the uniqc package's lineage but its tables differ (${problems.join("; ")}); it was written by another program`;
}

/** Whether the live schema has every object of `added`. */
export const hasAdded = (schema: LiveSchema, added: AddedObjects) =>
  [...Object.entries(added.columns), ...Object.entries(added.tables)].every(([table, columns]) =>
    columns.every((column) => schema.get(table)?.has(column)),
  );

/** The live schema without the objects of `added`, as the schema versions know it. */
export function withoutAdded(schema: LiveSchema, added: AddedObjects): LiveSchema {
  const rest = new Map<string, ReadonlySet<string>>();
  for (const [table, columns] of schema) {
    if (table in added.tables) continue;
    const extra = added.columns[table] ?? [];
    rest.set(table, new Set([...columns].filter((column) => !extra.includes(column))));
  }
  return rest;
}
