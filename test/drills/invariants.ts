/** What must hold of a file after anything at all happened to it: each drill checks these. */
import { createDriver, inspect, type Connection } from "../../core/index.ts";

export async function taskIds(c: Connection): Promise<string[]> {
  const rows = await c.all<{ task_id: string }>(
    "SELECT task_id FROM tasks UNION ALL SELECT task_id FROM archived_tasks ORDER BY 1",
  );
  return rows.map((row) => String(row.task_id));
}

/**
 * The file's integrity, its header against its tables, no task in both tables, and every counter
 * equal to a recount of its table, backend and status. Returns what was wrong; empty when nothing.
 */
export async function fileProblems(c: Connection, { integrity = true } = {}): Promise<string[]> {
  const problems: string[] = [];
  if (integrity) {
    const [result] = await c.all<{ integrity_check: string }>("PRAGMA integrity_check");
    if (result?.integrity_check !== "ok") problems.push(`integrity: ${result?.integrity_check}`);
  }
  const plan = await inspect(createDriver(c));
  if (plan.readOnlyReason) problems.push(`header and tables disagree: ${plan.readOnlyReason}`);
  const [both] = await c.all<{ n: number }>("SELECT COUNT(*) AS n FROM tasks JOIN archived_tasks USING (task_id)");
  if (Number(both?.n) !== 0) problems.push(`${both?.n} tasks in both tables`);
  const [counters] = await c.all<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE name IN ('task_counts', 'tscache_task_counts')",
  );
  if (counters) {
    const table = counters.name;
    const recount = `SELECT 'tasks' AS tbl, backend, status, COUNT(*) AS n FROM tasks GROUP BY backend, status
                     UNION ALL SELECT 'archived_tasks', backend, status, COUNT(*) FROM archived_tasks GROUP BY backend, status`;
    const differing = await c.all<{ tbl: string; backend: string; status: string; n: number }>(
      `SELECT * FROM (SELECT tbl, backend, status, n FROM ${table} WHERE n != 0 EXCEPT SELECT * FROM (${recount}))
       UNION ALL SELECT * FROM (${recount} EXCEPT SELECT tbl, backend, status, n FROM ${table}) LIMIT 5`,
    );
    if (differing.length > 0) problems.push(`a counter differs from its recount: ${JSON.stringify(differing)}`);
  }
  return problems;
}

/**
 * SQLite's `data_version` as seen by `c`: it moves exactly when another connection commits, so a
 * checker's connection tells whether a request wrote anything.
 */
export async function dataVersion(c: Connection): Promise<number> {
  const [row] = await c.all<{ data_version: number }>("PRAGMA data_version");
  return Number(row!.data_version);
}
