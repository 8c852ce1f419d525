/**
 * The schema history of `tasks.sqlite`, as data.
 *
 * v1 and v2 are the seed's DDL verbatim (shared with the Python store); v3 adds the compiled
 * circuit to both tables. Append only: never edit or reorder a released step, the files in
 * users' homes were made by them.
 */

/** The `application_id` header of our files: the bytes `UNIC`. */
export const APPLICATION_ID = 0x554e4943;

/** A column added to an existing table; skipped when the live table already has it. */
export interface AddColumn {
  readonly table: string;
  readonly column: string;
  readonly sql: string;
}

/** One statement of a step: idempotent SQL (`IF NOT EXISTS`), or a guarded column addition. */
export type SchemaChange = string | AddColumn;

/** One schema version: the changes that take a file from `version - 1` to `version`. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** Each change is its own statement: libSQL's `execute("A; B")` silently runs only `A`. */
  readonly changes: readonly SchemaChange[];
  /** The columns each table has once this step has run, used to recognise a file's shape. */
  readonly tables: Readonly<Record<string, readonly string[]>>;
}

const V1_COLUMNS = [
  "task_id",
  "backend",
  "status",
  "shots",
  "submit_time",
  "update_time",
  "result_json",
  "metadata_json",
] as const;

const V3_COLUMNS = [...V1_COLUMNS, "compiled_circuit_json"] as const;

export const MIGRATIONS: readonly Migration[] = Object.freeze<Migration[]>([
  {
    version: 1,
    name: "initial schema",
    changes: [
      `CREATE TABLE IF NOT EXISTS tasks (
        task_id TEXT PRIMARY KEY,
        backend TEXT NOT NULL,
        status TEXT NOT NULL,
        shots INTEGER NOT NULL DEFAULT 0,
        submit_time TEXT NOT NULL,
        update_time TEXT NOT NULL,
        result_json TEXT,
        metadata_json TEXT NOT NULL DEFAULT '{}'
      )`,
      "CREATE INDEX IF NOT EXISTS tasks_backend_idx ON tasks(backend)",
      "CREATE INDEX IF NOT EXISTS tasks_status_idx ON tasks(status)",
      "CREATE INDEX IF NOT EXISTS tasks_submit_time_idx ON tasks(submit_time)",
    ],
    tables: { tasks: V1_COLUMNS },
  },
  {
    version: 2,
    name: "archive support",
    changes: [
      `CREATE TABLE IF NOT EXISTS archived_tasks (
        task_id TEXT PRIMARY KEY,
        backend TEXT NOT NULL,
        status TEXT NOT NULL,
        shots INTEGER NOT NULL DEFAULT 0,
        submit_time TEXT NOT NULL,
        update_time TEXT NOT NULL,
        result_json TEXT,
        metadata_json TEXT NOT NULL DEFAULT '{}',
        archived_at TEXT NOT NULL
      )`,
      "CREATE INDEX IF NOT EXISTS archived_backend_idx ON archived_tasks(backend)",
      "CREATE INDEX IF NOT EXISTS archived_status_idx ON archived_tasks(status)",
      "CREATE INDEX IF NOT EXISTS archived_submit_time_idx ON archived_tasks(submit_time)",
    ],
    tables: { tasks: V1_COLUMNS, archived_tasks: [...V1_COLUMNS, "archived_at"] },
  },
  {
    version: 3,
    name: "compiled circuit storage",
    changes: [
      { table: "tasks", column: "compiled_circuit_json", sql: "ALTER TABLE tasks ADD COLUMN compiled_circuit_json TEXT" },
      {
        table: "archived_tasks",
        column: "compiled_circuit_json",
        sql: "ALTER TABLE archived_tasks ADD COLUMN compiled_circuit_json TEXT",
      },
    ],
    tables: { tasks: V3_COLUMNS, archived_tasks: [...V3_COLUMNS, "archived_at"] },
  },
]);

/** The newest schema version this build knows. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** The columns shared by `tasks` and `archived_tasks` at the current version, in table order. */
export const TASK_COLUMNS: readonly string[] = V3_COLUMNS;
