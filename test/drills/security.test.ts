/**
 * Security as tests: where the server listens, who may call it, which browsers may read it, what
 * its answers never carry, and that no request can point it at another database.
 */
import { existsSync } from "node:fs";
import { networkInterfaces } from "node:os";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLocalFile } from "../../adapters/local-file.ts";
import { openCache } from "../../adapters/open.ts";
import { createApp } from "../../apps/server/app.ts";
import { ConfigError, readConfig } from "../../apps/server/config.ts";
import { documentedEndpoints, wellFormed } from "../server/endpoints.ts";
import { sameToken } from "../../apps/http/token.ts";
import type { Connection, TaskCache } from "../../core/index.ts";
import { tempDir } from "../contract/fixtures.ts";
import { startServer } from "../../harness/server-process.ts";
import { dataVersion } from "./invariants.ts";

const ENDPOINTS = await documentedEndpoints();

const TOKEN = "k3y-9f8e7d6c5b4a";
const temp = tempDir("uniqc-security-");
const path = temp.file("tasks.sqlite");
let cache: TaskCache;
let checker: Connection;

beforeAll(async () => {
  cache = await openCache(path);
  checker = await openLocalFile(path);
  await cache.save({ task_id: "t1", backend: "dummy", status: "success", metadata: { circuit_ir: "QINIT 1\nH q[0]" } });
  await cache.save({ task_id: "t2", backend: "dummy", status: "failed" });
  await cache.archive("t2");
});
afterAll(async () => {
  await checker.close();
  await cache.close();
  temp.remove();
});

describe("where the server listens", () => {
  it("on loopback when no address is given, and nowhere else", async () => {
    expect(readConfig([], {}).host).toBe("127.0.0.1");
    const server = await startServer("node", ["--db", temp.file("listen.sqlite")]);
    try {
      expect(server.base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const port = new URL(server.base).port;
      const outward = Object.values(networkInterfaces())
        .flat()
        .filter((address) => address && !address.internal && address.family === "IPv4")
        .map((address) => address!.address);
      for (const address of outward) await expect(fetch(`http://${address}:${port}/api/health`)).rejects.toThrow();
      expect((await fetch(`${server.base}/api/health`)).status).toBe(200);
    } finally {
      await server.stop("SIGKILL");
    }
  });

  it("refuses any other address without a token, and takes it with one", () => {
    const loopback = fc.oneof(
      fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, b, c]) => `127.${a}.${b}.${c}`),
      fc.constantFrom("localhost", "LOCALHOST", "::1", "[::1]"),
    );
    const other = fc.oneof(
      fc.ipV4().filter((ip) => !ip.startsWith("127.")),
      fc.ipV6().filter((ip) => ip !== "::1" && ip !== "0:0:0:0:0:0:0:1"),
      fc.domain().filter((name) => name.toLowerCase() !== "localhost"),
      fc.constantFrom("0.0.0.0", "::", "127.0.0.1.example.com", "localhost.evil", " 127.0.0.1"),
    );
    fc.assert(
      fc.property(other, (host) => {
        expect(() => readConfig(["--host", host], {})).toThrow(ConfigError);
        expect(() => readConfig([], { UNIQC_HOST: host })).toThrow(/without a token/);
        expect(readConfig(["--host", host, "--token", TOKEN], {}).host).toBe(host);
      }),
    );
    fc.assert(
      fc.property(loopback, (host) => {
        expect(readConfig(["--host", host], {}).host).toBe(host);
      }),
    );
  });
});

describe("with a token", () => {
  const guarded = ENDPOINTS.filter(
    (endpoint) => endpoint.path !== "/api/openapi.json" && endpoint.path !== "/api/docs",
  );
  // A header that is not a bearer token at all is a malformed request (RFC 6750): 400, not 401.
  const wrong: [string, Record<string, string>, string, number][] = [
    ["no header", {}, "", 401],
    ["a wrong token", { authorization: "Bearer wrong" }, "", 401],
    ["the token with a character more", { authorization: `Bearer ${TOKEN}x` }, "", 401],
    ["the token but its last character", { authorization: `Bearer ${TOKEN.slice(0, -1)}` }, "", 401],
    ["another scheme", { authorization: `Basic ${btoa(`user:${TOKEN}`)}` }, "", 400],
    ["the token as a query parameter", {}, `token=${TOKEN}`, 401],
    ["the token as the dashboard's cookie", { cookie: `uniqc_token=${TOKEN}` }, "", 401],
  ];

  it.each(guarded.map((endpoint) => [`${endpoint.method.toUpperCase()} ${endpoint.path}`, endpoint] as const))(
    "%s refuses every wrong credential with 401 and changes nothing",
    async (_, endpoint) => {
      const app = createApp(cache, { version: "0.0.0", runtime: "node", token: TOKEN });
      const { url, init } = wellFormed(endpoint);
      for (const [how, headers, query, status] of wrong) {
        // The event stream alone takes the cookie: a browser cannot set a header on it.
        if (how.includes("cookie") && endpoint.path === "/api/events") continue;
        const before = await dataVersion(checker);
        const response = await app.request(query ? `${url}${url.includes("?") ? "&" : "?"}${query}` : url, {
          ...init,
          headers: { ...(init.headers as Record<string, string>), ...headers },
        });
        expect(response.status, how).toBe(status);
        expect(response.headers.get("content-type"), how).toBe("application/problem+json");
        expect(response.headers.get("www-authenticate"), how).toMatch(/^Bearer/);
        await response.body?.cancel();
        expect(await dataVersion(checker), `${how} changed the file`).toBe(before);
      }
      const allowed = await app.request(url, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${TOKEN}` },
      });
      expect(allowed.status).not.toBe(401);
      await allowed.body?.cancel();
      // Put back what the allowed request may have moved, for the next endpoint.
      if (!(await cache.get("t1"))) {
        if (await cache.getArchived("t1")) await cache.restore("t1");
        else
          await cache.save({
            task_id: "t1",
            backend: "dummy",
            status: "success",
            metadata: { circuit_ir: "QINIT 1\nH q[0]" },
          });
      }
    },
  );

  it("compares tokens in constant time: a guess right but for its last character takes as long as one wrong from the first", async () => {
    // Long enough that an early exit would show a thousandfold; the comparison hashes both sides.
    const token = "a".repeat(4_000_000);
    const wrongFirst = `b${token.slice(1)}`;
    const wrongLast = `${token.slice(0, -1)}b`;
    const median = async (given: string) => {
      const times: number[] = [];
      for (let i = 0; i < 15; i++) {
        // A fresh copy each time: an engine may remember a string's hash and compare by that.
        const guess = Buffer.from(given).toString();
        const start = performance.now();
        const same = await sameToken(guess, token);
        times.push(performance.now() - start);
        expect(same).toBe(false);
      }
      return times.sort((a, b) => a - b)[7]!;
    };
    await median(wrongLast); // warm up
    const [first, last] = [await median(wrongFirst), await median(wrongLast)];
    expect(last / first).toBeGreaterThan(0.5);
    expect(last / first).toBeLessThan(2);
    expect(await sameToken(token, token)).toBe(true);
    // A server never holds an empty token: `--token ""` means no token.
    await fc.assert(
      fc.asyncProperty(fc.string(), fc.string({ minLength: 1 }), async (given, held) => {
        expect(await sameToken(given, held)).toBe(given === held);
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1 }), async (held) => {
        expect(await sameToken(held, held)).toBe(true);
      }),
    );
  });
});

describe("browsers", () => {
  const origin = "http://localhost:5173";
  const others = fc.oneof(
    fc.webUrl({ withQueryParameters: false, withFragments: false }).map((url) => new URL(url).origin),
    fc.constantFrom(
      "null",
      "http://localhost:5174",
      "https://localhost:5173",
      "http://localhost:5173.evil.example",
      "HTTP://LOCALHOST:5173x",
    ),
  );

  it("may read the API only from configured origins, preflight included", async () => {
    const configured = createApp(cache, { version: "0.0.0", runtime: "node", corsOrigins: [origin] });
    const unconfigured = createApp(cache, { version: "0.0.0", runtime: "node" });
    const preflight = (from: string) => ({
      method: "OPTIONS",
      headers: { origin: from, "access-control-request-method": "DELETE" },
    });
    expect(
      (await configured.request("/api/tasks", { headers: { origin } })).headers.get("access-control-allow-origin"),
    ).toBe(origin);
    expect(
      (await configured.request("/api/tasks/t1", preflight(origin))).headers.get("access-control-allow-origin"),
    ).toBe(origin);
    await fc.assert(
      fc.asyncProperty(others, async (from) => {
        for (const app of [configured, unconfigured]) {
          for (const response of [
            await app.request("/api/tasks", { headers: { origin: from } }),
            await app.request("/api/tasks/t1", preflight(from)),
          ]) {
            expect(response.headers.get("access-control-allow-origin")).toBeNull();
            expect(response.headers.get("access-control-allow-credentials")).toBeNull();
          }
        }
      }),
      { numRuns: 200 },
    );
    expect(
      (await unconfigured.request("/api/tasks/t1", preflight(origin))).headers.get("access-control-allow-origin"),
    ).toBeNull();
    expect(await cache.get("t1")).toBeDefined();
  });
});

describe("what answers carry", () => {
  it("no answer of any GET route, page or problem names the database's path", async () => {
    const app = createApp(cache, { version: "0.0.0", runtime: "node" });
    const pages = ["/", "/tasks", "/archive", "/tasks/t1", "/archive/t2", "/nowhere", "/api/nowhere"];
    const urls = [
      ...ENDPOINTS.filter((endpoint) => endpoint.method === "get" && endpoint.path !== "/api/events").map(
        (endpoint) => wellFormed(endpoint).url,
      ),
      ...pages,
    ];
    for (const url of urls) {
      const text = await (await app.request(url)).text();
      expect(text, url).not.toContain(temp.dir);
      expect(text, url).not.toContain("tasks.sqlite");
    }
  });

  it("a failure of the server's own is a 500 problem with no stack, path or SQL; the operator gets the error", async () => {
    const path = temp.file("closing.sqlite");
    const closing = await openCache(path);
    const app = createApp(closing, { version: "0.0.0", runtime: "node" });
    await closing.close();
    const logged: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void logged.push(args);
    try {
      for (const { url, init } of ENDPOINTS.filter((endpoint) => endpoint.path !== "/api/events").map((endpoint) =>
        wellFormed(endpoint),
      )) {
        const response = await app.request(url, init);
        const text = await response.text();
        if (response.status < 500) continue;
        expect(response.headers.get("content-type")).toBe("application/problem+json");
        expect(JSON.parse(text).detail).toBe("The server failed to answer this request; the error was logged.");
        expect(text).not.toMatch(/\n\s+at |\.ts:\d|node_modules|SELECT|INSERT|DELETE FROM|sqlite|closing/i);
      }
    } finally {
      console.error = original;
    }
    // The failures happened, and were logged for the operator rather than sent.
    expect(logged.length).toBeGreaterThan(5);
  });
});

describe("the database", () => {
  it("cannot be changed over HTTP: no parameter, header or body field opens another file", async () => {
    const app = createApp(cache, { version: "0.0.0", runtime: "node" });
    const elsewhere = temp.file("elsewhere.sqlite");
    const attempts = ["db", "path", "file", "database", "url", "UNIQC_DB"];
    const before = await (await app.request("/api/version")).json();
    for (const endpoint of ENDPOINTS.filter((e) => e.path !== "/api/events")) {
      const { url, init } = wellFormed(endpoint);
      const query = attempts.map((name) => `${name}=${encodeURIComponent(elsewhere)}`).join("&");
      const headers = { "x-uniqc-db": elsewhere, "x-database": elsewhere, ...(init.headers as Record<string, string>) };
      const body = init.body
        ? JSON.stringify({
            ...JSON.parse(String(init.body)),
            ...Object.fromEntries(attempts.map((name) => [name, elsewhere])),
          })
        : undefined;
      const response = await app.request(`${url}${url.includes("?") ? "&" : "?"}${query}`, { ...init, headers, body });
      expect(response.status, `${endpoint.method} ${endpoint.path}`).toBeLessThan(500);
      await response.body?.cancel();
    }
    expect(existsSync(elsewhere)).toBe(false);
    expect(await (await app.request("/api/version")).json()).toEqual(before);
    // Writes still land in the one file the server was started on.
    await app.request("/api/tasks/landed", {
      method: "PUT",
      body: JSON.stringify({ backend: "dummy", status: "pending", db: elsewhere }),
      headers: { "content-type": "application/json" },
    });
    const [row] = await checker.all<{ n: number }>("SELECT COUNT(*) AS n FROM tasks WHERE task_id = 'landed'");
    expect(Number(row!.n)).toBe(1);
    expect(existsSync(elsewhere)).toBe(false);
  });
});
