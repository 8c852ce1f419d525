/**
 * Settles a replica's tasks after a pull: wherever a task holds siblings, or sits in more than
 * one of the tasks, the archive and the tombstones (a move or delete on one machine met a save
 * on another), its versions are merged by the rule and the task is written once, where the
 * winning version puts it. What it writes goes out with the next push, under the same guards.
 *
 * Every replica that holds the same versions writes the same rows, so two replicas settling the
 * same task at once push identical rows, and the guards let the second pass without effect.
 */
import * as v from "valibot";
import type { Executor, SqlValue } from "../driver/driver.ts";
import { settleVersions } from "./rule.ts";
import {
  ADDED_BESIDE,
  VERSIONED_TABLES,
  parseSiblings,
  siblingsText,
  tableOf,
  versionsOf,
  type VersionedRow,
  type VersionedTable,
} from "./statements.ts";
import { parseVersion, versionText } from "./version.ts";
import { ID_LIST } from "../shared/id-sets.ts";
import { Ids } from "../shared/shapes.ts";

/** The tasks a settle rewrote, by where they now are. */
export const SettleResultSchema = v.pipe(
  v.object({ active: Ids, archived: Ids, deleted: Ids }),
  v.description("Tasks the round settled by the merge rule, by where each now is (deleted: a delete won)"),
);
export type SettleResult = v.InferOutput<typeof SettleResultSchema>;

/**
 * Tasks with siblings: the partial indexes of rows with siblings, named, since the replica's
 * engine would otherwise scan the whole table. With the tasks in two places, what a settle reads.
 */
export const WITH_SIBLINGS = `SELECT task_id FROM tasks INDEXED BY tasks_siblings_idx WHERE sync_siblings IS NOT NULL
  UNION SELECT task_id FROM archived_tasks INDEXED BY archived_siblings_idx WHERE sync_siblings IS NOT NULL
  UNION SELECT task_id FROM sync_tombstones INDEXED BY tombstones_siblings_idx WHERE sync_siblings IS NOT NULL`;

const UNSETTLED = `${WITH_SIBLINGS}
  UNION SELECT a.task_id FROM archived_tasks AS a JOIN tasks AS t ON t.task_id = a.task_id
  UNION SELECT d.task_id FROM sync_tombstones AS d JOIN tasks AS t ON t.task_id = d.task_id
  UNION SELECT d.task_id FROM sync_tombstones AS d JOIN archived_tasks AS a ON a.task_id = d.task_id`;

/** Of the given ids, those in more than one place or holding siblings: what a write that may land beside a copy leaves to settle. */
const AMONG_UNSETTLED = `SELECT task_id FROM (
    SELECT task_id, sync_siblings FROM tasks WHERE task_id IN (${ID_LIST})
    UNION ALL SELECT task_id, sync_siblings FROM archived_tasks WHERE task_id IN (${ID_LIST})
    UNION ALL SELECT task_id, sync_siblings FROM sync_tombstones WHERE task_id IN (${ID_LIST}))
  GROUP BY task_id HAVING COUNT(*) > 1 OR MAX(sync_siblings IS NOT NULL) = 1`;

/** JSON with object keys in order, so equal values give equal text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Whether a stored version or sibling list says the same as the wanted one, whatever its keys' order. */
function sameAs(
  column: "sync_version" | "sync_siblings",
  stored: SqlValue | undefined,
  wanted: string | null,
): boolean {
  if (stored === null || stored === undefined || wanted === null) return (stored ?? null) === wanted;
  if (column === "sync_version") return canonical(parseVersion(stored)) === canonical(parseVersion(wanted));
  // A list with versions added beside the row, or in the former format, is rewritten.
  const text = String(stored);
  if (text.includes(ADDED_BESIDE) || text.startsWith("[")) return false;
  try {
    return canonical(parseSiblings(text)) === canonical(parseSiblings(wanted));
  } catch {
    return false;
  }
}

/**
 * Settles every unsettled task (or, with `among`, those of these ids), inside the caller's
 * transaction. `columns` are the live columns of each versioned table.
 */
export async function settleTasks(
  tx: Executor,
  columns: Readonly<Record<VersionedTable, readonly string[]>>,
  among?: readonly string[],
): Promise<SettleResult> {
  const list = among && JSON.stringify([...new Set(among)]);
  const ids = (
    await tx.all<{ task_id: string }>(list ? AMONG_UNSETTLED : UNSETTLED, list ? [list, list, list] : [])
  ).map((row) => String(row.task_id));
  const result = { active: [] as string[], archived: [] as string[], deleted: [] as string[] };
  if (ids.length === 0) return result;

  const held = new Map<string, { table: VersionedTable; row: VersionedRow }[]>();
  for (const table of VERSIONED_TABLES) {
    const rows = await tx.all<VersionedRow>(`SELECT * FROM ${table} WHERE task_id IN (${ID_LIST})`, [
      JSON.stringify(ids),
    ]);
    for (const row of rows) {
      const id = String(row.task_id);
      held.set(id, [...(held.get(id) ?? []), { table, row }]);
    }
  }

  for (const [id, rows] of held) {
    const versions = rows.flatMap(({ table, row }) => versionsOf(table, row));
    const settled = settleVersions(
      versions,
      rows.map(({ row }) => parseVersion(row.sync_version).vv),
    );
    const target = tableOf(settled.place);
    const wanted: Record<string, SqlValue> = { task_id: id };
    for (const column of columns[target])
      if (column in settled.columns) wanted[column] = settled.columns[column] ?? null;
    // A row that keeps siblings shows their merge, and is no version of its own.
    wanted.sync_version = versionText(settled.siblings ? { ...settled.version, m: 1 } : settled.version);
    wanted.sync_siblings = settled.siblings ? siblingsText(settled.siblings) : null;

    const current = rows.find(({ table }) => table === target)?.row;
    const unchanged =
      current !== undefined &&
      Object.entries(wanted).every(([column, value]) =>
        column === "sync_version" || column === "sync_siblings"
          ? sameAs(column, current[column], value as string | null)
          : (current[column] ?? null) === value,
      );
    const others = rows.filter(({ table }) => table !== target);
    if (unchanged && others.length === 0) continue;
    if (!unchanged) {
      const names = Object.keys(wanted).filter((name) => name !== "task_id");
      // A settle in place is an update: pushed, it applies only where the row is still the one
      // settled here. One that moves the task is an upsert, merged like any write, since the
      // deletes that go with it apply wherever the rows they remove are unchanged.
      await tx.run(
        current && others.length === 0
          ? `UPDATE ${target} SET ${names.map((name) => `${name} = ?`).join(", ")} WHERE task_id = ?`
          : `INSERT INTO ${target} (${names.join(", ")}, task_id) VALUES (${names.map(() => "?").join(", ")}, ?)
             ON CONFLICT (task_id) DO UPDATE SET ${names.map((name) => `${name} = excluded.${name}`).join(", ")}`,
        [...names.map((name) => wanted[name]!), id],
      );
    }
    for (const { table } of others) await tx.run(`DELETE FROM ${table} WHERE task_id = ?`, [id]);
    (target === "tasks" ? result.active : target === "archived_tasks" ? result.archived : result.deleted).push(id);
  }
  return result;
}
