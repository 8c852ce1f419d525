/**
 * The conformance suite against the real server process: Node, Deno and Bun with their local
 * file drivers, and Node with libSQL. Same cases, same assertions, every cell.
 */
import assert from "node:assert/strict";
import { afterAll, beforeAll, describe, it } from "vitest";
import { buildSeedFile, tempDir } from "../contract/fixtures.ts";
import { openLibsql } from "../../adapters/libsql.ts";
import { Api, conformance } from "./conformance.ts";
import { runToExit, startServer, type Runtime, type ServerProcess } from "../../harness/server-process.ts";

const CELLS: { name: string; runtime: Runtime; db: (file: string) => string; adapter: string }[] = [
  {
    name: "node, local file",
    runtime: "node",
    db: (file) => file,
    adapter: Number(process.versions.node.split(".")[0]) >= 22 ? "node:sqlite" : "better-sqlite3",
  },
  { name: "node, libsql", runtime: "node", db: (file) => `file:${file}`, adapter: "libsql" },
  { name: "deno, local file", runtime: "deno", db: (file) => file, adapter: "node:sqlite" },
  { name: "bun, local file", runtime: "bun", db: (file) => file, adapter: "bun:sqlite" },
];

describe.each(CELLS)("$name", ({ runtime, db, adapter }) => {
  const temp = tempDir("uniqc-server-");
  let server: ServerProcess;
  const api = () => new Api(server.base);

  beforeAll(async () => {
    server = await startServer(runtime, ["--db", db(temp.file("tasks.sqlite"))]);
  });
  afterAll(async () => {
    await server?.stop("SIGKILL");
    temp.remove();
  });

  it(`serves with the ${adapter} adapter`, async () => {
    assert.equal((await api().ok("GET", "/api/version")).adapter, adapter);
  });

  for (const conformanceCase of conformance) {
    it(conformanceCase.name, () => conformanceCase.run(api()));
  }

  it("refuses a file of another application before listening, with a message and a non-zero exit", async () => {
    const path = temp.file("foreign.sqlite");
    const setup = openLibsql({ url: `file:${path}` });
    await setup.run("PRAGMA application_id = 42");
    await setup.run("CREATE TABLE notes (x)");
    await setup.close();
    const { code, output } = await runToExit(runtime, ["--db", db(path), "--port", "0"]);
    assert.equal(code, 1);
    assert.match(output, /belongs to another application/);
    assert.doesNotMatch(output, /listening|on http/);
  });

  it("refuses to listen beyond loopback without a token", async () => {
    const { code, output } = await runToExit(runtime, [
      "--db",
      db(temp.file("open.sqlite")),
      "--host",
      "0.0.0.0",
      "--port",
      "0",
    ]);
    assert.equal(code, 2);
    assert.match(output, /without a token/);
  });

  it("serves a newer file read-only: writes are 409 naming both versions, the file unchanged", async () => {
    const path = temp.file("newer.sqlite");
    const setup = openLibsql({ url: `file:${path}` });
    await buildSeedFile(setup, 2, 3, 1);
    await setup.run("PRAGMA user_version = 5");
    await setup.close();
    const readOnly = await startServer(runtime, ["--db", db(path)]);
    try {
      const client = new Api(readOnly.base);
      assert.equal((await client.ok("GET", "/api/version")).read_only, true);
      assert.equal((await client.ok("GET", "/api/tasks")).total, 3);
      const problem = await client.refused(409, "PUT", "/api/tasks/new", { backend: "b", status: "pending" });
      assert.match(problem.detail, /read-only/);
      assert.match(problem.detail, /v5.*v4/);
      await client.refused(409, "POST", "/api/tasks/bulk-archive", { task_ids: ["x"] });
    } finally {
      await readOnly.stop("SIGKILL");
    }
  });

  it("announces a write made by another process, and an open event stream does not hold SIGTERM", async () => {
    const path = temp.file("events.sqlite");
    const running = await startServer(runtime, ["--db", db(path)]);
    const events = await new Api(running.base).events();
    try {
      await events.next("ready");
      const other = openLibsql({ url: `file:${path}` });
      await other.run(
        "INSERT INTO tasks (task_id, backend, status, submit_time, update_time) VALUES ('elsewhere', 'b', 'running', '2026-05-03T00:00:00+00:00', '2026-05-03T00:00:00+00:00')",
      );
      await other.close();
      const changed = await events.next("cache.changed");
      assert.equal(changed.data.counts.running, 1);
      assert.equal(await running.stop("SIGTERM"), 0, running.output());
    } finally {
      events.close();
      await running.stop("SIGKILL");
    }
  });

  it("finishes on SIGTERM with exit 0 and the database closed", async () => {
    const path = temp.file("graceful.sqlite");
    const running = await startServer(runtime, ["--db", db(path)]);
    const client = new Api(running.base);
    const writes = Array.from({ length: 20 }, (_, i) =>
      client.call("PUT", `/api/tasks/g-${i}`, { backend: "b", status: "pending" }),
    );
    const allSettled = Promise.allSettled(writes);
    await writes[0];
    assert.equal(await running.stop("SIGTERM"), 0, running.output());
    // Requests that reached the server were answered; later ones found it closed.
    const settled = await allSettled;
    const answered = settled
      .filter((s) => s.status === "fulfilled")
      .map((s) => (s as PromiseFulfilledResult<{ status: number }>).value.status);
    assert.ok(
      answered.every((status) => status === 200),
      `answered ${answered}`,
    );
    const check = openLibsql({ url: `file:${path}` });
    const [row] = await check.all<{ n: number }>("SELECT COUNT(*) AS n FROM tasks");
    await check.close();
    assert.equal(row!.n, answered.length);
  });
});

describe("the README's start commands", () => {
  it.each(["deno task", "node", "bun"] as const)("%s start serves the API", async (runtime) => {
    const temp = tempDir("uniqc-start-");
    const server = await startServer(runtime, ["--db", temp.file("tasks.sqlite")]);
    try {
      assert.equal((await new Api(server.base).ok("GET", "/api/health")).status, "ok");
    } finally {
      await server.stop("SIGKILL");
      temp.remove();
    }
  });
});
