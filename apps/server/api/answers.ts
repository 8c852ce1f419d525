/**
 * The shapes of the API's answers, for its document and for the test that holds every answer to
 * them. The typed client takes its types from the routes themselves, so these say nothing the
 * handlers could contradict unnoticed: the test sends every route a request and checks the answer.
 */
import * as v from "valibot";
import { CIRCUIT_FORMATS, TASK_STATUSES } from "../../../core/index.ts";

const text = v.string();
const whole = v.pipe(v.number(), v.integer());
const stamp = v.pipe(text, v.description("ISO-8601 UTC, in the stored form"));
const ids = v.array(text);
const failure = v.nullable(v.object({ at: text, message: text }));

const Lineage = v.pipe(
  v.picklist(["seed", "uniqc"]),
  v.description(
    "Which history the file follows after v2: the seed's (this cache's own v3 and v4), or the uniqc package's own v3 to v5",
  ),
);

/** A task's fields that a listing and a whole task share. */
const taskEntries = {
  task_id: text,
  backend: text,
  status: v.pipe(text, v.description("One of the five statuses for tasks we write; other writers' rows as they are")),
  shots: v.number(),
  submit_time: stamp,
  update_time: stamp,
  metadata: v.record(text, v.unknown()),
  archived_at: v.optional(v.pipe(stamp, v.description("On archived tasks only"))),
  has_conflicts: v.optional(
    v.pipe(
      v.literal(true),
      v.description("On a synced replica, where machines disagreed: the versions that lost are at /conflicts"),
    ),
  ),
};

export const TaskAnswer = v.object({
  ...taskEntries,
  result: v.pipe(v.unknown(), v.description("The backend's result, parsed; null while there is none")),
  compiled_circuit: v.nullable(v.record(text, v.unknown())),
  error_message: v.nullable(text),
});

export const PageAnswer = v.object({
  tasks: v.array(v.object({ ...taskEntries, has_result: v.boolean() })),
  total: v.pipe(whole, v.description("Tasks matching the filters, over all pages")),
  limit: whole,
  offset: whole,
  count: v.optional(v.pipe(whole, v.description("The archive listing's whole size"))),
  next_cursor: v.pipe(v.nullable(text), v.description("Give it back as `cursor` for the next page; null on the last")),
});

export const CountsAnswer = v.object({
  ...Object.fromEntries(TASK_STATUSES.map((status) => [status, whole])),
  total: whole,
} as Record<(typeof TASK_STATUSES)[number] | "total", typeof whole>);

const DistributionAnswer = v.pipe(
  v.record(text, v.number()),
  v.description("Outcome (bits, c[0] rightmost) → probability"),
);

export const AnalysisAnswer = v.object({
  task_id: text,
  backend: text,
  status: text,
  circuit: v.nullable(v.object({ format: v.picklist(CIRCUIT_FORMATS), language: v.nullable(text), qubits: whole })),
  not_simulated: v.pipe(v.nullable(text), v.description("Why there is no ideal distribution, when there is none")),
  ideal: v.nullable(DistributionAnswer),
  measured: v.nullable(DistributionAnswer),
  shots: v.nullable(whole),
  tvd: v.pipe(v.nullable(v.number()), v.description("Total variation distance, 0 (same) to 1 (disjoint)")),
  hellinger_fidelity: v.pipe(v.nullable(v.number()), v.description("(Σ √(p·q))², 1 for the same distribution")),
});

export const CompareAnswer = v.object({
  tasks: v.array(
    v.object({
      task_id: text,
      backend: text,
      status: text,
      shots: v.nullable(whole),
      measured: v.nullable(DistributionAnswer),
    }),
  ),
  outcomes: v.array(text),
  tvd: v.pipe(v.array(v.array(v.nullable(v.number()))), v.description("tvd[i][j] between tasks i and j")),
});

const TurnaroundAnswer = v.object({
  finished: whole,
  p50_s: v.nullable(v.number()),
  p90_s: v.nullable(v.number()),
  histogram: v.pipe(
    v.array(v.object({ below_s: v.number(), n: whole })),
    v.description("Finished tasks per bin of 1–9 × 10^k seconds, shortest first"),
  ),
});

export const StatsAnswer = v.object({
  since: v.nullable(stamp),
  until: v.nullable(stamp),
  by: v.picklist(["day", "week"]),
  tasks: CountsAnswer,
  periods: v.pipe(
    v.array(v.object({ start: v.pipe(text, v.description("The day, or a week's Monday")), tasks: CountsAnswer })),
    v.description("Each day or week with tasks, oldest first"),
  ),
  backends: v.array(
    v.object({
      backend: text,
      tasks: CountsAnswer,
      success_rate: v.pipe(v.nullable(v.number()), v.description("Successes among finished tasks, 0 to 1")),
      shots: v.number(),
      turnaround: TurnaroundAnswer,
    }),
  ),
  turnaround: TurnaroundAnswer,
});

export const ShardsAnswer = v.pipe(
  v.object({
    task_id: text,
    shard_count: whole,
    shards: v.array(
      v.object({
        uniqc_task_id: text,
        shard_index: whole,
        platform_task_id: v.pipe(text, v.description("The job's id on the cloud platform")),
        backend: text,
        circuit_count: whole,
        sub_index_offset: whole,
        status: text,
        error_message: v.nullable(text),
        submit_time: stamp,
        update_time: stamp,
        archived_at: v.optional(stamp),
      }),
    ),
  }),
  v.description("The cloud jobs behind one task, on files of the uniqc lineage; none elsewhere"),
);

export const ConflictsAnswer = v.pipe(
  v.object({
    task_id: text,
    conflicts: v.array(
      v.object({
        replica_id: v.pipe(
          v.nullable(text),
          v.description("The replica that made it; one ending in `py` took it from that machine's cache file"),
        ),
        clock: v.pipe(stamp, v.description("That machine's time, above every version it had seen")),
        place: v.pipe(
          v.picklist(["active", "archived", "deleted"]),
          v.description("A save or restore, an archive move, or a delete"),
        ),
        task: v.pipe(v.nullable(TaskAnswer), v.description("The task as that version had it; null for a delete")),
      }),
    ),
  }),
  v.description(
    "On a synced replica, the versions of a task that lost to the one it shows (best-ranked first), kept until a save made after seeing them; none elsewhere",
  ),
);

export const ConflictedAnswer = v.object({
  task_ids: v.pipe(ids, v.description("Every task with versions that lost, in id order")),
  count: whole,
});

export const DeletedAnswer = v.object({ deleted: text });
export const CountAnswer = v.object({ count: whole });
export const BackendsAnswer = v.object({
  backends: v.pipe(
    v.array(v.object({ backend: text, n: whole })),
    v.description("Active tasks per backend, most first"),
  ),
});
export const ChangeStampAnswer = v.object({
  change_stamp: v.pipe(text, v.description("Moves whenever the data may have changed, whoever changed it")),
});
export const ArchivedAnswer = v.object({ archived: text });
export const RestoredAnswer = v.object({ restored: text });
export const BulkArchiveAnswer = v.object({ archived: ids, missing: ids, count: whole });
export const BulkDeleteAnswer = v.object({ deleted: ids, missing: ids, count: whole });

export const ArchiveExpiredAnswer = v.object({
  archived: ids,
  count: whole,
  hours: v.number(),
  terminal_only: v.boolean(),
  skipped_running: v.pipe(ids, v.description("Tasks old enough but still pending or running")),
});

export const PurgeAnswer = v.object({
  count: whole,
  cutoff: stamp,
  older_than_hours: v.number(),
  dry_run: v.boolean(),
});

export const MatchingAnswer = v.object({
  count: v.pipe(whole, v.description("Tasks moved or deleted; with dry_run, tasks the filter matches now")),
  dry_run: v.boolean(),
});

export const RestoreMatchingAnswer = v.object({
  ...MatchingAnswer.entries,
  conflicts: v.pipe(ids, v.description("Archived tasks left where they are: a task is live under the same id")),
});

export const MaintenanceAnswer = v.object({
  ran_at: stamp,
  archived: whole,
  purged: whole,
  took_ms: v.number(),
  transactions: whole,
  longest_transaction_ms: v.pipe(
    v.number(),
    v.description("The longest time one of its transactions held the write lock"),
  ),
});

export const ImportAnswer = v.object({
  written: v.pipe(whole, v.description("Rows written here, in either table")),
  rejected: v.array(v.object({ task_id: v.unknown(), reason: text })),
});

export const CircuitAnswer = v.object({
  task_id: text,
  format: v.picklist(CIRCUIT_FORMATS),
  language: v.pipe(v.nullable(text), v.description("originir, qasm, ir, or the key it was stored under")),
  circuit: v.unknown(),
  fallback: v.optional(
    v.pipe(
      v.picklist(["compiled", "source"]),
      v.description("Set when the task records no executed circuit and this is the one it fell back to"),
    ),
  ),
});

/** How a synced replica stands with its server (`sync` in the health answer). */
const SyncState = v.object({
  replica_id: v.pipe(text, v.description("This replica's id, the origin of the task versions it makes")),
  last_pull: v.nullable(stamp),
  last_push: v.nullable(stamp),
  pending_changes: v.pipe(whole, v.description("Row and schema changes made here and not yet pushed")),
  last_error: failure,
  interval_ms: v.pipe(whole, v.description("Time between sync rounds; 0 when rounds run only on request")),
  failures: v.pipe(whole, v.description("Rounds failed in a row; the wait before the next doubles with each")),
});

export const SyncAnswer = v.object({
  pulled: v.pipe(v.boolean(), v.description("The server had changes, and they were applied")),
  pushed: v.pipe(whole, v.description("Row and schema changes this round pushed")),
  reconciled: v.pipe(
    v.object({ active: ids, archived: ids, deleted: ids }),
    v.description("Tasks the round settled by the merge rule, by where each now is (deleted: a delete won)"),
  ),
  sync: SyncState,
});

export const HealthAnswer = v.object({
  status: v.literal("ok"),
  schema_version: v.pipe(whole, v.description("In the numbers of the file's lineage")),
  lineage: Lineage,
  read_only: v.boolean(),
  sync: v.optional(v.pipe(SyncState, v.description("Present when the cache is a synced replica"))),
  maintenance: v.optional(
    v.pipe(
      v.object({
        archive_after_hours: v.nullable(v.number()),
        purge_after_hours: v.nullable(v.number()),
        every_ms: whole,
        last: v.nullable(MaintenanceAnswer),
        last_error: failure,
        next_run: v.nullable(stamp),
      }),
      v.description("Present when the server runs a retention policy (--archive-after, --purge-after)"),
    ),
  ),
  import_from: v.optional(
    v.pipe(
      v.object({
        source: text,
        last_import: v.nullable(stamp),
        imported: v.pipe(whole, v.description("Rows written here from that file since the server started")),
        last_error: failure,
      }),
      v.description("Present when the server follows a local cache file (--import-from)"),
    ),
  ),
});

export const VersionAnswer = v.object({
  version: text,
  schema_version: whole,
  supported_schema_version: whole,
  lineage: Lineage,
  user_version: whole,
  read_only: v.boolean(),
  read_only_reason: v.nullable(text),
  adapter: text,
  runtime: v.pipe(text, v.description("node, deno or bun")),
  applied: v.pipe(v.array(whole), v.description("Schema versions the server's open applied")),
  capabilities: v.pipe(
    v.object({
      adapter: text,
      single_connection: v.boolean(),
      writes_application_id: v.boolean(),
      writes_user_version: v.boolean(),
      wal_journal: v.boolean(),
      synced: v.boolean(),
    }),
    v.description("What the server's driver can do with its file"),
  ),
});

/** A refusal, as RFC 9457 problem details. */
export const ProblemAnswer = v.object({
  type: text,
  title: text,
  status: whole,
  detail: v.pipe(text, v.description("What went wrong, as a sentence")),
  errors: v.optional(v.array(v.object({ path: text, message: text }))),
});
