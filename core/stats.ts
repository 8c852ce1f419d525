/**
 * How the work went over a time range: tasks per day or week by status, and per backend their
 * success rate, shots and turnaround (submit to final status, median and p90, and its spread).
 *
 * One grouped pass over the tasks in the range gives every figure: each group is a day, a
 * backend, a status and a turnaround bin, and the rest is summed here. Turnarounds fall in bins
 * of 1–9 × 10^k seconds (the digits of the whole seconds: two string functions, on every engine),
 * and percentiles are read off the bins by linear interpolation. The answer is kept until the
 * data changes, with ages resolved to the minute so that a range like "the last 30 days" asked
 * again is the same question.
 */
import * as v from "valibot";
import { countRows } from "./group-counts.ts";
import type { Table } from "./queries.ts";
import { keptRead, type StoreContext } from "./store-context.ts";
import { formatTimestamp } from "./timestamps.ts";
import { TASK_STATUSES, TERMINAL_STATUSES, TimeBoundSchema, parseInput, type TimeBound } from "./validation.ts";

export const StatsOptionsSchema = v.object({
  since: v.optional(TimeBoundSchema),
  until: v.optional(TimeBoundSchema),
  by: v.optional(v.picklist(["day", "week"], "must be day or week"), "day"),
  /** Count archived tasks too (the default): the archive holds most finished work. */
  includeArchived: v.optional(v.boolean("must be true or false"), true),
});
export type StatsOptions = v.InferInput<typeof StatsOptionsSchema>;

/** Tasks per status; statuses other writers invented count in `total` only. */
export type StatusTally = Record<(typeof TASK_STATUSES)[number], number> & { total: number };

/** How long finished tasks took from submission to their final status. */
export interface Turnaround {
  /** Tasks in a terminal status. */
  finished: number;
  p50_s: number | null;
  p90_s: number | null;
  /** Finished tasks per bin, shortest first: each bin holds turnarounds below `below_s` and at or above the one before. */
  histogram: { below_s: number; n: number }[];
}

export interface BackendActivity {
  backend: string;
  tasks: StatusTally;
  /** Successes among finished tasks, 0 to 1; null when none finished. */
  success_rate: number | null;
  shots: number;
  turnaround: Turnaround;
}

export interface ActivityStats {
  since: string | null;
  until: string | null;
  by: "day" | "week";
  tasks: StatusTally;
  /** Each day (or week, from its Monday) with tasks, oldest first. */
  periods: { start: string; tasks: StatusTally }[];
  /** Most tasks first. */
  backends: BackendActivity[];
  turnaround: Turnaround;
}

interface Group {
  day: string;
  backend: string;
  status: string;
  n: number;
  shots: number;
  /** Digits of the whole seconds, and the first of them; null for unfinished tasks. */
  digits: number | null;
  lead: number | null;
}

const TERMINAL_LIST = TERMINAL_STATUSES.map((status) => `'${status}'`).join(", ");

/**
 * Whole seconds from submission to the last update, for finished tasks. Most finish the day they
 * were submitted, where the clock times alone give it; `julianday` only for the others.
 */
const SECONDS = `CASE WHEN status IN (${TERMINAL_LIST}) THEN max(0,
  CASE WHEN substr(update_time, 1, 10) = substr(submit_time, 1, 10)
       THEN 0 ELSE CAST(round((julianday(substr(update_time, 1, 10)) - julianday(substr(submit_time, 1, 10))) * 86400) AS INTEGER) END
  + (substr(update_time, 12, 2) * 3600 + substr(update_time, 15, 2) * 60 + substr(update_time, 18, 2))
  - (substr(submit_time, 12, 2) * 3600 + substr(submit_time, 15, 2) * 60 + substr(submit_time, 18, 2)))
END`;

/**
 * A range holding less than this share of a table is read through the listing index, a lookup a
 * row; a larger one, straight through the table, which costs about a tenth of a lookup a row.
 */
const INDEXED_SHARE = 0.05;

function groupsSql(table: Table, where: string, straight: boolean): string {
  return `SELECT substr(submit_time, 1, 10) AS day, backend, status, shots, ${SECONDS} AS secs
            FROM ${table}${straight ? " NOT INDEXED" : ""} ${where}`;
}

const emptyTally = (): StatusTally => ({ pending: 0, running: 0, success: 0, failed: 0, cancelled: 0, total: 0 });

function add(tally: StatusTally, status: string, n: number): void {
  if ((TASK_STATUSES as readonly string[]).includes(status)) tally[status as keyof StatusTally] += n;
  tally.total += n;
}

/** The Monday of a day's week, as a date. */
function mondayOf(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return day;
  date.setUTCDate(date.getUTCDate() - ((date.getUTCDay() + 6) % 7));
  return date.toISOString().slice(0, 10);
}

/** Bins, as [lower, upper) in seconds, keyed by digits and lead: 0 s alone, then 1–9 × 10^k. */
const binOf = (digits: number, lead: number): [number, number] => {
  if (lead === 0) return [0, 1];
  const unit = 10 ** (digits - 1);
  return [lead * unit, (lead + 1) * unit];
};

/** The upper bound of the bin after the one that ends at `below`: 1, 2, …, 10, 20, …, 100, 200, … */
const nextBin = (below: number): number => below + 10 ** Math.floor(Math.log10(below));

function turnaroundOf(bins: Map<string, number>): Turnaround {
  const sorted = [...bins]
    .map(([key, n]) => {
      const [digits, lead] = key.split(":").map(Number) as [number, number];
      return { range: binOf(digits, lead), n };
    })
    .sort((a, b) => a.range[0] - b.range[0]);
  const finished = sorted.reduce((sum, bin) => sum + bin.n, 0);
  const percentile = (p: number): number | null => {
    if (finished === 0) return null;
    const rank = p * finished;
    let seen = 0;
    for (const { range, n } of sorted) {
      if (seen + n >= rank) return Math.round(range[0] + ((rank - seen) / n) * (range[1] - range[0]));
      seen += n;
    }
    return sorted.at(-1)!.range[1];
  };
  // Every bin from the shortest turnaround to the longest, the empty ones too, so that the
  // spread reads at its true scale.
  const histogram: Turnaround["histogram"] = [];
  const counted = new Map(sorted.map(({ range, n }) => [range[1], n]));
  const first = sorted[0]?.range[1];
  const last = sorted.at(-1)?.range[1];
  for (let below = first; below !== undefined && last !== undefined && below <= last; below = nextBin(below)) {
    histogram.push({ below_s: below, n: counted.get(below) ?? 0 });
  }
  return { finished, p50_s: percentile(0.5), p90_s: percentile(0.9), histogram };
}

export function statsOperations(ctx: StoreContext) {
  return {
    async stats(options: StatsOptions = {}): Promise<ActivityStats> {
      const { since, until, by, includeArchived } = parseInput(StatsOptionsSchema, options);
      // Ages from the start of this minute, so the same range asked again is the same question.
      const minute = Math.floor(ctx.clock().getTime() / 60_000) * 60_000;
      const instant = (bound: TimeBound | undefined) =>
        bound === undefined
          ? undefined
          : "at" in bound
            ? bound.at
            : formatTimestamp(new Date(minute - bound.beforeNowMs));
      const range = { since: instant(since), until: instant(until) };
      const parts = [
        ...(range.since === undefined ? [] : ["submit_time >= ?"]),
        ...(range.until === undefined ? [] : ["submit_time < ?"]),
      ];
      const where = parts.length ? `WHERE ${parts.join(" AND ")}` : "";
      const args = [range.since, range.until].filter((value) => value !== undefined);
      const tables = (includeArchived ? (["tasks", "archived_tasks"] as const) : (["tasks"] as const)).filter((table) =>
        ctx.shapes.has(table),
      );
      const load = async (): Promise<ActivityStats> => {
        const straight = await Promise.all(
          tables.map(async (table) => {
            if (where === "") return true;
            const [inRange, all] = await Promise.all([countRows(ctx, table, range), countRows(ctx, table, {})]);
            return inRange > all * INDEXED_SHARE;
          }),
        );
        const sql = `SELECT day, backend, status, COUNT(*) AS n, TOTAL(shots) AS shots,
                            length(secs) AS digits, CAST(substr(secs, 1, 1) AS INTEGER) AS lead
                       FROM (${tables.map((table, i) => groupsSql(table, where, straight[i]!)).join(" UNION ALL ")})
                      GROUP BY day, backend, status, digits, lead`;
        const groups = await ctx.driver.all<Group>(
          sql,
          tables.flatMap(() => args),
        );
        return Object.freeze(summarise(groups, by, range));
      };
      return keptRead(ctx, `stats\n${JSON.stringify([tables, args, by])}`, load, () => 20_000);
    },
  };
}

function summarise(
  groups: readonly Group[],
  by: "day" | "week",
  range: { since: string | undefined; until: string | undefined },
): ActivityStats {
  const tasks = emptyTally();
  const periods = new Map<string, StatusTally>();
  const backends = new Map<string, { tasks: StatusTally; shots: number; bins: Map<string, number> }>();
  const allBins = new Map<string, number>();
  for (const group of groups) {
    const n = Number(group.n);
    const start = by === "week" ? mondayOf(String(group.day)) : String(group.day);
    const backend = String(group.backend);
    add(tasks, String(group.status), n);
    if (!periods.has(start)) periods.set(start, emptyTally());
    add(periods.get(start)!, String(group.status), n);
    if (!backends.has(backend)) backends.set(backend, { tasks: emptyTally(), shots: 0, bins: new Map() });
    const entry = backends.get(backend)!;
    add(entry.tasks, String(group.status), n);
    entry.shots += Number(group.shots);
    if (group.digits !== null && group.lead !== null) {
      const key = `${Number(group.digits)}:${Number(group.lead)}`;
      entry.bins.set(key, (entry.bins.get(key) ?? 0) + n);
      allBins.set(key, (allBins.get(key) ?? 0) + n);
    }
  }
  return {
    since: range.since ?? null,
    until: range.until ?? null,
    by,
    tasks,
    periods: [...periods].sort(([a], [b]) => (a < b ? -1 : 1)).map(([start, tally]) => ({ start, tasks: tally })),
    backends: [...backends]
      .map(([backend, entry]) => {
        const finished = entry.tasks.success + entry.tasks.failed + entry.tasks.cancelled;
        return {
          backend,
          tasks: entry.tasks,
          success_rate: finished ? entry.tasks.success / finished : null,
          shots: entry.shots,
          turnaround: turnaroundOf(entry.bins),
        };
      })
      .sort((a, b) => b.tasks.total - a.tasks.total || (a.backend < b.backend ? -1 : 1)),
    turnaround: turnaroundOf(allBins),
  };
}
