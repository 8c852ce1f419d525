/**
 * What a synced replica keeps besides the tasks, for the merge rule: each row's version and its
 * siblings, a tombstone for each deleted task (so that a version made before the delete
 * cannot bring it back), and what it took from its machine's own cache file. The replica file is the sync engine's own, never the Python package's,
 * so these live only there; a local file never has them.
 */
import type { Capabilities } from "../driver/driver.ts";
import { hasAdded, type LiveSchema } from "../file/introspection.ts";
import type { AddedObjects, SchemaChange } from "../file/schema.ts";
import { UNVERSIONED_JSON } from "./version.ts";
import { VERSION_COLUMNS } from "./statements.ts";

const versionColumns = (table: string): SchemaChange[] => [
  {
    table,
    column: "sync_version",
    // Rows from before versions take the version every later one has seen.
    sql: `ALTER TABLE ${table} ADD COLUMN sync_version TEXT NOT NULL DEFAULT '${UNVERSIONED_JSON}'`,
  },
  { table, column: "sync_siblings", sql: `ALTER TABLE ${table} ADD COLUMN sync_siblings TEXT` },
];

/** The replica's merge objects, each statement alone and safe to run twice. */
export const HISTORY_CHANGES: readonly SchemaChange[] = [
  ...versionColumns("tasks"),
  ...versionColumns("archived_tasks"),
  `CREATE TABLE IF NOT EXISTS sync_tombstones (
    task_id TEXT PRIMARY KEY,
    sync_version TEXT NOT NULL,
    sync_siblings TEXT
  )`,
  // What this replica last took from each task of its machine's own cache file, by the file's
  // writer (see file-versions.ts): `import_key` is that writer's id, a slash, and the task id.
  `CREATE TABLE IF NOT EXISTS sync_imports (
    import_key TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    sync_version TEXT NOT NULL
  )`,
  // The mark each replica last left, by its id (see twins.ts).
  `CREATE TABLE IF NOT EXISTS sync_replicas (
    replica_id TEXT PRIMARY KEY,
    mark TEXT NOT NULL
  )`,
  // The rows a settle must look at after every pull: few, found without a scan.
  "CREATE INDEX IF NOT EXISTS tasks_siblings_idx ON tasks(task_id) WHERE sync_siblings IS NOT NULL",
  "CREATE INDEX IF NOT EXISTS archived_siblings_idx ON archived_tasks(task_id) WHERE sync_siblings IS NOT NULL",
  "CREATE INDEX IF NOT EXISTS tombstones_siblings_idx ON sync_tombstones(task_id) WHERE sync_siblings IS NOT NULL",
];

/** The merge objects, as the migrator adds them to a replica once its schema is current. */
export const HISTORY_OBJECTS: AddedObjects = {
  changes: HISTORY_CHANGES,
  columns: { tasks: VERSION_COLUMNS, archived_tasks: VERSION_COLUMNS },
  tables: {
    sync_tombstones: ["task_id", ...VERSION_COLUMNS],
    sync_imports: ["import_key", "digest", "sync_version"],
    sync_replicas: ["replica_id", "mark"],
  },
};

/** The objects a file of these capabilities keeps beside the schema versions: a replica's merge objects. */
export const addedObjectsOf = (capabilities: Pick<Capabilities, "synced">) =>
  capabilities.synced ? HISTORY_OBJECTS : undefined;

/** Whether the replica has every merge object. */
export const hasHistory = (schema: LiveSchema) => hasAdded(schema, HISTORY_OBJECTS);
