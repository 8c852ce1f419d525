/**
 * The retention policy of a running server (`--archive-after`, `--purge-after`): one run at start,
 * then one every interval, never two at once. `/api/health` shows how it stands.
 */
import type { MaintenanceReport, RetentionPolicy, TaskCache } from "../../core/index.ts";
import { formatTimestamp, messageOf } from "../../core/index.ts";

export interface MaintenanceState {
  archive_after_hours: number | null;
  purge_after_hours: number | null;
  every_ms: number;
  last: MaintenanceReport | null;
  last_error: { at: string; message: string } | null;
  next_run: string | null;
}

export function startMaintenance(cache: Pick<TaskCache, "maintain">, policy: RetentionPolicy, everyMs: number) {
  let last: MaintenanceReport | null = null;
  let lastError: MaintenanceState["last_error"] = null;
  let nextRun: Date | null = new Date();
  let running: Promise<void> | undefined;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const run = async () => {
    try {
      last = await cache.maintain(policy);
      lastError = null;
    } catch (error) {
      lastError = { at: formatTimestamp(new Date()), message: messageOf(error) };
    }
  };
  const schedule = (ms: number) => {
    if (stopped) return;
    nextRun = new Date(Date.now() + ms);
    timer = setTimeout(() => {
      running = run().finally(() => {
        running = undefined;
        schedule(everyMs);
      });
    }, ms);
  };
  schedule(0);

  return {
    state: (): MaintenanceState => ({
      archive_after_hours: policy.archiveAfterHours ?? null,
      purge_after_hours: policy.purgeAfterHours ?? null,
      every_ms: everyMs,
      last,
      last_error: lastError,
      next_run: running || stopped || !nextRun ? null : formatTimestamp(nextRun),
    }),
    /** Stops the schedule and waits for a run in progress (its transactions are short). */
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
