/**
 * How the work went over a time range: tasks per day or week by status, and per backend their
 * success rate, shots and turnaround (submit to final status, median and p90, and its spread).
 *
 * One pass over the tasks in the range gives every figure (see {@link passSql}). Turnarounds fall
 * in bins of 1–9 × 10^k seconds, and percentiles are read off the bins by linear interpolation. The answer is kept until the
 * data changes, with ages resolved to the minute so that a range like "the last 30 days" asked
 * again is the same question.
 */
import * as v from "valibot";
import { countRows, groupCounts } from "../store/group-counts.ts";
import { resolveFilter, whereOf, type Table } from "../store/queries.ts";
import { keptRead, type StoreContext } from "../store/context.ts";
import { TASK_STATUSES, TERMINAL_STATUSES, TimeBoundSchema, parseInput } from "../shared/validation.ts";
import { Stamp, Text, Whole } from "../shared/shapes.ts";
import { StatusCountsSchema, type StatusCounts } from "../store/task-rows.ts";

export const StatsOptionsSchema = v.object({
  since: v.optional(TimeBoundSchema),
  until: v.optional(TimeBoundSchema),
  by: v.optional(v.picklist(["day", "week"], "must be day or week"), "day"),
  /** Count archived tasks too (the default): the archive holds most finished work. */
  includeArchived: v.optional(v.boolean("must be true or false"), true),
});
export type StatsOptions = v.InferInput<typeof StatsOptionsSchema>;

/** Tasks per status; statuses other writers invented count in `total` only. */
export type StatusTally = StatusCounts;

/** How long finished tasks took from submission to their final status. */
const TurnaroundSchema = v.object({
  finished: v.pipe(Whole, v.description("Tasks in a terminal status")),
  p50_s: v.nullable(v.number()),
  p90_s: v.nullable(v.number()),
  histogram: v.pipe(
    v.array(v.object({ below_s: v.number(), n: Whole })),
    v.description("Finished tasks per bin of 1–9 × 10^k seconds, shortest first"),
  ),
});
export type Turnaround = v.InferOutput<typeof TurnaroundSchema>;

const BackendActivitySchema = v.object({
  backend: Text,
  tasks: StatusCountsSchema,
  success_rate: v.pipe(v.nullable(v.number()), v.description("Successes among finished tasks, 0 to 1")),
  shots: v.number(),
  turnaround: TurnaroundSchema,
});
export type BackendActivity = v.InferOutput<typeof BackendActivitySchema>;

export const ActivityStatsSchema = v.object({
  since: v.nullable(Stamp),
  until: v.nullable(Stamp),
  by: v.picklist(["day", "week"]),
  tasks: StatusCountsSchema,
  periods: v.pipe(
    v.array(v.object({ start: v.pipe(Text, v.description("The day, or a week's Monday")), tasks: StatusCountsSchema })),
    v.description("Each day or week with tasks, oldest first"),
  ),
  backends: v.pipe(v.array(BackendActivitySchema), v.description("Most tasks first")),
  turnaround: TurnaroundSchema,
});
export type ActivityStats = v.InferOutput<typeof ActivityStatsSchema>;

/** Places of the terminal statuses in {@link TASK_STATUSES}: a finished task's last update is its turnaround. */
const TERMINAL_PLACES = new Set(TERMINAL_STATUSES.map((status) => TASK_STATUSES.indexOf(status)));

/**
 * A range holding less than this share of a table is read through the listing index, a lookup a
 * row; a larger one, straight through the table, which costs about a tenth of a lookup a row.
 */
const INDEXED_SHARE = 0.05;

/** A name's place in `names` as SQL (a CASE over the few known names), `names.length` for any other. */
const placeOf = (column: string, names: readonly string[]) =>
  names.length === 0
    ? "0"
    : `CASE ${column} ${names.map((name, i) => `WHEN '${name.replace(/'/g, "''")}' THEN ${i}`).join(" ")} ELSE ${names.length} END`;

/**
 * Each task of the range as three numbers, gathered into three JSON arrays in one pass: its day,
 * backend and status as one key, the seconds from its submission to its last update, its shots.
 * Grouping a million rows in SQL costs a sort of them all, several times the pass itself; the
 * arrays cost one pass, and the groups are counted here.
 */
function passSql(tables: readonly { table: Table; straight: boolean }[], where: string, backends: readonly string[]) {
  const rows = tables
    .map(
      ({ table, straight }) =>
        `SELECT unixepoch(submit_time) AS us, unixepoch(update_time) AS uu, backend, status, shots
           FROM ${table}${straight ? " NOT INDEXED" : ""} ${where}`,
    )
    .join(" UNION ALL ");
  const key = `((COALESCE(us / 86400, -1) * ${backends.length + 1} + ${placeOf("backend", backends)}) * ${TASK_STATUSES.length + 1} + ${placeOf("status", TASK_STATUSES)})`;
  return `SELECT json_group_array(${key}) AS keys, json_group_array(uu - us) AS seconds,
                 json_group_array(shots) AS shots
            FROM (${rows})`;
}

/** The power of ten at or below `n` (at least 1), counted rather than taken from a logarithm that rounds. */
function unitOf(n: number): number {
  let unit = 1;
  while (unit * 10 <= n) unit *= 10;
  return unit;
}

/** The bin of a turnaround, as its upper bound: 1 for 0 s, then the next of 2, 3, …, 10, 20, … */
function binOf(seconds: number): number {
  if (seconds < 1) return 1;
  const unit = unitOf(seconds);
  return (Math.floor(seconds / unit) + 1) * unit;
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

/** The upper bound of the bin after the one that ends at `below`: 1, 2, …, 10, 20, …, 100, 200, … */
const nextBin = (below: number): number => below + unitOf(below);

/** The spread of turnarounds from their counts per bin (keyed by upper bound). */
function turnaroundOf(bins: Map<number, number>): Turnaround {
  const uppers = [...bins.keys()].sort((a, b) => a - b);
  const finished = uppers.reduce((sum, upper) => sum + bins.get(upper)!, 0);
  const lowerOf = (upper: number) => (upper === 1 ? 0 : upper - unitOf(upper - 1));
  const percentile = (p: number): number | null => {
    if (finished === 0) return null;
    const rank = p * finished;
    let seen = 0;
    for (const upper of uppers) {
      const n = bins.get(upper)!;
      if (seen + n >= rank) return Math.round(lowerOf(upper) + ((rank - seen) / n) * (upper - lowerOf(upper)));
      seen += n;
    }
    return uppers.at(-1)!;
  };
  // Every bin from the shortest turnaround to the longest, the empty ones too, so that the
  // spread reads at its true scale.
  const histogram: Turnaround["histogram"] = [];
  const [first, last] = [uppers[0], uppers.at(-1)];
  for (let below = first; below !== undefined && last !== undefined && below <= last; below = nextBin(below)) {
    histogram.push({ below_s: below, n: bins.get(below) ?? 0 });
  }
  return { finished, p50_s: percentile(0.5), p90_s: percentile(0.9), histogram };
}

/** How the work went. */
export interface Activity {
  /**
   * Tasks per day or week by status, and per backend their success rate, shots and turnaround
   * (median, p90 and spread), over tasks submitted in the range, archived ones too by default.
   * One pass over the range, kept until the data changes.
   */
  stats(options?: StatsOptions): Promise<ActivityStats>;
}

export function statsOperations(ctx: StoreContext): Activity {
  return {
    async stats(options: StatsOptions = {}): Promise<ActivityStats> {
      const { since, until, by, includeArchived } = parseInput(StatsOptionsSchema, options);
      // Ages from the start of this minute, so the same range asked again is the same question.
      const minute = new Date(Math.floor(ctx.clock().getTime() / 60_000) * 60_000);
      const { since: from, until: to } = resolveFilter({ since, until }, () => minute);
      const range = { since: from, until: to };
      const { sql: where, args } = whereOf(range);
      const tables = (includeArchived ? (["tasks", "archived_tasks"] as const) : (["tasks"] as const)).filter((table) =>
        ctx.shapes.has(table),
      );
      const load = async (): Promise<ActivityStats> => {
        const read = await Promise.all(
          tables.map(async (table) => {
            if (where === "") return { table, straight: true };
            const [inRange, all] = await Promise.all([countRows(ctx, table, range), countRows(ctx, table, {})]);
            return { table, straight: inRange > all * INDEXED_SHARE };
          }),
        );
        const groups = await Promise.all(tables.map((table) => groupCounts(ctx, table)));
        const backends = [...new Set(groups.flat().map((group) => group.backend))].sort();
        const [row] = await ctx.driver.all<{ keys: string; seconds: string; shots: string }>(
          passSql(read, where, backends),
          tables.flatMap(() => args),
        );
        const columns = {
          keys: JSON.parse(row?.keys ?? "[]") as (number | null)[],
          seconds: JSON.parse(row?.seconds ?? "[]") as (number | null)[],
          shots: JSON.parse(row?.shots ?? "[]") as (number | null)[],
        };
        return Object.freeze(summarise(columns, backends, by, range));
      };
      return keptRead(ctx, `stats\n${JSON.stringify([tables, args, by])}`, load, () => 20_000);
    },
  };
}

function summarise(
  columns: { keys: (number | null)[]; seconds: (number | null)[]; shots: (number | null)[] },
  backendNames: readonly string[],
  by: "day" | "week",
  range: { since: string | undefined; until: string | undefined },
): ActivityStats {
  const statuses = TASK_STATUSES.length + 1;
  const perBackend = backendNames.length + 1;
  // Counted by key first: a handful of thousands of keys for a million tasks.
  const byKey = new Map<number, number>();
  const backends = new Map<number, { tasks: StatusTally; shots: number; bins: Map<number, number> }>();
  const allBins = new Map<number, number>();
  for (let i = 0; i < columns.keys.length; i++) {
    const key = columns.keys[i] ?? -statuses * perBackend;
    byKey.set(key, (byKey.get(key) ?? 0) + 1);
    const backend = ((key % (statuses * perBackend)) + statuses * perBackend) % (statuses * perBackend);
    const b = Math.floor(backend / statuses);
    if (!backends.has(b)) backends.set(b, { tasks: emptyTally(), shots: 0, bins: new Map() });
    const entry = backends.get(b)!;
    entry.shots += Number(columns.shots[i] ?? 0);
    const seconds = columns.seconds[i];
    if (seconds !== null && seconds !== undefined && TERMINAL_PLACES.has(backend % statuses)) {
      // An update stamped before its submission (another clock) counts as no time at all.
      const bin = binOf(Math.max(0, seconds));
      entry.bins.set(bin, (entry.bins.get(bin) ?? 0) + 1);
      allBins.set(bin, (allBins.get(bin) ?? 0) + 1);
    }
  }
  const statusName = (index: number) => TASK_STATUSES[index] ?? "other";
  const tasks = emptyTally();
  const periods = new Map<string, StatusTally>();
  for (const [key, n] of byKey) {
    const day = Math.floor(key / (statuses * perBackend));
    const rest = key - day * statuses * perBackend;
    const b = Math.floor(rest / statuses);
    const status = statusName(rest % statuses);
    add(tasks, status, n);
    add(backends.get(b)!.tasks, status, n);
    // A submit time no date function reads has no day: it counts, but in no period.
    if (day < 0) continue;
    const date = new Date(day * 86_400_000).toISOString().slice(0, 10);
    const start = by === "week" ? mondayOf(date) : date;
    if (!periods.has(start)) periods.set(start, emptyTally());
    add(periods.get(start)!, status, n);
  }
  return {
    since: range.since ?? null,
    until: range.until ?? null,
    by,
    tasks,
    periods: [...periods].sort(([a], [b]) => (a < b ? -1 : 1)).map(([start, tally]) => ({ start, tasks: tally })),
    backends: [...backends]
      .map(([b, entry]) => {
        const finished = entry.tasks.success + entry.tasks.failed + entry.tasks.cancelled;
        return {
          backend: backendNames[b] ?? "(another backend)",
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
