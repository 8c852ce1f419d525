/**
 * The shapes of requests: path, query and body, built from the core's own schemas so no shape is
 * written twice. Query values arrive as strings and are converted here.
 */
import * as v from "valibot";

import {
  CircuitFormatSchema,
  CompareSchema,
  DurationSchema,
  HoursSchema,
  MAX_LIMIT,
  SearchSchema,
  StatusSchema,
  TaskIdSchema,
  TaskIdsSchema,
  TaskInputSchema,
  TimeTextSchema,
} from "../../../core/index.ts";

const wholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  v.pipe(
    v.string(),
    v.regex(/^\d{1,9}$/, "must be a whole number"),
    v.transform(Number),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );

const decimalNumber = v.pipe(
  v.string(),
  v.regex(/^\d{1,9}(\.\d+)?$/, "must be a non-negative number"),
  v.transform(Number),
);

const flag = v.pipe(
  v.picklist(["true", "false", "1", "0"], "must be true or false"),
  v.transform((value) => value === "true" || value === "1"),
);

export const TaskIdParams = v.object({ id: TaskIdSchema });

/**
 * Which tasks a listing or a move by filter takes: `q` is text found in the id, the metadata or
 * the error text; `id_prefix` the start of the id; `since` and `until` bound the submit time, each
 * a timestamp, a date or an age (`2d`, `36h`).
 */
export const FilterQuery = v.object({
  status: v.optional(StatusSchema),
  backend: v.optional(v.pipe(v.string(), v.minLength(1, "must not be empty"), v.maxLength(200))),
  q: v.optional(SearchSchema),
  id_prefix: v.optional(TaskIdSchema),
  since: v.optional(TimeTextSchema),
  until: v.optional(TimeTextSchema),
});

/**
 * Which tasks a move or delete by filter takes. A filter that names nothing takes every task only
 * with `all=true`; `dry_run` counts them and moves nothing, for a confirmation.
 */
export const MatchQuery = v.object({
  ...FilterQuery.entries,
  all: v.optional(flag, "false"),
  dry_run: v.optional(flag, "false"),
});

/** The tasks to compare, comma-separated: `ids=a,b,c`. */
export const CompareQuery = v.object({
  ids: v.pipe(
    v.string("must list task ids, comma-separated"),
    v.maxLength(6 * 257, "is too long for six task ids"),
    v.transform((text) => text.split(",").map((id) => id.trim())),
    CompareSchema,
  ),
});

/** The range and grouping of the activity figures. */
export const StatsQuery = v.object({
  since: v.optional(TimeTextSchema),
  until: v.optional(TimeTextSchema),
  by: v.optional(v.picklist(["day", "week"], "must be day or week"), "day"),
  include_archived: v.optional(flag, "true"),
});

/** Listing filters and paging; `cursor` is the opaque keyset token of a previous page. */
export const ListQuery = v.object({
  ...FilterQuery.entries,
  limit: v.optional(wholeNumber(1, MAX_LIMIT), "100"),
  offset: v.optional(wholeNumber(0), "0"),
  include_archived: v.optional(flag, "false"),
  cursor: v.optional(v.pipe(v.string(), v.maxLength(2048))),
});

export const ArchiveListQuery = v.omit(ListQuery, ["include_archived"]);

/** A task in the wire format; the id comes from the path and, if repeated in the body, must match. */
export const TaskBody = v.object({ ...TaskInputSchema.entries, task_id: v.optional(TaskIdSchema) });

export const BulkBody = v.object({ task_ids: TaskIdsSchema });

export const ArchiveExpiredQuery = v.object({
  hours: v.optional(decimalNumber, "72"),
  terminal_only: v.optional(flag, "true"),
});

export const CircuitQuery = v.object({ format: v.optional(CircuitFormatSchema, "source") });

/** `older_than` is a duration with its unit (`90d`, `12h`), as milliseconds. */
export const PurgeQuery = v.object({
  older_than: DurationSchema,
  dry_run: v.optional(flag, "false"),
});

const Hours = v.optional(HoursSchema);

export const MaintenanceBody = v.object({ archive_after_hours: Hours, purge_after_hours: Hours });

export const ExportQuery = v.object({
  scope: v.optional(v.picklist(["active", "archived", "all"], "must be active, archived or all"), "all"),
});

/** Stored rows, as `GET /api/export` gives them; a body holds at most 1 MiB of them. */
export const ImportBody = v.object({ rows: v.array(v.unknown(), "must be an array of stored rows") });
