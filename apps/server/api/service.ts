/**
 * The routes about the service rather than one task: health, versions, the event stream, a sync
 * round on a replica, and export and import of stored rows.
 */
import { Hono } from "hono";
import { stream, streamSSE } from "hono/streaming";
import * as v from "valibot";
import {
  ImportResultSchema,
  LineageSchema,
  MaintenanceReportSchema,
  SyncReportSchema,
  SyncStateSchema,
  type TaskCache,
} from "../../../core/index.ts";
import { Ids, Stamp, Text, Whole } from "../../../core/shared/shapes.ts";
import type { EventHub, CacheEvent } from "../events.ts";
import type { FollowState } from "../follow-file.ts";
import type { MaintenanceState } from "../maintenance.ts";
import { toWire } from "../../http/wire-names.ts";
import { describe, validate } from "./describe.ts";
import { ExportQuery, ImportBody } from "./requests.ts";

const failure = v.nullable(v.object({ at: Stamp, message: Text }));
const HealthAnswer = v.object({
  status: v.literal("ok"),
  schema_version: v.pipe(Whole, v.description("In the numbers of the file's lineage")),
  lineage: LineageSchema,
  read_only: v.boolean(),
  sync: v.optional(v.pipe(SyncStateSchema, v.description("Present when the cache is a synced replica"))),
  maintenance: v.optional(
    v.pipe(
      v.object({
        archive_after_hours: v.nullable(v.number()),
        purge_after_hours: v.nullable(v.number()),
        every_ms: Whole,
        last: v.nullable(MaintenanceReportSchema),
        last_error: failure,
        next_run: v.nullable(Stamp),
      }),
      v.description("Present when the server runs a retention policy (--archive-after, --purge-after)"),
    ),
  ),
  import_from: v.optional(
    v.pipe(
      v.object({
        source: Text,
        last_import: v.nullable(Stamp),
        imported: v.pipe(Whole, v.description("Rows written here from that file since the server started")),
        last_error: failure,
      }),
      v.description("Present when the server follows a local cache file (--import-from)"),
    ),
  ),
});

/** The uniqc package's project and documentation, which its web app links to from every page. */
const UNIQC_LINKS = {
  github_url: "https://github.com/IAI-USTC-Quantum/UnifiedQuantum",
  docs_url: "https://iai-ustc-quantum.github.io/UnifiedQuantum/docs/",
} as const;

const VersionAnswer = v.object({
  version: Text,
  github_url: v.pipe(Text, v.description("The uniqc package's project, as its gateway gives it")),
  docs_url: v.pipe(Text, v.description("The uniqc package's documentation, as its gateway gives it")),
  schema_version: Whole,
  supported_schema_version: Whole,
  lineage: LineageSchema,
  user_version: Whole,
  read_only: v.boolean(),
  read_only_reason: v.nullable(Text),
  adapter: Text,
  runtime: v.pipe(Text, v.description("node, deno or bun")),
  applied: v.pipe(v.array(Whole), v.description("Schema versions the server's open applied")),
  capabilities: v.pipe(
    v.object({
      adapter: Text,
      single_connection: v.boolean(),
      writes_application_id: v.boolean(),
      writes_user_version: v.boolean(),
      wal_journal: v.boolean(),
      synced: v.boolean(),
    }),
    v.description("What the server's driver can do with its file"),
  ),
});

const ChangeStampAnswer = v.object({
  change_stamp: v.pipe(Text, v.description("Moves whenever the data may have changed, whoever changed it")),
});

const ConflictedAnswer = v.object({
  task_ids: v.pipe(Ids, v.description("Every task with versions that lost, in id order")),
  count: Whole,
});

const SyncAnswer = v.object({ ...SyncReportSchema.entries, sync: SyncStateSchema });

export interface ServiceOptions {
  /** Reported by `/api/version`. */
  version: string;
  /** Reported by `/api/version`: node, deno or bun. */
  runtime: string;
  /** How the following of a local file goes (`--import-from`), for `/api/health`. */
  following?: (() => FollowState) | undefined;
  /** How the retention policy stands (`--archive-after`, `--purge-after`), for `/api/health`. */
  maintenance?: (() => MaintenanceState) | undefined;
}

/** A comment on an idle event stream this often, so that proxies keep it open. */
const KEEP_ALIVE_MS = 15_000;

export function serviceRoutes(cache: TaskCache, hub: EventHub, options: ServiceOptions) {
  const info = cache.info;
  return new Hono()
    .get(
      "/api/health",
      describe({
        summary: "Liveness, and on a synced replica its sync state (last push and pull, changes waiting, last error)",
        tag: "service",
        answer: HealthAnswer,
      }),
      async (c) => {
        const sync = await cache.syncState();
        const following = options.following?.();
        const maintenance = options.maintenance?.();
        return c.json(
          {
            status: "ok" as const,
            schema_version: info.schemaVersion,
            lineage: info.lineage,
            read_only: info.readOnly,
            ...(sync ? { sync } : {}),
            ...(following ? { import_from: following } : {}),
            ...(maintenance ? { maintenance } : {}),
          },
          200,
        );
      },
    )
    .get(
      "/api/events",
      describe({
        summary:
          "Server-sent events: task.saved, task.archived, task.restored, task.deleted (tasks.* with a count for large moves, moves by filter, retention runs and imports), and cache.changed with counts whenever the data changed, whoever changed it; send Last-Event-ID to resume",
        tag: "service",
        answer: "text/event-stream",
      }),
      (c) =>
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
    .post(
      "/api/sync",
      describe({
        summary: "On a synced replica: pull, settle tasks found in both tables, push, and say what moved",
        tag: "service",
        answer: SyncAnswer,
        problems: [409, 502],
      }),
      async (c) => {
        const { pulled, pushed, reconciled } = await cache.sync();
        return c.json({ pulled, pushed, reconciled, sync: (await cache.syncState())! }, 200);
      },
    )
    .get(
      "/api/conflicts",
      describe({
        summary: "On a synced replica: every task whose machines disagreed, with versions that lost",
        tag: "service",
        answer: ConflictedAnswer,
      }),
      async (c) => {
        const taskIds = await cache.conflicted();
        return c.json({ task_ids: taskIds, count: taskIds.length }, 200);
      },
    )
    .get(
      "/api/change-stamp",
      describe({
        summary: "A value that moves whenever the data may have changed, whoever changed it",
        tag: "service",
        answer: ChangeStampAnswer,
      }),
      async (c) => c.json({ change_stamp: await cache.changeStamp() }, 200),
    )
    .get(
      "/api/version",
      describe({ summary: "Versions, schema, read-only flag and adapter", tag: "service", answer: VersionAnswer }),
      (c) =>
        c.json(
          {
            version: options.version,
            ...UNIQC_LINKS,
            schema_version: info.schemaVersion,
            supported_schema_version: info.supportedVersion,
            lineage: info.lineage,
            user_version: info.userVersion,
            read_only: info.readOnly,
            read_only_reason: info.readOnlyReason ?? null,
            adapter: info.capabilities.adapter,
            runtime: options.runtime,
            applied: [...info.applied],
            capabilities: toWire({
              adapter: info.capabilities.adapter,
              singleConnection: info.capabilities.singleConnection,
              writesApplicationId: info.capabilities.writesApplicationId,
              writesUserVersion: info.capabilities.writesUserVersion,
              walJournal: info.capabilities.walJournal,
              synced: info.capabilities.synced,
            }),
          },
          200,
        ),
    )
    .get(
      "/api/export",
      describe({
        summary: "Every stored row of the active tasks, the archive or both, as NDJSON, streamed",
        tag: "service",
        answer: "application/x-ndjson",
        problems: [400],
      }),
      validate("query", ExportQuery),
      (c) => {
        const rows = cache.exportRows(c.req.valid("query").scope);
        c.header("content-type", "application/x-ndjson");
        return stream(c, async (out) => {
          let chunk = "";
          for await (const row of rows) {
            chunk += `${JSON.stringify(row)}\n`;
            if (chunk.length > 65_536) {
              await out.write(chunk);
              chunk = "";
            }
            if (out.aborted) return;
          }
          if (chunk) await out.write(chunk);
        });
      },
    )
    .post(
      "/api/import",
      describe({
        summary:
          "Stored rows (as the export gives them) into the cache in one transaction, each only where it is newer; the others are reported",
        tag: "service",
        answer: ImportResultSchema,
        problems: [400, 409, 413],
      }),
      validate("json", ImportBody),
      async (c) => c.json(await cache.importRows(c.req.valid("json").rows), 200),
    );
}
