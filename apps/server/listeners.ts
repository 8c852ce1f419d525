/**
 * Each runtime's HTTP server behind one shape ({@link Listen}), its WebSocket upgrade, and the one
 * this process runs on.
 */
import type { Server } from "node:http";
import { serve, upgradeWebSocket as upgradeOnNode } from "@hono/node-server";
import type { websocket as BunSockets } from "hono/bun";
import type { UpgradeWebSocket } from "hono/ws";
import { WebSocketServer } from "ws";
import type { Listen } from "./run.ts";

declare const Deno: {
  serve(
    options: { hostname: string; port: number; onListen(address: { port: number }): void },
    handler: (request: Request) => Response | Promise<Response>,
  ): { shutdown(): Promise<void> };
};

declare const Bun: {
  serve(options: {
    hostname: string;
    port: number;
    fetch: (request: Request) => Response | Promise<Response>;
    websocket: typeof BunSockets;
  }): {
    port: number;
    stop(closeActiveConnections?: boolean): Promise<void>;
  };
};

export const listenNode: Listen = (fetch, { host, port }) =>
  new Promise((resolve) => {
    // Upgrades reach `upgradeOnNode` through the app; the sockets are this server's.
    const websocket = { server: new WebSocketServer({ noServer: true }) };
    const server = serve({ fetch, hostname: host, port, websocket }, (info) =>
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

/** Bun's server, with the handler of the sockets that `hono/bun` upgrades. */
export const listenBun =
  (websocket: typeof BunSockets): Listen =>
  async (fetch, { host, port }) => {
    const server = Bun.serve({ hostname: host, port, fetch, websocket });
    // stop(false) lets requests in flight finish.
    return { port: server.port, close: () => server.stop(false) };
  };

/** A runtime's server: its name, how it listens, and how a route there becomes a WebSocket. */
export interface ServerRuntime {
  readonly runtime: "node" | "deno" | "bun";
  readonly listen: Listen;
  readonly upgradeWebSocket: UpgradeWebSocket;
}

/**
 * The runtime this process runs on. `hono/bun` and `hono/deno` each load only on their own
 * runtime, so the one needed is loaded here and no other.
 */
export async function currentRuntime(): Promise<ServerRuntime> {
  if ("Bun" in globalThis) {
    const { upgradeWebSocket, websocket } = await import("hono/bun");
    return { runtime: "bun", listen: listenBun(websocket), upgradeWebSocket };
  }
  if ("Deno" in globalThis) {
    const { upgradeWebSocket } = await import("hono/deno");
    return { runtime: "deno", listen: listenDeno, upgradeWebSocket };
  }
  return { runtime: "node", listen: listenNode, upgradeWebSocket: upgradeOnNode };
}
