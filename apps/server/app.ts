/**
 * The REST API of the task cache as one Hono app: `Request → Response`, the same on Node, Deno
 * and Bun. Field names and shapes are the Python gateway's, so its frontend and scripts work
 * unchanged.
 */
import { vValidator } from "@hono/valibot-validator";
import { Hono, type Context, type MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { stream, streamSSE } from "hono/streaming";
import { getCookie } from "hono/cookie";
import { dashboardRoutes, TOKEN_COOKIE } from "../dashboard/routes.tsx";
import type { GenericSchema } from "valibot";
import {
  HOUR_MS,
  InvalidInputError,
  NotFoundError,
  toInputIssues,
  type TaskCache,
  type TaskPageText,
} from "../../core/index.ts";
import { drawCircuit } from "../../core/drawing/index.ts";
import { circuitFragment, circuitText } from "../http/circuit-fragment.ts";
import { decodeCursor, nextCursor, type CursorScope } from "../http/cursor.ts";
import { docsRoutes } from "./docs.ts";
import { openApiDocument } from "./openapi.ts";
import type { FollowState } from "./follow-file.ts";
import type { MaintenanceState } from "./maintenance.ts";
import { announcing, EventHub, type CacheEvent } from "./events.ts";
import { sameToken } from "../http/token.ts";
import { errorToProblem, problemResponse } from "./problem.ts";
import {
  ArchiveExpiredQuery,
  ArchiveListQuery,
  BulkBody,
  CircuitQuery,
  ExportQuery,
  ImportBody,
  ListQuery,
  MaintenanceBody,
  PurgeQuery,
  TaskBody,
  TaskIdParams,
} from "./request-schemas.ts";

export interface AppOptions {
  /** Reported by `/api/version`. */
  version: string;
  /** Reported by `/api/version`: node, deno or bun. */
  runtime: string;
  /** When set, every `/api` request but the docs needs `Authorization: Bearer <token>`. */
  token?: string | undefined;
  /** Origins allowed to call the API from a browser; none by default. */
  corsOrigins?: readonly string[];
  /** Largest request body in bytes; 1 MiB by default. */
  bodyLimit?: number;
  /** How the following of a local file goes (`--import-from`), for `/api/health`. */
  following?: () => FollowState;
  /** How the retention policy stands (`--archive-after`, `--purge-after`), for `/api/health`. */
  maintenance?: () => MaintenanceState;
  /** Where writes are announced for `/api/events`; the runtime's entry closes it on shutdown. */
  events?: EventHub;
}

type Target = "json" | "query" | "param";

/** A comment on an idle event stream this often, so that proxies keep it open. */
const KEEP_ALIVE_MS = 15_000;

/** Hono's validator with valibot, failing as problem+json that names the field, never echoing input. */
const validate = <T extends Target, S extends GenericSchema>(target: T, schema: S) =>
  vValidator(target, schema, (result) => {
    if (!result.success) throw new InvalidInputError(toInputIssues(result.issues));
  });

/** A body must say it is JSON; otherwise Hono's validator would see an empty object. */
const requireJson: MiddlewareHandler = async (c, next) => {
  if (!/^application\/(.+\+)?json\b/i.test(c.req.header("content-type") ?? "")) {
    throw new HTTPException(415, { message: "Send the body as JSON, with content-type application/json." });
  }
  await next();
};

/**
 * Reads and drops what a client is still sending, up to a bound, so that it receives the 413
 * instead of a connection closed under it (Node closes a connection whose body went unread).
 */
async function discardBody(request: Request, maxBytes = 16 * 1024 * 1024): Promise<void> {
  if (!request.body || request.body.locked) return;
  const reader = request.body.getReader();
  try {
    for (let read = 0; read <= maxBytes; ) {
      const { done, value } = await reader.read();
      if (done) return;
      read += value.byteLength;
    }
    await reader.cancel();
  } catch {
    // The client went away; there is nobody left to answer.
  }
}

/** Resolves a listing's paging: a cursor (keyset) or an offset, never both. */
function paging(query: { cursor?: string | undefined; offset: number }, scope: CursorScope) {
  if (query.cursor === undefined) return { after: undefined, offset: query.offset };
  if (query.offset !== 0) throw new InvalidInputError([{ path: "offset", message: "cannot be combined with cursor" }]);
  return { after: decodeCursor(query.cursor, scope), offset: 0 };
}

/**
 * A listing's answer. The tasks arrive as JSON text from the cache and go out as they are; only
 * the small envelope around them is serialised here.
 */
function pageResponse(
  c: Context,
  page: TaskPageText,
  fields: { limit: number; offset: number; count?: number },
  scope: CursorScope,
) {
  const next_cursor = nextCursor(page.count, fields.limit, page.last, scope);
  const envelope = JSON.stringify({ total: page.total, ...fields, next_cursor });
  return c.body(`{"tasks":${page.tasks},${envelope.slice(1)}`, 200, { "content-type": "application/json" });
}

export function createApp(store: TaskCache, options: AppOptions) {
  const app = new Hono();
  const hub = options.events ?? new EventHub(store);
  const cache = announcing(store, hub);
  app.onError(errorToProblem);
  app.notFound((c) => problemResponse(404, `There is no ${c.req.method} ${c.req.path} in this API.`));

  if (options.corsOrigins?.length) app.use("/api/*", cors({ origin: [...options.corsOrigins] }));
  if (options.token) {
    const token = options.token;
    const auth = bearerAuth({ verifyToken: (given) => sameToken(given, token) });
    // The reference page and document hold no data, and a browser cannot send the header for them;
    // nor can it for an event stream, so the dashboard's cookie (same site only) opens that one.
    app.use("/api/*", async (c, next) => {
      if (c.req.path === "/api/openapi.json" || c.req.path.startsWith("/api/docs")) return next();
      if (c.req.path === "/api/events" && (await sameToken(getCookie(c, TOKEN_COOKIE), token))) return next();
      return auth(c, next);
    });
  }
  const maxBody = options.bodyLimit ?? 1024 * 1024;
  // Only where a body is expected: asking a GET for its body makes Node's adapter build a
  // stream per request, and the server's memory then grows with every request.
  app.on(
    ["PUT", "POST", "PATCH", "DELETE"],
    "/api/*",
    bodyLimit({
      maxSize: maxBody,
      onError: async (c) => {
        await discardBody(c.req.raw);
        throw new HTTPException(413, { message: `The request body is larger than ${maxBody} bytes.` });
      },
    }),
  );

  const info = cache.info;
  const document = openApiDocument(options.version);

  const routes = app
    .get("/api/health", async (c) => {
      const sync = await cache.syncState();
      const following = options.following?.();
      const maintenance = options.maintenance?.();
      return c.json({
        status: "ok",
        schema_version: info.schemaVersion,
        lineage: info.lineage,
        read_only: info.readOnly,
        ...(sync ? { sync } : {}),
        ...(following ? { import_from: following } : {}),
        ...(maintenance ? { maintenance } : {}),
      });
    })
    .get("/api/events", (c) =>
      streamSSE(c, async (stream) => {
        const header = c.req.header("last-event-id");
        const lastId = header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined;
        let sent = Promise.resolve();
        const send = (event: CacheEvent) =>
          (sent = sent.then(() =>
            stream.writeSSE({ id: String(event.id), event: event.type, data: JSON.stringify(event.data) }),
          ));
        const { missed, closed, stop } = hub.listen(lastId, send);
        stream.onAbort(stop);
        missed.forEach(send);
        await stream.writeSSE({ event: "ready", data: JSON.stringify({ last_event_id: lastId ?? null }) });
        while (!stream.aborted) {
          const ended = await Promise.race([closed.then(() => true), stream.sleep(KEEP_ALIVE_MS).then(() => false)]);
          if (ended) break;
          await stream.write(": keep-alive\n\n");
        }
        stop();
        await sent;
      }),
    )
    .post("/api/sync", async (c) => {
      const { pulled, pushed, reconciled } = await cache.sync();
      return c.json({ pulled, pushed, reconciled, sync: await cache.syncState() });
    })
    .get("/api/version", (c) =>
      c.json({
        version: options.version,
        schema_version: info.schemaVersion,
        supported_schema_version: info.supportedVersion,
        lineage: info.lineage,
        user_version: info.userVersion,
        read_only: info.readOnly,
        read_only_reason: info.readOnlyReason ?? null,
        adapter: info.capabilities.adapter,
        runtime: options.runtime,
      }),
    )
    .get("/api/openapi.json", (c) => c.json(document))
    .route("/api/docs", docsRoutes())

    .get("/api/tasks", validate("query", ListQuery), async (c) => {
      const { status, backend, limit, include_archived, ...rest } = c.req.valid("query");
      const scope: CursorScope = { listing: "tasks", status, backend, includeArchived: include_archived };
      const { after, offset } = paging(rest, scope);
      const page = await cache.listText({ status, backend, limit, offset, includeArchived: include_archived, after });
      return pageResponse(c, page, { limit, offset }, scope);
    })
    .get("/api/tasks/counts", async (c) => c.json(await cache.counts()))
    .post("/api/tasks/bulk-archive", requireJson, validate("json", BulkBody), async (c) => {
      const { archived, missing } = await cache.bulkArchive(c.req.valid("json").task_ids);
      return c.json({ archived, missing, count: archived.length });
    })
    .post("/api/tasks/bulk-delete", requireJson, validate("json", BulkBody), async (c) => {
      const { deleted, missing } = await cache.bulkDelete(c.req.valid("json").task_ids);
      return c.json({ deleted, missing, count: deleted.length });
    })
    .post("/api/tasks/archive-expired", validate("query", ArchiveExpiredQuery), async (c) => {
      const { hours, terminal_only } = c.req.valid("query");
      const { archived, skipped } = await cache.archiveExpired({ hours, terminalOnly: terminal_only });
      return c.json({ archived, count: archived.length, hours, terminal_only, skipped_running: skipped });
    })
    .get("/api/tasks/:id", validate("param", TaskIdParams), async (c) => {
      const { id } = c.req.valid("param");
      const task = await cache.get(id);
      if (!task) throw new NotFoundError(id, "tasks");
      return c.json(task);
    })
    .get("/api/tasks/:id/shards", validate("param", TaskIdParams), async (c) => {
      const { id } = c.req.valid("param");
      const shards = await cache.shards(id);
      if (!shards) throw new NotFoundError(id, "tasks");
      return c.json(shards);
    })
    .put("/api/tasks/:id", validate("param", TaskIdParams), requireJson, validate("json", TaskBody), async (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      if (body.task_id !== undefined && body.task_id !== id) {
        throw new InvalidInputError([{ path: "task_id", message: `must match the id in the path (${id})` }]);
      }
      return c.json(await cache.save({ ...body, task_id: id }));
    })
    .delete("/api/tasks/:id", validate("param", TaskIdParams), async (c) => {
      const { id } = c.req.valid("param");
      await cache.delete(id);
      return c.json({ deleted: id });
    })
    .post("/api/tasks/:id/archive", validate("param", TaskIdParams), async (c) => {
      const { id } = c.req.valid("param");
      await cache.archive(id);
      return c.json({ archived: id });
    })

    .post("/api/archive/purge", validate("query", PurgeQuery), async (c) => {
      const { older_than, dry_run } = c.req.valid("query");
      const olderThanHours = older_than / HOUR_MS;
      const { count, cutoff } = await cache.purgeArchived({ olderThanHours, dryRun: dry_run });
      return c.json({ count, cutoff, older_than_hours: olderThanHours, dry_run });
    })
    .post("/api/maintenance", requireJson, validate("json", MaintenanceBody), async (c) => {
      const { archive_after_hours, purge_after_hours } = c.req.valid("json");
      return c.json(
        await cache.maintain({ archiveAfterHours: archive_after_hours, purgeAfterHours: purge_after_hours }),
      );
    })
    .get("/api/export", validate("query", ExportQuery), (c) => {
      const rows = cache.exportRows(c.req.valid("query").scope);
      c.header("content-type", "application/x-ndjson");
      return stream(c, async (out) => {
        let chunk = "";
        for await (const row of rows) {
          chunk += `${JSON.stringify(row)}\n`;
          if (chunk.length > 65_536) await out.write(chunk), (chunk = "");
          if (out.aborted) return;
        }
        if (chunk) await out.write(chunk);
      });
    })
    .post("/api/import", requireJson, validate("json", ImportBody), async (c) =>
      c.json(await cache.importRows(c.req.valid("json").rows)),
    )

    .get("/api/archive", validate("query", ArchiveListQuery), async (c) => {
      const { status, backend, limit, ...rest } = c.req.valid("query");
      const scope: CursorScope = { listing: "archive", status, backend };
      const { after, offset } = paging(rest, scope);
      const [page, count] = await Promise.all([
        cache.listArchivedText({ status, backend, limit, offset, after }),
        cache.countArchived(),
      ]);
      return pageResponse(c, page, { limit, offset, count }, scope);
    })
    .post("/api/archive/restore/:id", validate("param", TaskIdParams), async (c) => {
      const { id } = c.req.valid("param");
      await cache.restore(id);
      return c.json({ restored: id });
    })
    .get("/api/archive/:id", validate("param", TaskIdParams), async (c) => {
      const { id } = c.req.valid("param");
      const task = await cache.getArchived(id);
      if (!task) throw new NotFoundError(id, "archive");
      return c.json(task);
    })
    .delete("/api/archive/:id", validate("param", TaskIdParams), async (c) => {
      const { id } = c.req.valid("param");
      await cache.deleteArchived(id);
      return c.json({ deleted: id });
    })

    .get("/api/circuits/:id", validate("param", TaskIdParams), validate("query", CircuitQuery), async (c) => {
      return c.json(await cache.getCircuit(c.req.valid("param").id, c.req.valid("query").format));
    })
    .get("/api/circuits/:id/svg", validate("param", TaskIdParams), validate("query", CircuitQuery), async (c) => {
      return c.html(circuitFragment(await cache.getCircuit(c.req.valid("param").id, c.req.valid("query").format)));
    })
    .get(
      "/api/circuits/:id/drawing.svg",
      validate("param", TaskIdParams),
      validate("query", CircuitQuery),
      async (c) => {
        const view = await cache.getCircuit(c.req.valid("param").id, c.req.valid("query").format);
        const text = circuitText(view);
        if (text === undefined)
          throw new HTTPException(404, { message: `Task ${view.task_id} has no ${view.format} circuit.` });
        return c.body(drawCircuit(text), 200, { "content-type": "image/svg+xml; charset=utf-8" });
      },
    );

  // The dashboard, for people: the same cache, the same process.
  app.route("/", dashboardRoutes(cache, { token: options.token }));
  return routes;
}

export type App = ReturnType<typeof createApp>;
