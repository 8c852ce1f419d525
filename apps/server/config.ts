/**
 * Server settings from flags and environment, the same for every runtime:
 * `--db` (`UNIQC_DB`), `--host` (`UNIQC_HOST`), `--port` (`UNIQC_PORT`), `--token` (`UNIQC_TOKEN`),
 * `--cors-origin` (`UNIQC_CORS_ORIGINS`, comma-separated). Flags win over the environment.
 */
import { parseArgs } from "node:util";
import * as v from "valibot";
import { toInputIssues } from "../../core/index.ts";

export interface ServerConfig {
  /** Path or URL of the cache; undefined means the default file. */
  db: string | undefined;
  host: string;
  port: number;
  token: string | undefined;
  corsOrigins: string[];
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

const USAGE = `Usage: start [--db PATH_OR_URL] [--host 127.0.0.1] [--port 18765] [--token TOKEN] [--cors-origin ORIGIN]...
  --db           the cache file or libSQL URL (UNIQC_DB); default ~/.uniqc/cache/tasks.sqlite
  --host         address to listen on (UNIQC_HOST); anything but loopback needs a token
  --port         port to listen on (UNIQC_PORT); 0 picks a free one
  --token        require "Authorization: Bearer TOKEN" on the API (UNIQC_TOKEN)
  --cors-origin  let this browser origin call the API (UNIQC_CORS_ORIGINS, comma-separated)`;

export function readConfig(argv: readonly string[], env: Record<string, string | undefined>): ServerConfig {
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
    throw new ConfigError(`Refusing to listen on ${host} without a token: anyone on the network could change the cache. Set --token or UNIQC_TOKEN.`);
  }
  const origins = values["cors-origin"] ?? (env.UNIQC_CORS_ORIGINS ?? "").split(",");
  return {
    db: values.db ?? (env.UNIQC_DB || undefined),
    host,
    port: port.output,
    token,
    corsOrigins: origins.map((origin) => origin.trim()).filter(Boolean),
  };
}
