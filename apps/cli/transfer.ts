/**
 * Stored rows to and from files: NDJSON (one row a line, as `GET /api/export` sends them) or CSV
 * with a header (an empty field is NULL). Both stream: memory stays flat for a million rows.
 */
import { createReadStream } from "node:fs";
import { once } from "node:events";
import { createInterface } from "node:readline";
import type { Writable } from "node:stream";
import { parse } from "csv-parse";
import { stringify } from "csv-stringify";
import * as v from "valibot";
import { StoredTaskSchema, TASK_COLUMNS, type ImportResult, type StoredTask } from "../../core/index.ts";

export type TransferFormat = "ndjson" | "csv";

/** The columns of a stored row, in the order files carry them. */
export const STORED_COLUMNS = [...TASK_COLUMNS, "error_message", "archived_at"] as const;

/** Writes `rows` to `out` as they come, waiting whenever `out` asks to; returns how many. */
export async function writeRows(
  rows: AsyncIterable<StoredTask>,
  format: TransferFormat,
  out: Writable,
  onRow?: () => void,
): Promise<number> {
  let count = 0;
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, "drain");
  };
  if (format === "ndjson") {
    for await (const row of rows) {
      await write(`${JSON.stringify(row)}\n`);
      count++;
      onRow?.();
    }
    return count;
  }
  const csv = stringify({ header: true, columns: [...STORED_COLUMNS], cast: { number: (value) => String(value) } });
  csv.on("data", (chunk: Buffer) => {
    if (out.write(chunk)) return;
    csv.pause();
    out.once("drain", () => csv.resume());
  });
  const finished = once(csv, "end");
  for await (const row of rows) {
    if (!csv.write(STORED_COLUMNS.map((column) => (row as Record<string, unknown>)[column] ?? null)))
      await once(csv, "drain");
    count++;
    onRow?.();
  }
  csv.end();
  await finished;
  return count;
}

/** A line that could not be imported, by its number in the file. */
export interface RejectedLine {
  line: number;
  reason: string;
}

export interface ImportReport {
  read: number;
  written: number;
  rejected: RejectedLine[];
  batches: number;
}

/** Rows of a file with the line each starts on. */
async function* readRows(
  path: string,
  format: TransferFormat,
): AsyncGenerator<{ line: number; row: unknown } | { line: number; error: string }> {
  if (format === "ndjson") {
    const lines = createInterface({ input: createReadStream(path, "utf8"), crlfDelay: Infinity });
    let number = 0;
    for await (const text of lines) {
      number++;
      if (text.trim() === "") continue;
      try {
        yield { line: number, row: JSON.parse(text) };
      } catch (error) {
        yield { line: number, error: `not JSON (${(error as Error).message})` };
      }
    }
    return;
  }
  const parser = createReadStream(path).pipe(
    parse({ columns: true, info: true, relax_column_count: true, skip_empty_lines: true }),
  );
  for await (const { record, info } of parser as AsyncIterable<{
    record: Record<string, string>;
    info: { lines: number };
  }>) {
    const row: Record<string, unknown> = {};
    for (const [column, text] of Object.entries(record)) {
      if (text === "") row[column] = column === "archived_at" ? undefined : null;
      else row[column] = column === "shots" && /^-?\d+$/.test(text) ? Number(text) : text;
    }
    yield { line: info.lines, row };
  }
}

/**
 * Reads a file of stored rows, checks each, and writes the good ones in batches of `batchRows`,
 * each batch one transaction (`importRows`), so an import stopped half-way leaves whole batches.
 */
export async function importFile(
  path: string,
  format: TransferFormat,
  importRows: (rows: readonly unknown[]) => Promise<ImportResult>,
  options: { batchRows: number; onRows?: (rows: number) => void },
): Promise<ImportReport> {
  const report: ImportReport = { read: 0, written: 0, rejected: [], batches: 0 };
  let batch: { line: number; row: StoredTask }[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const result = await importRows(batch.map((entry) => entry.row));
    report.written += result.written;
    report.batches++;
    // The cache names what it refused by id; give the person the line.
    for (const refused of result.rejected) {
      const entry = batch.find((candidate) => candidate.row.task_id === refused.task_id);
      report.rejected.push({ line: entry?.line ?? 0, reason: refused.reason });
    }
    options.onRows?.(batch.length);
    batch = [];
  };
  for await (const entry of readRows(path, format)) {
    report.read++;
    if ("error" in entry) {
      report.rejected.push({ line: entry.line, reason: entry.error });
      continue;
    }
    const parsed = v.safeParse(StoredTaskSchema, entry.row);
    if (!parsed.success) {
      const issue = parsed.issues[0];
      report.rejected.push({ line: entry.line, reason: `${v.getDotPath(issue) ?? "row"} ${issue.message}` });
      continue;
    }
    batch.push({ line: entry.line, row: parsed.output });
    if (batch.length >= options.batchRows) await flush();
  }
  await flush();
  report.rejected.sort((a, b) => a.line - b.line);
  return report;
}

/** The format a file name suggests. */
export function formatOf(path: string | undefined, given: string | undefined): TransferFormat {
  if (given === "csv" || given === "ndjson") return given;
  return path?.toLowerCase().endsWith(".csv") ? "csv" : "ndjson";
}
