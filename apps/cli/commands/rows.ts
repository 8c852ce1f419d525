/**
 * `export`, `import` and `sync`: stored rows in and out of the cache, and a replica's round.
 */
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import process from "node:process";
import { type Command, Option } from "commander";
import { type CommandContext, examples, positiveInteger } from "../context.ts";
import { CliError, printJson, progress } from "../output.ts";
import { formatOf, importFile, writeRows } from "../transfer.ts";

export function addRowCommands(program: Command, context: CommandContext): void {
  const { globals, withCache } = context;
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
      const count = await withCache((cache) =>
        writeRows(cache.exportRows(options.scope), format, out, () => bar.add(1)),
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
      const result = await withCache((cache) =>
        importFile(file, formatOf(file, options.format), (rows) => cache.importRows(rows), {
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
      const result = await withCache((cache) => cache.sync());
      if (globals().json) return printJson(result);
      process.stdout.write(
        `Pulled: ${result.pulled ? "yes" : "nothing new"}; pushed ${result.pushed} changes; settled ${result.reconciled.active.length + result.reconciled.archived.length + result.reconciled.deleted.length} tasks by the merge rule.\n`,
      );
    });
}
