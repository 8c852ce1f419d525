/**
 * The server's app: the REST API and the dashboard in one Hono app, `Request → Response`, the
 * same on Node, Deno and Bun, behind what every request passes through (token, CORS, body limit,
 * problem answers).
 */
import { Hono, type MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { bodyLimit } from "hono/body-limit";
import { getCookie } from "hono/cookie";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import type { UpgradeWebSocket } from "hono/ws";
import type { TaskCache } from "../../core/index.ts";
import { dashboardRoutes, TOKEN_COOKIE } from "../dashboard/routes.tsx";
import { sameToken } from "../http/token.ts";
import { createApi, type ServiceOptions } from "./api/index.ts";
import { eventSocket } from "./event-socket.ts";
import { announcing, EventHub } from "./events.ts";
import { errorToProblem, problemResponse } from "./problem.ts";

export interface AppOptions extends ServiceOptions {
  /** When set, every `/api` request but the docs needs `Authorization: Bearer <token>`. */
  token?: string | undefined;
  /** Origins allowed to call the API from a browser; none by default. */
  corsOrigins?: readonly string[];
  /** Largest request body in bytes; 1 MiB by default. */
  bodyLimit?: number;
  /** Where writes are announced for `/api/events`; the runtime's entry closes it on shutdown. */
  events?: EventHub;
  /** The runtime's WebSocket upgrade; with it, `/ws/events` is served as the package's web app expects. */
  upgradeWebSocket?: UpgradeWebSocket | undefined;
}

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

/** Whether a page of `origin` is this server's own. */
function sameHost(url: string, origin: string): boolean {
  try {
    return new URL(url).host === new URL(origin).host;
  } catch {
    // `null` and other origins that are not URLs are nobody's.
    return false;
  }
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
    // nor can it for an event stream or a socket, so the dashboard's cookie (same site only) opens those.
    const authOrCookie: MiddlewareHandler = async (c, next) =>
      (await sameToken(getCookie(c, TOKEN_COOKIE), token)) ? next() : auth(c, next);
    app.use("/api/*", async (c, next) => {
      if (c.req.path === "/api/openapi.json" || c.req.path.startsWith("/api/docs")) return next();
      return c.req.path === "/api/events" ? authOrCookie(c, next) : auth(c, next);
    });
    app.use("/ws/*", authOrCookie);
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

  if (options.upgradeWebSocket) {
    // A page of this server or of an allowed origin only, so another site cannot open it in a
    // visitor's browser; the token is checked above, as for the event stream.
    const { corsOrigins = [] } = options;
    app.get(
      "/ws/events",
      async (c, next) => {
        const origin = c.req.header("origin");
        if (origin !== undefined && !sameHost(c.req.url, origin) && !corsOrigins.includes(origin))
          throw new HTTPException(403, { message: `Pages of ${origin} may not open this server's events.` });
        return next();
      },
      eventSocket(hub, options.upgradeWebSocket),
    );
  }
  app.route("/", createApi(cache, hub, options));
  // The dashboard, for people: the same cache, the same process.
  app.route("/", dashboardRoutes(cache, { token: options.token }));
  return app;
}
