/**
 * `archive`, `restore` and `maintain`: moves to and from the archive, and the retention policy.
 */
import process from "node:process";
import type { Command } from "commander";
import { NotFoundError, type RetentionPolicy, type TaskCache } from "../../../core/index.ts";
import { type CommandContext, examples, hours, invalid } from "../context.ts";
import { UsageError, printJson, progress } from "../output.ts";

export function addArchiveCommands(program: Command, context: CommandContext): void {
  const { globals, withCache, report } = context;
  const archive = program.command("archive").description("move tasks to the archive, or look after the archive");
  archive
    .command("move", { isDefault: true })
    .description("move these tasks to the archive (the default: `archive ID…`)")
    .argument("<ids...>")
    .action(async (ids: string[]) => {
      const result = await withCache((cache) => cache.bulkArchive(ids));
      report(result, `Archived ${result.archived.length}.`, result.missing, "not active");
    });
  archive
    .command("expired")
    .description("archive finished tasks submitted more than --hours ago")
    .option(
      "--hours <n>",
      "how old",
      (text) => (/^\d+(\.\d+)?$/.test(text) ? Number(text) : invalid("must be a number of hours.")),
      72,
    )
    .option("--all-statuses", "pending and running tasks too")
    .addHelpText(
      "after",
      examples("uniqc-cache archive expired --hours 72", "uniqc-cache archive expired --hours 0 --all-statuses"),
    )
    .action(async (options: { hours: number; allStatuses?: boolean }) => {
      const result = await withCache((cache) =>
        cache.archiveExpired({ hours: options.hours, terminalOnly: !options.allStatuses }),
      );
      if (globals().json)
        return printJson({ archived: result.archived, count: result.archived.length, skipped_running: result.skipped });
      process.stdout.write(
        `Archived ${result.archived.length}.${result.skipped.length ? ` Left ${result.skipped.length} still pending or running.` : ""}\n`,
      );
    });
  archive
    .command("purge")
    .description("delete for good the tasks archived longer ago than --older-than")
    .requiredOption("--older-than <duration>", "e.g. 90d or 12h", hours)
    .option("--dry-run", "only count them")
    .addHelpText("after", examples("uniqc-cache archive purge --older-than 90d --dry-run"))
    .action(async (options: { olderThan: number; dryRun?: boolean }) => {
      const result = await withCache((cache) =>
        cache.purgeArchived({ olderThanHours: options.olderThan, dryRun: Boolean(options.dryRun) }),
      );
      if (globals().json) return printJson({ ...result, dry_run: Boolean(options.dryRun) });
      process.stdout.write(
        `${options.dryRun ? "Would delete" : "Deleted"} ${result.count} tasks archived before ${result.cutoff}.\n`,
      );
    });

  program
    .command("restore")
    .description("move archived tasks back")
    .argument("<ids...>")
    .action(async (ids: string[]) => {
      const result = await withCache((cache) => restoreEach(cache, ids));
      report(result, `Restored ${result.restored.length}.`, result.missing, "not archived");
    });

  program
    .command("maintain")
    .description("run the retention policy once, in short transactions that never keep another writer waiting long")
    .option("--archive-after <duration>", "archive finished tasks submitted longer ago, e.g. 72h", hours)
    .option("--purge-after <duration>", "delete archived tasks archived longer ago, e.g. 90d", hours)
    .addHelpText("after", examples("uniqc-cache maintain --archive-after 72h --purge-after 90d"))
    .action(async (options: { archiveAfter?: number; purgeAfter?: number }) => {
      if (options.archiveAfter === undefined && options.purgeAfter === undefined)
        throw new UsageError("Give --archive-after, --purge-after or both.");
      const policy: RetentionPolicy = { archiveAfterHours: options.archiveAfter, purgeAfterHours: options.purgeAfter };
      const bar = progress("maintaining");
      const result = await withCache((cache) => cache.maintain(policy, { onProgress: bar.add }));
      bar.stop();
      if (globals().json) return printJson(result);
      process.stdout.write(
        `Archived ${result.archived}, purged ${result.purged} in ${result.transactions} transactions (${result.took_ms} ms; the longest held the lock ${result.longest_transaction_ms} ms).\n`,
      );
    });
}

/** Restores one by one: each is its own move, and an id that is not archived is reported, not fatal. */
async function restoreEach(cache: TaskCache, ids: readonly string[]) {
  const restored: string[] = [];
  const missing: string[] = [];
  for (const id of new Set(ids)) {
    try {
      await cache.restore(id);
      restored.push(id);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      missing.push(id);
    }
  }
  return { restored, missing };
}
