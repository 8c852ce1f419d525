/**
 * How the program speaks: a table on a terminal, stable JSON with `--json`, colour only on a
 * terminal and never with NO_COLOR (picocolors decides), a progress bar on stderr for work that
 * lasts, silent when stderr is not a terminal, and errors as one sentence on stderr.
 */
import process from "node:process";
import cliProgress from "cli-progress";
import Table from "cli-table3";
import pc from "picocolors";

/** A failure the person can act on: printed as its message alone, exit 1. */
export class CliError extends Error {}

/** A command used wrongly: printed with a hint, exit 2. */
export class UsageError extends Error {}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

const STATUS_COLOURS: Record<string, (text: string) => string> = {
  success: pc.green,
  failed: pc.red,
  cancelled: pc.yellow,
  running: pc.cyan,
  pending: pc.dim,
};

export const colourStatus = (status: string) => (STATUS_COLOURS[status] ?? ((text: string) => text))(status);

/** Rows as a table with a header, or a line saying there are none. */
export function printTable(head: string[], rows: (string | number)[][], empty = "Nothing to show."): void {
  if (rows.length === 0) {
    process.stdout.write(`${empty}\n`);
    return;
  }
  const table = new Table({
    head: head.map((title) => pc.bold(title)),
    style: { head: [], border: [], compact: true },
  });
  table.push(...rows.map((row) => row.map(String)));
  process.stdout.write(`${table.toString()}\n`);
}

/** Label and value pairs, one per line. */
export function printFields(fields: [string, string | number][]): void {
  const width = Math.max(...fields.map(([label]) => label.length));
  for (const [label, value] of fields) process.stdout.write(`${pc.dim(label.padEnd(width))}  ${value}\n`);
}

/**
 * A progress bar that appears only on a terminal and only once the work has lasted a second,
 * so quick commands and pipes print nothing extra. `total` may be unknown (a count then).
 */
export function progress(label: string, total?: number) {
  const tty = Boolean(process.stderr.isTTY);
  const started = Date.now();
  let done = 0;
  let bar: cliProgress.SingleBar | undefined;
  return {
    add(rows: number) {
      done += rows;
      if (!tty) return;
      if (!bar && Date.now() - started > 1000) {
        bar = new cliProgress.SingleBar(
          {
            stream: process.stderr,
            format: total === undefined ? `${label} {value} rows` : `${label} [{bar}] {percentage}% {value}/{total}`,
            hideCursor: true,
            clearOnComplete: true,
          },
          cliProgress.Presets.legacy,
        );
        bar.start(total ?? 0, done);
      }
      bar?.update(done);
    },
    stop() {
      bar?.stop();
    },
  };
}
