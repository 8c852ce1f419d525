/** The server on Bun: `bun run start:bun --db FILE --port N`. */
import { runServer } from "./run.ts";

declare const Bun: {
  serve(options: { hostname: string; port: number; fetch: (request: Request) => Response | Promise<Response> }): {
    port: number;
    stop(closeActiveConnections?: boolean): Promise<void>;
  };
};

await runServer("bun", async (fetch, { host, port }) => {
  const server = Bun.serve({ hostname: host, port, fetch });
  // stop(false) lets requests in flight finish.
  return { port: server.port, close: () => server.stop(false) };
});
