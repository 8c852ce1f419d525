/**
 * `tasks list | show | shards | conflicts | counts | delete`: the active tasks, and any task by id.
 */
import process from "node:process";
import type { Command } from "commander";
import pc from "picocolors";
import type { Task, TaskCache, TaskFilter, TaskSummary } from "../../../core/index.ts";
import { decodeCursor, nextCursor, type CursorScope } from "../../http/cursor.ts";
import { type CommandContext, examples, filterOf, invalid, positiveInteger, withFilterOptions } from "../context.ts";
import { CliError, UsageError, colourStatus, printFields, printJson, printTable } from "../output.ts";

export function addTaskCommands(program: Command, context: CommandContext): void {
  const { globals, withCache, report } = context;
  const tasks = program.command("tasks").description("list, show, count and delete tasks");
  withFilterOptions(tasks.command("list").description("tasks, newest first"))
    .option("--limit <n>", "tasks per page", positiveInteger, 50)
    .option(
      "--offset <n>",
      "skip this many",
      (text) => (/^\d+$/.test(text) ? Number(text) : invalid("must be a whole number.")),
      0,
    )
    .option("--cursor <token>", "the page after the one that printed this cursor")
    .option("--archived", "list the archive instead")
    .addHelpText(
      "after",
      examples(
        "uniqc-cache tasks list --status running",
        "uniqc-cache tasks list --search bell --since 2d",
        "uniqc-cache tasks list --archived --limit 100 --json",
      ),
    )
    .action(async (options: TaskFilter & { limit: number; offset: number; cursor?: string; archived?: boolean }) => {
      if (options.cursor !== undefined && options.offset !== 0)
        throw new UsageError("--cursor and --offset cannot be used together.");
      const { limit, offset, cursor } = options;
      const archived = Boolean(options.archived);
      const page = await withCache((cache) =>
        listing(cache, { ...filterOf(options), limit, offset, cursor, archived }),
      );
      if (globals().json) return printJson(page);
      printTable(
        ["task_id", "status", "backend", "shots", "submitted", ...(options.archived ? ["archived"] : [])],
        page.tasks.map((t) => [
          t.task_id,
          colourStatus(t.status),
          t.backend,
          t.shots,
          t.submit_time,
          ...(options.archived ? [t.archived_at ?? ""] : []),
        ]),
        "No tasks match.",
      );
      process.stdout.write(
        pc.dim(
          `${page.tasks.length} of ${page.total}${page.next_cursor ? `; next page: --cursor ${page.next_cursor}` : ""}\n`,
        ),
      );
    });
  tasks
    .command("show")
    .description("one task, whole, active or archived")
    .argument("<id>")
    .action(async (id: string) => {
      const task = await withCache(async (cache) => (await cache.get(id)) ?? (await cache.getArchived(id)));
      if (!task) throw new CliError(`There is no task ${id}.`);
      if (globals().json) return printJson(task);
      printTask(task);
    });
  tasks
    .command("analyse")
    .alias("analyze")
    .description("the measured outcomes beside the ideal of the task's circuit, with TVD and Hellinger fidelity")
    .argument("<id>")
    .addHelpText("after", examples("uniqc-cache tasks analyse uqt_1", "uniqc-cache --json tasks analyse uqt_1"))
    .action(async (id: string) => {
      const analysis = await withCache((cache) => cache.analyse(id));
      if (globals().json) return printJson(analysis);
      const { ideal, measured } = analysis;
      const outcomes = [...new Set([...Object.keys(ideal ?? {}), ...Object.keys(measured ?? {})])].sort(
        (a, b) =>
          (ideal?.[b] ?? 0) - (ideal?.[a] ?? 0) || (measured?.[b] ?? 0) - (measured?.[a] ?? 0) || (a < b ? -1 : 1),
      );
      const percent = (p: number | undefined) => (p === undefined ? "" : `${(100 * p).toFixed(2)} %`);
      printTable(
        ["outcome", "ideal", "measured"],
        outcomes.map((outcome) => [
          outcome,
          percent(ideal?.[outcome] ?? (ideal ? 0 : undefined)),
          percent(measured?.[outcome] ?? (measured ? 0 : undefined)),
        ]),
        "The task has no result and no circuit to simulate.",
      );
      const lines = [
        analysis.circuit
          ? `circuit: ${analysis.circuit.format}, ${analysis.circuit.language ?? "unknown language"}, ${analysis.circuit.qubits} qubits`
          : undefined,
        analysis.not_simulated ? `no ideal distribution: ${analysis.not_simulated}` : undefined,
        analysis.measured ? undefined : "no measured outcomes yet",
        analysis.tvd === null
          ? undefined
          : `total variation distance ${analysis.tvd.toFixed(4)}, Hellinger fidelity ${analysis.hellinger_fidelity!.toFixed(4)}${analysis.shots ? ` over ${analysis.shots} shots` : ""}`,
      ].filter(Boolean);
      process.stdout.write(`${lines.join("\n")}\n`);
    });
  tasks
    .command("compare")
    .description("two to six tasks' measured outcomes side by side, with the TVD of each pair")
    .argument("<ids...>")
    .addHelpText("after", examples("uniqc-cache tasks compare uqt_1 uqt_2 uqt_3"))
    .action(async (ids: string[]) => {
      const comparison = await withCache((cache) => cache.compare(ids));
      if (globals().json) return printJson(comparison);
      const short = (id: string) => (id.length > 14 ? `${id.slice(0, 13)}…` : id);
      printTable(
        ["outcome", ...comparison.tasks.map((t) => short(t.task_id))],
        comparison.outcomes.map((outcome) => [
          outcome,
          ...comparison.tasks.map((t) => (t.measured ? `${(100 * (t.measured[outcome] ?? 0)).toFixed(2)} %` : "")),
        ]),
        "None of these tasks has a result yet.",
      );
      printTable(
        ["TVD", ...comparison.tasks.map((t) => short(t.task_id))],
        comparison.tasks.map((t, i) => [
          short(t.task_id),
          ...comparison.tvd[i]!.map((d) => (d === null ? "" : d.toFixed(4))),
        ]),
      );
    });
  tasks
    .command("shards")
    .description("the cloud jobs behind a task (files of the uniqc package's lineage)")
    .argument("<id>")
    .action(async (id: string) => {
      const shards = await withCache((cache) => cache.shards(id));
      if (!shards) throw new CliError(`There is no task ${id}.`);
      if (globals().json) return printJson(shards);
      printTable(
        ["#", "platform job", "status", "circuits", "updated", "error"],
        shards.shards.map((s) => [
          s.shard_index,
          s.platform_task_id,
          colourStatus(s.status),
          s.circuit_count,
          s.update_time,
          s.error_message ?? "",
        ]),
        `Task ${id} has no shards.`,
      );
    });
  tasks
    .command("conflicts")
    .description("on a synced replica, what machines disagreed on: a task's versions that lost, or every such task")
    .argument("[id]")
    .addHelpText("after", examples("uniqc-cache tasks conflicts", "uniqc-cache tasks conflicts uqt_1 --json"))
    .action(async (id: string | undefined) => {
      if (id === undefined) {
        const ids = await withCache((cache) => cache.conflicted());
        if (globals().json) return printJson({ task_ids: ids, count: ids.length });
        printTable(
          ["task_id"],
          ids.map((taskId) => [taskId]),
          "No task has conflicts.",
        );
        return;
      }
      const found = await withCache((cache) => cache.conflicts(id));
      if (!found) throw new CliError(`There is no task ${id}.`);
      if (globals().json) return printJson(found);
      printTable(
        ["replica", "clock", "place", "status", "result", "metadata"],
        found.conflicts.map((version) => [
          version.replica_id ?? "",
          version.clock,
          version.place,
          version.task ? colourStatus(version.task.status) : "",
          version.task?.result == null ? "" : JSON.stringify(version.task.result),
          version.task ? JSON.stringify(version.task.metadata) : "",
        ]),
        `Task ${id} has no conflicts.`,
      );
    });
  tasks
    .command("counts")
    .description("active tasks per status, and the archive's size")
    .action(async () => {
      const counts = await withCache(async (cache) => ({
        ...(await cache.counts()),
        archived: await cache.countArchived(),
      }));
      if (globals().json) return printJson(counts);
      printTable(
        ["status", "tasks"],
        [
          ...Object.entries(counts).map(([status, n]) => [
            status === "total" || status === "archived" ? pc.bold(status) : colourStatus(status),
            n,
          ]),
        ],
      );
    });
  tasks
    .command("delete")
    .description("delete active tasks for good")
    .argument("<ids...>")
    .action(async (ids: string[]) => {
      const result = await withCache((cache) => cache.bulkDelete(ids));
      report(result, `Deleted ${result.deleted.length}.`, result.missing, "not active");
    });
}

function printTask(task: Task): void {
  printFields([
    ["task_id", task.task_id],
    ["status", colourStatus(task.status)],
    ["backend", task.backend],
    ["shots", task.shots],
    ["submitted", task.submit_time],
    ["updated", task.update_time],
    ...(task.archived_at ? [["archived", task.archived_at] as [string, string]] : []),
    ...(task.error_message ? [["error", task.error_message] as [string, string]] : []),
    ["result", task.result === null ? "none yet" : JSON.stringify(task.result)],
    ["metadata", JSON.stringify(task.metadata)],
    ["compiled", task.compiled_circuit ? Object.keys(task.compiled_circuit).join(", ") : "none"],
  ]);
}

/** A page of the active tasks or the archive, with the cursor of the page after it, as the API gives it. */
async function listing(
  cache: TaskCache,
  {
    archived,
    cursor,
    limit,
    offset,
    ...filter
  }: TaskFilter & { limit: number; offset: number; cursor?: string | undefined; archived: boolean },
) {
  const scope: CursorScope = { listing: archived ? "archive" : "tasks", ...filter };
  const options = { ...filter, limit, offset, after: cursor === undefined ? undefined : decodeCursor(cursor, scope) };
  const page = archived ? await cache.listArchivedText(options) : await cache.listText(options);
  return {
    tasks: JSON.parse(page.tasks) as TaskSummary[],
    total: page.total,
    next_cursor: nextCursor(page.count, limit, page.last, scope),
  };
}
