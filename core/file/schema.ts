/**
 * The schema history of `tasks.sqlite`, as data.
 *
 * v1 and v2 are the seed's DDL verbatim (shared with the Python store); v3 adds the compiled
 * circuit to both tables; v4 adds what keeps listings fast at a million rows (indexes in listing
 * order, and counters kept by triggers), which the seed-era Python store writes through. Append
 * only: never edit or reorder a released step, the files in users' homes were made by them.
 * Synced replicas came later: what a step does only off replicas is marked `unsynced`, which
 * leaves its effect on every file exactly as released.
 *
 * The Python package later numbered steps of its own v3 to v5 (see uniqc-lineage.ts), so the
 * header of a file of this lineage says at most {@link SHARED_VERSION}; v3 and v4 are known by
 * what they made (`tables`, `indexes`), as on a replica, which keeps no header at all.
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

/**
 * Objects a kind of file keeps beside the schema versions (a synced replica's merge objects):
 * added once its last step has run, and left out when its version is read from its shape.
 */
export interface AddedObjects {
  readonly changes: readonly SchemaChange[];
  /** Columns they add to the versions' tables, by table. */
  readonly columns: Readonly<Record<string, readonly string[]>>;
  /** Tables of their own, with their columns. */
  readonly tables: Readonly<Record<string, readonly string[]>>;
}

/** One schema version: the changes that take a file from `version - 1` to `version`. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** Each change is its own statement: libSQL's `execute("A; B")` silently runs only `A`. */
  readonly changes: readonly SchemaChange[];
  /** The columns each table has once this step has run, used to recognise a file's shape. */
  readonly tables: Readonly<Record<string, readonly string[]>>;
  /** Indexes this step makes, for a step that adds no column: how a replica, which keeps no version, shows it ran. */
  readonly indexes?: readonly string[];
  /**
   * What the step does only on a file that is not a synced replica (see `Capabilities.synced`),
   * after `changes`: objects kept by triggers, which do not travel; and the seed's single-column
   * indexes, made by v1 and v2 and dropped by v4. A replica never has them: the replica engine's
   * planner prefers them to the listing indexes and then sorts, and it fails to replay a drop
   * that another replica made too.
   */
  readonly unsynced?: {
    readonly changes: readonly SchemaChange[];
    readonly tables: Readonly<Record<string, readonly string[]>>;
  };
}

/** The columns of `tasks` at v1, shared by both lineages. */
export const V1_COLUMNS = [
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

/** The listing indexes of a table: each filter's columns, then the listing order. */
const ORDER_INDEXES = [
  ["order", "submit_time, task_id"],
  ["status_order", "status, submit_time, task_id"],
  ["backend_order", "backend, submit_time, task_id"],
  ["backend_status_order", "backend, status, submit_time, task_id"],
] as const;

/** The listing indexes of `table`, each named `${prefix}_${what}_idx`. */
export function orderIndexes(prefix: string, table: string): { name: string; sql: string }[] {
  return ORDER_INDEXES.map(([what, columns]) => {
    const name = `${prefix}_${what}_idx`;
    return { name, sql: `CREATE INDEX IF NOT EXISTS ${name} ON ${table}(${columns})` };
  });
}

/** Where a file keeps its row counts, and the prefix of the triggers that keep them. */
export interface CounterNames {
  readonly table: string;
  readonly triggerPrefix: string;
}

/** The counters of the seed lineage's v4. */
export const SEED_COUNTERS: CounterNames = { table: "task_counts", triggerPrefix: "" };

/** Triggers that keep the counters equal to the rows of `table`, whoever writes them. */
export function countTriggers(table: "tasks" | "archived_tasks", counters: CounterNames = SEED_COUNTERS) {
  const { table: counts, triggerPrefix } = counters;
  const add = (row: "NEW" | "OLD") =>
    `INSERT INTO ${counts} (tbl, backend, status, n) VALUES ('${table}', ${row}.backend, ${row}.status, 1)
       ON CONFLICT (tbl, backend, status) DO UPDATE SET n = n + 1;`;
  // A row being removed was counted, so its counter exists: a plain UPDATE, cheaper than an upsert.
  const remove = (row: "NEW" | "OLD") =>
    `UPDATE ${counts} SET n = n - 1 WHERE tbl = '${table}' AND backend = ${row}.backend AND status = ${row}.status;`;
  const name = (kind: string) => `${triggerPrefix}${table}_count_${kind}`;
  return {
    insert: {
      name: name("insert"),
      sql: `CREATE TRIGGER IF NOT EXISTS ${name("insert")} AFTER INSERT ON ${table} BEGIN ${add("NEW")} END`,
    },
    delete: {
      name: name("delete"),
      sql: `CREATE TRIGGER IF NOT EXISTS ${name("delete")} AFTER DELETE ON ${table} BEGIN ${remove("OLD")} END`,
    },
    update: {
      name: name("update"),
      sql: `CREATE TRIGGER IF NOT EXISTS ${name("update")} AFTER UPDATE OF backend, status ON ${table}
       WHEN OLD.backend IS NOT NEW.backend OR OLD.status IS NOT NEW.status
     BEGIN ${remove("OLD")} ${add("NEW")} END`,
    },
  };
}

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
    ],
    tables: { tasks: V1_COLUMNS },
    unsynced: {
      changes: [
        "CREATE INDEX IF NOT EXISTS tasks_backend_idx ON tasks(backend)",
        "CREATE INDEX IF NOT EXISTS tasks_status_idx ON tasks(status)",
        "CREATE INDEX IF NOT EXISTS tasks_submit_time_idx ON tasks(submit_time)",
      ],
      tables: {},
    },
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
    ],
    tables: { tasks: V1_COLUMNS, archived_tasks: [...V1_COLUMNS, "archived_at"] },
    unsynced: {
      changes: [
        "CREATE INDEX IF NOT EXISTS archived_backend_idx ON archived_tasks(backend)",
        "CREATE INDEX IF NOT EXISTS archived_status_idx ON archived_tasks(status)",
        "CREATE INDEX IF NOT EXISTS archived_submit_time_idx ON archived_tasks(submit_time)",
      ],
      tables: {},
    },
  },
  {
    version: 3,
    name: "compiled circuit storage",
    changes: [
      {
        table: "tasks",
        column: "compiled_circuit_json",
        sql: "ALTER TABLE tasks ADD COLUMN compiled_circuit_json TEXT",
      },
      {
        table: "archived_tasks",
        column: "compiled_circuit_json",
        sql: "ALTER TABLE archived_tasks ADD COLUMN compiled_circuit_json TEXT",
      },
    ],
    tables: { tasks: V3_COLUMNS, archived_tasks: [...V3_COLUMNS, "archived_at"] },
  },
  {
    version: 4,
    name: "listing indexes and counters",
    changes: [
      // Each listing's filter, then its order: newest first comes from walking these backwards,
      // with no sort and no temporary B-tree, whatever the filter.
      ...[...orderIndexes("tasks", "tasks"), ...orderIndexes("archived", "archived_tasks")].map((index) => index.sql),
    ],
    tables: { tasks: V3_COLUMNS, archived_tasks: [...V3_COLUMNS, "archived_at"] },
    indexes: [...orderIndexes("tasks", "tasks"), ...orderIndexes("archived", "archived_tasks")].map(
      (index) => index.name,
    ),
    unsynced: {
      changes: [
        // The seed's single-column indexes are prefixes of those: every write paid for them, no
        // read needs them. The seed-era Python store creates them only below v2.
        ...["tasks_backend_idx", "tasks_status_idx", "tasks_submit_time_idx"].map(
          (name) => `DROP INDEX IF EXISTS ${name}`,
        ),
        ...["archived_backend_idx", "archived_status_idx", "archived_submit_time_idx"].map(
          (name) => `DROP INDEX IF EXISTS ${name}`,
        ),
        // Row counts per table, backend and status, so `total` and counts read a few rows instead
        // of counting a million. Triggers keep them right for every writer, the Python store too.
        // The text as v4 was released with: SQLite keeps it, as written, in the file.
        `CREATE TABLE IF NOT EXISTS task_counts (
        tbl TEXT NOT NULL,
        backend TEXT NOT NULL,
        status TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (tbl, backend, status)
      ) WITHOUT ROWID`,
        // Recounted from scratch, so running the step again stays exact.
        "DELETE FROM task_counts",
        "INSERT INTO task_counts SELECT 'tasks', backend, status, COUNT(*) FROM tasks GROUP BY backend, status",
        "INSERT INTO task_counts SELECT 'archived_tasks', backend, status, COUNT(*) FROM archived_tasks GROUP BY backend, status",
        ...(["tasks", "archived_tasks"] as const).flatMap((table) =>
          Object.values(countTriggers(table)).map((trigger) => trigger.sql),
        ),
      ],
      tables: { task_counts: ["tbl", "backend", "status", "n"] },
    },
  },
]);

/** The last version both lineages share: the highest `user_version` this cache writes. */
export const SHARED_VERSION = 2;

/** The newest schema version this build knows. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** The columns shared by `tasks` and `archived_tasks` at the current version, in table order. */
export const TASK_COLUMNS: readonly string[] = V3_COLUMNS;
