/**
 * `tasks list | show | shards | counts | delete`: the active tasks, and any task by id.
 */
import process from "node:process";
import type { Command } from "commander";
import pc from "picocolors";
import type { Task, TaskFilter } from "../../../core/index.ts";
import { type CommandContext, examples, filterOf, invalid, positiveInteger, withFilterOptions } from "../context.ts";
import { CliError, UsageError, colourStatus, printFields, printJson, printTable } from "../output.ts";

export function addTaskCommands(program: Command, context: CommandContext): void {
  const { globals, withTarget, report } = context;
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
      const page = await withTarget((target) => target.list({ ...filterOf(options), limit, offset, cursor, archived }));
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
      const task = await withTarget((target) => target.get(id));
      if (!task) throw new CliError(`There is no task ${id}.`);
      if (globals().json) return printJson(task);
      printTask(task);
    });
  tasks
    .command("shards")
    .description("the cloud jobs behind a task (files of the uniqc package's lineage)")
    .argument("<id>")
    .action(async (id: string) => {
      const shards = await withTarget((target) => target.shards(id));
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
    .command("counts")
    .description("active tasks per status, and the archive's size")
    .action(async () => {
      const counts = await withTarget((target) => target.counts());
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
      const result = await withTarget((target) => target.deleteTasks(ids));
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
