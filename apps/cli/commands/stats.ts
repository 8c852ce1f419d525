/**
 * `stats`: how the work went over a range, per day or week and per backend.
 */
import process from "node:process";
import { type Command, Option } from "commander";
import pc from "picocolors";
import { TASK_STATUSES } from "../../../core/index.ts";
import { type CommandContext, examples } from "../context.ts";
import { printJson, printTable } from "../output.ts";

/** Seconds as a person reads them: 42 s, 3.5 min, 2.1 h, 1.5 d. */
export function humanSeconds(seconds: number | null): string {
  if (seconds === null) return "";
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${(seconds / 60).toFixed(1)} min`;
  if (seconds < 86_400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

export function addStatsCommand(program: Command, context: CommandContext): void {
  const { globals, withCache } = context;
  program
    .command("stats")
    .description("tasks per day or week by status, and per backend the success rate, shots and turnaround")
    .option("--since <when>", "submitted at or after: a timestamp, a date, or an age (30d)")
    .option("--until <when>", "submitted before: a timestamp, a date, or an age")
    .addOption(new Option("--by <period>", "one row per day or per week").choices(["day", "week"]).default("day"))
    .option("--active-only", "leave the archive out")
    .addHelpText("after", examples("uniqc-cache stats --since 30d --by week", "uniqc-cache --json stats --since 7d"))
    .action(async (options: { since?: string; until?: string; by: "day" | "week"; activeOnly?: boolean }) => {
      const stats = await withCache((cache) =>
        cache.stats({
          since: options.since,
          until: options.until,
          by: options.by,
          includeArchived: !options.activeOnly,
        }),
      );
      if (globals().json) return printJson(stats);
      printTable(
        [options.by === "week" ? "week of" : "day", ...TASK_STATUSES, "total"],
        stats.periods.map((period) => [
          period.start,
          ...TASK_STATUSES.map((status) => period.tasks[status]),
          period.tasks.total,
        ]),
        "No tasks were submitted in this range.",
      );
      printTable(
        ["backend", "tasks", "success rate", "shots", "turnaround p50", "p90"],
        stats.backends.map((backend) => [
          backend.backend,
          backend.tasks.total,
          backend.success_rate === null ? "" : `${(100 * backend.success_rate).toFixed(1)} %`,
          backend.shots,
          humanSeconds(backend.turnaround.p50_s),
          humanSeconds(backend.turnaround.p90_s),
        ]),
        "",
      );
      process.stdout.write(
        pc.dim(
          `${stats.tasks.total} tasks${stats.since ? ` since ${stats.since}` : ""}${stats.until ? ` before ${stats.until}` : ""}; turnaround over ${stats.turnaround.finished} finished tasks, p50 ${humanSeconds(stats.turnaround.p50_s)}, p90 ${humanSeconds(stats.turnaround.p90_s)}\n`,
        ),
      );
    });
}
