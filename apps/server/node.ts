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
  }),
);
