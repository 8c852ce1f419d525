/**
 * Each runtime's HTTP server behind one shape ({@link Listen}), and the one this process runs on.
 */
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import type { Listen } from "./run.ts";

declare const Deno: {
  serve(
    options: { hostname: string; port: number; onListen(address: { port: number }): void },
    handler: (request: Request) => Response | Promise<Response>,
  ): { shutdown(): Promise<void> };
};

declare const Bun: {
  serve(options: { hostname: string; port: number; fetch: (request: Request) => Response | Promise<Response> }): {
    port: number;
    stop(closeActiveConnections?: boolean): Promise<void>;
  };
};

export const listenNode: Listen = (fetch, { host, port }) =>
  new Promise((resolve) => {
    const server = serve({ fetch, hostname: host, port }, (info) =>
      resolve({
        port: info.port,
        close: () =>
          new Promise((done) => {
            // Keep-alive connections would otherwise hold the shutdown for seconds: each is
            // closed as soon as it is idle, including those whose event stream is just ending.
            const sweep = setInterval(() => (server as Server).closeIdleConnections(), 25);
            server.close(() => {
              clearInterval(sweep);
              done();
            });
            (server as Server).closeIdleConnections();
          }),
      }),
    );
  });

export const listenDeno: Listen = (fetch, { host, port }) =>
  new Promise((resolve) => {
    const server = Deno.serve(
      { hostname: host, port, onListen: (address) => resolve({ port: address.port, close: () => server.shutdown() }) },
      fetch,
    );
  });

export const listenBun: Listen = async (fetch, { host, port }) => {
  const server = Bun.serve({ hostname: host, port, fetch });
  // stop(false) lets requests in flight finish.
  return { port: server.port, close: () => server.stop(false) };
};

/** The runtime this process runs on, and its server. */
export function currentRuntime(): { runtime: "node" | "deno" | "bun"; listen: Listen } {
  if ("Bun" in globalThis) return { runtime: "bun", listen: listenBun };
  if ("Deno" in globalThis) return { runtime: "deno", listen: listenDeno };
  return { runtime: "node", listen: listenNode };
}
