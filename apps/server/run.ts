/**
 * What every runtime's entry shares: read the settings, open the cache (refusing foreign and
 * non-SQLite files before listening), serve, and on SIGTERM or SIGINT finish in-flight
 * requests and close the database.
 */
import process from "node:process";
import { openCache, DEFAULT_CACHE_PATH } from "../../adapters/open.ts";
import { isCacheError, type TaskCache } from "../../core/index.ts";
import { VERSION } from "../version.ts";
import { createApp } from "./app.ts";
import { ConfigError, readConfig } from "./config.ts";
import { EventHub } from "./events.ts";
import { followFile } from "./follow-file.ts";
import type { ServerRuntime } from "./listeners.ts";
import { startMaintenance } from "./maintenance.ts";

/** A server the runtime started. */
export interface RunningServer {
  readonly port: number;
  /** Stops accepting connections and resolves once in-flight requests are answered. */
  close(): Promise<void>;
}

/** Starts the runtime's HTTP server on `fetch`. */
export type Listen = (
  fetch: (request: Request) => Response | Promise<Response>,
  address: { host: string; port: number },
) => Promise<RunningServer>;

function fail(message: string, code: number): never {
  console.error(message);
  process.exit(code);
}

export async function runServer(
  { runtime, listen, upgradeWebSocket }: ServerRuntime,
  argv: readonly string[] = process.argv.slice(2),
): Promise<void> {
  let config: ReturnType<typeof readConfig>;
  try {
    config = readConfig(argv, process.env);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message, 2);
    throw error;
  }
  const target = config.db ?? DEFAULT_CACHE_PATH;
  let cache: TaskCache;
  try {
    cache = await openCache(target, {
      authToken: config.syncToken ?? process.env.UNIQC_DB_AUTH_TOKEN,
      syncUrl: config.syncUrl,
      syncIntervalMs: config.syncIntervalMs,
    });
  } catch (error) {
    if (isCacheError(error)) fail(`Cannot serve ${target}: ${error.message}`, 1);
    throw error;
  }
  const follower = config.importFrom === undefined ? undefined : followFile(config.importFrom, cache);
  const policy = { archiveAfterHours: config.archiveAfterHours, purgeAfterHours: config.purgeAfterHours };
  const maintenance =
    policy.archiveAfterHours === undefined && policy.purgeAfterHours === undefined
      ? undefined
      : startMaintenance(cache, policy, config.maintainEveryMs);
  const events = new EventHub(cache);
  const app = createApp(cache, {
    version: VERSION,
    runtime,
    token: config.token,
    corsOrigins: config.corsOrigins,
    following: follower?.state,
    maintenance: maintenance?.state,
    events,
    upgradeWebSocket,
  });
  const server = await listen(app.fetch, config);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: finishing requests in flight, then closing the cache`);
    // Event streams never end by themselves; the server waits for them.
    events.close();
    await server.close();
    await follower?.stop();
    await maintenance?.stop();
    await cache.close();
    process.exit(0);
  };
  // Before the line below: whoever waits for it may signal at once.
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));

  const mode = cache.info.readOnly ? `read-only: ${cache.info.readOnlyReason}` : `schema v${cache.info.schemaVersion}`;
  console.log(
    `uniqc task cache on http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${server.port} serving ${target} (${cache.info.capabilities.adapter}, ${mode})`,
  );
}
