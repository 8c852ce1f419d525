/**
 * The embedded task cache: schema, migrations, tasks, archive and circuits, for any runtime.
 * It imports no driver; pair it with an adapter from `adapters/`.
 */
export {
  DEFAULT_SYNC_INTERVAL_MS,
  createTaskCache,
  inspect,
  type CacheOptions,
} from "./cache.ts";
export type {
  ActiveTasks,
  CacheInfo,
  Activity,
  Archive,
  CacheFile,
  Retention,
  TaskCache,
  TaskDetails,
  Transfer,
} from "./task-cache.ts";
export { OPERATION_KINDS, WRITE_OPERATIONS, type WriteOperation } from "./task-cache.ts";
export {
  createDriver,
  type Capabilities,
  type ChangeRewrite,
  type Connection,
  type Driver,
  type Executor,
  type PendingChange,
  type Replica,
  type ReplicaIdentity,
  type Row,
  type SqlValue,
} from "./driver/driver.ts";
export { StoredTaskSchema, type ImportResult, type StoredTask } from "./operations/imports.ts";
export type { ExportScope } from "./operations/exports.ts";
export type { ReconcileResult } from "./history/reconcile.ts";
export type { SettleResult } from "./history/settle.ts";
export type { SyncReport, SyncState } from "./history/replication.ts";
export * from "./shared/errors.ts";
export type { Lineage, MigrationPlan, SchemaState } from "./file/migrator.ts";
export {
  APPLICATION_ID,
  MIGRATIONS,
  SCHEMA_VERSION,
  SHARED_VERSION,
  TASK_COLUMNS,
  type Migration,
} from "./file/schema.ts";
export { OWN_PREFIX, UNIQC_NEWEST } from "./file/uniqc-lineage.ts";
export type { TaskShard, TaskShards } from "./operations/shards.ts";
export type { ConflictingVersion, Disagreements, TaskConflicts } from "./operations/conflicts.ts";
export { REPLICA_ID } from "./history/version.ts";
export { newReplicaId } from "./history/twins.ts";
export { MAINTENANCE_ROWS } from "./store/batches.ts";
export {
  RetentionPolicySchema,
  type MaintenanceReport,
  type RetentionPolicy,
} from "./operations/retention.ts";
export { errorTextOf, type StatusCounts, type Task, type TaskSummary } from "./store/task-rows.ts";
export type { BulkDeleteResult } from "./operations/tasks.ts";
export type { TaskPage, TaskPageText } from "./store/pages.ts";
export type { ArchiveExpiredResult, BulkArchiveResult } from "./operations/archive.ts";
export type { MatchedResult, RestoredMatching } from "./operations/matching.ts";
export {
  CompareSchema,
  hellingerFidelity,
  totalVariation,
  type Comparison,
  type Distribution,
  type TaskAnalysis,
} from "./operations/analysis.ts";
export { MAX_QUBITS } from "./quantum/simulation/statevector.ts";
export {
  StatsOptionsSchema,
  type ActivityStats,
  type BackendActivity,
  type StatsOptions,
  type StatusTally,
  type Turnaround,
} from "./operations/stats.ts";
export { CIRCUIT_FORMATS, CircuitFormatSchema, type CircuitFormat, type CircuitView } from "./operations/circuits.ts";
export { HOUR_MS, formatTimestamp, normalizeTimestamp, type Clock } from "./shared/timestamps.ts";
export * from "./shared/validation.ts";
