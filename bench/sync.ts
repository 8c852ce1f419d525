/**
 * The synced replica, measured against a real `tursodb --sync-server` on loopback:
 *
 *   npx tsx bench/sync.ts                    # 100k tasks (9.5 % archived), 10k pushed
 *   npx tsx bench/sync.ts --rows 1000000     # the counting cost at a million
 *
 * It generates a local file (bench/generate.ts), brings its rows into replica A and pushes them
 * while replica B follows, then times: writing and pushing new tasks on B, pulling them on A, and
 * the listing and counts on B next to the local file of the same rows, as ratios.
 */
import { copyFileSync, existsSync, rmSync, statSync } from "node:fs";
import Database from "better-sqlite3";
import { join } from "node:path";
import { openCache, openConnection } from "../adapters/open.ts";
import { openTursoSync } from "../adapters/turso-sync.ts";
import { createTaskCache, type Row, type TaskCache } from "../core/index.ts";
import { NEWEST_FIRST } from "../core/store/queries.ts";
import { startSyncServer } from "../harness/sync-server.ts";
import { DEFAULTS, generate } from "../harness/generate.ts";
import { meanMs, meanMsAfter } from "./lib/mean-time.ts";
import { benchArgs } from "./lib/args.ts";

const { values } = benchArgs(import.meta.filename, {
  rows: { type: "string" },
  push: { type: "string" },
  seconds: { type: "string" },
});
const rows = Number(values.rows ?? 100_000);
const pushRows = Number(values.push ?? 10_000);
const budgetMs = Number(values.seconds ?? 1) * 1000;
/** Tasks imported once more at full size, and inserted by the engine alone, to compare the two rates. */
const EXTRA_ROWS = 20_000;
/** A listing's columns as stored, for the raw statement beside the core's. */
const RAW_COLUMNS =
  "task_id, backend, status, shots, submit_time, update_time, result_json IS NOT NULL AS has_result, metadata_json";
/** Above this many tasks a replica is not opened on the whole history (see the import). */
const BOOTSTRAP_ROWS = 200_000;
const dir = join(import.meta.dirname, "out", `sync-${rows}`);
rmSync(dir, { recursive: true, force: true });

const seconds = async <T>(work: () => Promise<T>): Promise<[number, T]> => {
  const start = performance.now();
  const result = await work();
  return [(performance.now() - start) / 1000, result];
};

const perCall = (fn: () => Promise<unknown>) => meanMs(fn, budgetMs);

/**
 * The bytes of B's version and sibling columns over its tasks, plus each column's byte of record
 * header: what the merge rule adds to a row, where the file's size moves by whole pages. Read
 * from a copy, since only the sync engine may open the replica itself.
 */
function keptBytesPerTask(): number {
  const copy = join(dir, "b-copy.db");
  for (const suffix of ["", "-wal"])
    if (existsSync(join(dir, `b.db${suffix}`))) copyFileSync(join(dir, `b.db${suffix}`), `${copy}${suffix}`);
  const db = new Database(copy, { readonly: true });
  try {
    const kept = (table: string) =>
      `SELECT COUNT(*) AS n, SUM(2 + LENGTH(sync_version) + IFNULL(LENGTH(sync_siblings), 0)) AS bytes FROM ${table}`;
    const [active, archived] = ["tasks", "archived_tasks"].map(
      (table) => db.prepare(kept(table)).get() as { n: number; bytes: number },
    );
    return (active!.bytes + archived!.bytes) / (active!.n + archived!.n);
  } finally {
    db.close();
  }
}

const localFile = join(dir, "local.sqlite");
await generate(localFile, { ...DEFAULTS, rows, archived: 0.095 });
const server = await startSyncServer(join(dir, "server.db"));
const figures: [string, string][] = [];
const fmt = (n: number, digits = 2) =>
  n.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });

try {
  // Replica A takes the generated rows as stored, in batches, pushing as it goes. Replica B and
  // the replica that will take the engine's own inserts join while the server holds only the
  // schema and follow the import round by round, as a second machine online would: the test
  // server answers a pull by reading its log back to the puller's position, and after a million
  // tasks its log holds every page each pushed statement wrote (18 GB), which a replica opened
  // last would have to wait for.
  const a = await openCache(join(dir, "a.db"), { syncUrl: server.url, syncIntervalMs: 0 });
  await a.sync();
  const b = await openCache(join(dir, "b.db"), { syncUrl: server.url, syncIntervalMs: 0, keepPages: false });
  const raw = await openTursoSync({ path: join(dir, "raw.db"), url: server.url });
  const follow = async () => {
    const [took] = await seconds(async () => {
      await b.sync();
      await raw.replica!.pull();
    });
    return took;
  };
  let following = 0;
  const source = await openConnection(localFile);
  const [fillSeconds] = await seconds(async () => {
    for (const table of ["tasks", "archived_tasks"]) {
      for (let offset = 0; ; offset += 1000) {
        const batch = await source.all(`SELECT * FROM ${table} ORDER BY rowid LIMIT 1000 OFFSET ${offset}`);
        if (batch.length === 0) break;
        await a.importRows(batch);
        // As the sync interval would: the engine aborts on a push of about 128 MiB.
        if (offset % 20_000 === 0) {
          await a.sync();
          following += await follow();
        }
      }
    }
  });
  await source.close();
  const [lastPush] = await seconds(() => a.sync());
  following += await follow();
  figures.push([
    `import ${rows.toLocaleString("en")} tasks into replica A (batches of 1,000, a sync round every 20,000)`,
    `${fmt(fillSeconds + lastPush - following, 1)} s`,
  ]);
  figures.push([
    `replica B and one more follow it: their pulls after each of A's rounds, in all`,
    `${fmt(following, 1)} s`,
  ]);
  // What a replica holds per task: its file and WAL once it holds them all.
  const bytes = ["", "-wal"]
    .map((suffix) => join(dir, `b.db${suffix}`))
    .filter((file) => existsSync(file))
    .reduce((sum, file) => sum + statSync(file).size, 0);
  figures.push([`replica B's file per task`, `${fmt(bytes / rows, 0)} bytes`]);
  // A replica opened on the whole history, where the server's log is small enough to read back.
  if (rows <= BOOTSTRAP_ROWS) {
    const [bootstrap, c] = await seconds(() =>
      openCache(join(dir, "c.db"), { syncUrl: server.url, syncIntervalMs: 0 }),
    );
    if ((await c.list()).total + (await c.countArchived()) !== rows)
      throw new Error("replica C did not receive every task");
    await c.close();
    figures.push([
      `bootstrap replica C with ${rows.toLocaleString("en")} tasks (open on an empty path)`,
      `${fmt(bootstrap, 1)} s`,
    ]);
  }
  if ((await b.list()).total + (await b.countArchived()) !== rows)
    throw new Error("replica B did not receive every task");

  const [writeNew] = await seconds(async () => {
    for (let i = 0; i < pushRows; i++)
      await b.save({
        task_id: `uqt_new_${i}`,
        backend: "originq:WK_C180",
        status: "running",
        metadata: { circuit_ir: "QINIT 2\nH q[0]" },
      });
  });
  const [push, round] = await seconds(() => b.sync());
  const [pull] = await seconds(() => a.sync());
  figures.push([`save ${pushRows.toLocaleString("en")} new tasks on B, one by one`, `${fmt(writeNew, 1)} s`]);
  figures.push([
    `push them (a sync round: push ${round.pushed.toLocaleString("en")} changes, pull, settle)`,
    `${fmt(push, 2)} s`,
  ]);
  figures.push([`pull them on A (a sync round)`, `${fmt(pull, 2)} s`]);

  // A round whose pull brings a change counts A's kept counts again before it ends (see BENCHMARKS.md).
  let flips = 0;
  const pullRounds: number[] = [];
  const pulledCounts = await meanMsAfter(
    async () => {
      await b.save({ task_id: "uqt_new_1", backend: "originq:WK_C180", status: flips++ % 2 ? "running" : "success" });
      await b.sync();
      const started = performance.now();
      await a.sync();
      pullRounds.push(performance.now() - started);
    },
    () => a.counts(),
    budgetMs,
  );
  figures.push([
    `a sync round on A that pulls one changed task (its counts counted again within it)`,
    `${fmt(pullRounds.reduce((x, y) => x + y, 0) / pullRounds.length, 1)} ms`,
  ]);
  await a.close();

  // The same tasks on both sides: the local file gets B's new tasks too.
  const local = await createTaskCache(await openConnection(localFile), { keepPages: false });
  for (let i = 0; i < pushRows; i++)
    await local.save({
      task_id: `uqt_new_${i}`,
      backend: "originq:WK_C180",
      status: "running",
      metadata: { circuit_ir: "QINIT 2\nH q[0]" },
    });

  // The next page from deep in the listing, and an id prefix of seven characters of a generated
  // task (past B's new ones, whose ids all begin alike): a few hundred tasks at a million, as a
  // user finds a task by the start of its id.
  const cursor = (await local.listText({ limit: 100, offset: 5000 })).last;
  const prefix = (await local.listText({ limit: 1, offset: pushRows + 777 })).last!.task_id.slice(0, 7);
  const operations: [string, (cache: TaskCache) => Promise<unknown>][] = [
    ["list newest 100", (c) => c.listText({ limit: 100 })],
    ["list the 100 after a cursor 5,100 tasks in", (c) => c.listText({ limit: 100, after: cursor })],
    [`list an id prefix of 7 characters`, (c) => c.listText({ idPrefix: prefix, limit: 100 })],
    ["list failed, newest 100", (c) => c.listText({ status: "failed", limit: 100 })],
    ["list a backend at offset 5,000", (c) => c.listText({ backend: "ibm:ibm_kyiv", limit: 100, offset: 5000 })],
    ["counts", (c) => c.counts()],
    ["get by id", (c) => c.get("uqt_new_5")],
  ];
  // A save of one task before each read: what a dashboard beside a working submitter sees.
  const afterSave = (read: (cache: TaskCache) => Promise<unknown>) => {
    let saves = 0;
    return (cache: TaskCache) =>
      meanMsAfter(
        () =>
          cache.save({
            task_id: "uqt_new_5",
            backend: "originq:WK_C180",
            status: saves++ % 2 ? "running" : "success",
          }),
        () => read(cache),
        budgetMs,
      );
  };
  const afterSaves: [string, (cache: TaskCache) => Promise<number>][] = [
    ["list newest 100, right after a save", afterSave((c) => c.listText({ limit: 100 }))],
    ["counts, right after a save", afterSave((c) => c.counts())],
  ];
  const table: string[] = [];
  const compare = async (
    name: string,
    op: (cache: TaskCache) => Promise<unknown>,
    localCache: TaskCache,
    replica: TaskCache,
  ) => {
    const localMs = await perCall(() => op(localCache));
    const replicaMs = await perCall(() => op(replica));
    table.push(`| ${name} | ${fmt(localMs, 3)} | ${fmt(replicaMs, 3)} | ${fmt(replicaMs / localMs)} |`);
  };
  for (const [name, op] of operations) await compare(name, op, local, b);
  // The engines' floor: the same raw statement on the file and on a replica holding the same
  // tasks (the raw replica, brought up to date), its rows serialised in JavaScript.
  await raw.replica!.pull();
  const file = await openConnection(localFile);
  for (const [name, sql, args] of [
    [
      "list newest 100, the raw statement (the engines' floor)",
      `SELECT ${RAW_COLUMNS} FROM tasks ${NEWEST_FIRST} LIMIT 100`,
      [],
    ],
    [
      "list the 100 after the cursor, the raw statement (the engines' floor)",
      `SELECT ${RAW_COLUMNS} FROM tasks WHERE submit_time <= ? AND (submit_time, task_id) < (?, ?) ${NEWEST_FIRST} LIMIT 100`,
      [cursor!.submit_time, cursor!.submit_time, cursor!.task_id],
    ],
  ] as const) {
    const [fileMs, replicaMs] = [
      await perCall(async () => JSON.stringify(await file.all(sql, args))),
      await perCall(async () => JSON.stringify(await raw.all(sql, args))),
    ];
    table.push(`| ${name} | ${fmt(fileMs, 3)} | ${fmt(replicaMs, 3)} | ${fmt(replicaMs / fileMs)} |`);
  }
  await file.close();
  for (const [name, timed] of afterSaves) {
    const [localMs, replicaMs] = [await timed(local), await timed(b)];
    table.push(`| ${name} | ${fmt(localMs, 3)} | ${fmt(replicaMs, 3)} | ${fmt(replicaMs / localMs)} |`);
  }
  const localCounts = await perCall(() => local.counts());
  table.push(
    `| counts on A, right after a round that pulled a change | ${fmt(localCounts, 3)} | ${fmt(pulledCounts, 3)} | ${fmt(pulledCounts / localCounts)} |`,
  );
  // A bulk move changes what it moves, so it is timed once on each: 1,000 ids scattered over the table.
  const active: string[] = [];
  for await (const row of local.exportRows("active")) active.push(row.task_id);
  const stride = Math.max(1, Math.floor(active.length / 1000));
  const scattered = active.filter((_, i) => i % stride === 0).slice(0, 1000);
  const [localMove] = await seconds(() => local.bulkArchive(scattered));
  const [replicaMove] = await seconds(() => b.bulkArchive(scattered));
  table.push(
    `| bulk-archive 1,000 scattered ids (once) | ${fmt(localMove * 1000, 3)} | ${fmt(replicaMove * 1000, 3)} | ${fmt(replicaMove / localMove)} |`,
  );
  await local.close();
  await b.close();
  figures.push([`what the merge rule keeps per task on B (its columns' bytes)`, `${fmt(keptBytesPerTask(), 1)} bytes`]);
  // Kept answers, as the server serves a dashboard that asks again and again.
  const keptLocal = await createTaskCache(await openConnection(localFile));
  const keptReplica = await openCache(join(dir, "b.db"), { syncUrl: server.url, syncIntervalMs: 0 });
  await compare("list newest 100, page kept", (c) => c.listText({ limit: 100 }), keptLocal, keptReplica);
  await compare("counts, unchanged (kept)", (c) => c.counts(), keptLocal, keptReplica);
  await keptLocal.close();
  await keptReplica.close();

  // The import's rate against the engine's own inserts, at the same size and cadence: 20,000
  // more tasks through importRows on A, and as plain prepared INSERTs on a replica the core does
  // not open (its changes pushed as the engine makes them).
  const extra = await openConnection(localFile).then(async (file) => {
    const rows = await file.all(`SELECT * FROM tasks ORDER BY rowid LIMIT ${EXTRA_ROWS}`);
    await file.close();
    return rows;
  });
  const renamed = (prefix: string) => extra.map((row): Row => ({ ...row, task_id: `${prefix}${row.task_id}` }));
  const batches = <T>(items: T[]) =>
    Array.from({ length: Math.ceil(items.length / 1000) }, (_, i) => items.slice(i * 1000, (i + 1) * 1000));
  const importer = await openCache(join(dir, "a.db"), { syncUrl: server.url, syncIntervalMs: 0 });
  const [importRate] = await seconds(async () => {
    for (const [i, batch] of batches(renamed("imp_")).entries()) {
      await importer.importRows(batch);
      if (i % 20 === 19) await importer.sync();
    }
    await importer.sync();
  });
  await importer.close();
  await raw.replica!.pull();
  const columns = Object.keys(extra[0] ?? {});
  const insert = `INSERT INTO tasks (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`;
  const [rawRate] = await seconds(async () => {
    for (const [i, batch] of batches(renamed("raw_")).entries()) {
      await raw.run("BEGIN IMMEDIATE");
      for (const row of batch)
        await raw.run(
          insert,
          columns.map((column) => row[column] ?? null),
        );
      await raw.run("COMMIT");
      if (i % 20 === 19) await raw.replica!.push();
    }
    await raw.replica!.push();
  });
  await raw.close();
  figures.push([
    `import ${EXTRA_ROWS.toLocaleString("en")} more tasks into A, pushed (importRows)`,
    `${fmt(importRate, 1)} s, ${fmt(EXTRA_ROWS / importRate, 0)} tasks/s`,
  ]);
  figures.push([
    `the engine's own: ${EXTRA_ROWS.toLocaleString("en")} prepared INSERTs on a replica, pushed, same cadence`,
    `${fmt(rawRate, 1)} s, ${fmt(EXTRA_ROWS / rawRate, 0)} tasks/s (import / raw time ${fmt(importRate / rawRate)})`,
  ]);

  console.log(
    `Synced replica, ${rows.toLocaleString("en")} tasks (9.5 % archived), against tursodb --sync-server on loopback.\n`,
  );
  console.log("| step | time |\n| --- | ---: |");
  for (const [name, value] of figures) console.log(`| ${name} | ${value} |`);
  console.log("\n| operation | local file ms | replica ms | replica / local |\n| --- | ---: | ---: | ---: |");
  console.log(table.join("\n"));
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
