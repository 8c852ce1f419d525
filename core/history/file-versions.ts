/**
 * Rows from a machine's own cache file (the Python package's `tasks.sqlite`) entering a
 * replica's history.
 *
 * The file keeps no versions and never sees the replica's, so its rows are versions of a writer
 * of their own (`History.importer`), each having seen only the versions this replica took from
 * the file before. The replica keeps, per task, a digest of the row it last took and the version
 * it made of it (`sync_imports`): a row whose content differs enters as the next version of that
 * chain, whatever its `update_time` says, and the merge rule settles it against what the other
 * machines did meanwhile. The same row again enters nothing.
 */
import type { Executor, SqlValue } from "../driver/driver.ts";
import { ID_LIST } from "../shared/id-sets.ts";
import type { History } from "./history.ts";
import { mergeStatement, type VersionedTable } from "./statements.ts";
import {
  FIELD_KEYS,
  OWN,
  UNVERSIONED,
  fieldDot,
  parseVersion,
  sumOf,
  versionText,
  type Dot,
  type RecordedField,
  type VersionMeta,
} from "./version.ts";

/** A row of the file as it is stored, with `archived_at` on archived rows only. */
export type FileRow = Readonly<Record<string, string | number | null | undefined>>;

/**
 * A 64-bit FNV-1a digest of a row's stored values, as hex: enough to tell a changed row from the
 * one taken before, in any runtime, without waiting on a crypto API.
 */
export function rowDigest(row: FileRow, columns: readonly string[]): string {
  const text = JSON.stringify(columns.map((column) => row[column] ?? null));
  let [h1, h2] = [0x811c9dc5, 0x01000193 ^ 0x9e3779b9];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 0x01000193);
    h2 = Math.imul(h2 ^ code, 0x5bd1e995);
  }
  return (h1 >>> 0).toString(16).padStart(8, "0") + (h2 >>> 0).toString(16).padStart(8, "0");
}

/** What the replica shows of a task: its recorded fields and the version that holds them. */
interface Shown {
  readonly values: Readonly<Record<string, SqlValue>>;
  readonly version: VersionMeta;
}

/**
 * Enters the rows whose content this replica has not taken from the file before, each into the
 * table its row is in, inside the caller's transaction. `columns` are the columns each table
 * takes from a row; `recorded`, the recorded fields among them. Returns the ids entered; the
 * caller settles them.
 */
export async function enterFileRows(
  tx: Executor,
  history: History,
  rows: readonly FileRow[],
  columns: Readonly<Record<"tasks" | "archived_tasks", readonly string[]>>,
  recorded: readonly RecordedField[],
): Promise<string[]> {
  const keyOf = (id: string) => `${history.importer}/${id}`;
  const ids = [...new Set(rows.map((row) => String(row.task_id)))];
  const taken = new Map(
    (
      await tx.all<{ import_key: string; digest: string; sync_version: string }>(
        `SELECT import_key, digest, sync_version FROM sync_imports WHERE import_key IN (${ID_LIST})`,
        [JSON.stringify(ids.map(keyOf))],
      )
    ).map((row) => [String(row.import_key), { digest: String(row.digest), version: parseVersion(row.sync_version) }]),
  );
  const shown = new Map<string, Shown>();
  const fields = recorded.join(", ");
  for (const table of ["archived_tasks", "tasks"] as const) {
    for (const row of await tx.all<Record<string, SqlValue>>(
      `SELECT task_id, ${fields ? `${fields}, ` : ""}sync_version FROM ${table} WHERE task_id IN (${ID_LIST})`,
      [JSON.stringify(ids)],
    ))
      shown.set(String(row.task_id), { values: row, version: parseVersion(row.sync_version) });
  }

  const entered: string[] = [];
  const notes: { import_key: string; digest: string; sync_version: string }[] = [];
  for (const row of rows) {
    const id = String(row.task_id);
    const table: VersionedTable = row.archived_at == null ? "tasks" : "archived_tasks";
    const digest = rowDigest(row, columns[table]);
    const before = taken.get(keyOf(id));
    if (before?.digest === digest) continue;
    const base = before?.version ?? UNVERSIONED;
    const vv = { ...base.vv, [history.importer]: (base.vv[history.importer] ?? 0) + 1 };
    const after: Record<string, SqlValue> = {};
    for (const column of columns[table]) after[column] = row[column] ?? null;
    const f: Record<string, Dot | typeof OWN> = {};
    const held = shown.get(id);
    for (const field of recorded) {
      const heldValue = held?.values[field] ?? null;
      const heldDot = held ? fieldDot(held.version, field) : "";
      // A value the replica already shows keeps the version that wrote it; a field the row lacks
      // says nothing of it (the file never saw another machine's result), so what is shown stays.
      if (after[field] === null || after[field] === heldValue) {
        after[field] = heldValue;
        if (heldValue !== null && heldDot !== "") f[FIELD_KEYS[field]] = heldDot;
      } else f[FIELD_KEYS[field]] = OWN;
    }
    const clock = Math.max(Date.parse(String(row.archived_at ?? row.update_time)) || 0, base.c + 1);
    const version: VersionMeta = { vv, s: sumOf(vv), w: history.importer, c: clock, f };
    after.sync_version = versionText(version);
    after.sync_siblings = null;
    const statement = mergeStatement({ table, type: "insert", after });
    if (!statement) throw new Error(`a row of ${table} could not be entered as a version`);
    await tx.run(statement.sql, statement.values);
    taken.set(keyOf(id), { digest, version });
    shown.set(id, { values: after, version });
    notes.push({ import_key: keyOf(id), digest, sync_version: versionText({ ...version, f: {} }) });
    entered.push(id);
  }
  if (notes.length > 0) {
    await tx.run(
      `INSERT INTO sync_imports (import_key, digest, sync_version)
       SELECT j.value ->> '$.import_key', j.value ->> '$.digest', j.value ->> '$.sync_version' FROM json_each(?) AS j
       ON CONFLICT (import_key) DO UPDATE SET digest = excluded.digest, sync_version = excluded.sync_version`,
      [JSON.stringify(notes)],
    );
  }
  return entered;
}
