/**
 * Retention as a policy: finished tasks move to the archive after a while, and archived tasks go
 * for good after a longer one. Both run in short transactions with a pause between them, so
 * another writer of the file (the Python package, whose `sqlite3` gives up after five seconds of
 * waiting) is never kept waiting for more than one of them, however many tasks a run moves.
 */
import * as v from "valibot";
import { MAINTENANCE_ROWS, SHORT_TRANSACTIONS, type Batch } from "../store/batches.ts";
import { formatTimestamp, type Clock } from "../shared/timestamps.ts";
import { HoursSchema, parseInput } from "../shared/validation.ts";
import type { Archive } from "./archive.ts";
import { Stamp, Whole } from "../shared/shapes.ts";

const Hours = v.optional(HoursSchema);

export const RetentionPolicySchema = v.object({
  /** Finished tasks submitted longer ago than this are archived; none when left out. */
  archiveAfterHours: Hours,
  /** Archived tasks archived longer ago than this are deleted for good; none when left out. */
  purgeAfterHours: Hours,
});
export type RetentionPolicy = v.InferInput<typeof RetentionPolicySchema>;

/** What one maintenance run did. */
export const MaintenanceReportSchema = v.object({
  ran_at: Stamp,
  archived: Whole,
  purged: Whole,
  took_ms: v.number(),
  transactions: Whole,
  longest_transaction_ms: v.pipe(
    v.number(),
    v.description("The longest time one of its transactions held the write lock"),
  ),
});
export type MaintenanceReport = v.InferOutput<typeof MaintenanceReportSchema>;

/** The retention policy, run once. */
export interface Retention {
  /** Archives finished tasks and purges old archived ones, in short transactions; `onProgress` hears each. */
  maintain(
    policy: RetentionPolicy,
    options?: { onProgress?: (rows: number) => void; rows?: number },
  ): Promise<MaintenanceReport>;
}

export function retentionOperations(archive: Archive, clock: Clock): Retention {
  return {
    /**
     * Runs the policy once. `onProgress` is told how many tasks each transaction moved or
     * deleted, as it goes.
     */
    async maintain(
      policy: RetentionPolicy,
      options: { onProgress?: (rows: number) => void; rows?: number } = {},
    ): Promise<MaintenanceReport> {
      const { archiveAfterHours, purgeAfterHours } = parseInput(RetentionPolicySchema, policy);
      const started = performance.now();
      const ranAt = formatTimestamp(clock());
      let transactions = 0;
      let longest = 0;
      const batch: Batch = {
        ...SHORT_TRANSACTIONS,
        rows: options.rows ?? MAINTENANCE_ROWS,
        onTransaction(ms, rows) {
          transactions++;
          longest = Math.max(longest, ms);
          options.onProgress?.(rows);
        },
      };
      const archived =
        archiveAfterHours === undefined
          ? 0
          : (await archive.archiveExpired({ hours: archiveAfterHours }, batch)).archived.length;
      const purged =
        purgeAfterHours === undefined
          ? 0
          : (await archive.purgeArchived({ olderThanHours: purgeAfterHours }, batch)).count;
      return {
        ran_at: ranAt,
        archived,
        purged,
        took_ms: Math.round(performance.now() - started),
        transactions,
        longest_transaction_ms: Math.round(longest * 10) / 10,
      };
    },
  };
}
