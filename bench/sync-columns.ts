/**
 * What the version columns cost the sync engine's push, apart from everything the cache does:
 * 10,000 new rows inserted into a bare table of a replica and pushed to a tursodb sync server,
 * with and without the two columns a replica's tasks carry, and with the version's bytes moved
 * into a column the table has anyway. The variants alternate; each prints its median.
 *
 *   npx tsx bench/sync-columns.ts              # 5 runs of each variant
 *   npx tsx bench/sync-columns.ts --runs 9
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@tursodatabase/sync";
import { startSyncServer } from "../harness/sync-server.ts";
import { benchArgs } from "./lib/args.ts";

const { values } = benchArgs(import.meta.filename, { runs: { type: "string" }, rows: { type: "string" } });
const runs = Number(values.runs ?? 5);
const rows = Number(values.rows ?? 10_000);

const TASK = `task_id TEXT PRIMARY KEY, backend TEXT, status TEXT, shots INTEGER, submit_time TEXT,
  update_time TEXT, result_json TEXT, metadata_json TEXT`;
const METADATA = '{"circuit_ir":"QINIT 2\\nH q[0]"}';
/** A first version as a replica stores it, with its clock moving row by row. */
const version = (i: number) => `{"vv":{"abcd1234":1},"s":1,"w":"abcd1234","c":${1796254682443 + i},"f":{"r":1,"x":1}}`;

interface Variant {
  columns: string;
  values: (i: number) => (string | null)[];
}
const VARIANTS: Record<string, Variant> = {
  "the task's columns only": { columns: "", values: () => [METADATA] },
  "with sync_version and sync_siblings": {
    columns: ", sync_version TEXT, sync_siblings TEXT",
    values: (i) => [METADATA, version(i), null],
  },
  "with sync_version only": { columns: ", sync_version TEXT", values: (i) => [METADATA, version(i)] },
  "the version's bytes in metadata_json instead": {
    columns: "",
    values: (i) => [`{"circuit_ir":"QINIT 2\\nH q[0]","v":${JSON.stringify(version(i))}}`],
  },
};

async function pushSeconds(variant: Variant): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "uniqc-sync-columns-"));
  const server = await startSyncServer(join(dir, "server.db"));
  try {
    const db = await connect({ path: join(dir, "replica.db"), url: server.url, pushOperationsThreshold: 2000 });
    await db.exec(`CREATE TABLE t (${TASK}${variant.columns})`);
    await db.push();
    const placeholders = variant.values(0).map(() => ", ?");
    const insert = await db.prepare(
      `INSERT INTO t VALUES (?, 'originq:WK_C180', 'running', 1000, '2026-01-01T00:00:00.000000+00:00',
        '2026-01-01T00:00:00.000000+00:00', NULL${placeholders.join("")})`,
    );
    for (let i = 0; i < rows; i++) await insert.run(`uqt_new_${i}`, ...variant.values(i));
    const start = performance.now();
    await db.push();
    const seconds = (performance.now() - start) / 1000;
    await db.close();
    return seconds;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const measured: Record<string, number[]> = {};
for (let run = 0; run < runs; run++) {
  for (const [name, variant] of Object.entries(VARIANTS)) {
    measured[name] = [...(measured[name] ?? []), await pushSeconds(variant)];
  }
}
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
const base = median(measured["the task's columns only"]!);
console.log(`\nA push of ${rows.toLocaleString("en")} new rows, median of ${runs} runs each, alternating.\n`);
console.log("| table | push s | / the task's columns only | runs |");
console.log("| --- | ---: | ---: | --- |");
for (const [name, list] of Object.entries(measured)) {
  console.log(
    `| ${name} | ${median(list).toFixed(2)} | ${(median(list) / base).toFixed(2)} | ${list.map((s) => s.toFixed(2)).join(", ")} |`,
  );
}
