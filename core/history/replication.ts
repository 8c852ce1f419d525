/**
 * The sync loop of a replica: push the local changes, pull the server's, settle the tasks they
 * left with siblings or in two places (history/settle.ts), and push what the settling wrote; on
 * an interval and on demand.
 *
 * A failed round changes nothing that was written locally: the engine keeps unpushed changes in
 * its log, and the next round that reaches the server sends them. While the server cannot be
 * reached, rounds back off, doubling the wait up to {@link MAX_BACKOFF_MS}.
 */
import * as v from "valibot";
import type { DriverReplica, Transaction } from "../driver/driver.ts";
import { SyncError, messageOf } from "../shared/errors.ts";
import { SettleResultSchema, type SettleResult } from "./settle.ts";
import { Mutex } from "../driver/mutex.ts";
import { nowTimestamp, type Clock } from "../shared/timestamps.ts";
import { Stamp, Text, Whole } from "../shared/shapes.ts";

/** What one round moved. */
export const SyncReportSchema = v.object({
  pulled: v.pipe(v.boolean(), v.description("The server had changes, and they were applied")),
  pushed: v.pipe(Whole, v.description("Row and schema changes this round pushed")),
  reconciled: SettleResultSchema,
});
export type SyncReport = v.InferOutput<typeof SyncReportSchema>;

const failure = v.nullable(v.object({ at: Stamp, message: Text }));

/** How the replica stands with its server. */
export const SyncStateSchema = v.object({
  replica_id: v.pipe(Text, v.description("This replica's id, the origin of the task versions it makes")),
  last_pull: v.nullable(Stamp),
  last_push: v.nullable(Stamp),
  pending_changes: v.pipe(Whole, v.description("Row and schema changes made here and not yet pushed")),
  last_error: failure,
  interval_ms: v.pipe(Whole, v.description("Time between sync rounds; 0 when rounds run only on request")),
  failures: v.pipe(Whole, v.description("Rounds failed in a row; the wait before the next doubles with each")),
});
export type SyncState = v.InferOutput<typeof SyncStateSchema>;

export const MAX_BACKOFF_MS = 5 * 60_000;

export interface Replication {
  /** Runs one round now (after the one in flight, if any) and says what moved. Throws {@link SyncError}. */
  sync(): Promise<SyncReport>;
  state(): Promise<SyncState>;
  /** Stops the interval, waits for the round in flight, and tries a last push. */
  stop(): Promise<void>;
}

const NOTHING_SETTLED: SettleResult = Object.freeze({ active: [], archived: [], deleted: [] });

export function startReplication(
  replica: DriverReplica,
  options: {
    clock: Clock;
    intervalMs: number;
    /** Settles after each pull. */
    settle: ((tx: Transaction) => Promise<SettleResult>) | undefined;
    /** Called before a push of this replica's own changes, from a process's second round on. */
    beforePush?: (() => Promise<void>) | undefined;
    /** Called in a round whose pull brought changes, once they are settled and pushed. */
    pulled?: (() => Promise<void>) | undefined;
  },
): Replication {
  const rounds = new Mutex();
  let lastPull: string | null = null;
  let lastPush: string | null = null;
  let lastError: SyncState["last_error"] = null;
  let failures = 0;
  /** Rounds that reached the server since this process opened the replica. */
  let reached = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const round = () =>
    rounds.run(async (): Promise<SyncReport> => {
      try {
        // Pushed before the pull, local changes are merged once, on the server; pulled over
        // unpushed ones, the engine merges each again here. A push the server refuses does not
        // keep the pull from coming in; it is tried again after it.
        let pushed = await replica.pending();
        if (pushed > 0 && reached > 0) await options.beforePush?.();
        const refused = await replica.push().then(
          () => undefined,
          (error: unknown) => error,
        );
        // Every round settles every unsettled task, whatever its pull brought, so a settle that
        // failed is made again. A replica that may only be read leaves the settling to the others.
        const { settle } = options;
        const pull = await replica.pull(async (tx) => (settle ? settle(tx) : NOTHING_SETTLED));
        const pulled = pull.changed;
        lastPull = nowTimestamp(options.clock);
        const reconciled = pull.settled;
        const settling = await replica.pending();
        if (refused !== undefined || settling > 0) {
          if (refused === undefined) pushed += settling;
          await replica.push();
        }
        lastPush = nowTimestamp(options.clock);
        if (pulled) await options.pulled?.();
        reached++;
        failures = 0;
        lastError = null;
        return { pulled, pushed, reconciled };
      } catch (error) {
        failures++;
        const message = messageOf(error);
        lastError = { at: nowTimestamp(options.clock), message };
        throw new SyncError(
          `Sync with the server failed; local changes are kept and go out with the next push: ${message}`,
          { cause: error },
        );
      }
    });

  const schedule = () => {
    if (stopped || options.intervalMs <= 0) return;
    const wait = Math.min(options.intervalMs * 2 ** failures, Math.max(MAX_BACKOFF_MS, options.intervalMs));
    timer = setTimeout(
      () =>
        void round()
          .catch(() => undefined)
          .finally(schedule),
      wait,
    );
    // A library user's process may end without closing the cache; the loop must not hold it open.
    (timer as { unref?: () => void }).unref?.();
  };
  schedule();

  return {
    sync: round,
    async state() {
      return {
        replica_id: replica.id,
        last_pull: lastPull,
        last_push: lastPush,
        pending_changes: await replica.pending(),
        last_error: lastError,
        interval_ms: options.intervalMs,
        failures,
      };
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await rounds.run(() => replica.push().catch(() => undefined));
    },
  };
}
