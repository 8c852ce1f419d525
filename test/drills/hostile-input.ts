/**
 * Hostile input as fast-check arbitraries: ids, query strings, bodies and content types as an
 * attacker or a broken client would send them, mixed with well-formed values so that cases also
 * reach the code behind validation.
 */
import fc from "fast-check";
import { TASK_STATUSES } from "../../core/index.ts";

const AWKWARD_IDS = [
  "",
  " ",
  "/",
  "%",
  "%2F",
  "%00",
  "a/b",
  "a%b",
  "'",
  '"',
  "\\",
  "\0",
  "a\0b",
  "..",
  "../tasks.sqlite",
  "\u202e",
  "ü",
  "🧪",
  "NaN",
  "null",
  "'; DROP TABLE tasks; --",
  "x".repeat(256),
  "x".repeat(257),
  "y".repeat(10_000),
];

/** A task id, given the ids the file holds now so that some cases hit real tasks. */
export const taskId = (known: readonly string[]) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...known) },
    { weight: 2, arbitrary: fc.constantFrom(...AWKWARD_IDS) },
    { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: 250, maxLength: 300 }) },
  );

/** A path segment: usually encoded as a client should, sometimes raw. */
export const pathSegment = (known: readonly string[]) =>
  fc
    .tuple(taskId(known), fc.boolean())
    .map(([id, encode]) => (encode ? encodeURIComponent(id) : id.replaceAll("?", "").replaceAll("#", "")));

const number = fc.oneof(
  fc.integer().map(String),
  fc.double().map(String),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.constantFrom("-0", "1e3", "0x10", "1_000", "", " 1", "Infinity", "9".repeat(400), "1.5", "-1"),
);

const QUERY_KEYS = [
  "limit",
  "offset",
  "status",
  "backend",
  "cursor",
  "include_archived",
  "hours",
  "terminal_only",
  "older_than",
  "dry_run",
  "scope",
  "format",
  "db",
  "path",
];

/** A query string: known keys with hostile values, unknown keys, repeats, and raw junk. */
export const queryString = (cursors: readonly string[]) => {
  const value = fc.oneof(
    number,
    fc.constantFrom(
      ...TASK_STATUSES,
      "true",
      "false",
      "1",
      "0",
      "yes",
      "90d",
      "12h",
      "-5d",
      "1.5h",
      "all",
      "active",
      "svg",
      "source",
      "qasm",
    ),
    fc.constantFrom(...cursors),
    // Forged cursors: base64url of arbitrary JSON, and cursors edited by hand.
    fc.jsonValue().map((json) => Buffer.from(JSON.stringify(json)).toString("base64url")),
    fc
      .tuple(fc.constantFrom(...cursors), fc.nat())
      .map(([cursor, at]) => `${cursor.slice(0, at % (cursor.length + 1))}A`),
    fc.string({ unit: "binary", maxLength: 30 }),
    fc.string({ maxLength: 3000 }),
  );
  const pairs = fc.array(
    fc.tuple(
      fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...QUERY_KEYS) }, { weight: 1, arbitrary: fc.string() }),
      value,
    ),
    { maxLength: 6 },
  );
  // Well formed, so that cases also get past validation and do what they ask.
  const plausible = fc.record(
    {
      limit: fc.integer({ min: 1, max: 20 }).map(String),
      status: fc.constantFrom(...TASK_STATUSES),
      hours: fc.constantFrom("0", "1", "0.5", "72"),
      terminal_only: fc.constantFrom("true", "false"),
      older_than: fc.constantFrom("0s", "1h", "90d"),
      dry_run: fc.constantFrom("true", "false"),
      scope: fc.constantFrom("active", "archived", "all"),
      format: fc.constantFrom("source", "qasm", "originir"),
      cursor: fc.constantFrom(...cursors),
    },
    { requiredKeys: [] },
  );
  return fc.oneof(
    { weight: 3, arbitrary: plausible.map((entries) => new URLSearchParams(entries).toString()) },
    { weight: 5, arbitrary: pairs.map((entries) => new URLSearchParams(entries).toString()) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 60 }).map((raw) => raw.replaceAll("#", "")) },
  );
};

const timestamp = fc.oneof(
  fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
  fc.constantFrom(
    "2026-02-30T00:00:00Z",
    "not a time",
    "",
    "2026-05-03 12:00:00",
    "2026-05-03T12:00:00+14:00",
    "0000-01-01T00:00:00Z",
    "+275760-09-13T00:00:00.000Z",
  ),
  fc.string(),
  fc.integer(),
);

const recent = fc
  .date({ min: new Date("2020-01-01"), max: new Date("2030-01-01"), noInvalidDate: true })
  .map((date) => date.toISOString());

/** A task a client could mean: valid fields, so that saves get through (the id is the path's). */
const plausibleTask = fc.record(
  {
    backend: fc.constantFrom("dummy", "originq:wukong", "ibm:brisbane"),
    status: fc.constantFrom(...TASK_STATUSES),
    shots: fc.nat({ max: 10_000 }),
    submit_time: recent,
    update_time: recent,
    metadata: fc.record({
      circuit_ir: fc.constantFrom("QINIT 2\nH q[0]\nCNOT q[0],q[1]", "OPENQASM 2.0;\nqreg q[1];\nh q[0];"),
    }),
    result: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: ["backend", "status"] },
);

/** A stored row to import: a plausible task with its id and times. */
const plausibleRow = (known: readonly string[]) =>
  fc
    .tuple(plausibleTask, fc.constantFrom(...known), recent, fc.option(recent))
    .map(([task, task_id, update_time, archived_at]) => ({
      ...task,
      task_id,
      submit_time: task.submit_time ?? update_time,
      update_time,
      ...(archived_at ? { archived_at } : {}),
    }));

const taskFields = (known: readonly string[]) =>
  fc.record(
    {
      task_id: taskId(known),
      backend: fc.oneof(fc.constantFrom("dummy", "originq:wukong", "ibm", ""), fc.string(), fc.anything()),
      status: fc.oneof(fc.constantFrom(...TASK_STATUSES), fc.string(), fc.anything()),
      shots: fc.oneof(fc.integer(), fc.double(), fc.string()),
      submit_time: timestamp,
      update_time: timestamp,
      archived_at: timestamp,
      metadata: fc.oneof(
        fc.jsonValue(),
        fc.record({
          circuit_ir: fc.oneof(
            fc.constantFrom("QINIT 2\nH q[0]\nCNOT q[0],q[1]", "OPENQASM 2.0;\nqreg q[1];\nh q[0];"),
            fc.string(),
          ),
        }),
      ),
      result: fc.jsonValue(),
      error_message: fc.oneof(fc.constant(null), fc.string()),
      compiled_circuit: fc.jsonValue(),
    },
    { requiredKeys: [] },
  );

/** A body of the kind the endpoint takes, of another endpoint's kind, or no kind at all. */
export const body = (known: readonly string[], limit: number) => {
  const shaped = fc.oneof(
    plausibleTask,
    fc.record({ task_ids: fc.array(fc.constantFrom(...known), { maxLength: 5 }) }),
    fc.record({ rows: fc.array(plausibleRow(known), { minLength: 1, maxLength: 5 }) }),
    fc.record(
      { archive_after_hours: fc.constantFrom(0, 1, 72), purge_after_hours: fc.constantFrom(0, 24, 2160) },
      { requiredKeys: [] },
    ),
    taskFields(known),
    fc.record({ task_ids: fc.oneof(fc.array(taskId(known), { maxLength: 30 }), fc.anything()) }, { requiredKeys: [] }),
    fc.record(
      {
        rows: fc.oneof(
          fc.array(taskFields(known), { maxLength: 10 }),
          fc.array(fc.jsonValue(), { maxLength: 10 }),
          fc.anything(),
        ),
      },
      { requiredKeys: [] },
    ),
    fc.record(
      {
        archive_after_hours: fc.oneof(fc.double(), fc.integer(), fc.string()),
        purge_after_hours: fc.oneof(fc.double(), fc.integer(), fc.string()),
      },
      { requiredKeys: [] },
    ),
    fc.record(
      { db: fc.constantFrom("/tmp/elsewhere.sqlite", ":memory:", "file:other.db"), path: fc.string() },
      { requiredKeys: [] },
    ),
  );
  const text = fc.oneof(
    { weight: 4, arbitrary: shaped.map((value) => JSON.stringify(value)) },
    { weight: 2, arbitrary: fc.json() },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 200 }) },
  );
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 8, arbitrary: text },
    // Truncated: a body cut anywhere.
    { weight: 2, arbitrary: fc.tuple(text, fc.nat()).map(([whole, at]) => whole.slice(0, at % (whole.length + 1))) },
    // Oversized: just past the server's limit, as JSON that would otherwise parse.
    {
      weight: 1,
      arbitrary: fc.nat({ max: 1000 }).map((extra) => JSON.stringify({ task_ids: ["x".repeat(limit + extra)] })),
    },
  );
};

const OTHER_TYPES = [
  "application/json; charset=utf-8",
  "application/problem+json",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/x-ndjson",
  "text/csv",
  "",
  undefined,
];

export const contentType = fc.oneof(
  { weight: 3, arbitrary: fc.constant("application/json") },
  { weight: 2, arbitrary: fc.constantFrom(...OTHER_TYPES) },
);
