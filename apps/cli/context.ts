/**
 * What every command shares: the global flags, opening and closing what they work on, reporting
 * a bulk command's outcome, and parsing flag values.
 */
import process from "node:process";
import { type Command, InvalidArgumentError, Option } from "commander";
import * as v from "valibot";
import { DurationSchema, HOUR_MS, TASK_STATUSES, type TaskCache, type TaskFilter } from "../../core/index.ts";
import { printJson, UsageError } from "./output.ts";
import { openTarget, type TargetOptions } from "./target.ts";

export interface GlobalOptions extends TargetOptions {
  json?: boolean;
}

export interface CommandContext {
  /** The global flags, as given. */
  globals(): GlobalOptions;
  /** Opens the file or server the flags name, runs `work` on its cache, and always closes it. */
  withCache<T>(work: (cache: TaskCache) => Promise<T>): Promise<T>;
  /** What a bulk command did; ids it could not find make the exit code 1. */
  report(answer: object, sentence: string, missing: string[], why: string): void;
  /** The --db of a command that works on the file itself, refusing --server. */
  fileOnly(command: string): string | undefined;
}

/** The listing's filters as flags, given to `tasks list` and to the `matching` commands alike. */
export function withFilterOptions(command: Command): Command {
  return command
    .addOption(new Option("--status <status>", "only this status").choices(TASK_STATUSES))
    .option("--backend <name>", "only this backend")
    .option("--search <text>", "text in the id, the metadata or the error (any case)")
    .option("--id-prefix <prefix>", "ids that start with this")
    .option("--since <when>", "submitted at or after: a timestamp, a date, or an age (2d, 36h)")
    .option("--until <when>", "submitted before: a timestamp, a date, or an age");
}

/** The filter flags' values, in the library's words; the cache checks them and names a wrong one. */
export const filterOf = (options: TaskFilter): TaskFilter => ({
  status: options.status,
  backend: options.backend,
  search: options.search,
  idPrefix: options.idPrefix,
  since: options.since,
  until: options.until,
});

export function commandContext(program: Command): CommandContext {
  const globals = () => program.opts<GlobalOptions>();
  return {
    globals,
    async withCache(work) {
      const cache = await openTarget(globals());
      try {
        return await work(cache);
      } finally {
        await cache.close();
      }
    },
    report(answer, sentence, missing, why) {
      if (globals().json) printJson(answer);
      else {
        process.stdout.write(`${sentence}\n`);
        if (missing.length)
          process.stderr.write(
            `${missing.length === 1 ? "This id was" : "These ids were"} ${why}: ${missing.join(", ")}\n`,
          );
      }
      if (missing.length) process.exitCode = 1;
    },
    fileOnly(command) {
      if (globals().server)
        throw new UsageError(
          `${command} works on the file itself: give --db (or nothing, for the default file), not --server.`,
        );
      return globals().db;
    },
  };
}

/** A duration flag (`72h`, `90d`) as hours. */
export function hours(text: string): number {
  const parsed = v.safeParse(DurationSchema, text);
  if (!parsed.success) throw new InvalidArgumentError("must be a duration with its unit, such as 72h, 90d or 30m.");
  return parsed.output / HOUR_MS;
}

export function positiveInteger(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new InvalidArgumentError("must be a whole number, 1 or more.");
  return Number(text);
}

export function invalid(message: string): never {
  throw new InvalidArgumentError(message);
}

export const examples = (...lines: string[]) => `\nExamples:\n${lines.map((line) => `  $ ${line}`).join("\n")}\n`;
