/** The server on Deno: `deno task start --db FILE --port N`. */
import { runServer } from "./run.ts";

declare const Deno: {
  serve(
    options: { hostname: string; port: number; onListen(address: { port: number }): void },
    handler: (request: Request) => Response | Promise<Response>,
  ): { shutdown(): Promise<void> };
};

await runServer("deno", (fetch, { host, port }) =>
  new Promise((resolve) => {
    const server = Deno.serve({ hostname: host, port, onListen: (address) => resolve({ port: address.port, close: () => server.shutdown() }) }, fetch);
  }),
);
