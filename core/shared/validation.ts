/**
 * The shapes every input must have, as valibot schemas. One schema gives the check, the
 * TypeScript type and (in the server) the JSON Schema, so no shape is written twice.
 */
import * as v from "valibot";
import { InvalidInputError, type InputIssue } from "./errors.ts";
import { HOUR_MS, normalizeTimestamp } from "./timestamps.ts";

/** Statuses a task can have; the last three are terminal. */
export const TASK_STATUSES = ["pending", "running", "success", "failed", "cancelled"] as const;
export const TERMINAL_STATUSES = ["success", "failed", "cancelled"] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Largest page a listing returns. */
export const MAX_LIMIT = 1000;
/** Most ids one bulk call takes. */
export const MAX_BULK_IDS = 10_000;

export const TaskIdSchema = v.pipe(
  v.string("must be a string"),
  v.minLength(1, "must not be empty"),
  v.maxLength(256, "must be at most 256 characters"),
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  v.regex(/^[^\s/\\?#\u0000-\u001f\u007f]+$/, "must not contain whitespace, control characters, '/', '\\', '?' or '#'"),
);

export const StatusSchema = v.picklist(TASK_STATUSES, `must be one of ${TASK_STATUSES.join(", ")}`);

const BackendSchema = v.pipe(
  v.string("must be a string"),
  v.minLength(1, "must not be empty"),
  v.maxLength(200, "must be at most 200 characters"),
);

export const TimestampSchema = v.pipe(
  v.string("must be an ISO-8601 timestamp"),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const normalized = normalizeTimestamp(dataset.value);
    if (normalized === undefined) {
      addIssue({ message: "must be an ISO-8601 timestamp such as 2026-05-03T08:05:27.123456+00:00" });
      return NEVER;
    }
    return normalized;
  }),
);

/** A JSON object (not an array, not null): what the metadata and compiled-circuit columns hold. */
export const JsonObjectSchema = v.custom<Record<string, unknown>>(
  (value) => typeof value === "object" && value !== null && !Array.isArray(value),
  "must be a JSON object",
);

/** A task to record or update. Omitted optional fields keep their stored value on update. */
export const TaskInputSchema = v.object({
  task_id: TaskIdSchema,
  backend: BackendSchema,
  status: StatusSchema,
  shots: v.optional(
    v.pipe(v.number("must be a number"), v.integer("must be an integer"), v.minValue(0, "must not be negative")),
  ),
  submit_time: v.optional(TimestampSchema),
  result: v.optional(v.unknown()),
  metadata: v.optional(JsonObjectSchema),
  compiled_circuit: v.optional(v.nullable(JsonObjectSchema)),
  /** The cloud's error text for a failed task; kept only by files of the uniqc lineage. */
  error_message: v.optional(
    v.nullable(v.pipe(v.string("must be a string"), v.maxLength(65_536, "must be at most 65536 characters"))),
  ),
});
export type TaskInput = v.InferInput<typeof TaskInputSchema>;

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: HOUR_MS,
  d: 24 * HOUR_MS,
  w: 7 * 24 * HOUR_MS,
};

/** `72h`, `90d`, `30m`, `5s`, `500ms`, `2w`: a duration with its unit, as milliseconds. */
export const DurationSchema = v.pipe(
  v.string("must be a string"),
  v.regex(/^\d+(\.\d+)?(ms|s|m|h|d|w)$/, "must be a duration with its unit, such as 72h, 90d, 30m or 5s"),
  v.transform((text) => Math.round(Number.parseFloat(text) * DURATION_UNITS[/[a-z]+$/.exec(text)![0]]!)),
);

/** A bound of a time range: an instant in the stored form, or how long before now. */
export type TimeBound = { readonly at: string } | { readonly beforeNowMs: number };

/** A bound as people write it, read; undefined when it is none of the forms {@link TimeTextSchema} names. */
function readTimeBound(text: string): TimeBound | undefined {
  const trimmed = text.trim();
  const age = v.safeParse(DurationSchema, trimmed);
  if (age.success) return { beforeNowMs: age.output };
  const at = normalizeTimestamp(/^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? `${trimmed}T00:00:00Z` : trimmed);
  return at === undefined ? undefined : { at };
}

/**
 * A bound of a time range as people write it: an ISO-8601 timestamp, a calendar date (its
 * midnight, UTC), or an age such as `2d` or `36h` (that long before now). Checked, kept as text.
 */
export const TimeTextSchema = v.pipe(
  v.string("must be a string"),
  v.description("An ISO-8601 timestamp, a date (2026-05-03, midnight UTC) or an age before now (2d, 36h, 90m)."),
  v.maxLength(64, "must be at most 64 characters"),
  v.check(
    (text) => readTimeBound(text) !== undefined,
    "must be an ISO-8601 timestamp, a date such as 2026-05-03, or an age such as 2d or 36h",
  ),
);

/** A bound of a time range, read. */
export const TimeBoundSchema = v.pipe(
  TimeTextSchema,
  v.transform((text): TimeBound => readTimeBound(text)!),
);

/** Longest text a search takes. */
export const MAX_SEARCH = 200;

/** Text a search finds. */
export const SearchSchema = v.pipe(
  v.string("must be a string"),
  v.description("Text found in the task id, the metadata or the error text; ASCII letters in any case."),
  v.trim(),
  v.minLength(1, "must not be empty"),
  v.maxLength(MAX_SEARCH, `must be at most ${MAX_SEARCH} characters`),
);

/**
 * Which tasks a listing, a count or a bulk move by filter takes. `search` finds text in the id,
 * the metadata and the error text (ASCII letters in any case); `idPrefix` the ids that start so;
 * `since` and `until` bound the submit time (from `since`, before `until`).
 */
export const FilterSchema = v.object({
  status: v.optional(StatusSchema),
  backend: v.optional(BackendSchema),
  search: v.optional(SearchSchema),
  idPrefix: v.optional(TaskIdSchema),
  since: v.optional(TimeBoundSchema),
  until: v.optional(TimeBoundSchema),
});
export type TaskFilter = v.InferInput<typeof FilterSchema>;
export type ParsedFilter = v.InferOutput<typeof FilterSchema>;

/**
 * The tasks a move or delete by filter takes; a filter that names nothing takes them all only with
 * `all`. With `dryRun`, the move only counts them, for a confirmation.
 */
export const MatchSchema = v.object({
  ...FilterSchema.entries,
  all: v.optional(v.boolean("must be true or false"), false),
  dryRun: v.optional(v.boolean("must be true or false"), false),
});
export type MatchFilter = v.InferInput<typeof MatchSchema>;

/** Filters and paging of a listing. */
export const ListOptionsSchema = v.object({
  ...FilterSchema.entries,
  limit: v.optional(
    v.pipe(
      v.number(),
      v.integer("must be an integer"),
      v.minValue(1, "must be at least 1"),
      v.maxValue(MAX_LIMIT, `must be at most ${MAX_LIMIT}`),
    ),
    100,
  ),
  offset: v.optional(v.pipe(v.number(), v.integer("must be an integer"), v.minValue(0, "must not be negative")), 0),
  includeArchived: v.optional(v.boolean(), false),
  /** Keyset paging: only tasks listed after this one (newest first). */
  after: v.optional(v.object({ submit_time: v.string("must be a string"), task_id: TaskIdSchema })),
});
export type ListOptions = v.InferInput<typeof ListOptionsSchema>;

/** Ids of a bulk call. */
export const TaskIdsSchema = v.pipe(
  v.array(TaskIdSchema, "must be an array of task ids"),
  v.maxLength(MAX_BULK_IDS, `must hold at most ${MAX_BULK_IDS} ids`),
);

/** A thousand years: longer than any task is kept, and far inside the dates a timestamp can hold. */
export const MAX_HOURS = 24 * 365_250;

/** An age in hours, as retention and archive-expired take it. */
export const HoursSchema = v.pipe(
  v.number("must be a number"),
  v.finite("must be finite"),
  v.minValue(0, "must not be negative"),
  v.maxValue(MAX_HOURS, `must be at most ${MAX_HOURS} (a thousand years)`),
);

/** Which tasks archive-expired moves. */
export const ArchiveExpiredSchema = v.object({
  hours: v.optional(HoursSchema, 72),
  terminalOnly: v.optional(v.boolean("must be true or false"), true),
});
export type ArchiveExpiredOptions = v.InferInput<typeof ArchiveExpiredSchema>;

/** Which archived tasks a purge deletes. */
export const PurgeSchema = v.object({
  olderThanHours: HoursSchema,
  dryRun: v.optional(v.boolean("must be true or false"), false),
});
export type PurgeOptions = v.InferInput<typeof PurgeSchema>;

/** Valibot issues as located sentences; a missing key reads "is required". */
export function toInputIssues(issues: readonly v.BaseIssue<unknown>[], prefix?: string): InputIssue[] {
  return issues.map((issue) => ({
    path: [prefix, v.getDotPath(issue)].filter(Boolean).join("."),
    message:
      issue.kind === "schema" && issue.type === "object" && issue.received === "undefined"
        ? "is required"
        : issue.message,
  }));
}

/** Checks `input` against `schema`, throwing {@link InvalidInputError} with every issue's path. */
export function parseInput<S extends v.GenericSchema>(schema: S, input: unknown, path?: string): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  throw new InvalidInputError(toInputIssues(result.issues, path));
}
