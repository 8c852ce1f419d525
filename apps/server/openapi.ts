/**
 * The OpenAPI 3.1 document, built from the same valibot schemas that validate the requests.
 */
import { toJsonSchema, type ConversionConfig } from "@valibot/to-json-schema";
import type * as v from "valibot";
import { JsonObjectSchema } from "../../core/index.ts";
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

type ObjectSchema = v.ObjectSchema<v.ObjectEntries, v.ErrorMessage<v.ObjectIssue> | undefined>;

interface Endpoint {
  method: "get" | "put" | "post" | "delete";
  path: string;
  summary: string;
  tag: "tasks" | "archive" | "circuits" | "service";
  path_params?: ObjectSchema;
  query?: ObjectSchema;
  body?: v.GenericSchema;
  /** The JSON Schema of the answer, where the document spells it out. */
  response?: Record<string, unknown>;
  /** The media type of the answer, when it is not JSON. */
  produces?: string;
  errors?: number[];
}

const STAMP = { type: ["string", "null"], description: "ISO-8601 UTC, in the stored form" };

/** How a synced replica stands with its server (`sync` in the health answer). */
const SYNC_STATE = {
  type: "object",
  required: ["replica_id", "last_pull", "last_push", "pending_changes", "last_error", "interval_ms", "failures"],
  properties: {
    last_pull: STAMP,
    last_push: STAMP,
    replica_id: { type: "string", description: "This replica's id, the origin of the task versions it makes" },
    pending_changes: { type: "integer", description: "Row and schema changes made here and not yet pushed" },
    last_error: { type: ["object", "null"], properties: { at: { type: "string" }, message: { type: "string" } } },
    interval_ms: { type: "integer", description: "Time between sync rounds; 0 when rounds run only on request" },
    failures: { type: "integer", description: "Rounds failed in a row; the wait before the next doubles with each" },
  },
};

const LINEAGE = {
  enum: ["seed", "uniqc"],
  description:
    "Which history the file follows after v2: the seed's (this cache's own v3 and v4), or the uniqc package's own v3 to v5",
};

const MAINTENANCE_REPORT = {
  type: "object",
  required: ["ran_at", "archived", "purged", "took_ms", "transactions", "longest_transaction_ms"],
  properties: {
    ran_at: { type: "string" },
    archived: { type: "integer" },
    purged: { type: "integer" },
    took_ms: { type: "integer" },
    transactions: { type: "integer" },
    longest_transaction_ms: {
      type: "number",
      description: "The longest time one of its transactions held the write lock",
    },
  },
};

const HEALTH = {
  type: "object",
  required: ["status", "schema_version", "lineage", "read_only"],
  properties: {
    status: { const: "ok" },
    schema_version: { type: "integer", description: "In the numbers of the file's lineage" },
    lineage: LINEAGE,
    read_only: { type: "boolean" },
    sync: { ...SYNC_STATE, description: "Present when the cache is a synced replica" },
    maintenance: {
      type: "object",
      description: "Present when the server runs a retention policy (--archive-after, --purge-after)",
      properties: {
        archive_after_hours: { type: ["number", "null"] },
        purge_after_hours: { type: ["number", "null"] },
        every_ms: { type: "integer" },
        last: { ...MAINTENANCE_REPORT, type: ["object", "null"] },
        last_error: { type: ["object", "null"], properties: { at: { type: "string" }, message: { type: "string" } } },
        next_run: STAMP,
      },
    },
    import_from: {
      type: "object",
      description: "Present when the server follows a local cache file (--import-from)",
      properties: {
        source: { type: "string" },
        last_import: STAMP,
        imported: { type: "integer", description: "Rows written here from that file since the server started" },
        last_error: { type: ["object", "null"], properties: { at: { type: "string" }, message: { type: "string" } } },
      },
    },
  },
};

const SYNC_REPORT = {
  type: "object",
  required: ["pulled", "pushed", "reconciled", "sync"],
  properties: {
    pulled: { type: "boolean", description: "The server had changes, and they were applied" },
    pushed: { type: "integer", description: "Row and schema changes this round pushed" },
    reconciled: {
      type: "object",
      description: "Tasks the round settled by the merge rule, by where each now is (deleted: a delete won)",
      properties: {
        active: { type: "array", items: { type: "string" } },
        archived: { type: "array", items: { type: "string" } },
        deleted: { type: "array", items: { type: "string" } },
      },
    },
    sync: SYNC_STATE,
  },
};

const SHARDS = {
  type: "object",
  required: ["task_id", "shard_count", "shards"],
  description: "The cloud jobs behind one task, on files of the uniqc lineage; none elsewhere",
  properties: {
    task_id: { type: "string" },
    shard_count: { type: "integer" },
    shards: {
      type: "array",
      items: {
        type: "object",
        required: [
          "uniqc_task_id",
          "shard_index",
          "platform_task_id",
          "backend",
          "circuit_count",
          "sub_index_offset",
          "status",
          "error_message",
          "submit_time",
          "update_time",
        ],
        properties: {
          uniqc_task_id: { type: "string" },
          shard_index: { type: "integer" },
          platform_task_id: { type: "string", description: "The job's id on the cloud platform" },
          backend: { type: "string" },
          circuit_count: { type: "integer" },
          sub_index_offset: { type: "integer" },
          status: { type: "string" },
          error_message: { type: ["string", "null"] },
          submit_time: { type: "string" },
          update_time: { type: "string" },
          archived_at: { type: "string", description: "On the shards of archived tasks" },
        },
      },
    },
  },
};

const PURGE = {
  type: "object",
  required: ["count", "cutoff", "older_than_hours", "dry_run"],
  properties: {
    count: { type: "integer" },
    cutoff: { type: "string" },
    older_than_hours: { type: "number" },
    dry_run: { type: "boolean" },
  },
};

const IMPORT_RESULT = {
  type: "object",
  required: ["written", "rejected"],
  properties: {
    written: { type: "integer" },
    rejected: { type: "array", items: { type: "object", properties: { task_id: {}, reason: { type: "string" } } } },
  },
};

const ID = TaskIdParams;

/** Every route of the app; a test checks this list against the routes the app registers. */
export const ENDPOINTS: readonly Endpoint[] = [
  {
    method: "get",
    path: "/api/tasks",
    summary: "List active tasks, newest first",
    tag: "tasks",
    query: ListQuery,
    errors: [400],
  },
  { method: "get", path: "/api/tasks/counts", summary: "Count active tasks per status", tag: "tasks" },
  {
    method: "get",
    path: "/api/tasks/{id}",
    summary: "Get one active task, whole",
    tag: "tasks",
    path_params: ID,
    errors: [400, 404],
  },
  {
    method: "get",
    path: "/api/tasks/{id}/shards",
    summary: "The shards of a task, active or archived (the cloud jobs behind it)",
    tag: "tasks",
    path_params: ID,
    response: SHARDS,
    errors: [400, 404],
  },
  {
    method: "put",
    path: "/api/tasks/{id}",
    summary: "Record or update a task",
    tag: "tasks",
    path_params: ID,
    body: TaskBody,
    errors: [400, 409, 413],
  },
  {
    method: "delete",
    path: "/api/tasks/{id}",
    summary: "Delete an active task",
    tag: "tasks",
    path_params: ID,
    errors: [400, 404, 409],
  },
  {
    method: "post",
    path: "/api/tasks/{id}/archive",
    summary: "Move a task to the archive",
    tag: "archive",
    path_params: ID,
    errors: [400, 404, 409],
  },
  {
    method: "post",
    path: "/api/tasks/bulk-archive",
    summary: "Archive many tasks in one transaction",
    tag: "archive",
    body: BulkBody,
    errors: [400, 409, 413],
  },
  {
    method: "post",
    path: "/api/tasks/bulk-delete",
    summary: "Delete many active tasks",
    tag: "tasks",
    body: BulkBody,
    errors: [400, 409, 413],
  },
  {
    method: "post",
    path: "/api/tasks/archive-expired",
    summary: "Archive tasks submitted more than `hours` ago",
    tag: "archive",
    query: ArchiveExpiredQuery,
    errors: [400, 409],
  },
  {
    method: "post",
    path: "/api/archive/purge",
    summary:
      "Delete for good the tasks archived longer ago than `older_than` (`90d`, `12h`); with `dry_run`, count them",
    tag: "archive",
    query: PurgeQuery,
    response: PURGE,
    errors: [400, 409],
  },
  {
    method: "post",
    path: "/api/maintenance",
    summary: "Run the retention policy once, in short transactions: archive finished tasks, purge old archived ones",
    tag: "archive",
    body: MaintenanceBody,
    response: MAINTENANCE_REPORT,
    errors: [400, 409, 413],
  },
  {
    method: "get",
    path: "/api/export",
    summary: "Every stored row of the active tasks, the archive or both, as NDJSON, streamed",
    tag: "service",
    query: ExportQuery,
    produces: "application/x-ndjson",
    errors: [400],
  },
  {
    method: "post",
    path: "/api/import",
    summary:
      "Stored rows (as the export gives them) into the cache in one transaction, each only where it is newer; the others are reported",
    tag: "service",
    body: ImportBody,
    response: IMPORT_RESULT,
    errors: [400, 409, 413],
  },
  {
    method: "get",
    path: "/api/archive",
    summary: "List archived tasks, newest first",
    tag: "archive",
    query: ArchiveListQuery,
    errors: [400],
  },
  {
    method: "get",
    path: "/api/archive/{id}",
    summary: "Get one archived task",
    tag: "archive",
    path_params: ID,
    errors: [400, 404],
  },
  {
    method: "delete",
    path: "/api/archive/{id}",
    summary: "Delete an archived task for good",
    tag: "archive",
    path_params: ID,
    errors: [400, 404, 409],
  },
  {
    method: "post",
    path: "/api/archive/restore/{id}",
    summary: "Move an archived task back",
    tag: "archive",
    path_params: ID,
    errors: [400, 404, 409],
  },
  {
    method: "get",
    path: "/api/circuits/{id}",
    summary: "The source, compiled or executed circuit of a task",
    tag: "circuits",
    path_params: ID,
    query: CircuitQuery,
    errors: [400, 404],
  },
  {
    method: "get",
    path: "/api/circuits/{id}/svg",
    summary: "The circuit drawn, as an HTML fragment holding the SVG (or its text, when it cannot be drawn)",
    tag: "circuits",
    path_params: ID,
    query: CircuitQuery,
    produces: "text/html",
    errors: [400, 404],
  },
  {
    method: "get",
    path: "/api/circuits/{id}/drawing.svg",
    summary: "The circuit drawn, as an SVG image",
    tag: "circuits",
    path_params: ID,
    query: CircuitQuery,
    produces: "image/svg+xml",
    errors: [400, 404, 422],
  },
  {
    method: "get",
    path: "/api/health",
    summary: "Liveness, and on a synced replica its sync state (last push and pull, changes waiting, last error)",
    tag: "service",
    response: HEALTH,
  },
  {
    method: "get",
    path: "/api/events",
    summary:
      "Server-sent events: task.saved, task.archived, task.restored, task.deleted (tasks.* with a count for large moves), and cache.changed with counts whenever the data changed, whoever changed it; send Last-Event-ID to resume",
    tag: "service",
    produces: "text/event-stream",
  },
  {
    method: "post",
    path: "/api/sync",
    summary: "On a synced replica: pull, settle tasks found in both tables, push, and say what moved",
    tag: "service",
    response: SYNC_REPORT,
    errors: [409, 502],
  },
  { method: "get", path: "/api/version", summary: "Versions, schema, read-only flag and adapter", tag: "service" },
  { method: "get", path: "/api/openapi.json", summary: "This document", tag: "service" },
  { method: "get", path: "/api/docs", summary: "The reference page for this document", tag: "service" },
];

const CONVERSION: ConversionConfig = {
  target: "draft-2020-12",
  typeMode: "input",
  // JSON numbers are finite already, and JSON Schema has no word for it.
  ignoreActions: ["finite"],
  // JsonObjectSchema is a custom check (valibot's record takes arrays); say what it means.
  overrideSchema: ({ valibotSchema }) => (valibotSchema === JsonObjectSchema ? { type: "object" } : undefined),
};

const schemaOf = (schema: v.GenericSchema) => {
  const { $schema: _ignored, ...json } = toJsonSchema(schema, CONVERSION);
  return json;
};

function parameters(where: "path" | "query", schema: ObjectSchema | undefined) {
  return Object.entries(schema?.entries ?? {}).map(([name, entry]) => ({
    name,
    in: where,
    required: where === "path" || entry.type !== "optional",
    schema: schemaOf(entry),
  }));
}

const PROBLEM = {
  type: "object",
  required: ["type", "title", "status", "detail"],
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string", description: "What went wrong, as a sentence" },
    errors: {
      type: "array",
      items: { type: "object", properties: { path: { type: "string" }, message: { type: "string" } } },
    },
  },
};

export function openApiDocument(version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const endpoint of ENDPOINTS) {
    const responses: Record<string, unknown> = {
      200: {
        description: "OK",
        content: endpoint.produces
          ? { [endpoint.produces]: {} }
          : { "application/json": endpoint.response ? { schema: endpoint.response } : {} },
      },
    };
    for (const status of endpoint.errors ?? []) {
      responses[status] = {
        description: "Problem",
        content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
      };
    }
    (paths[endpoint.path] ??= {})[endpoint.method] = {
      summary: endpoint.summary,
      tags: [endpoint.tag],
      parameters: [...parameters("path", endpoint.path_params), ...parameters("query", endpoint.query)],
      ...(endpoint.body
        ? { requestBody: { required: true, content: { "application/json": { schema: schemaOf(endpoint.body) } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "uniqc task cache",
      version,
      description: "Tasks submitted to quantum backends, and their archive.",
    },
    paths,
    components: {
      schemas: { Problem: PROBLEM },
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
    },
  };
}
