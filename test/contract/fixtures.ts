/**
 * Files the tests build themselves: the seed's own DDL (typed here from the specification, not
 * taken from `core/file/schema.ts`, so the two are checked against each other), with rows in them.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Connection, SqlValue } from "../../core/index.ts";

export const SEED_V1 = [
  `CREATE TABLE IF NOT EXISTS tasks (task_id TEXT PRIMARY KEY, backend TEXT NOT NULL, status TEXT NOT NULL, shots INTEGER NOT NULL DEFAULT 0, submit_time TEXT NOT NULL, update_time TEXT NOT NULL, result_json TEXT, metadata_json TEXT NOT NULL DEFAULT '{}')`,
  "CREATE INDEX IF NOT EXISTS tasks_backend_idx ON tasks(backend)",
  "CREATE INDEX IF NOT EXISTS tasks_status_idx ON tasks(status)",
  "CREATE INDEX IF NOT EXISTS tasks_submit_time_idx ON tasks(submit_time)",
];

export const SEED_V2 = [
  `CREATE TABLE IF NOT EXISTS archived_tasks (task_id TEXT PRIMARY KEY, backend TEXT NOT NULL, status TEXT NOT NULL, shots INTEGER NOT NULL DEFAULT 0, submit_time TEXT NOT NULL, update_time TEXT NOT NULL, result_json TEXT, metadata_json TEXT NOT NULL DEFAULT '{}', archived_at TEXT NOT NULL)`,
  "CREATE INDEX IF NOT EXISTS archived_backend_idx ON archived_tasks(backend)",
  "CREATE INDEX IF NOT EXISTS archived_status_idx ON archived_tasks(status)",
  "CREATE INDEX IF NOT EXISTS archived_submit_time_idx ON archived_tasks(submit_time)",
];

export const UNIC = 0x554e4943;

/** A row as the Python store writes it: named columns, its timestamp form, JSON text. */
export function seedRow(i: number): SqlValue[] {
  const second = String(i % 60).padStart(2, "0");
  return [
    `uqt_${i.toString(16).padStart(32, "0")}`,
    ["originq:WK_C180", "dummy:local:simulator", "ibm:ibm_brisbane"][i % 3]!,
    ["success", "failed", "running", "pending", "cancelled"][i % 5]!,
    1000 + i,
    `2026-05-03T08:05:${second}.${String(123456 + i).slice(-6)}+00:00`,
    `2026-05-03T09:05:${second}.000001+00:00`,
    i % 5 === 0 ? JSON.stringify({ counts: { "00": 480 + i, "11": 520 - i } }) : null,
    JSON.stringify({ circuit_ir: `QINIT 2\nCREG 2\nH q[0]\nCNOT q[0],q[1]\n// ${i} ünïcode` }),
  ];
}

const INSERT_V1 =
  "INSERT INTO tasks (task_id, backend, status, shots, submit_time, update_time, result_json, metadata_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

/** Builds a file at seed version 1 or 2 with `active` (and, at v2, `archived`) rows, stamped as the Python store stamps it. */
export async function buildSeedFile(
  connection: Connection,
  version: 1 | 2,
  active: number,
  archived = 0,
): Promise<void> {
  await connection.run(`PRAGMA application_id = ${UNIC}`);
  for (const sql of version === 2 ? [...SEED_V1, ...SEED_V2] : SEED_V1) await connection.run(sql);
  for (let i = 0; i < active; i++) await connection.run(INSERT_V1, seedRow(i));
  for (let i = active; i < active + archived; i++) {
    await connection.run(
      "INSERT INTO archived_tasks (task_id, backend, status, shots, submit_time, update_time, result_json, metadata_json, archived_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      [...seedRow(i), "2026-05-04T00:00:00.000000+00:00"],
    );
  }
  await connection.run(`PRAGMA user_version = ${version}`);
}

/** Every stored value of a table as hex, so "unchanged" means byte for byte. */
export async function tableBytes(connection: Connection, table: string, columns: readonly string[]): Promise<string[]> {
  const rows = await connection.all<{ h: string }>(
    `SELECT ${columns.map((c) => `quote(typeof(${c})) || hex(${c})`).join(" || '|' || ")} AS h FROM ${table} ORDER BY task_id`,
  );
  return rows.map((row) => String(row.h));
}

/** A fresh temporary folder, removed by the returned function. */
export function tempDir(prefix = "uniqc-test-"): { dir: string; file: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, file: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The bytes of a file and of its WAL, if any, so a check sees writes that are not yet checkpointed. */
export function fileBytes(path: string): string {
  const read = (p: string) => {
    try {
      return readFileSync(p).toString("base64");
    } catch {
      return "";
    }
  };
  return `${read(path)}|${read(`${path}-wal`)}`;
}
