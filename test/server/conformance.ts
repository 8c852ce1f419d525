/**
 * The black-box conformance suite: the REST API over real HTTP, the same cases for every
 * runtime and adapter. Each case uses ids of its own, so all share one server and one file.
 * Every rejected request is checked to be a 4xx problem+json that changed nothing.
 */
import assert from "node:assert/strict";
import WebSocket from "ws";

export interface ConformanceCase {
  readonly name: string;
  run(api: Api): Promise<void>;
}

/** A thin client: JSON in, status and parsed body out. */
export class Api {
  readonly base: string;
  constructor(base: string) {
    this.base = base;
  }

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === "string" ? body : JSON.stringify(body);
      init.headers = { "content-type": "application/json", ...headers };
    }
    const response = await fetch(`${this.base}${path}`, init);
    const text = await response.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, type: response.headers.get("content-type") ?? "", json, text };
  }

  get = (path: string) => this.call("GET", path);
  put = (path: string, body: unknown) => this.call("PUT", path, body);
  post = (path: string, body?: unknown) => this.call("POST", path, body);
  delete = (path: string) => this.call("DELETE", path);

  async ok(method: string, path: string, body?: unknown) {
    const result = await this.call(method, path, body);
    assert.equal(result.status, 200, `${method} ${path}: ${result.text}`);
    return result.json;
  }

  /**
   * Opens `/api/events` (resuming after `lastEventId`) and reads it event by event: `next(type)`
   * skips other events until one of `type` arrives, or fails after a few seconds.
   */
  async events(lastEventId?: string) {
    const controller = new AbortController();
    const response = await fetch(`${this.base}/api/events`, {
      headers: lastEventId === undefined ? {} : { "last-event-id": lastEventId },
      signal: controller.signal,
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    const next = async (type: string): Promise<{ id: string | undefined; type: string; data: any }> => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const field = (name: string) =>
            block
              .split("\n")
              .find((line) => line.startsWith(`${name}:`))
              ?.slice(name.length + 1)
              .trim();
          if (field("event") === type) return { id: field("id"), type, data: JSON.parse(field("data") ?? "null") };
          continue;
        }
        assert.ok(Date.now() < deadline, `no ${type} event arrived`);
        const { value, done } = await reader.read();
        assert.ok(!done, `the stream ended before a ${type} event`);
        buffer += value;
      }
    };
    return { next, close: () => controller.abort() };
  }

  /**
   * Opens `/ws/events` as the package's web app does, and reads it message by message:
   * `next(type)` skips other messages until one of `type` arrives, or fails after a few seconds.
   */
  async socket(headers: Record<string, string> = {}) {
    const socket = new WebSocket(`${this.base.replace(/^http/, "ws")}/ws/events`, { headers });
    const messages: { type: string; payload: any }[] = [];
    const waiting: (() => void)[] = [];
    socket.on("message", (data) => {
      messages.push(JSON.parse(String(data)));
      for (const wake of waiting.splice(0)) wake();
    });
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("unexpected-response", (_request, response) =>
        reject(new Error(`the socket was refused with ${response.statusCode}`)),
      );
      socket.once("error", reject);
    });
    const next = async (type: string) => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const at = messages.findIndex((message) => message.type === type);
        if (at >= 0) return messages.splice(0, at + 1).at(-1)!;
        assert.ok(Date.now() < deadline, `no ${type} message arrived`);
        await new Promise<void>((wake) => {
          waiting.push(wake);
          setTimeout(wake, 200);
        });
      }
    };
    const close = () =>
      new Promise<void>((resolve) => {
        socket.once("close", () => resolve());
        socket.close();
      });
    return { next, close };
  }

  /** Everything in the cache, to prove a rejected request changed nothing. */
  async snapshot(): Promise<string> {
    const [active, archived] = await Promise.all([
      this.ok("GET", "/api/tasks?limit=1000"),
      this.ok("GET", "/api/archive?limit=1000"),
    ]);
    return JSON.stringify([active.tasks, active.total, archived.tasks, archived.total]);
  }

  /** Sends a bad request and checks the refusal: status, problem+json with a detail, nothing changed. */
  async refused(status: number, method: string, path: string, body?: unknown, headers?: Record<string, string>) {
    const before = await this.snapshot();
    const result = await this.call(method, path, body, headers);
    assert.equal(result.status, status, `${method} ${path} should be ${status}: ${result.text}`);
    assert.match(result.type, /^application\/problem\+json/);
    assert.equal(result.json.status, status);
    assert.equal(typeof result.json.title, "string");
    assert.equal(typeof result.json.type, "string");
    assert.ok(typeof result.json.detail === "string" && result.json.detail.length > 0);
    assert.doesNotMatch(result.text, /\bat .*\.(ts|js):\d+/, "no stack trace");
    assert.equal(await this.snapshot(), before, `${method} ${path} changed the cache`);
    return result.json;
  }
}

const put = (api: Api, id: string, body: Record<string, unknown> = {}) =>
  api.ok("PUT", `/api/tasks/${id}`, { backend: "originq:WK_C180", status: "success", ...body });

export const conformance: readonly ConformanceCase[] = [
  {
    name: "a task's shards answer as the Python gateway's do: none on a seed-lineage file, 404 for an unknown id",
    async run(api) {
      await put(api, "shards-1");
      assert.deepEqual(await api.ok("GET", "/api/tasks/shards-1/shards"), {
        task_id: "shards-1",
        shard_count: 0,
        shards: [],
      });
      assert.equal((await api.ok("GET", "/api/tasks/shards-1")).error_message, null);
      const missing = await api.get("/api/tasks/shards-none/shards");
      assert.equal(missing.status, 404);
      assert.match(missing.type, /^application\/problem\+json/);
      const refused = await api.put("/api/tasks/shards-2", { backend: "b", status: "failed", error_message: "boom" });
      assert.equal(refused.status, 400);
      assert.equal(refused.json.errors[0].path, "error_message");
      assert.equal((await api.get("/api/tasks/shards-2")).status, 404);
    },
  },
  {
    name: "health and version describe the service",
    async run(api) {
      const { sync, ...health } = await api.ok("GET", "/api/health");
      assert.deepEqual(health, { status: "ok", schema_version: 4, lineage: "seed", read_only: false });
      // A synced replica also says how it stands with its server.
      if (sync !== undefined)
        assert.deepEqual(Object.keys(sync).sort(), [
          "failures",
          "interval_ms",
          "last_error",
          "last_pull",
          "last_push",
          "pending_changes",
          "replica_id",
        ]);
      const version = await api.ok("GET", "/api/version");
      assert.match(version.version, /^\d+\.\d+\.\d+/);
      assert.equal(version.schema_version, 4);
      assert.equal(version.supported_schema_version, 4);
      assert.equal(version.lineage, "seed");
      assert.equal(version.read_only, false);
      assert.equal(typeof version.adapter, "string");
      assert.ok(["node", "deno", "bun"].includes(version.runtime));
      // The links the package's web app shows, as its gateway answers them.
      assert.match(version.github_url, /^https:\/\/github\.com\//);
      assert.match(version.docs_url, /^https:\/\//);
    },
  },
  {
    name: "PUT records a task and GET returns it whole; an update keeps submit_time",
    async run(api) {
      const created = await put(api, "rec-1", {
        status: "running",
        shots: 1024,
        metadata: { circuit_ir: "QINIT 2\nH q[0]" },
        compiled_circuit: { qasm: "OPENQASM 2.0;" },
        submit_time: "2026-05-03T08:05:27.123456+00:00",
      });
      assert.equal(created.task_id, "rec-1");
      assert.equal(created.submit_time, "2026-05-03T08:05:27.123456+00:00");
      assert.deepEqual(await api.ok("GET", "/api/tasks/rec-1"), created);
      const updated = await api.ok("PUT", "/api/tasks/rec-1", {
        task_id: "rec-1",
        backend: "originq:WK_C180",
        status: "success",
        result: { counts: { "00": 512, "11": 512 } },
      });
      assert.equal(updated.submit_time, created.submit_time);
      assert.equal(updated.shots, 1024);
      assert.deepEqual(updated.result, { counts: { "00": 512, "11": 512 } });
      assert.deepEqual(updated.compiled_circuit, { qasm: "OPENQASM 2.0;" });
      assert.ok(updated.update_time >= created.update_time);
    },
  },
  {
    name: "PUT refuses bad bodies with 400, 413 and 415, naming the field",
    async run(api) {
      await put(api, "bad-1");
      const bad: [unknown, string][] = [
        [{ status: "success" }, "backend"],
        [{ backend: "b", status: "finished" }, "status"],
        [{ backend: "b", status: "success", shots: -5 }, "shots"],
        [{ backend: "b", status: "success", shots: "many" }, "shots"],
        [{ backend: "b", status: "success", metadata: "x" }, "metadata"],
        [{ backend: "b", status: "success", metadata: [1] }, "metadata"],
        [{ backend: "b", status: "success", submit_time: "soon" }, "submit_time"],
        [{ backend: "b", status: "success", task_id: "another" }, "task_id"],
        [[1, 2, 3], ""],
      ];
      for (const [body, field] of bad) {
        const problem = await api.refused(400, "PUT", "/api/tasks/bad-1", body);
        if (field)
          assert.ok(
            problem.errors.some((e: { path: string }) => e.path === field),
            `${field}: ${JSON.stringify(problem)}`,
          );
      }
      await api.refused(400, "PUT", "/api/tasks/bad-1", "{ not json");
      await api.refused(415, "PUT", "/api/tasks/bad-1", "backend=b", {
        "content-type": "application/x-www-form-urlencoded",
      });
      await api.refused(413, "PUT", "/api/tasks/bad-1", {
        backend: "b",
        status: "success",
        metadata: { blob: "x".repeat(1_100_000) },
      });
      await api.refused(400, "PUT", `/api/tasks/${"x".repeat(300)}`, { backend: "b", status: "success" });
      assert.equal((await api.ok("GET", "/api/tasks/bad-1")).backend, "originq:WK_C180");
    },
  },
  {
    name: "GET and DELETE of a missing task are 404 problems",
    async run(api) {
      await api.refused(404, "GET", "/api/tasks/never-was");
      await api.refused(404, "DELETE", "/api/tasks/never-was");
      await put(api, "del-1");
      assert.deepEqual(await api.ok("DELETE", "/api/tasks/del-1"), { deleted: "del-1" });
      await api.refused(404, "GET", "/api/tasks/del-1");
    },
  },
  {
    name: "the listing filters, pages by offset, and walks by cursor",
    async run(api) {
      for (let i = 0; i < 12; i++) {
        await put(api, `list-${String(i).padStart(2, "0")}`, {
          backend: "dummy:conformance",
          status: i % 3 ? "success" : "failed",
          submit_time: `2025-01-${String(i + 1).padStart(2, "0")}T00:00:00Z`,
          result: i % 2 ? { n: i } : undefined,
        });
      }
      const all = await api.ok("GET", "/api/tasks?backend=dummy:conformance&limit=100");
      assert.equal(all.total, 12);
      assert.equal(all.limit, 100);
      assert.equal(all.offset, 0);
      assert.deepEqual(
        all.tasks.map((t: { task_id: string }) => t.task_id),
        Array.from({ length: 12 }, (_, i) => `list-${String(11 - i).padStart(2, "0")}`),
      );
      assert.equal(all.tasks[0].has_result, true);
      assert.equal("result" in all.tasks[0], false);
      assert.equal(all.next_cursor, null);
      const failed = await api.ok("GET", "/api/tasks?backend=dummy:conformance&status=failed");
      assert.equal(failed.total, 4);
      const page = await api.ok("GET", "/api/tasks?backend=dummy:conformance&limit=5&offset=5");
      assert.deepEqual(
        page.tasks.map((t: { task_id: string }) => t.task_id),
        ["list-06", "list-05", "list-04", "list-03", "list-02"],
      );
      const walked: string[] = [];
      let cursor: string | null = null;
      do {
        const next: any = await api.ok(
          "GET",
          `/api/tasks?backend=dummy:conformance&limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        );
        walked.push(...next.tasks.map((t: { task_id: string }) => t.task_id));
        cursor = next.next_cursor;
      } while (cursor);
      assert.deepEqual(
        walked,
        all.tasks.map((t: { task_id: string }) => t.task_id),
      );
      const first = await api.ok("GET", "/api/tasks?backend=dummy:conformance&limit=5");
      const refusedCursor = await api.refused(
        400,
        "GET",
        `/api/tasks?backend=dummy:conformance&status=failed&limit=5&cursor=${first.next_cursor}`,
      );
      assert.match(refusedCursor.detail, /cursor/);
      await api.refused(
        400,
        "GET",
        `/api/tasks?backend=dummy:conformance&limit=5&offset=5&cursor=${first.next_cursor}`,
      );
      await api.refused(400, "GET", "/api/tasks?cursor=bm9wZQ");
      for (const query of [
        "limit=0",
        "limit=1001",
        "limit=ten",
        "offset=-1",
        "status=done",
        "include_archived=maybe",
        "backend=",
      ]) {
        await api.refused(400, "GET", `/api/tasks?${query}`);
      }
    },
  },
  {
    name: "counts answers every status and the total",
    async run(api) {
      const counts = await api.ok("GET", "/api/tasks/counts");
      assert.deepEqual(Object.keys(counts).sort(), ["cancelled", "failed", "pending", "running", "success", "total"]);
      await put(api, "count-1", { status: "cancelled" });
      const after = await api.ok("GET", "/api/tasks/counts");
      assert.equal(after.cancelled, counts.cancelled + 1);
      assert.equal(after.total, counts.total + 1);
    },
  },
  {
    name: "archive and restore move a task; conflicts and missing ids are refused",
    async run(api) {
      const task = await put(api, "move-1", { metadata: { circuit_ir: "QINIT 1" } });
      assert.deepEqual(await api.ok("POST", "/api/tasks/move-1/archive"), { archived: "move-1" });
      await api.refused(404, "GET", "/api/tasks/move-1");
      const archived = await api.ok("GET", "/api/archive/move-1");
      assert.match(archived.archived_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/);
      const listed = await api.ok("GET", "/api/tasks?include_archived=true&limit=1000");
      assert.ok(
        listed.tasks.some((t: { task_id: string; archived_at?: string }) => t.task_id === "move-1" && t.archived_at),
      );
      await api.refused(404, "POST", "/api/tasks/move-1/archive");
      await api.refused(409, "PUT", "/api/tasks/move-1", { backend: "b", status: "running" });
      assert.deepEqual(await api.ok("POST", "/api/archive/restore/move-1"), { restored: "move-1" });
      assert.deepEqual(await api.ok("GET", "/api/tasks/move-1"), task);
      await api.refused(404, "POST", "/api/archive/restore/move-1");
      await api.refused(404, "GET", "/api/archive/move-1");
    },
  },
  {
    name: "q, id_prefix, since and until narrow the listings, and a cursor keeps them",
    async run(api) {
      for (let i = 0; i < 9; i++) {
        await put(api, `find-${i}`, {
          backend: "dummy:find-case",
          status: "success",
          submit_time: `2024-03-0${i + 1}T08:00:00Z`,
          metadata: { circuit_name: i % 2 ? "Ramsey fringe" : "other", note: `find-case ${i}` },
        });
      }
      const ids = (page: { tasks: { task_id: string }[] }) => page.tasks.map((t) => t.task_id);
      const ramsey = await api.ok("GET", "/api/tasks?q=RAMSEY%20fringe&limit=2");
      assert.deepEqual(ids(ramsey), ["find-7", "find-5"]);
      assert.equal(ramsey.total, 4);
      const rest = await api.ok("GET", `/api/tasks?q=RAMSEY%20fringe&limit=2&cursor=${ramsey.next_cursor}`);
      assert.deepEqual(ids(rest), ["find-3", "find-1"]);
      // The cursor is bound to its search as to every other filter.
      await api.refused(400, "GET", `/api/tasks?q=ramsey&limit=2&cursor=${ramsey.next_cursor}`);
      assert.deepEqual(ids(await api.ok("GET", "/api/tasks?id_prefix=find-&since=2024-03-07&until=2024-03-09")), [
        "find-7",
        "find-6",
      ]);
      await api.post("/api/tasks/find-8/archive");
      const archived = await api.ok("GET", "/api/archive?q=find-case&since=2024-03-08T00:00:00Z");
      assert.deepEqual(ids(archived), ["find-8"]);
      const both = await api.ok("GET", "/api/tasks?q=find-case%208&include_archived=true");
      assert.deepEqual(ids(both), ["find-8"]);
      for (const query of ["q=", `q=${"x".repeat(201)}`, "since=yesterday", "until=2024-13-01", "id_prefix=a%20b"]) {
        const refused = await api.refused(400, "GET", `/api/tasks?${query}`);
        assert.match(refused.detail, new RegExp(query.split("=")[0]!));
      }
    },
  },
  {
    name: "moves by filter count first with dry_run, refuse an empty filter without all, and take only what matches",
    async run(api) {
      for (let i = 0; i < 7; i++) {
        await put(api, `match-${i}`, {
          backend: "dummy:match-case",
          status: i % 2 ? "failed" : "success",
          submit_time: `2023-06-0${i + 1}T00:00:00Z`,
        });
      }
      const failed = "backend=dummy:match-case&status=failed";
      assert.deepEqual(await api.ok("POST", `/api/tasks/archive-matching?${failed}&dry_run=true`), {
        count: 3,
        dry_run: true,
      });
      assert.equal((await api.ok("GET", `/api/tasks?${failed}`)).total, 3);
      for (const path of [
        "/api/tasks/archive-matching",
        "/api/tasks/delete-matching?all=false",
        "/api/archive/restore-matching",
        "/api/archive/delete-matching",
      ]) {
        const refused = await api.refused(400, "POST", path);
        assert.match(refused.detail, /all/);
      }
      await api.refused(400, "POST", "/api/tasks/archive-matching?since=tomorrow");
      assert.deepEqual(await api.ok("POST", `/api/tasks/archive-matching?${failed}`), { count: 3, dry_run: false });
      assert.equal((await api.ok("GET", "/api/archive?backend=dummy:match-case")).total, 3);
      assert.deepEqual(
        await api.ok("POST", "/api/archive/restore-matching?backend=dummy:match-case&until=2023-06-03"),
        { count: 1, conflicts: [], dry_run: false },
      );
      assert.deepEqual(await api.ok("POST", "/api/archive/delete-matching?id_prefix=match-&dry_run=true"), {
        count: 2,
        dry_run: true,
      });
      assert.deepEqual(await api.ok("POST", "/api/archive/delete-matching?id_prefix=match-"), {
        count: 2,
        dry_run: false,
      });
      assert.deepEqual(await api.ok("POST", "/api/tasks/delete-matching?backend=dummy:match-case&status=success"), {
        count: 4,
        dry_run: false,
      });
      assert.equal((await api.ok("GET", "/api/tasks?backend=dummy:match-case")).total, 1);
    },
  },
  {
    name: "stats count a range's tasks by day or week and by backend, archived ones too",
    async run(api) {
      for (let i = 0; i < 4; i++) {
        await put(api, `stats-${i}`, {
          backend: "dummy:stats-case",
          status: i === 3 ? "failed" : "success",
          submit_time: `2022-02-0${i + 1}T00:00:00Z`,
          shots: 1000,
        });
      }
      await api.post("/api/tasks/stats-0/archive");
      const range = "since=2022-02-01&until=2022-02-08";
      const days = await api.ok("GET", `/api/stats?${range}`);
      assert.equal(days.by, "day");
      assert.deepEqual(
        days.periods.map((p: { start: string; tasks: { total: number } }) => [p.start, p.tasks.total]),
        [
          ["2022-02-01", 1],
          ["2022-02-02", 1],
          ["2022-02-03", 1],
          ["2022-02-04", 1],
        ],
      );
      const [backend] = days.backends;
      assert.deepEqual([backend.backend, backend.success_rate, backend.shots], ["dummy:stats-case", 0.75, 4000]);
      const weeks = await api.ok("GET", `/api/stats?${range}&by=week&include_archived=false`);
      assert.deepEqual(
        weeks.periods.map((p: { start: string; tasks: { total: number } }) => [p.start, p.tasks.total]),
        [["2022-01-31", 3]],
      );
      for (const query of ["by=month", "since=soon", "include_archived=perhaps"]) {
        await api.refused(400, "GET", `/api/stats?${query}`);
      }
    },
  },
  {
    name: "a task's analysis puts its counts beside its circuit's ideal; tasks compare pairwise",
    async run(api) {
      await put(api, "analysis-ghz", {
        backend: "dummy:analysis-case",
        metadata: {
          circuit_ir:
            "QINIT 3\nCREG 3\nH q[0]\nCNOT q[0],q[1]\nCNOT q[1],q[2]\nMEASURE q[0],c[0]\nMEASURE q[1],c[1]\nMEASURE q[2],c[2]",
        },
        result: { counts: { "000": 450, "111": 450, "001": 100 } },
      });
      await put(api, "analysis-other", { backend: "dummy:analysis-case", result: { counts: { "000": 1 } } });
      const analysis = await api.ok("GET", "/api/tasks/analysis-ghz/analysis");
      assert.deepEqual(analysis.circuit, { format: "source", language: "originir", qubits: 3 });
      assert.equal(analysis.shots, 1000);
      assert.ok(Math.abs(analysis.tvd - 0.1) < 1e-9, String(analysis.tvd));
      const comparison = await api.ok("GET", "/api/compare?ids=analysis-ghz,analysis-other");
      assert.deepEqual(comparison.outcomes, ["000", "001", "111"]);
      assert.ok(Math.abs(comparison.tvd[0][1] - 0.55) < 1e-9, String(comparison.tvd[0][1]));
      await api.refused(404, "GET", "/api/tasks/analysis-none/analysis");
      await api.refused(404, "GET", "/api/compare?ids=analysis-ghz,analysis-none");
      await api.refused(400, "GET", "/api/compare?ids=analysis-ghz");
      await api.refused(400, "GET", "/api/compare");
    },
  },
  {
    name: "the archive lists with count, filters and cursor, and deletes for good",
    async run(api) {
      for (let i = 0; i < 4; i++)
        await put(api, `arch-${i}`, { backend: "dummy:archive-case", submit_time: `2024-02-0${i + 1}T00:00:00Z` });
      await api.ok("POST", "/api/tasks/bulk-archive", { task_ids: ["arch-0", "arch-1", "arch-2", "arch-3"] });
      const page = await api.ok("GET", "/api/archive?backend=dummy:archive-case&limit=2");
      assert.equal(page.total, 4);
      assert.ok(page.count >= 4);
      assert.deepEqual(
        page.tasks.map((t: { task_id: string }) => t.task_id),
        ["arch-3", "arch-2"],
      );
      const next = await api.ok("GET", `/api/archive?backend=dummy:archive-case&limit=2&cursor=${page.next_cursor}`);
      assert.deepEqual(
        next.tasks.map((t: { task_id: string }) => t.task_id),
        ["arch-1", "arch-0"],
      );
      await api.refused(400, "GET", `/api/tasks?backend=dummy:archive-case&limit=2&cursor=${page.next_cursor}`);
      assert.deepEqual(await api.ok("DELETE", "/api/archive/arch-0"), { deleted: "arch-0" });
      await api.refused(404, "DELETE", "/api/archive/arch-0");
    },
  },
  {
    name: "bulk archive and bulk delete report what they did and what was missing",
    async run(api) {
      for (const id of ["bulk-a", "bulk-b", "bulk-c"]) await put(api, id);
      assert.deepEqual(
        await api.ok("POST", "/api/tasks/bulk-archive", { task_ids: ["bulk-a", "bulk-b", "bulk-nope"] }),
        { archived: ["bulk-a", "bulk-b"], missing: ["bulk-nope"], count: 2 },
      );
      assert.deepEqual(await api.ok("POST", "/api/tasks/bulk-delete", { task_ids: ["bulk-c", "bulk-a"] }), {
        deleted: ["bulk-c"],
        missing: ["bulk-a"],
        count: 1,
      });
      await api.refused(400, "POST", "/api/tasks/bulk-archive", { task_ids: "bulk-b" });
      await api.refused(400, "POST", "/api/tasks/bulk-delete", { ids: ["bulk-b"] });
      await api.refused(400, "POST", "/api/tasks/bulk-delete", { task_ids: ["ok", ""] });
      await api.refused(415, "POST", "/api/tasks/bulk-archive");
    },
  },
  {
    name: "archive-expired moves old finished tasks and reports old running ones",
    async run(api) {
      await put(api, "exp-old-done", { submit_time: "2020-01-01T00:00:00Z" });
      await put(api, "exp-old-running", { status: "running", submit_time: "2020-01-02T00:00:00Z" });
      await put(api, "exp-new", {});
      const result = await api.ok("POST", "/api/tasks/archive-expired?hours=72");
      assert.equal(result.hours, 72);
      assert.equal(result.terminal_only, true);
      assert.ok(result.archived.includes("exp-old-done"));
      assert.equal(result.count, result.archived.length);
      assert.ok(result.skipped_running.includes("exp-old-running"));
      assert.ok(!result.archived.includes("exp-new"));
      await api.ok("GET", "/api/archive/exp-old-done");
      await api.ok("GET", "/api/tasks/exp-old-running");
      const all = await api.ok("POST", "/api/tasks/archive-expired?hours=100000&terminal_only=false");
      assert.equal(all.terminal_only, false);
      await api.refused(400, "POST", "/api/tasks/archive-expired?hours=-1");
      await api.refused(400, "POST", "/api/tasks/archive-expired?terminal_only=perhaps");
    },
  },
  {
    name: "circuits come in source, compiled and executed form, for archived tasks too",
    async run(api) {
      await put(api, "circ-1", {
        metadata: { options: { circuit_ir: "QINIT 2\nCNOT q[0],q[1]" } },
        compiled_circuit: { originir: "QINIT 2\nCZ q[0],q[1]", qasm: "OPENQASM 2.0;" },
      });
      assert.deepEqual(await api.ok("GET", "/api/circuits/circ-1?format=source"), {
        task_id: "circ-1",
        format: "source",
        language: "originir",
        circuit: "QINIT 2\nCNOT q[0],q[1]",
      });
      assert.deepEqual(await api.ok("GET", "/api/circuits/circ-1?format=compiled"), {
        task_id: "circ-1",
        format: "compiled",
        language: "originir",
        circuit: "QINIT 2\nCZ q[0],q[1]",
      });
      const executed = await api.ok("GET", "/api/circuits/circ-1?format=executed");
      assert.equal(executed.circuit, "QINIT 2\nCZ q[0],q[1]");
      assert.equal(executed.fallback, "compiled", "no executed circuit is recorded: it says which one it shows");
      assert.match(
        (await api.call("GET", "/api/circuits/circ-1/svg?format=executed")).text,
        /data-fallback="compiled"/,
      );
      assert.equal((await api.ok("GET", "/api/circuits/circ-1")).format, "source");
      await api.ok("POST", "/api/tasks/circ-1/archive");
      assert.equal((await api.ok("GET", "/api/circuits/circ-1?format=compiled")).language, "originir");
      await api.refused(400, "GET", "/api/circuits/circ-1?format=pulse");
      await api.refused(404, "GET", "/api/circuits/circ-none");
    },
  },
  {
    name: "circuits are drawn as an HTML fragment and as an SVG image; what cannot be drawn falls back or is 422",
    async run(api) {
      await put(api, "draw-1", {
        metadata: { circuit_ir: "QINIT 2\nCREG 2\nH q[0]\nCNOT q[0],q[1]\nMEASURE q[0],c[0]" },
        compiled_circuit: { qasm: "not a circuit <b>" },
      });
      const fragment = await api.call("GET", "/api/circuits/draw-1/svg?format=source");
      assert.equal(fragment.status, 200);
      assert.match(fragment.type, /^text\/html/);
      assert.match(fragment.text, /^<div class="circuit-svg"[^>]*><svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      assert.equal(fragment.text.match(/class="op /g)?.length, 3);
      const image = await api.call("GET", "/api/circuits/draw-1/drawing.svg");
      assert.equal(image.status, 200);
      assert.match(image.type, /^image\/svg\+xml/);
      assert.match(image.text, /^<svg /);
      // The compiled circuit is not one the drawer reads: its text, escaped, with the reason.
      const fallback = await api.call("GET", "/api/circuits/draw-1/svg?format=compiled");
      assert.equal(fallback.status, 200);
      assert.match(fallback.text, /class="circuit-fallback"[^>]*data-reason="unreadable"/);
      // Its own colours, so it reads on a page that styles it not at all, or dark.
      assert.match(fallback.text, /class="circuit-fallback" style="color:#[0-9a-f]{6};background:#[0-9a-f]{6}/);
      assert.match(fallback.text, /not a circuit &#60;b&#62;/);
      await api.refused(422, "GET", "/api/circuits/draw-1/drawing.svg?format=compiled");
      await put(api, "draw-2", { metadata: {} });
      assert.match((await api.call("GET", "/api/circuits/draw-2/svg")).text, /data-reason="none"/);
      await api.refused(404, "GET", "/api/circuits/draw-2/drawing.svg");
      await api.refused(404, "GET", "/api/circuits/draw-none/svg");
      await api.refused(400, "GET", "/api/circuits/draw-1/svg?format=pulse");
    },
  },
  {
    name: "the event stream announces writes as they happen and resumes from Last-Event-ID",
    async run(api) {
      const first = await api.events();
      try {
        await first.next("ready");
        await put(api, "ev-1", { status: "running" });
        const saved = await first.next("task.saved");
        assert.equal(saved.data.task_id, "ev-1");
        await api.ok("POST", "/api/tasks/ev-1/archive");
        const archived = await first.next("task.archived");
        assert.equal(archived.data.task_id, "ev-1");
        assert.ok(Number(archived.id) > Number(saved.id));
        // Counts follow every change, whoever made it.
        const changed = await first.next("cache.changed");
        assert.equal(typeof changed.data.counts.total, "number");
        // A move by filter says how many it moved; its dry run says nothing.
        await put(api, "ev-3", { status: "cancelled", backend: "ev-backend" });
        await put(api, "ev-4", { status: "running", backend: "ev-backend" });
        await api.ok("POST", "/api/tasks/archive-matching?backend=ev-backend&dry_run=true");
        await api.ok("POST", "/api/tasks/archive-matching?backend=ev-backend&status=cancelled");
        assert.deepEqual((await first.next("tasks.archived")).data, { count: 1 });
      } finally {
        first.close();
      }
      // Missed while away: restored and deleted, replayed in order from the last id seen.
      const { id: lastSeen } = await (async () => {
        const probe = await api.events();
        try {
          await probe.next("ready");
          await put(api, "ev-2", { status: "success" });
          return await probe.next("task.saved");
        } finally {
          probe.close();
        }
      })();
      await api.ok("POST", "/api/archive/restore/ev-1");
      await api.ok("DELETE", "/api/tasks/ev-2");
      const resumed = await api.events(lastSeen);
      try {
        assert.equal((await resumed.next("task.restored")).data.task_id, "ev-1");
        assert.equal((await resumed.next("task.deleted")).data.task_id, "ev-2");
      } finally {
        resumed.close();
      }
    },
  },
  {
    name: "the package's web app hears saves and moves on /ws/events, by its gateway's names and ours",
    async run(api) {
      const socket = await api.socket();
      try {
        await put(api, "ws-1", { status: "running" });
        assert.deepEqual((await socket.next("task:updated")).payload, { task_id: "ws-1", status: "running" });
        assert.equal((await socket.next("task.saved")).payload.task_id, "ws-1");
        await api.ok("POST", "/api/tasks/ws-1/archive");
        assert.deepEqual((await socket.next("task:updated")).payload, { task_id: "ws-1" });
        assert.equal((await socket.next("task.archived")).payload.task_id, "ws-1");
      } finally {
        await socket.close();
      }
      // A page of another site may not open it.
      await assert.rejects(api.socket({ origin: "https://elsewhere.example" }), /refused with 403/);
    },
  },
  {
    name: "the dashboard's pages, its stylesheet and its script are served",
    async run(api) {
      await put(api, "dash-1", { status: "failed", result: { counts: { "0": 3, "1": 1 } } });
      for (const [path, type, text] of [
        ["/", /^text\/html/, /<h1>Overview<\/h1>/],
        ["/tasks?status=failed&limit=25", /^text\/html/, /<tr data-task-id="dash-1"/],
        ["/archive", /^text\/html/, /<h1>Archive<\/h1>/],
        ["/tasks/dash-1", /^text\/html/, /class="uniqc-histogram"/],
        ["/ui/style.css", /^text\/css/, /--accent/],
        ["/ui/live.js", /^text\/javascript/, /EventSource/],
      ] as const) {
        const page = await api.call("GET", path);
        assert.equal(page.status, 200, path);
        assert.match(page.type, type, path);
        assert.match(page.text, text, path);
      }
    },
  },
  {
    name: "unknown routes and methods are 404 problems",
    async run(api) {
      await api.refused(404, "GET", "/api/nothing-here");
      await api.refused(404, "PATCH", "/api/tasks/x", { status: "success" });
      await api.refused(404, "GET", "/api/archive/restore/x");
    },
  },
  {
    name: "the OpenAPI document and the docs page are served, with their assets",
    async run(api) {
      const document = await api.ok("GET", "/api/openapi.json");
      assert.equal(document.openapi, "3.1.0");
      assert.ok(document.paths["/api/tasks/{id}"].put.requestBody);
      const page = await api.get("/api/docs");
      assert.equal(page.status, 200);
      assert.match(page.text, /swagger-ui-bundle\.js/);
      const script = await api.get("/api/docs/swagger-ui-bundle.js");
      assert.equal(script.status, 200);
      assert.ok(script.text.length > 100_000);
    },
  },
];
