/**
 * The floor for the HTTP figures: a bare Hono route answering a task-sized JSON body, on the
 * same runtime's server as the real app. Prints the same "on http://…" line.
 *
 * With `--db <file>`, it also moves a task to the archive and back with the raw statements on
 * the adapter's connection (no core, no checks), answering as the real routes do: the floor for
 * one archive and restore over HTTP. And it answers a page of the newest listing after a cursor
 * (`/bare/page?t=SUBMIT_TIME&id=TASK_ID`) with one raw statement's rows as JSON: the floor for a
 * page nobody asked for just before.
 */
import process from "node:process";
import { Hono } from "hono";
import { openConnection } from "../../adapters/open.ts";
import { rawArchive, rawRestore } from "./raw-moves.ts";

const body = {
  task_id: "uqt_f1bbcd892f5e53c0159571f73ea7598c",
  backend: "originq:WK_C180",
  status: "success",
  shots: 1000,
  submit_time: "2026-10-15T20:32:52.000828+00:00",
  update_time: "2026-10-15T20:38:27.000828+00:00",
  result: { counts: { "000000": 405, "111111": 595 } },
  metadata: { circuit_ir: "QINIT 6\nCREG 6\nH q[0]\nCNOT q[0],q[1]\nMEASURE q[0],c[0]", shots: 1000 },
  compiled_circuit: null,
};
const app = new Hono().get("/bare", (c) => c.json(body));

/** The summary columns of the 100 tasks after a cursor, newest first, as stored. */
const RAW_PAGE = `SELECT task_id, backend, status, shots, submit_time, update_time, result_json IS NOT NULL AS has_result,
  metadata_json FROM tasks WHERE (submit_time, task_id) < (?, ?) ORDER BY submit_time DESC, task_id DESC LIMIT 100`;

const at = process.argv.indexOf("--db");
if (at > 0) {
  const db = await openConnection(process.argv[at + 1]!);
  app
    .post("/bare/archive/:id", async (c) => {
      const id = c.req.param("id");
      await rawArchive(db, id);
      return c.json({ archived: id });
    })
    .post("/bare/restore/:id", async (c) => {
      const id = c.req.param("id");
      await rawRestore(db, id);
      return c.json({ restored: id });
    })
    .get("/bare/page", async (c) =>
      c.json({ tasks: await db.all(RAW_PAGE, [c.req.query("t") ?? "", c.req.query("id") ?? ""]) }),
    );
}
const announce = (port: number) => console.log(`bare hono on http://127.0.0.1:${port}`);

declare const Deno: {
  serve(
    o: { hostname: string; port: number; onListen(a: { port: number }): void },
    h: (r: Request) => Response | Promise<Response>,
  ): unknown;
};
declare const Bun: {
  serve(o: { hostname: string; port: number; fetch: (r: Request) => Response | Promise<Response> }): { port: number };
};

if ("Bun" in globalThis) announce(Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: app.fetch }).port);
else if ("Deno" in globalThis)
  Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: ({ port }) => announce(port) }, app.fetch);
else {
  const { serve } = await import("@hono/node-server");
  serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info) => announce(info.port));
}
process.on("SIGTERM", () => process.exit(0));
