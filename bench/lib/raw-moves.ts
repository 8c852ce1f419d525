/**
 * One task's move to the archive and back as raw statements on an adapter's connection, without
 * the core: the floor the benches hold a move against.
 */
import type { Connection, Executor } from "../../core/index.ts";

export const COPY =
  "task_id, backend, status, shots, submit_time, update_time, result_json, metadata_json, compiled_circuit_json";

/** A write transaction the way the driver takes one: libSQL's own, or BEGIN … COMMIT. */
export async function rawTransaction(db: Connection, fn: (tx: Executor) => Promise<unknown>): Promise<void> {
  if (db.transaction) {
    await db.transaction(fn);
    return;
  }
  await db.run("BEGIN IMMEDIATE");
  await fn(db);
  await db.run("COMMIT");
}

export const rawArchive = (db: Connection, id: string) =>
  rawTransaction(db, async (tx) => {
    await tx.run(
      `INSERT INTO archived_tasks (${COPY}, archived_at) SELECT ${COPY}, '2026-11-01T00:00:00.000000+00:00' FROM tasks WHERE task_id = ?`,
      [id],
    );
    await tx.run("DELETE FROM tasks WHERE task_id = ?", [id]);
  });

export const rawRestore = (db: Connection, id: string) =>
  rawTransaction(db, async (tx) => {
    await tx.run(`INSERT INTO tasks (${COPY}) SELECT ${COPY} FROM archived_tasks WHERE task_id = ?`, [id]);
    await tx.run("DELETE FROM archived_tasks WHERE task_id = ?", [id]);
  });
