/**
 * `matching archive | delete | restore | purge`: every task the listing's filters match. Without
 * `--yes` a command only says how many tasks match; a filter that names nothing needs `--all`.
 */
import process from "node:process";
import type { Command } from "commander";
import type { MatchFilter, RestoredMatching, TaskCache, TaskFilter } from "../../../core/index.ts";
import { type CommandContext, examples, filterOf, withFilterOptions } from "../context.ts";
import { printJson } from "../output.ts";

interface Action {
  action: string;
  description: string;
  done: string;
  which: string;
  run(cache: TaskCache, filter: MatchFilter): Promise<{ count: number } & Partial<RestoredMatching>>;
}

const ACTIONS: readonly Action[] = [
  {
    action: "archive",
    description: "archive the active tasks that match",
    done: "Archived",
    which: "active",
    run: (cache, filter) => cache.archiveMatching(filter),
  },
  {
    action: "delete",
    description: "delete for good the active tasks that match",
    done: "Deleted",
    which: "active",
    run: (cache, filter) => cache.deleteMatching(filter),
  },
  {
    action: "restore",
    description: "restore the archived tasks that match",
    done: "Restored",
    which: "archived",
    run: (cache, filter) => cache.restoreMatching(filter),
  },
  {
    action: "purge",
    description: "delete for good the archived tasks that match",
    done: "Deleted",
    which: "archived",
    run: (cache, filter) => cache.deleteArchivedMatching(filter),
  },
];

export function addMatchingCommands(program: Command, context: CommandContext): void {
  const { globals, withCache } = context;
  const matching = program
    .command("matching")
    .description("archive, delete or restore every task the filters match, in short transactions")
    .addHelpText(
      "after",
      examples(
        "uniqc-cache matching archive --status failed --backend ibm:ibm_kyiv --since 30d",
        "uniqc-cache matching archive --status failed --backend ibm:ibm_kyiv --since 30d --yes",
        "uniqc-cache matching purge --until 365d --yes",
      ),
    );
  for (const { action, description, done, which, run } of ACTIONS) {
    withFilterOptions(matching.command(action).description(description))
      .option("--all", "take every task when no filter is given")
      .option("--yes", "do it; without this, only say how many tasks match")
      .action(async (options: TaskFilter & { all?: boolean; yes?: boolean }) => {
        const dryRun = !options.yes;
        const filter = { ...filterOf(options), all: Boolean(options.all), dryRun };
        const outcome = await withCache((cache) => run(cache, filter));
        if (globals().json) return printJson({ ...outcome, dry_run: dryRun });
        if (dryRun) {
          process.stdout.write(`${outcome.count} ${which} tasks match. Run again with --yes to ${action} them.\n`);
          return;
        }
        process.stdout.write(`${done} ${outcome.count}.\n`);
        if (outcome.conflicts?.length) {
          process.stderr.write(`Left archived, a task is live under the same id: ${outcome.conflicts.join(", ")}\n`);
          process.exitCode = 1;
        }
      });
  }
}
