/** The server on Node: `npm start -- --db FILE --port N`. */
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { runServer } from "./run.ts";

await runServer("node", (fetch, { host, port }) =>
  new Promise((resolve) => {
    const server = serve({ fetch, hostname: host, port }, (info) =>
      resolve({
        port: info.port,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            // Idle keep-alive connections would otherwise hold the shutdown for seconds.
            (server as Server).closeIdleConnections();
          }),
      }),
    );
  }),
);
