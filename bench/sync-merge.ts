/**
 * What the merge rule costs a sync round, measured next to the engine's own last-push-wins in one
 * run: a replica saves new tasks and pushes them in one round, with its changes rewritten into
 * the guarded statements (history/statements.ts) and with them sent as the engine makes them.
 *
 *   npx tsx bench/sync-merge.ts               # 5,000 saves a round, three rounds of each
 *   npx tsx bench/sync-merge.ts --saves 10000 --runs 5
 *
 * Each round is measured in a process of its own: in one process, the third replica opened after
 * a sync server was stopped failed every round with "Database is busy".
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { openTursoSync } from "../adapters/turso-sync.ts";
import { createTaskCache, type Connection } from "../core/index.ts";
import { startSyncServer } from "../harness/sync-server.ts";
import { benchArgs } from "./lib/args.ts";

const { values } = benchArgs(import.meta.filename, {
  saves: { type: "string" },
  runs: { type: "string" },
  kind: { type: "string" },
  run: { type: "string" },
});
const saves = Number(values.saves ?? 5000);
const runs = Number(values.runs ?? 3);
const dir = join(import.meta.dirname, "out", "sync-merge");

/** The replica's connection; `merged: false` sends every change as the engine makes it. */
async function replicaConnection(path: string, url: string, merged: boolean): Promise<Connection> {
  const connection = await openTursoSync({ path, url });
  const replica = connection.replica!;
  return merged
    ? connection
    : { ...connection, replica: { ...replica, rewriteChanges: () => replica.rewriteChanges(() => undefined) } };
}

/** One round of one kind, on a server and replica of its own; prints its seconds. */
async function measure(kind: "merged" | "engine", run: number) {
  const server = await startSyncServer(join(dir, `${kind}-${run}-server.db`));
  try {
    const cache = await createTaskCache(
      await replicaConnection(join(dir, `${kind}-${run}.db`), server.url, kind === "merged"),
      { syncIntervalMs: 0 },
    );
    for (let i = 0; i < saves; i++) {
      await cache.save({
        task_id: `uqt_new_${i}`,
        backend: "originq:WK_C180",
        status: "running",
        metadata: { circuit_ir: "QINIT 2\nH q[0]" },
      });
    }
    const started = performance.now();
    await cache.sync();
    console.log((performance.now() - started) / 1000);
    await cache.close();
  } finally {
    await server.stop();
  }
}

if (values.kind) {
  await measure(values.kind as "merged" | "engine", Number(values.run));
  process.exit(0);
}

rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const timings: Record<"merged" | "engine", number[]> = { merged: [], engine: [] };
for (let run = 0; run < runs; run++) {
  for (const kind of ["engine", "merged"] as const) {
    const args = [
      "--import",
      "tsx",
      import.meta.filename,
      "--saves",
      String(saves),
      "--kind",
      kind,
      "--run",
      String(run),
    ];
    timings[kind].push(Number(execFileSync(process.execPath, args, { encoding: "utf8" }).trim().split("\n").at(-1)));
  }
}
rmSync(dir, { recursive: true, force: true });
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
const fmt = (n: number) => n.toFixed(2);
console.log(
  `A sync round pushing ${saves.toLocaleString("en")} new tasks, median of ${runs} (Node ${process.versions.node}, tursodb on loopback).\n`,
);
console.log("| changes sent | round s | / engine's own |\n| --- | ---: | ---: |");
console.log(`| as the engine makes them (last push wins) | ${fmt(median(timings.engine))} | 1.00 |`);
console.log(
  `| rewritten into the merge rule's guarded statements | ${fmt(median(timings.merged))} | ${fmt(median(timings.merged) / median(timings.engine))} |`,
);
