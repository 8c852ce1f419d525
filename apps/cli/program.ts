/**
 * `uniqc-cache`: look after the cache from a terminal or a script. Every command works on a file
 * or libSQL URL (`--db`, with the sync flags for a replica) or through a running server
 * (`--server URL --token T`), prints a table on a terminal or JSON with `--json`, says what went
 * wrong in one sentence on stderr (exit 1), and exits 2 when it was used wrongly.
 */
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import process from "node:process";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import pc from "picocolors";
import {
  HOUR_MS,
  TASK_STATUSES,
  isCacheError,
  messageOf,
  type ErrorCode,
  type RetentionPolicy,
  type Task,
  type TaskStatus,
} from "../../core/index.ts";
import { createCacheClient } from "../client/client.ts";
import { DurationSchema } from "../http/durations.ts";
import { ConfigError, currentRuntime, runServer } from "../server/index.ts";
import { VERSION } from "../version.ts";
import * as v from "valibot";
import { doctor, migrateUp, migrationPlan, stepName } from "./file-commands.ts";
import { CliError, UsageError, colourStatus, printFields, printJson, printTable, progress } from "./output.ts";
import { openTarget, type Target, type TargetOptions } from "./target.ts";
import { formatOf, importFile, writeRows } from "./transfer.ts";

interface GlobalOptions extends TargetOptions {
  json?: boolean;
}

/** A duration flag (`72h`, `90d`) as hours. */
function hours(text: string): number {
  const parsed = v.safeParse(DurationSchema, text);
  if (!parsed.success) throw new InvalidArgumentError("must be a duration with its unit, such as 72h, 90d or 30m.");
  return parsed.output / HOUR_MS;
}

function positiveInteger(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new InvalidArgumentError("must be a whole number, 1 or more.");
  return Number(text);
}

const examples = (...lines: string[]) => `\nExamples:\n${lines.map((line) => `  $ ${line}`).join("\n")}\n`;

export function buildProgram(): Command {
  const program = new Command("uniqc-cache")
    .description("Look after the uniqc task cache: its tasks, its archive and its file.")
    .version(VERSION)
    .option(
      "--db <path-or-url>",
      "the cache file or libSQL URL (default ~/.uniqc/cache/tasks.sqlite)",
      process.env.UNIQC_DB || undefined,
    )
    .option(
      "--server <url>",
      "work through a running server instead (UNIQC_SERVER)",
      process.env.UNIQC_SERVER || undefined,
    )
    .option("--token <token>", "the server's token (UNIQC_TOKEN)", process.env.UNIQC_TOKEN || undefined)
    .option(
      "--sync-url <url>",
      "with --db: keep it as a replica synced with this server (UNIQC_SYNC_URL)",
      process.env.UNIQC_SYNC_URL || undefined,
    )
    .option(
      "--sync-token <token>",
      "the sync server's token (UNIQC_SYNC_TOKEN)",
      process.env.UNIQC_SYNC_TOKEN || undefined,
    )
    .option("--json", "print JSON instead of tables")
    // Before the commands are added, so they inherit it: `run` decides the exit codes.
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText(
      "after",
      examples(
        "uniqc-cache tasks list --status failed",
        "uniqc-cache --server http://127.0.0.1:18765 --token $T tasks counts",
        "uniqc-cache archive expired --hours 72",
        "uniqc-cache export --out tasks.ndjson",
        "uniqc-cache doctor --json",
      ),
    );
  const globals = () => program.opts<GlobalOptions>();

  /** Opens the target, runs `work` on it, and always closes it. */
  const withTarget = async <T>(work: (target: Target) => Promise<T>): Promise<T> => {
    const target = await openTarget(globals());
    try {
      return await work(target);
    } finally {
      await target.close();
    }
  };
  /** What a bulk command did; ids it could not find make the exit code 1. */
  const report = (answer: object, sentence: string, missing: string[], why: string) => {
    if (globals().json) printJson(answer);
    else {
      process.stdout.write(`${sentence}\n`);
      if (missing.length)
        process.stderr.write(
          `${missing.length === 1 ? "This id was" : "These ids were"} ${why}: ${missing.join(", ")}\n`,
        );
    }
    if (missing.length) process.exitCode = 1;
  };
  const fileOnly = (command: string) => {
    if (globals().server)
      throw new UsageError(
        `${command} works on the file itself: give --db (or nothing, for the default file), not --server.`,
      );
    return globals().db;
  };

  program
    .command("serve")
    .description("run the server (what `npm start` runs; the same flags: --port, --token, --archive-after …)")
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (_options, command: Command) => {
      const { runtime, listen } = currentRuntime();
      const db = globals().db;
      await runServer(runtime, listen, [...(db ? ["--db", db] : []), ...command.args]);
    });

  program
    .command("doctor")
    .description("check the file: header, lineage, version, pending steps, integrity, sizes, task counts")
    .addHelpText("after", examples("uniqc-cache doctor", "uniqc-cache --db ./tasks.sqlite doctor --json"))
    .action(async () => {
      const { server, token } = globals();
      if (server) {
        // Through a server, what it says of itself and its file.
        const version = await createCacheClient({ url: server, token }).version();
        return globals().json
          ? printJson(version)
          : printFields(Object.entries(version).map(([key, value]) => [key, String(value)]));
      }
      const report = await doctor(globals().db);
      if (globals().json) return printJson(report);
      const mib = (bytes: number | null) => (bytes === null ? "-" : `${(bytes / 1048576).toFixed(1)} MiB`);
      printFields([
        ["file", report.file],
        ["this build", report.this_build],
        ["application_id", report.application_id],
        ["lineage", report.lineage === "seed" ? "seed (this cache's)" : "uniqc (the Python package's own v3 to v5)"],
        [
          "schema",
          `v${report.schema_version} of v${report.supported_version} (header user_version ${report.user_version})`,
        ],
        ["pending", report.pending.length ? report.pending.join("; ") : "none"],
        ["writable", report.read_only ? pc.yellow(`no: ${report.read_only_reason}`) : "yes"],
        ["integrity", report.integrity === "ok" ? pc.green("ok") : pc.red(report.integrity)],
        ["file size", mib(report.file_bytes)],
        ["WAL size", mib(report.wal_bytes)],
        ["tasks", report.tasks],
        ["archived", report.archived],
      ]);
    });

  const migrate = program.command("migrate").description("the file's schema steps");
  migrate
    .command("status")
    .description("the version, and the steps an open would take")
    .action(async () => {
      const plan = await migrationPlan(fileOnly("migrate status"));
      const answer = {
        lineage: plan.lineage,
        version: plan.version,
        supported_version: plan.supportedVersion,
        user_version: plan.userVersion,
        read_only_reason: plan.readOnlyReason ?? null,
        pending: plan.pending.map(stepName),
      };
      if (globals().json) return printJson(answer);
      printFields([
        ["lineage", answer.lineage],
        ["version", `v${answer.version} of v${answer.supported_version}`],
        ["pending", answer.pending.length ? answer.pending.join("; ") : "none"],
        ...(answer.read_only_reason ? [["read-only", answer.read_only_reason] as [string, string]] : []),
      ]);
    });
  migrate
    .command("up")
    .description("take the file to the newest version")
    .option("--dry-run", "print the SQL it would run, and change nothing")
    .option("--backup <file>", "first write a consistent copy of the file there, which opens at its old version")
    .addHelpText(
      "after",
      examples("uniqc-cache migrate up --dry-run", "uniqc-cache migrate up --backup tasks-before.sqlite"),
    )
    .action(async (options: { dryRun?: boolean; backup?: string }) => {
      const db = fileOnly("migrate up");
      if (options.dryRun) {
        const plan = await migrationPlan(db);
        if (plan.readOnlyReason) throw new CliError(`Cannot migrate: ${plan.readOnlyReason}.`);
        if (globals().json) return printJson(plan.pending);
        if (plan.pending.length === 0)
          return void process.stdout.write("Nothing to do: the file is at the newest version.\n");
        for (const step of plan.pending)
          process.stdout.write(`-- ${stepName(step)}\n${step.sql.map((sql) => `${sql};`).join("\n")}\n\n`);
        return;
      }
      const result = await migrateUp(db, options.backup);
      if (globals().json) return printJson(result);
      process.stdout.write(
        result.applied.length
          ? `Applied: ${result.applied.join("; ")}.\n`
          : "Nothing to do: the file is at the newest version.\n",
      );
      if (result.backup) process.stdout.write(`The file as it was is in ${result.backup}.\n`);
    });

  const tasks = program.command("tasks").description("list, show, count and delete tasks");
  tasks
    .command("list")
    .description("tasks, newest first")
    .addOption(new Option("--status <status>", "only this status").choices(TASK_STATUSES))
    .option("--backend <name>", "only this backend")
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
      examples("uniqc-cache tasks list --status running", "uniqc-cache tasks list --archived --limit 100 --json"),
    )
    .action(
      async (options: {
        status?: TaskStatus;
        backend?: string;
        limit: number;
        offset: number;
        cursor?: string;
        archived?: boolean;
      }) => {
        if (options.cursor !== undefined && options.offset !== 0)
          throw new UsageError("--cursor and --offset cannot be used together.");
        const page = await withTarget((target) => target.list({ ...options, archived: Boolean(options.archived) }));
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
      },
    );
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

  const archive = program.command("archive").description("move tasks to the archive, or look after the archive");
  archive
    .command("move", { isDefault: true })
    .description("move these tasks to the archive (the default: `archive ID…`)")
    .argument("<ids...>")
    .action(async (ids: string[]) => {
      const result = await withTarget((target) => target.archive(ids));
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
      const result = await withTarget((target) =>
        target.archiveExpired({ hours: options.hours, terminalOnly: !options.allStatuses }),
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
      const result = await withTarget((target) =>
        target.purge({ olderThanHours: options.olderThan, dryRun: Boolean(options.dryRun) }),
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
      const result = await withTarget((target) => target.restore(ids));
      report(result, `Restored ${result.restored.length}.`, result.missing, "not archived");
    });

  program
    .command("export")
    .description("every stored row, as NDJSON or CSV, streamed to a file or stdout")
    .addOption(new Option("--scope <scope>", "which tasks").choices(["active", "archived", "all"]).default("all"))
    .addOption(
      new Option("--format <format>", "the file's format (default: from --out's extension, else ndjson)").choices([
        "ndjson",
        "csv",
      ]),
    )
    .option("--out <file>", "write here instead of stdout")
    .addHelpText(
      "after",
      examples(
        "uniqc-cache export --out tasks.ndjson",
        "uniqc-cache export --scope archived --format csv > archive.csv",
      ),
    )
    .action(async (options: { scope: "active" | "archived" | "all"; format?: string; out?: string }) => {
      const format = formatOf(options.out, options.format);
      const out = options.out ? createWriteStream(options.out) : process.stdout;
      const bar = progress("exporting");
      const count = await withTarget((target) =>
        writeRows(target.exportRows(options.scope), format, out, () => bar.add(1)),
      );
      bar.stop();
      if (options.out) {
        (out as ReturnType<typeof createWriteStream>).end();
        await once(out, "finish");
        if (globals().json) printJson({ exported: count, format, out: options.out });
        else process.stderr.write(`Exported ${count} rows to ${options.out}.\n`);
      }
    });

  program
    .command("import")
    .description("stored rows from an export, checked line by line, written in batches of one transaction each")
    .argument("<file>")
    .addOption(
      new Option("--format <format>", "the file's format (default: from its extension)").choices(["ndjson", "csv"]),
    )
    .option("--batch <rows>", "rows per transaction", positiveInteger, 1000)
    .addHelpText(
      "after",
      examples("uniqc-cache import tasks.ndjson", "uniqc-cache --db ./new.sqlite import archive.csv --json"),
    )
    .action(async (file: string, options: { format?: string; batch: number }) => {
      const bar = progress("importing");
      const result = await withTarget((target) =>
        importFile(file, formatOf(file, options.format), (rows) => target.importRows(rows), {
          batchRows: options.batch,
          onRows: bar.add,
        }),
      ).catch((error: NodeJS.ErrnoException) => {
        if (error?.code === "ENOENT") throw new CliError(`There is no file ${file}.`);
        throw error;
      });
      bar.stop();
      if (globals().json) printJson(result);
      else {
        process.stdout.write(`Read ${result.read} rows, wrote ${result.written} in ${result.batches} batches.\n`);
        for (const { line, reason } of result.rejected) process.stderr.write(`line ${line}: ${reason}\n`);
      }
      if (result.rejected.length) process.exitCode = 1;
    });

  program
    .command("sync")
    .description("on a synced replica: pull, settle, push now, and say what moved")
    .action(async () => {
      const result = await withTarget((target) => target.sync());
      if (globals().json) return printJson(result);
      process.stdout.write(
        `Pulled: ${result.pulled ? "yes" : "nothing new"}; pushed ${result.pushed} changes; settled ${result.reconciled.active.length + result.reconciled.archived.length + result.reconciled.deleted.length} tasks by the merge rule.\n`,
      );
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
      const result = await withTarget((target) => target.maintain(policy, bar.add));
      bar.stop();
      if (globals().json) return printJson(result);
      process.stdout.write(
        `Archived ${result.archived}, purged ${result.purged} in ${result.transactions} transactions (${result.took_ms} ms; the longest held the lock ${result.longest_transaction_ms} ms).\n`,
      );
    });

  return program;
}

function invalid(message: string): never {
  throw new InvalidArgumentError(message);
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

/** The exit code for each typed error of the cache: 2 for what the command line got wrong, else 1. */
const EXIT_OF: Record<ErrorCode, 1 | 2> = {
  invalid_input: 2,
  not_found: 1,
  conflict: 1,
  read_only: 1,
  foreign_database: 1,
  not_sqlite: 1,
  migration_failed: 1,
  replica_in_use: 1,
  sync_failed: 1,
  not_synced: 1,
  circuit_syntax: 1,
  server_error: 1,
};

/** Runs the program on `argv` (without the executable and script) and returns the exit code. */
export async function run(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: "user" });
    return Number(process.exitCode ?? 0);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are answers, not errors; commander printed them (and any error) already.
      return error.code === "commander.helpDisplayed" ||
        error.code === "commander.version" ||
        error.code === "commander.help"
        ? 0
        : 2;
    }
    if (error instanceof UsageError || error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    if (isCacheError(error)) {
      process.stderr.write(`${error.message}\n`);
      return EXIT_OF[error.code];
    }
    if (error instanceof CliError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    process.stderr.write(`${messageOf(error)}\n`);
    return 1;
  }
}
