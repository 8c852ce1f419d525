/**
 * `uniqc-cache`: look after the cache from a terminal or a script. Every command works on a file
 * or libSQL URL (`--db`, with the sync flags for a replica) or through a running server
 * (`--server URL --token T`), prints a table on a terminal or JSON with `--json`, says what went
 * wrong in one sentence on stderr (exit 1), and exits 2 when it was used wrongly.
 */
import process from "node:process";
import { Command, CommanderError } from "commander";
import { isCacheError, messageOf, type ErrorCode } from "../../core/index.ts";
import { ConfigError } from "../server/index.ts";
import { VERSION } from "../version.ts";
import { addArchiveCommands } from "./commands/archive.ts";
import { addMatchingCommands } from "./commands/matching.ts";
import { addStatsCommand } from "./commands/stats.ts";
import { addRowCommands } from "./commands/rows.ts";
import { addServiceCommands } from "./commands/service.ts";
import { addTaskCommands } from "./commands/tasks.ts";
import { commandContext, examples } from "./context.ts";
import { CliError, UsageError } from "./output.ts";

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
  const context = commandContext(program);
  addServiceCommands(program, context);
  addTaskCommands(program, context);
  addMatchingCommands(program, context);
  addStatsCommand(program, context);
  addArchiveCommands(program, context);
  addRowCommands(program, context);
  return program;
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
