/**
 * Keeps every task in exactly one table on a synced replica.
 *
 * Replicas merge by primary key, last push wins, so a task archived on one machine while another
 * saved it lands in both tables everywhere. After every pull, each replica settles such tasks by
 * one rule that looks only at the two rows, so every replica reaches the same answer alone:
 *
 * - the later of the two events wins: the live copy's `update_time` (its last save) against the
 *   archived copy's `archived_at` (its move); a tie goes to the archive;
 * - when the archive wins but the live copy was saved after the archived copy's `update_time`,
 *   the archived copy takes the live copy's columns first, so the newer save is not lost;
 * - the losing copy is deleted.
 */
import type { Executor } from "../driver/driver.ts";
import { ID_LIST } from "../shared/id-sets.ts";

/** What a reconcile settled: ids kept active, ids kept archived. */
export interface ReconcileResult {
  readonly active: readonly string[];
  readonly archived: readonly string[];
}

/** The tasks in both tables, and which copy each keeps. */
const PAIRS = `SELECT t.task_id, t.update_time > a.archived_at AS live
  FROM archived_tasks AS a JOIN tasks AS t ON t.task_id = a.task_id`;

/**
 * Settles every task found in both tables (or, with `among`, those of these ids), inside the
 * caller's transaction. `columns` are the columns the two tables share. Costs one join of the two
 * tables by key when nothing is amiss.
 */
export async function reconcile(
  tx: Executor,
  columns: readonly string[],
  among?: readonly string[],
): Promise<ReconcileResult> {
  // Given the ids a write touched, only those can be in both tables because of it.
  const pairs = await tx.all<{ task_id: string; live: number }>(
    among ? `${PAIRS} WHERE a.task_id IN (${ID_LIST})` : PAIRS,
    among ? [JSON.stringify(among)] : [],
  );
  if (pairs.length === 0) return { active: [], archived: [] };
  const active = pairs.filter((pair) => Number(pair.live) === 1).map((pair) => String(pair.task_id));
  const archived = pairs.filter((pair) => Number(pair.live) !== 1).map((pair) => String(pair.task_id));
  if (active.length > 0) {
    await tx.run(`DELETE FROM archived_tasks WHERE task_id IN (${ID_LIST})`, [JSON.stringify(active)]);
  }
  if (archived.length > 0) {
    const ids = JSON.stringify(archived);
    const assignments = columns.filter((column) => column !== "task_id").map((column) => `${column} = t.${column}`);
    await tx.run(
      `UPDATE archived_tasks SET ${assignments.join(", ")}
         FROM tasks AS t
        WHERE t.task_id = archived_tasks.task_id AND t.update_time > archived_tasks.update_time
          AND archived_tasks.task_id IN (${ID_LIST})`,
      [ids],
    );
    await tx.run(`DELETE FROM tasks WHERE task_id IN (${ID_LIST})`, [ids]);
  }
  return { active, archived };
}
