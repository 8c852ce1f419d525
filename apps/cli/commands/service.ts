/**
 * `serve`, `doctor` and `migrate`: the server, and the file itself.
 */
import process from "node:process";
import type { Command } from "commander";
import pc from "picocolors";
import { openCacheClient } from "../../client/client.ts";
import { currentRuntime, runServer } from "../../server/index.ts";
import { type CommandContext, examples } from "../context.ts";
import { doctor, migrateUp, migrationPlan, stepName } from "../file-commands.ts";
import { CliError, printFields, printJson } from "../output.ts";

export function addServiceCommands(program: Command, context: CommandContext): void {
  const { globals, fileOnly } = context;
  program
    .command("serve")
    .description("run the server (what `npm start` runs; the same flags: --port, --token, --archive-after …)")
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (_options, command: Command) => {
      const runtime = await currentRuntime();
      const db = globals().db;
      await runServer(runtime, [...(db ? ["--db", db] : []), ...command.args]);
    });

  program
    .command("doctor")
    .description("check the file: header, lineage, version, pending steps, integrity, sizes, task counts")
    .addHelpText("after", examples("uniqc-cache doctor", "uniqc-cache --db ./tasks.sqlite doctor --json"))
    .action(async () => {
      const { server, token } = globals();
      if (server) {
        // Through a server, what it says of itself and its file.
        const version = await (await openCacheClient({ url: server, token })).version();
        return globals().json
          ? printJson(version)
          : printFields(
              Object.entries(version).map(([key, value]) => [
                key,
                typeof value === "object" && value !== null ? JSON.stringify(value) : String(value),
              ]),
            );
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
}
