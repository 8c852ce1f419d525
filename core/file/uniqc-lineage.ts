/**
 * The other lineage of `tasks.sqlite`: the Python `uniqc` package's own steps after v2, and the
 * objects this cache adds to a file of that lineage.
 *
 * Its v3 added `error_message`, its v4 the task shards, its v5 gave every task a `uqt_` id (data
 * only). That package runs its steps by `user_version` alone, so this cache never writes the
 * header of such a file and never touches what those steps made. What it adds keeps listings and
 * counts fast, and holds compiled circuits, which that package does not store: every object
 * carries the prefix {@link OWN_PREFIX}, nothing else is altered, and
 * `scripts/remove-cache-objects.py` takes it all out again.
 */
import { V1_COLUMNS, countTriggers, orderIndexes, type CounterNames } from "./schema.ts";

/** The prefix of every object this cache adds to a file of the uniqc lineage. */
export const OWN_PREFIX = "tscache_";

/** The newest step of that lineage this build knows. */
export const UNIQC_NEWEST = 5;

export const SHARD_COLUMNS = [
  "uniqc_task_id",
  "shard_index",
  "platform_task_id",
  "backend",
  "circuit_count",
  "sub_index_offset",
  "status",
  "result_json",
  "error_message",
  "submit_time",
  "update_time",
] as const;

/** The columns its parent tables have from its v3 on (besides `archived_at` in the archive). */
export const UNIQC_TASK_COLUMNS = [...V1_COLUMNS, "error_message"] as const;

/** The tables each of its versions has, to check a file against the version it claims. */
export function uniqcTables(version: number): Record<string, readonly string[]> {
  const tables: Record<string, readonly string[]> = {
    tasks: version >= 3 ? UNIQC_TASK_COLUMNS : UNIQC_TASK_COLUMNS.slice(0, -1),
    archived_tasks: [...(version >= 3 ? UNIQC_TASK_COLUMNS : UNIQC_TASK_COLUMNS.slice(0, -1)), "archived_at"],
  };
  if (version >= 4) {
    tables.task_shards = SHARD_COLUMNS;
    tables.archived_task_shards = [...SHARD_COLUMNS, "archived_at"];
  }
  return tables;
}

/** Whether a file's tables are of the uniqc lineage rather than the seed's. */
export function isUniqcLineage(schema: ReadonlyMap<string, ReadonlySet<string>>): boolean {
  return Boolean(
    schema.get("tasks")?.has("error_message") ||
      schema.get("archived_tasks")?.has("error_message") ||
      schema.has("task_shards"),
  );
}

/** The counters of such a file: ours, by name. */
export const UNIQC_COUNTERS: CounterNames = { table: `${OWN_PREFIX}task_counts`, triggerPrefix: OWN_PREFIX };

/** Where compiled circuits live on such a file: keyed by task id, whichever table holds the task. */
export const COMPILED_TABLE = `${OWN_PREFIX}compiled_circuits`;

/**
 * Objects this cache made when the file was still of the seed lineage (its v4), which that
 * package's later steps carried along. They are ours, and are replaced by prefixed ones.
 */
const SEED_OBJECTS = {
  triggers: (["tasks", "archived_tasks"] as const).flatMap((table) =>
    ["insert", "delete", "update"].map((kind) => `${table}_count_${kind}`),
  ),
  tables: ["task_counts"],
  indexes: [...orderIndexes("tasks", "tasks"), ...orderIndexes("archived", "archived_tasks")].map(
    (index) => index.name,
  ),
};

const compiledKeeper = (table: "tasks" | "archived_tasks", other: "tasks" | "archived_tasks") => [
  // A move inserts the other copy before it deletes this one: only a task gone from both
  // tables loses its circuit.
  `CREATE TRIGGER IF NOT EXISTS ${OWN_PREFIX}${table}_compiled_delete AFTER DELETE ON ${table}
     WHEN NOT EXISTS (SELECT 1 FROM ${other} WHERE task_id = OLD.task_id)
   BEGIN DELETE FROM ${COMPILED_TABLE} WHERE task_id = OLD.task_id; END`,
  `CREATE TRIGGER IF NOT EXISTS ${OWN_PREFIX}${table}_compiled_rename AFTER UPDATE OF task_id ON ${table}
   BEGIN UPDATE ${COMPILED_TABLE} SET task_id = NEW.task_id WHERE task_id = OLD.task_id; END`,
];

/**
 * The objects this cache adds, in one transaction, run again whenever one is missing (every
 * statement is idempotent, and the counters are recounted). `compiledColumn` says whether the
 * tables carry this cache's seed-era `compiled_circuit_json` column: its values are copied into
 * the table of compiled circuits, which is where they are read from on this lineage.
 */
export function ownObjects(compiledColumn: boolean): {
  changes: string[];
  tables: Record<string, readonly string[]>;
  objects: string[];
} {
  const indexes = [
    ...orderIndexes(`${OWN_PREFIX}tasks`, "tasks"),
    ...orderIndexes(`${OWN_PREFIX}archived`, "archived_tasks"),
  ];
  const counterTriggers = (["tasks", "archived_tasks"] as const).flatMap((table) =>
    Object.values(countTriggers(table, UNIQC_COUNTERS)),
  );
  const keepers = [...compiledKeeper("tasks", "archived_tasks"), ...compiledKeeper("archived_tasks", "tasks")];
  return {
    changes: [
      ...SEED_OBJECTS.triggers.map((name) => `DROP TRIGGER IF EXISTS ${name}`),
      ...SEED_OBJECTS.tables.map((name) => `DROP TABLE IF EXISTS ${name}`),
      ...SEED_OBJECTS.indexes.map((name) => `DROP INDEX IF EXISTS ${name}`),
      ...indexes.map((index) => index.sql),
      `CREATE TABLE IF NOT EXISTS ${UNIQC_COUNTERS.table} (
        tbl TEXT NOT NULL,
        backend TEXT NOT NULL,
        status TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (tbl, backend, status)
      ) WITHOUT ROWID`,
      `DELETE FROM ${UNIQC_COUNTERS.table}`,
      `INSERT INTO ${UNIQC_COUNTERS.table} SELECT 'tasks', backend, status, COUNT(*) FROM tasks GROUP BY backend, status`,
      `INSERT INTO ${UNIQC_COUNTERS.table} SELECT 'archived_tasks', backend, status, COUNT(*) FROM archived_tasks GROUP BY backend, status`,
      ...counterTriggers.map((trigger) => trigger.sql),
      `CREATE TABLE IF NOT EXISTS ${COMPILED_TABLE} (task_id TEXT PRIMARY KEY, compiled_circuit_json TEXT NOT NULL)`,
      ...(compiledColumn
        ? (["tasks", "archived_tasks"] as const).map(
            (table) =>
              `INSERT OR IGNORE INTO ${COMPILED_TABLE} SELECT task_id, compiled_circuit_json FROM ${table} WHERE compiled_circuit_json IS NOT NULL`,
          )
        : []),
      ...keepers,
    ],
    tables: {
      [UNIQC_COUNTERS.table]: ["tbl", "backend", "status", "n"],
      [COMPILED_TABLE]: ["task_id", "compiled_circuit_json"],
    },
    objects: [
      ...indexes.map((index) => index.name),
      ...counterTriggers.map((trigger) => trigger.name),
      ...keepers.map((sql) => /TRIGGER IF NOT EXISTS (\S+)/.exec(sql)![1]!),
    ],
  };
}

/** Whether a file still holds objects of ours under their seed-era names. */
export function hasSeedObjects(tables: ReadonlyMap<string, unknown>, objects: ReadonlySet<string>): boolean {
  return (
    SEED_OBJECTS.tables.some((name) => tables.has(name)) ||
    [...SEED_OBJECTS.triggers, ...SEED_OBJECTS.indexes].some((name) => objects.has(name))
  );
}
