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
export { ImportResultSchema, StoredTaskSchema, type ImportResult, type StoredTask } from "./operations/imports.ts";
export type { ExportScope } from "./operations/exports.ts";
export type { ReconcileResult } from "./history/reconcile.ts";
export { SettleResultSchema, type SettleResult } from "./history/settle.ts";
export { SyncReportSchema, SyncStateSchema, type SyncReport, type SyncState } from "./history/replication.ts";
export * from "./shared/errors.ts";
export { LineageSchema, type Lineage, type MigrationPlan, type SchemaState } from "./file/migrator.ts";
export {
  APPLICATION_ID,
  MIGRATIONS,
  SCHEMA_VERSION,
  SHARED_VERSION,
  TASK_COLUMNS,
  type Migration,
} from "./file/schema.ts";
export { OWN_PREFIX, UNIQC_NEWEST } from "./file/uniqc-lineage.ts";
export { TaskShardsSchema, type TaskShard, type TaskShards } from "./operations/shards.ts";
export {
  TaskConflictsSchema,
  type ConflictingVersion,
  type Disagreements,
  type TaskConflicts,
} from "./operations/conflicts.ts";
export { REPLICA_ID } from "./history/version.ts";
export { newReplicaId } from "./history/twins.ts";
export { MAINTENANCE_ROWS } from "./store/batches.ts";
export {
  MaintenanceReportSchema,
  RetentionPolicySchema,
  type MaintenanceReport,
  type RetentionPolicy,
} from "./operations/retention.ts";
export {
  StatusCountsSchema,
  TaskSchema,
  TaskSummarySchema,
  errorTextOf,
  type StatusCounts,
  type Task,
  type TaskSummary,
} from "./store/task-rows.ts";
export { BulkDeleteResultSchema, type BulkDeleteResult } from "./operations/tasks.ts";
export { TaskPageSchema, type TaskPage, type TaskPageText } from "./store/pages.ts";
export {
  ArchiveExpiredResultSchema,
  BulkArchiveResultSchema,
  type ArchiveExpiredResult,
  type BulkArchiveResult,
} from "./operations/archive.ts";
export {
  MatchedResultSchema,
  RestoredMatchingSchema,
  type MatchedResult,
  type RestoredMatching,
} from "./operations/matching.ts";
export {
  CompareSchema,
  ComparisonSchema,
  TaskAnalysisSchema,
  hellingerFidelity,
  totalVariation,
  type Comparison,
  type Distribution,
  type TaskAnalysis,
} from "./operations/analysis.ts";
export { MAX_QUBITS } from "./quantum/simulation/statevector.ts";
export {
  ActivityStatsSchema,
  StatsOptionsSchema,
  type ActivityStats,
  type BackendActivity,
  type StatsOptions,
  type StatusTally,
  type Turnaround,
} from "./operations/stats.ts";
export {
  CIRCUIT_FORMATS,
  CircuitFormatSchema,
  CircuitViewSchema,
  type CircuitFormat,
  type CircuitView,
} from "./operations/circuits.ts";
export { HOUR_MS, formatTimestamp, normalizeTimestamp, type Clock } from "./shared/timestamps.ts";
export * from "./shared/validation.ts";
