/**
 * Writes a cache that looks like real use, repeatably:
 *
 *   npx tsx bench/generate.ts --rows 1000000 --seed 1 --archived 0.095 --out bench/out/1m.sqlite
 *
 * `uqt_` + 32-hex ids, six backends, mostly `success`, submit times over 90 days, a small counts
 * result, a ~200-byte OriginIR circuit in metadata, a compiled circuit on a third of them.
 * The rows come from one INSERT … SELECT per table over a recursive sequence, so SQLite does the
 * work without a round trip per row. `--version 2` writes a seed-era v2 file (for the migration
 * benchmark).
 */
import { rmSync } from "node:fs";
import { openConnection } from "../adapters/open.ts";
import { MIGRATIONS, createTaskCache, type Connection } from "../core/index.ts";

export interface GenerateOptions {
  rows: number;
  seed: number;
  /** Share of the rows written straight into the archive, 0 to 1. */
  archived: number;
  /** Schema version of the file written (2 to the newest). */
  version: number;
  /** Submit times fall in the 90 days before this instant (fixed by default, for repeatability). */
  now: Date;
}

export const DEFAULTS: GenerateOptions = {
  rows: 10_000,
  seed: 1,
  archived: 0,
  version: MIGRATIONS.length,
  now: new Date("2026-11-01T00:00:00Z"),
};

const BACKENDS = [
  "originq:WK_C180",
  "dummy:local:simulator",
  "ibm:ibm_brisbane",
  "ibm:ibm_kyiv",
  "quafu:ScQ-P136",
  "originq:PQPUMESH8",
];

/**
 * The rows as one SELECT over `seq(n)`. Hashes are multiplicative mod 2^32 (odd multipliers are
 * bijections, so `h1` makes every id unique); SQLite integers never overflow at these sizes.
 */
function rowsSelect(withCompiled: boolean): string {
  const backends = BACKENDS.map((b, i) => `WHEN ${i} THEN '${b}'`).join(" ");
  const circuit = `'QINIT 6' || char(10) || 'CREG 6' || char(10) || 'H q[0]' || char(10) || 'CNOT q[0],q[1]' || char(10) || 'CNOT q[1],q[2]' || char(10) || 'RX q[3],(' || ((h3 % 314) / 100.0) || ')' || char(10) || 'RY q[4],(' || ((h2 % 157) / 100.0) || ')' || char(10) || 'CZ q[4],q[5]' || char(10) || 'MEASURE q[0],c[0]' || char(10) || 'MEASURE q[1],c[1]' || char(10) || 'MEASURE q[2],c[2]' || char(10) || 'MEASURE q[3],c[3]'`;
  const time = (offsetSeconds: string) =>
    `strftime('%Y-%m-%dT%H:%M:%f', :now - ${offsetSeconds}, 'unixepoch') || printf('%03d', h4 % 1000) || '+00:00'`;
  return `
    WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n + 1 < :rows),
    hashed AS (
      SELECT n,
             (n * 2654435761 + :seed) % 4294967296 AS h1,
             (n * 2246822519 + :seed * 7 + 1) % 4294967296 AS h2,
             (n * 3266489917 + :seed * 13 + 2) % 4294967296 AS h3,
             (n * 668265263 + :seed * 17 + 3) % 4294967296 AS h4,
             (n * 374761393 + :seed * 19 + 4) % 1000 AS share
        FROM seq)
    SELECT printf('uqt_%08x%08x%08x%08x', h1, h2, h3, h4) AS task_id,
           CASE h2 % 6 ${backends} END AS backend,
           CASE WHEN h3 % 1000 < 830 THEN 'success' WHEN h3 % 1000 < 900 THEN 'failed' WHEN h3 % 1000 < 930 THEN 'running'
                WHEN h3 % 1000 < 970 THEN 'pending' ELSE 'cancelled' END AS status,
           1000 * (1 + h4 % 8) AS shots,
           ${time("(h4 % 7776000)")} AS submit_time,
           ${time("(h4 % 7776000) + 30 + h1 % 600")} AS update_time,
           CASE WHEN h3 % 1000 < 830 THEN json_object('counts', json_object('000000', h1 % 500, '111111', 500 + h2 % 500)) END AS result_json,
           json_object('circuit_ir', ${circuit}, 'shots', 1000 * (1 + h4 % 8), 'submitted_by', 'bench') AS metadata_json
           ${withCompiled ? `, CASE WHEN n % 3 = 0 THEN json_object('originir', ${circuit}, 'qasm', 'OPENQASM 2.0;' || char(10) || 'qreg q[6];') END AS compiled_circuit_json` : ""},
           share
      FROM hashed`;
}

/** Fills an open, migrated connection; returns how many rows went to each table. */
export async function fillCache(
  connection: Connection,
  options: GenerateOptions,
): Promise<{ active: number; archived: number }> {
  const withCompiled = options.version >= 3;
  const columns = `task_id, backend, status, shots, submit_time, update_time, result_json, metadata_json${withCompiled ? ", compiled_circuit_json" : ""}`;
  const select = rowsSelect(withCompiled)
    .replaceAll(":rows", String(options.rows))
    .replaceAll(":seed", String(options.seed))
    .replaceAll(":now", String(Math.floor(options.now.getTime() / 1000)));
  const cut = Math.round(options.archived * 1000);
  await connection.run("BEGIN IMMEDIATE");
  try {
    const archived = await connection.run(
      `INSERT INTO archived_tasks (${columns}, archived_at) SELECT ${columns}, update_time FROM (${select}) WHERE share < ${cut}`,
    );
    const active = await connection.run(
      `INSERT INTO tasks (${columns}) SELECT ${columns} FROM (${select}) WHERE share >= ${cut}`,
    );
    await connection.run("COMMIT");
    return { active: active.changes, archived: archived.changes };
  } catch (error) {
    await connection.run("ROLLBACK");
    throw error;
  }
}

/** Writes a fresh file at `path` (replacing one that is there). */
export async function generate(
  path: string,
  options: GenerateOptions,
): Promise<{ activeRows: number; archivedRows: number; seconds: number }> {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
  const started = performance.now();
  // Rows go in before v4's indexes and triggers exist: building an index afterwards is a sort,
  // while keeping eight B-trees and the counters up to date row by row is several times slower.
  const schema = await createTaskCache(await openConnection(path), {
    migrations: MIGRATIONS.slice(0, Math.min(options.version, 3)),
  });
  await schema.close();
  const connection = await openConnection(path);
  try {
    // A new file nobody else reads yet: no journal and a large page cache, then back to WAL.
    await connection.all("PRAGMA journal_mode = OFF");
    await connection.run("PRAGMA synchronous = OFF");
    await connection.run("PRAGMA cache_size = -2000000");
    const counts = await fillCache(connection, options);
    await connection.all("PRAGMA journal_mode = WAL");
    await connection.close();
    const migrated = await createTaskCache(await openConnection(path), {
      migrations: MIGRATIONS.slice(0, options.version),
    });
    await migrated.close();
    const analyze = await openConnection(path);
    await analyze.run("ANALYZE");
    await analyze.close();
    return { activeRows: counts.active, archivedRows: counts.archived, seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw error;
  }
}
