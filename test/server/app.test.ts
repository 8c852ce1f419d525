/** The app in process (`app.request`, no sockets) on a real SQLite file. */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openCache } from "../../adapters/open.ts";
import type { TaskCache } from "../../core/index.ts";
import { upgradeWebSocket } from "@hono/node-server";
import { createApp } from "../../apps/server/app.ts";
import { describedAnswer } from "../../apps/server/api/describe.ts";
import { documentedEndpoints, wellFormed, type Endpoint } from "./endpoints.ts";
import { tempDir } from "../contract/fixtures.ts";

const ENDPOINTS = await documentedEndpoints();

let temp: ReturnType<typeof tempDir>;
let cache: TaskCache;

beforeEach(async () => {
  temp = tempDir("uniqc-app-");
  cache = await openCache(temp.file("tasks.sqlite"));
  await cache.save({ task_id: "t1", backend: "dummy", status: "success", metadata: { circuit_ir: "QINIT 1" } });
  await cache.save({ task_id: "t2", backend: "dummy", status: "failed" });
  await cache.archive("t2");
});
afterEach(async () => {
  await cache.close();
  temp.remove();
});

const json = (body: unknown) => ({
  method: "POST",
  body: JSON.stringify(body),
  headers: { "content-type": "application/json" },
});

async function snapshot(c: TaskCache) {
  return JSON.stringify([await c.list({ limit: 1000 }), await c.listArchived({ limit: 1000 }), await c.get("t1")]);
}

describe("createApp", () => {
  it("documents exactly the API routes it serves (the dashboard's pages are for people)", () => {
    const app = createApp(cache, { version: "0.0.0", runtime: "node" });
    const served = new Set(
      app.routes
        // Middleware registrations are routes to Hono too: by method "ALL", or on a wildcard path.
        .filter((route) => route.method !== "ALL" && !route.path.endsWith("/*"))
        .map(
          (route) =>
            `${route.method.toLowerCase()} ${route.path.replace(/:id\b/g, "{id}").replace(/\/:asset\{.*\}$/, "/{asset}")}`,
        )
        .filter((route) => route.includes(" /api/") && !route.includes("/api/docs/")),
    );
    const documented = new Set(ENDPOINTS.map((endpoint) => `${endpoint.method} ${endpoint.path}`));
    expect(served).toEqual(documented);
  });

  it("answers every route as its description says", async () => {
    const app = createApp(cache, { version: "0.0.0", runtime: "node" });
    const checks = new Map<string, (answer: unknown) => unknown>();
    for (const route of app.routes) {
      const check = describedAnswer(route.handler);
      if (check) checks.set(`${route.method.toLowerCase()} ${route.path.replace(/:id\b/g, "{id}")}`, check);
    }
    // A sync round needs a replica: its answer is held to the description in test/sync/server.test.ts.
    const answering = ENDPOINTS.filter((e) => checks.has(`${e.method} ${e.path}`) && e.path !== "/api/sync");
    expect(answering.length).toBeGreaterThanOrEqual(20);
    for (const endpoint of answering) {
      // A fresh file for each, so that no route finds the task another one moved.
      const scratch = tempDir("uniqc-answer-");
      const fresh = await openCache(scratch.file("tasks.sqlite"));
      try {
        await fresh.save({ task_id: "t1", backend: "dummy", status: "success", metadata: { circuit_ir: "QINIT 1" } });
        await fresh.save({ task_id: "t2", backend: "dummy", status: "failed" });
        await fresh.archive("t2");
        const { url, init } = wellFormed(endpoint, endpoint.path.startsWith("/api/archive/") ? "t2" : "t1");
        const response = await createApp(fresh, { version: "0.0.0", runtime: "node" }).request(url, init);
        const name = `${endpoint.method} ${endpoint.path}`;
        expect(response.status, name).toBe(200);
        const result = (await checks.get(name)!(await response.json())) as { issues?: unknown };
        expect(result.issues, name).toBeUndefined();
      } finally {
        await fresh.close();
        scratch.remove();
      }
    }
  });

  it("never answers bad input with a 5xx, and never changes the data", async () => {
    const app = createApp(cache, { version: "0.0.0", runtime: "node" });
    const before = await snapshot(cache);
    const bodies: (string | undefined)[] = [
      undefined,
      "",
      "null",
      "[]",
      "{",
      '"text"',
      "42",
      JSON.stringify({ task_ids: [null] }),
      JSON.stringify({ backend: 1, status: [] }),
      JSON.stringify({ task_ids: Array(10_001).fill("x") }),
    ];
    const ids = ["%00", "a%2Fb", "%20", "x".repeat(257), "%E0%A4%A"];
    const queries = [
      "limit=-1",
      "limit=1e3",
      "offset=abc",
      "status=",
      "include_archived=2",
      "hours=NaN",
      "terminal_only=",
      "format=",
      "cursor=%%%",
    ];
    let requests = 0;
    // Clearing finished tasks takes no input at all, so nothing sent to it is bad input.
    const takesInput = (e: Endpoint) =>
      (e.method !== "get" || e.path !== "/api/docs") && e.path !== "/api/tasks/clear-completed";
    for (const endpoint of ENDPOINTS.filter(takesInput)) {
      for (const id of ids) {
        for (const body of endpoint.method === "get" || endpoint.method === "delete" ? [undefined] : bodies) {
          const path = endpoint.path.replace("{id}", id);
          const query = queries[requests % queries.length];
          const response = await app.request(`${path}?${query}`, {
            method: endpoint.method.toUpperCase(),
            body,
            headers: body === undefined ? {} : { "content-type": "application/json" },
          });
          requests++;
          expect(response.status, `${endpoint.method} ${path}?${query} ${body}`).toBeLessThan(500);
          if (response.status >= 400) expect(response.headers.get("content-type")).toBe("application/problem+json");
        }
      }
    }
    expect(requests).toBeGreaterThan(300);
    expect(await snapshot(cache)).toBe(before);
  });

  it("opens /ws/events only with the token, and never to a page of another site", async () => {
    const app = createApp(cache, { version: "0.0.0", runtime: "node", token: "t0ken", upgradeWebSocket });
    const refused = async (headers: Record<string, string>) => (await app.request("/ws/events", { headers })).status;
    expect(await refused({})).toBe(401);
    expect(await refused({ authorization: "Bearer wrong" })).toBe(401);
    expect(await refused({ authorization: "Bearer t0ken", origin: "https://elsewhere.example" })).toBe(403);
    expect(await refused({ authorization: "Bearer t0ken", origin: "null" })).toBe(403);
  });

  it("applies the body limit it is given", async () => {
    const app = createApp(cache, { version: "0.0.0", runtime: "node", bodyLimit: 100 });
    const response = await app.request("/api/tasks/bulk-archive", json({ task_ids: Array(50).fill("t1") }));
    expect(response.status).toBe(413);
    expect((await response.json()).detail).toMatch(/100 bytes/);
    expect(await cache.get("t1")).toBeDefined();
  });

  it("builds its OpenAPI parameters and bodies from the validation schemas", async () => {
    const app = createApp(cache, { version: "1.2.3", runtime: "node" });
    const document = await (await app.request("/api/openapi.json")).json();
    expect(document.info.version).toBe("1.2.3");
    const list = document.paths["/api/tasks"].get;
    expect(list.parameters.find((p: { name: string }) => p.name === "status").schema.enum).toEqual([
      "pending",
      "running",
      "success",
      "failed",
      "cancelled",
    ]);
    for (const listing of ["/api/tasks", "/api/archive"]) {
      const names = document.paths[listing].get.parameters.map((p: { name: string }) => p.name);
      expect(names).toEqual(expect.arrayContaining(["q", "id_prefix", "since", "until"]));
    }
    expect(list.parameters.find((p: { name: string }) => p.name === "q").schema.maxLength).toBe(200);
    const put = document.paths["/api/tasks/{id}"].put.requestBody.content["application/json"].schema;
    expect(put.required).toEqual(["backend", "status"]);
    expect(put.properties.metadata).toEqual({ type: "object" });
  });

  it("keeps nothing of an event stream once it has ended", async () => {
    const app = createApp(cache, { version: "0.0.0", runtime: "node" });
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const openAndClose = async (streams: number) => {
      for (let i = 0; i < streams; i++) {
        const reader = (await app.request("/api/events")).body!.getReader();
        await reader.read();
        await reader.cancel();
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      gc();
      return process.memoryUsage().heapUsed;
    };
    const before = await openAndClose(2000);
    const after = await openAndClose(20_000);
    // Anything kept per stream, however small, would show: 20,000 closures of 50 bytes are 1 MB.
    expect(after - before).toBeLessThan(1_000_000);
  }, 60_000);
});
