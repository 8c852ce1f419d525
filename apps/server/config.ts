/**
 * Server settings from flags and environment, the same for every runtime:
 * `--db` (`UNIQC_DB`), `--host` (`UNIQC_HOST`), `--port` (`UNIQC_PORT`), `--token` (`UNIQC_TOKEN`),
 * `--cors-origin` (`UNIQC_CORS_ORIGINS`, comma-separated), and for a synced replica `--sync-url`
 * (`UNIQC_SYNC_URL`), `--sync-token` (`UNIQC_SYNC_TOKEN`), `--sync-interval` (`UNIQC_SYNC_INTERVAL`)
 * and `--import-from` (`UNIQC_IMPORT_FROM`); the retention policy `--archive-after`,
 * `--purge-after` and `--maintain-every` (`UNIQC_ARCHIVE_AFTER`, …). Flags win over the environment.
 */
import { parseArgs } from "node:util";
import * as v from "valibot";
import { DurationSchema, HOUR_MS, toInputIssues } from "../../core/index.ts";

export interface ServerConfig {
  /** Path or URL of the cache; undefined means the default file. */
  db: string | undefined;
  host: string;
  port: number;
  token: string | undefined;
  corsOrigins: string[];
  /** The sync server of a replica at `db`; undefined for a plain file or libSQL URL. */
  syncUrl: string | undefined;
  syncToken: string | undefined;
  /** Milliseconds between sync rounds; 0 syncs only when asked. */
  syncIntervalMs: number;
  /** A local cache file (the Python package's) whose tasks flow into this one; read, never written. */
  importFrom: string | undefined;
  /** The retention policy run on an interval; both undefined when there is none. */
  archiveAfterHours: number | undefined;
  purgeAfterHours: number | undefined;
  /** Milliseconds between maintenance runs. */
  maintainEveryMs: number;
}

/** A setting that cannot be used; the message is for the person who started the server. */
export class ConfigError extends Error {}

const LOOPBACK = /^(127(\.\d{1,3}){3}|localhost|::1|\[::1\])$/i;

const PortSchema = v.pipe(
  v.string(),
  v.regex(/^\d{1,5}$/, "must be a port number"),
  v.transform(Number),
  v.maxValue(65535, "must be at most 65535"),
);

/** `5s`, `500ms`, `2m`, or a number of seconds. */
const IntervalSchema = v.pipe(
  v.string(),
  v.regex(/^\d+(\.\d+)?(ms|s|m)?$/, "must be a duration such as 5s, 500ms or 2m"),
  v.transform((text) => {
    const value = Number.parseFloat(text);
    return Math.round(text.endsWith("ms") ? value : text.endsWith("m") ? value * 60_000 : value * 1000);
  }),
);

/** Reads a duration setting as milliseconds, or throws a {@link ConfigError} naming the flag. */
export function durationOf(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const parsed = v.safeParse(DurationSchema, text);
  if (!parsed.success) throw new ConfigError(`--${flag} ${toInputIssues(parsed.issues)[0]!.message}`);
  return parsed.output;
}

const USAGE = `Usage: start [--db PATH_OR_URL] [--host 127.0.0.1] [--port 18765] [--token TOKEN] [--cors-origin ORIGIN]...
             [--sync-url URL [--sync-token TOKEN] [--sync-interval 5s] [--import-from PATH]]
  --db             the cache file or libSQL URL (UNIQC_DB); default ~/.uniqc/cache/tasks.sqlite
  --host           address to listen on (UNIQC_HOST); anything but loopback needs a token
  --port           port to listen on (UNIQC_PORT); 0 picks a free one
  --token          require "Authorization: Bearer TOKEN" on the API (UNIQC_TOKEN)
  --cors-origin    let this browser origin call the API (UNIQC_CORS_ORIGINS, comma-separated)
  --sync-url       keep --db as a replica synced with this server (UNIQC_SYNC_URL)
  --sync-token     the sync server's token (UNIQC_SYNC_TOKEN)
  --sync-interval  time between sync rounds, 0 for only on request (UNIQC_SYNC_INTERVAL); default 5s
  --import-from    bring the tasks of this local cache file into the replica as they change,
                   reading it only (UNIQC_IMPORT_FROM), e.g. ~/.uniqc/cache/tasks.sqlite
  --archive-after  archive finished tasks submitted longer ago than this, e.g. 72h (UNIQC_ARCHIVE_AFTER)
  --purge-after    delete archived tasks archived longer ago than this, e.g. 90d (UNIQC_PURGE_AFTER)
  --maintain-every time between those runs (UNIQC_MAINTAIN_EVERY); default 1h`;

export function readConfig(argv: readonly string[], env: Record<string, string | undefined>): ServerConfig {
  // biome-ignore lint/suspicious/noImplicitAnyLet: the type is what parseArgs answers for the options below, set inside the try
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        db: { type: "string" },
        host: { type: "string" },
        port: { type: "string" },
        token: { type: "string" },
        "cors-origin": { type: "string", multiple: true },
        "sync-url": { type: "string" },
        "sync-token": { type: "string" },
        "sync-interval": { type: "string" },
        "import-from": { type: "string" },
        "archive-after": { type: "string" },
        "purge-after": { type: "string" },
        "maintain-every": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.help) throw new ConfigError(USAGE);

  const port = v.safeParse(PortSchema, values.port ?? env.UNIQC_PORT ?? "18765");
  if (!port.success) throw new ConfigError(`--port ${toInputIssues(port.issues)[0]!.message}`);
  const host = values.host ?? env.UNIQC_HOST ?? "127.0.0.1";
  const token = values.token ?? (env.UNIQC_TOKEN || undefined);
  if (!LOOPBACK.test(host) && !token) {
    throw new ConfigError(
      `Refusing to listen on ${host} without a token: anyone on the network could change the cache. Set --token or UNIQC_TOKEN.`,
    );
  }
  const origins = values["cors-origin"] ?? (env.UNIQC_CORS_ORIGINS ?? "").split(",");
  const interval = v.safeParse(IntervalSchema, values["sync-interval"] ?? (env.UNIQC_SYNC_INTERVAL || "5s"));
  if (!interval.success) throw new ConfigError(`--sync-interval ${toInputIssues(interval.issues)[0]!.message}`);
  const syncUrl = values["sync-url"] ?? (env.UNIQC_SYNC_URL || undefined);
  const importFrom = values["import-from"] ?? (env.UNIQC_IMPORT_FROM || undefined);
  const db = values.db ?? (env.UNIQC_DB || undefined);
  if (syncUrl && db === undefined) {
    throw new ConfigError("--sync-url needs --db: a replica is a file of its own, never the Python package's cache.");
  }
  if (importFrom !== undefined && !syncUrl) {
    throw new ConfigError("--import-from brings a local file into a synced replica: give --sync-url too.");
  }
  const hours = (ms: number | undefined) => (ms === undefined ? undefined : ms / HOUR_MS);
  const archiveAfterHours = hours(
    durationOf("archive-after", values["archive-after"] ?? (env.UNIQC_ARCHIVE_AFTER || undefined)),
  );
  const purgeAfterHours = hours(
    durationOf("purge-after", values["purge-after"] ?? (env.UNIQC_PURGE_AFTER || undefined)),
  );
  const maintainEveryMs = durationOf("maintain-every", values["maintain-every"] ?? (env.UNIQC_MAINTAIN_EVERY || "1h"))!;
  if (maintainEveryMs < 1000) throw new ConfigError("--maintain-every must be at least 1s.");
  return {
    db,
    host,
    port: port.output,
    token,
    corsOrigins: origins.map((origin) => origin.trim()).filter(Boolean),
    syncUrl,
    syncToken: values["sync-token"] ?? (env.UNIQC_SYNC_TOKEN || undefined),
    syncIntervalMs: interval.output,
    importFrom,
    archiveAfterHours,
    purgeAfterHours,
    maintainEveryMs,
  };
}
