/**
 * `uniqc-cache` as people run it: a subprocess on real files, and through a real server process.
 * Every command's success path, its `--json` shape, its errors and exit codes.
 */
import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLocalFile } from "../../adapters/local-file.ts";
import { TASK_COLUMNS, createTaskCache, type TaskCache } from "../../core/index.ts";
import { buildSeedFile, fileBytes, tableBytes, tempDir } from "../contract/fixtures.ts";
import { startSyncServer } from "../../harness/sync-server.ts";
import { startAnnounced, startServer, type ServerProcess } from "../../harness/server-process.ts";
import { CLI_RUNTIMES, cli, cliAsync, cliChild, type CliRuntime } from "./cli-process.ts";

const temp = tempDir("uniqc-cli-");
afterAll(() => temp.remove());

const STATUSES = ["success", "failed", "running", "pending", "cancelled"] as const;

/** A file with `n` varied tasks, a fifth of them archived. */
async function filled(name: string, n: number): Promise<string> {
  const path = temp.file(name);
  const cache = await createTaskCache(await openLocalFile(path));
  for (let i = 0; i < n; i++) {
    await cache.save({
      task_id: `t${String(i).padStart(4, "0")}`,
      backend: ["originq:WK_C180", "dummy", "ibm:kyiv"][i % 3]!,
      status: STATUSES[i % 5]!,
      shots: 100 * i,
      submit_time: new Date(Date.UTC(2026, 0, 1 + (i % 200), 0, 0, i % 60)).toISOString(),
      ...(i % 2 ? { result: { counts: { "00": i, "11": 1000 - i } } } : {}),
      metadata: { circuit_ir: `QINIT 2\nH q[0]\n// ${i} ünïcode "quoted", comma` },
      ...(i % 3 === 0 ? { compiled_circuit: { originir: `QINIT 2\nX q[${i % 2}]` } } : {}),
    });
  }
  await cache.bulkArchive(Array.from({ length: Math.floor(n / 5) }, (_, i) => `t${String(i * 5).padStart(4, "0")}`));
  await cache.close();
  return path;
}

async function withCache<T>(path: string, fn: (cache: TaskCache) => Promise<T>): Promise<T> {
  const cache = await createTaskCache(await openLocalFile(path));
  try {
    return await fn(cache);
  } finally {
    await cache.close();
  }
}

describe("on a file", () => {
  let db: string;
  beforeAll(async () => {
    db = await filled("main.sqlite", 60);
  });
  const run = (...args: string[]) => cli(["--db", db, ...args]);

  it("--help gives the commands, with examples, on every command; --version the build's", () => {
    const help = cli(["--help"]);
    expect(help.code).toBe(0);
    for (const command of [
      "serve",
      "doctor",
      "migrate",
      "tasks",
      "archive",
      "restore",
      "export",
      "import",
      "sync",
      "maintain",
    ])
      expect(help.stdout).toContain(command);
    for (const command of [
      ["doctor"],
      ["tasks", "list"],
      ["archive", "expired"],
      ["archive", "purge"],
      ["export"],
      ["import"],
      ["migrate", "up"],
      ["maintain"],
    ]) {
      const page = cli([...command, "--help"]);
      expect(page.code, command.join(" ")).toBe(0);
      expect(page.stdout, command.join(" ")).toContain("Examples:");
    }
    expect(cli(["--version"]).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("doctor and migrate status describe the file without changing it", () => {
    const bytes = fileBytes(db);
    const doctor = run("--json", "doctor");
    expect(doctor.code).toBe(0);
    expect(doctor.json).toMatchObject({
      application_id: "0x554E4943",
      user_version: 2,
      lineage: "seed",
      schema_version: 4,
      pending: [],
      read_only: false,
      integrity: "ok",
      tasks: 48,
      archived: 12,
    });
    expect(doctor.json.file_bytes).toBeGreaterThan(0);
    const table = run("doctor");
    expect(table.stdout).toMatch(/integrity\s+ok/);
    expect(run("--json", "migrate", "status").json).toEqual({
      lineage: "seed",
      version: 4,
      supported_version: 4,
      user_version: 2,
      read_only_reason: null,
      pending: [],
    });
    expect(fileBytes(db)).toBe(bytes);
  });

  it("tasks list filters, pages by cursor or offset, and lists the archive", () => {
    const page = run("--json", "tasks", "list", "--status", "failed", "--limit", "5");
    expect(page.code).toBe(0);
    expect(Object.keys(page.json).sort()).toEqual(["next_cursor", "tasks", "total"]);
    expect(page.json.total).toBe(12);
    expect(page.json.tasks.every((t: { status: string }) => t.status === "failed")).toBe(true);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const next: any = run("--json", "tasks", "list", "--limit", "7", ...(cursor ? ["--cursor", cursor] : [])).json;
      seen.push(...next.tasks.map((t: { task_id: string }) => t.task_id));
      cursor = next.next_cursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(48);
    expect(run("--json", "tasks", "list", "--offset", "40").json.tasks).toHaveLength(8);
    const archived = run("--json", "tasks", "list", "--archived");
    expect(archived.json.total).toBe(12);
    expect(archived.json.tasks.every((t: { archived_at?: string }) => t.archived_at)).toBe(true);
    expect(run("tasks", "list", "--limit", "2").stdout).toMatch(/task_id.*status.*backend/);
  });

  it("tasks list finds by search, id prefix and submit time, and refuses a time it cannot read", () => {
    const ids = (...args: string[]) =>
      run("--json", "tasks", "list", ...args).json.tasks.map((t: { task_id: string }) => t.task_id);
    expect(ids("--search", "// 17 ")).toEqual(["t0017"]);
    expect(ids("--search", "// 15 ", "--archived")).toEqual(["t0015"]);
    expect(ids("--id-prefix", "t001")).toHaveLength(8);
    const range = run("--json", "tasks", "list", "--since", "2026-01-10", "--until", "2026-01-20", "--limit", "3");
    expect(range.json.total).toBe(8);
    const next = run(
      "--json",
      "tasks",
      "list",
      "--since",
      "2026-01-10",
      "--until",
      "2026-01-20",
      "--cursor",
      range.json.next_cursor,
    );
    expect([...range.json.tasks, ...next.json.tasks].map((t: { task_id: string }) => t.task_id)).toEqual([
      "t0018",
      "t0017",
      "t0016",
      "t0014",
      "t0013",
      "t0012",
      "t0011",
      "t0009",
    ]);
    expect(run("--json", "tasks", "list", "--since", "2d").json.total).toBe(0);
    expect(run("--json", "tasks", "list", "--until", "2d").json.total).toBe(48);
    const refused = run("tasks", "list", "--since", "yesterday");
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/since.*timestamp/);
  });

  it("matching says how many tasks match, and moves them only with --yes; an empty filter needs --all", async () => {
    const path = await filled("matching.sqlite", 30);
    const on = (...args: string[]) => cli(["--db", path, ...args]);
    const asked = on("matching", "archive", "--status", "failed", "--backend", "dummy");
    expect(asked.code).toBe(0);
    expect(asked.stdout).toMatch(/^2 active tasks match\. Run again with --yes to archive them\./);
    expect(on("--json", "tasks", "counts").json).toMatchObject({ total: 24, archived: 6 });
    expect(on("--json", "matching", "archive", "--status", "failed", "--backend", "dummy", "--yes").json).toEqual({
      count: 2,
      dry_run: false,
    });
    expect(on("--json", "matching", "restore", "--search", "// 16 ", "--yes").json).toEqual({
      count: 1,
      conflicts: [],
      dry_run: false,
    });
    const refused = on("matching", "purge", "--yes");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/all: must be true/);
    expect(on("--json", "tasks", "counts").json).toMatchObject({ archived: 7 });
    expect(on("--json", "matching", "purge", "--all", "--yes").json).toEqual({ count: 7, dry_run: false });
    expect(on("matching", "delete", "--since", "2026-01-29", "--yes").stdout).toBe("Deleted 2.\n");
  });

  it("stats prints the days or weeks and the backends, or the same figures as JSON", async () => {
    const json = run("--json", "stats", "--by", "week", "--until", "2026-01-15").json;
    expect(json).toEqual(await withCache(db, (cache) => cache.stats({ by: "week", until: "2026-01-15" })));
    expect(json.tasks.total).toBe(14);
    expect(json.periods[0].start).toBe("2025-12-29");
    const text = run("stats", "--since", "2026-01-01", "--active-only");
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/success rate/);
    expect(text.stdout).toMatch(/48 tasks since 2026-01-01T00:00:00\.000000\+00:00/);
    expect(run("stats", "--by", "month").code).toBe(2);
  });

  it("tasks analyse puts the ideal beside the measured; tasks compare lays results side by side", async () => {
    const path = await filled("analysis.sqlite", 5);
    await withCache(path, async (cache) => {
      await cache.save({
        task_id: "bell",
        backend: "dummy",
        status: "success",
        metadata: { circuit_ir: "QINIT 2\nCREG 2\nH q[0]\nCNOT q[0],q[1]\nMEASURE q[0],c[0]\nMEASURE q[1],c[1]" },
        result: { counts: { "00": 490, "11": 490, "01": 20 } },
      });
    });
    const on = (...args: string[]) => cli(["--db", path, ...args]);
    const text = on("tasks", "analyse", "bell");
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/00\s*│\s*50\.00 %\s*│\s*49\.00 %/);
    expect(text.stdout).toMatch(/total variation distance 0\.0200, Hellinger fidelity 0\.9800 over 1000 shots/);
    expect(on("--json", "tasks", "analyse", "bell").json.tvd).toBeCloseTo(0.02, 12);
    const compared = on("--json", "tasks", "compare", "bell", "t0001").json;
    expect(compared.outcomes).toEqual(["00", "01", "11"]);
    // t0001 measured 1 and 999 of "00" and "11".
    expect(compared.tvd[0][1]).toBeCloseTo(0.509, 12);
    expect(on("tasks", "compare", "bell").code).toBe(2);
    expect(on("tasks", "analyse", "nope").code).toBe(1);
  });

  it("tasks show, shards and counts answer; an unknown id is one sentence on stderr and exit 1", () => {
    const shown = run("--json", "tasks", "show", "t0003");
    expect(shown.json).toMatchObject({
      task_id: "t0003",
      status: "pending",
      compiled_circuit: { originir: "QINIT 2\nX q[1]" },
      error_message: null,
    });
    expect(run("--json", "tasks", "show", "t0005").json.archived_at).toBeTruthy();
    expect(run("--json", "tasks", "shards", "t0003").json).toEqual({ task_id: "t0003", shard_count: 0, shards: [] });
    expect(run("--json", "tasks", "counts").json).toEqual({
      pending: 12,
      running: 12,
      success: 0,
      failed: 12,
      cancelled: 12,
      total: 48,
      archived: 12,
    });
    const missing = run("tasks", "show", "nope");
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe("There is no task nope.");
    expect(missing.stdout).toBe("");
  });

  it("archive, restore, delete, archive expired, purge and maintain move what they name and report the rest", async () => {
    const path = await filled("moves.sqlite", 30);
    const on = (...args: string[]) => cli(["--db", path, "--json", ...args]);
    expect(on("archive", "t0001", "t0002", "nope").json).toEqual({ archived: ["t0001", "t0002"], missing: ["nope"] });
    expect(on("archive", "t0001").code).toBe(1);
    expect(on("restore", "t0001", "t0009").json).toEqual({ restored: ["t0001"], missing: ["t0009"] });
    expect(on("tasks", "delete", "t0001").json).toEqual({ deleted: ["t0001"], missing: [] });
    const expired = on("archive", "expired", "--hours", "0");
    expect(expired.code).toBe(0);
    expect(expired.json.count).toBe(expired.json.archived.length);
    expect(expired.json.skipped_running.length).toBeGreaterThan(0);
    expect(on("archive", "purge", "--older-than", "0h", "--dry-run").json).toMatchObject({
      count: 30 - 1 - expired.json.skipped_running.length,
      dry_run: true,
    });
    const maintained = on("maintain", "--archive-after", "0h", "--purge-after", "0h");
    expect(maintained.json).toMatchObject({ archived: 0, purged: 30 - 1 - expired.json.skipped_running.length });
    expect(maintained.json.longest_transaction_ms).toBeGreaterThan(0);
    expect(on("tasks", "counts").json.archived).toBe(0);
  });

  it("a command used wrongly exits 2 with the reason; a failure exits 1 with one sentence", () => {
    const usage: string[][] = [
      ["bogus"],
      ["tasks", "list", "--status", "weird"],
      ["tasks", "list", "--cursor", "x", "--offset", "1"],
      ["tasks", "list", "--limit", "0"],
      ["maintain"],
      ["archive", "purge"],
      ["archive", "purge", "--older-than", "90"],
      ["--server", "http://127.0.0.1:9", "migrate", "status"],
      ["tasks", "show", "has space"],
    ];
    for (const args of usage) {
      const result = run(...args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr.trim().length, args.join(" ")).toBeGreaterThan(0);
    }
    const notReplica = run("sync");
    expect(notReplica.code).toBe(1);
    expect(notReplica.stderr.trim().split("\n")).toHaveLength(1);
    const foreign = temp.file("notes.sqlite");
    writeFileSync(foreign, "not a database at all".repeat(100));
    const refused = cli(["--db", foreign, "tasks", "counts"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not a SQLite database/);
  });
});

describe("export and import", () => {
  it.each(["ndjson", "csv"] as const)(
    "%s: export then import into an empty cache reproduces every row of both tables exactly",
    async (format) => {
      const source = await filled(`export-${format}.sqlite`, 50);
      const file = temp.file(`all.${format}`);
      const exported = cli(["--db", source, "--json", "export", "--out", file]);
      expect(exported.code, exported.stderr).toBe(0);
      expect(exported.json).toEqual({ exported: 50, format, out: file });
      const target = temp.file(`import-${format}.sqlite`);
      const imported = cli(["--db", target, "--json", "import", file, "--batch", "7"]);
      expect(imported.code, imported.stderr).toBe(0);
      expect(imported.json).toEqual({ read: 50, written: 50, rejected: [], batches: 8 });
      const bytes = (path: string) =>
        withCache(path, async () => {
          const c = await openLocalFile(path);
          try {
            return [
              await tableBytes(c, "tasks", TASK_COLUMNS),
              await tableBytes(c, "archived_tasks", [...TASK_COLUMNS, "archived_at"]),
            ];
          } finally {
            await c.close();
          }
        });
      expect(await bytes(target)).toEqual(await bytes(source));
      // To stdout too, the same rows.
      const piped = cli(["--db", source, "export", "--scope", "archived", "--format", format]);
      expect(piped.stdout.trim().split("\n")).toHaveLength(format === "csv" ? 11 : 10);
    },
  );

  it("bad lines are reported by number and the good ones imported", () => {
    const good = (id: string) =>
      JSON.stringify({
        task_id: id,
        backend: "b",
        status: "success",
        shots: 1,
        submit_time: "2026-01-01T00:00:00+00:00",
        update_time: "2026-01-01T00:00:00+00:00",
        result_json: null,
        metadata_json: "{}",
      });
    const file = temp.file("mixed.ndjson");
    writeFileSync(
      file,
      [
        good("g1"),
        "{not json",
        JSON.stringify({ task_id: "m1", status: "success" }),
        good("g2").replace("2026-01-01T00:00:00+00:00", "yesterday"),
        "",
        good("g3"),
      ].join("\n"),
    );
    const result = cli(["--db", temp.file("mixed.sqlite"), "--json", "import", file]);
    expect(result.code).toBe(1);
    expect(result.json.written).toBe(2);
    expect(result.json.rejected.map((r: { line: number }) => r.line)).toEqual([2, 3, 4]);
    expect(result.json.rejected[1].reason).toMatch(/backend/);
    const text = cli(["--db", temp.file("mixed2.sqlite"), "import", file]);
    expect(text.stderr).toMatch(/^line 2: not JSON/m);
  });

  it("a kill during an import leaves whole batches only", async () => {
    const file = temp.file("big.ndjson");
    const lines: string[] = [];
    for (let i = 0; i < 60_000; i++) {
      lines.push(
        JSON.stringify({
          task_id: `k${i}`,
          backend: "b",
          status: "success",
          shots: i,
          submit_time: "2026-01-01T00:00:00.000000+00:00",
          update_time: "2026-01-01T00:00:00.000000+00:00",
          result_json: null,
          metadata_json: `{"i":${i}}`,
        }),
      );
    }
    writeFileSync(file, `${lines.join("\n")}\n`);
    const db = temp.file("killed.sqlite");
    await withCache(db, async () => undefined);
    const child = cliChild(["--db", db, "import", file, "--batch", "1000"]);
    const exited = new Promise((resolve) => child.once("exit", resolve));
    const reader = await openLocalFile(db);
    try {
      const count = async () => Number((await reader.all<{ n: number }>("SELECT COUNT(*) AS n FROM tasks"))[0]?.n);
      const deadline = Date.now() + 60_000;
      while ((await count()) < 3000 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      process.kill(-child.pid!, "SIGKILL");
      await exited;
      const left = await count();
      expect(left).toBeGreaterThanOrEqual(3000);
      expect(left).toBeLessThan(60_000);
      expect(left % 1000).toBe(0);
    } finally {
      await reader.close();
    }
  });
});

describe("migrate", () => {
  it("up --dry-run prints the SQL and changes nothing; up --backup keeps a copy that opens at the old version", async () => {
    const path = temp.file("seed-v2.sqlite");
    const c = await openLocalFile(path);
    await buildSeedFile(c, 2, 40, 10);
    await c.close();
    const bytes = fileBytes(path);
    expect(cli(["--db", path, "--json", "migrate", "status"]).json.pending).toEqual([
      "v3 compiled circuit storage",
      "v4 listing indexes and counters",
    ]);
    const dry = cli(["--db", path, "migrate", "up", "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("ALTER TABLE tasks ADD COLUMN compiled_circuit_json TEXT;");
    expect(fileBytes(path)).toBe(bytes);
    const backup = temp.file("before.sqlite");
    const up = cli(["--db", path, "--json", "migrate", "up", "--backup", backup]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.json).toEqual({ applied: ["v3 compiled circuit storage", "v4 listing indexes and counters"], backup });
    const old = cli(["--db", backup, "--json", "doctor"]).json;
    expect(old).toMatchObject({
      user_version: 2,
      schema_version: 2,
      tasks: 40,
      archived: 10,
      integrity: "ok",
      pending: ["v3 compiled circuit storage", "v4 listing indexes and counters"],
    });
    expect(cli(["--db", path, "--json", "doctor"]).json).toMatchObject({
      schema_version: 4,
      pending: [],
      tasks: 40,
      archived: 10,
    });
    const again = cli(["--db", path, "migrate", "up", "--backup", backup]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Nothing to do/);
    const other = temp.file("seed-v2-b.sqlite");
    const d = await openLocalFile(other);
    await buildSeedFile(d, 2, 3, 0);
    await d.close();
    const refused = cli(["--db", other, "migrate", "up", "--backup", backup]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/already exists/);
    expect(cli(["--db", other, "--json", "doctor"]).json.schema_version).toBe(2);
  });
});

describe("through a running server", () => {
  let server: ServerProcess;
  let db: string;
  beforeAll(async () => {
    db = await filled("served.sqlite", 40);
    server = await startServer("node", ["--db", db, "--token", "s3cret"]);
  });
  afterAll(async () => {
    await server?.stop();
  });
  const via = (...args: string[]) => cli(["--server", server.base, "--token", "s3cret", "--json", ...args]);

  it("lists, shows, counts, moves, exports, imports and maintains as on the file", () => {
    expect(via("tasks", "counts").json).toMatchObject({ total: 32, archived: 8 });
    const page = via("tasks", "list", "--status", "failed", "--limit", "3");
    expect(page.json.tasks).toHaveLength(3);
    expect(
      via("tasks", "list", "--status", "failed", "--limit", "3", "--cursor", page.json.next_cursor).json.tasks[0]
        .task_id,
    ).not.toBe(page.json.tasks[0].task_id);
    expect(via("tasks", "show", "t0005").json.archived_at).toBeTruthy();
    const found = via("tasks", "list", "--search", "// 17 ", "--since", "2026-01-01").json;
    expect(found.tasks.map((t: { task_id: string }) => t.task_id)).toEqual(["t0017"]);
    expect(via("tasks", "list", "--id-prefix", "t003", "--limit", "2").json.total).toBe(8);
    expect(via("matching", "archive", "--id-prefix", "t003").json).toEqual({ count: 8, dry_run: true });
    expect(via("matching", "restore", "--id-prefix", "t003", "--yes").json).toEqual({
      count: 2,
      conflicts: [],
      dry_run: false,
    });
    expect(via("matching", "archive", "--id-prefix", "t003", "--yes").json).toEqual({ count: 10, dry_run: false });
    expect(via("matching", "restore", "--id-prefix", "t003", "--since", "2026-01-01", "--yes").json.count).toBe(10);
    expect(via("archive", "t0001", "nope").json).toEqual({ archived: ["t0001"], missing: ["nope"] });
    expect(via("restore", "t0001").json).toEqual({ restored: ["t0001"], missing: [] });
    const file = temp.file("served.ndjson");
    expect(via("export", "--out", file).json.exported).toBe(40);
    expect(via("import", file).json).toMatchObject({ read: 40, written: 0, rejected: [] });
    expect(via("archive", "purge", "--older-than", "90d", "--dry-run").json).toMatchObject({ count: 0, dry_run: true });
    expect(via("maintain", "--archive-after", "0h").json.archived).toBeGreaterThan(0);
    expect(via("doctor").json).toMatchObject({ lineage: "seed", read_only: false });
  });

  it("a wrong token, an unreachable server and a command that needs the file each say so", () => {
    const denied = cli(["--server", server.base, "--token", "wrong", "tasks", "counts"]);
    expect(denied.code).toBe(1);
    expect(denied.stderr.trim().length).toBeGreaterThan(0);
    const away = cli(["--server", "http://127.0.0.1:9", "tasks", "counts"]);
    expect(away.code).toBe(1);
    expect(away.stderr).toMatch(/Cannot reach the cache server at http:\/\/127\.0\.0\.1:9/);
    expect(cli(["--server", server.base, "migrate", "up"]).code).toBe(2);
  });
});

describe("serve and sync", () => {
  it("serve is the server, with its flags; its retention policy runs and /api/health says what it did", async () => {
    const db = await filled("policy.sqlite", 20);
    const [command, ...base] = CLI_RUNTIMES.node;
    const server = await startAnnounced("uniqc-cache serve", command, [
      ...base,
      "--db",
      db,
      "serve",
      "--port",
      "0",
      "--archive-after",
      "1h",
      "--maintain-every",
      "1s",
    ]);
    try {
      let health: any;
      const deadline = Date.now() + 20_000;
      do {
        health = await (await fetch(`${server.base}/api/health`)).json();
        if (health.maintenance?.last) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      } while (Date.now() < deadline);
      expect(health.maintenance).toMatchObject({
        archive_after_hours: 1,
        purge_after_hours: null,
        every_ms: 1000,
        last_error: null,
      });
      expect(health.maintenance.last.archived).toBe(8);
      expect(health.maintenance.last.longest_transaction_ms).toBeGreaterThan(0);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(cli(["serve", "--port", "0", "--archive-after", "soon"]).code).toBe(2);
  });

  it("sync on a replica pulls and pushes now, and says what moved", async () => {
    const sync = await startSyncServer(temp.file("sync-server.db"));
    try {
      const replica = temp.file("replica.db");
      const first = await cliAsync(["--db", replica, "--sync-url", sync.url, "--json", "sync"]);
      expect(first.code, first.stderr).toBe(0);
      expect(Object.keys(first.json).sort()).toEqual(["pulled", "pushed", "reconciled"]);
      const file = temp.file("to-sync.ndjson");
      writeFileSync(
        file,
        `${JSON.stringify({ task_id: "s1", backend: "b", status: "success", shots: 1, submit_time: "2026-01-01T00:00:00+00:00", update_time: "2026-01-01T00:00:00+00:00" })}\n`,
      );
      expect((await cliAsync(["--db", replica, "--sync-url", sync.url, "--json", "import", file])).json.written).toBe(
        1,
      );
      const other = await cliAsync([
        "--db",
        temp.file("replica-2.db"),
        "--sync-url",
        sync.url,
        "--json",
        "tasks",
        "show",
        "s1",
      ]);
      expect(other.json.task_id).toBe("s1");
    } finally {
      await sync.stop();
    }
  });

  it("tasks conflicts lists what two machines' files disagreed on, and the version that lost", async () => {
    const sync = await startSyncServer(temp.file("conflicts-server.db"));
    try {
      const on = (name: string, ...args: string[]) =>
        cliAsync(["--db", temp.file(`${name}.db`), "--sync-url", sync.url, "--json", ...args]);
      const rows = (name: string, row: Record<string, unknown>) => {
        const file = temp.file(`${name}.ndjson`);
        writeFileSync(
          file,
          `${JSON.stringify({ task_id: "c1", backend: "b", shots: 1, submit_time: "2026-01-01T00:00:00+00:00", ...row })}\n`,
        );
        return file;
      };
      await on("first", "import", rows("c1-running", { status: "running", update_time: "2026-01-01T00:00:00+00:00" }));
      const done = { status: "success", update_time: "2026-01-01T01:00:00+00:00", result_json: '{"counts":{"1":3}}' };
      expect((await on("first", "import", rows("c1-done", done))).json.written).toBe(1);
      // The second machine's file never saw the result, and says the task failed, later by its clock.
      const failed = { status: "failed", update_time: "2026-01-01T02:00:00+00:00" };
      expect((await on("second", "import", rows("c1-failed", failed))).json.written).toBe(1);
      await on("first", "sync");
      const listed = await on("first", "tasks", "conflicts");
      expect(listed.json).toEqual({ task_ids: ["c1"], count: 1 });
      const shown = await on("first", "tasks", "show", "c1");
      expect([shown.json.status, shown.json.result, shown.json.has_conflicts]).toEqual([
        "success",
        { counts: { "1": 3 } },
        true,
      ]);
      const lost = await on("first", "tasks", "conflicts", "c1");
      expect(lost.json.conflicts.map((c: any) => [c.place, c.task.status])).toEqual([["active", "failed"]]);
      const table = await cliAsync(["--db", temp.file("first.db"), "--sync-url", sync.url, "tasks", "conflicts", "c1"]);
      expect(table.stdout).toMatch(/failed/);
      expect((await on("first", "tasks", "conflicts", "nope")).code).toBe(1);
    } finally {
      await sync.stop();
    }
  });
});

describe.each(["deno", "bun"] as CliRuntime[])("under %s", (runtime) => {
  it("the program answers help, doctor, counts, export and import", async () => {
    const db = await filled(`${runtime}.sqlite`, 10);
    expect(cli(["--help"], { runtime }).code).toBe(0);
    expect(cli(["--db", db, "--json", "doctor"], { runtime }).json).toMatchObject({
      integrity: "ok",
      tasks: 8,
      archived: 2,
    });
    expect(cli(["--db", db, "--json", "tasks", "counts"], { runtime }).json.total).toBe(8);
    const file = temp.file(`${runtime}.ndjson`);
    expect(cli(["--db", db, "--json", "export", "--out", file], { runtime }).json.exported).toBe(10);
    expect(
      cli(["--db", temp.file(`${runtime}-copy.sqlite`), "--json", "import", file], { runtime }).json,
    ).toMatchObject({ written: 10, rejected: [] });
    expect(cli(["bogus"], { runtime }).code).toBe(2);
  });
});
