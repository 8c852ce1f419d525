/**
 * What opening a file answers, whichever lineage it follows, and the plumbing both lineages'
 * openers share: the switch to WAL, read-only opening, and guarded changes in one transaction.
 */
import * as v from "valibot";
import type { Capabilities, Driver, Executor } from "../driver/driver.ts";
import type { FileState, LiveSchema } from "./introspection.ts";
import type { SchemaChange } from "./schema.ts";

/** Which history a file follows after v2: the seed's (this cache's), or the Python package's own. */
export const LineageSchema = v.pipe(
  v.picklist(["seed", "uniqc"]),
  v.description(
    "Which history the file follows after v2: the seed's (this cache's own v3 and v4), or the uniqc package's own v3 to v5",
  ),
);
export type Lineage = v.InferOutput<typeof LineageSchema>;

/** A step that failed: rolled back, so the file is at the version before it. */
export interface StoppedStep {
  readonly version: number;
  readonly cause: unknown;
}

/** What opening found, and what it did. */
export interface SchemaState {
  readonly lineage: Lineage;
  /** The version the file is at now (after migrating, when it was writable), in its lineage's numbers. */
  readonly version: number;
  /** The newest version of that lineage this build knows. */
  readonly supportedVersion: number;
  /** The file's `user_version` after opening (0 where the driver cannot read it). */
  readonly userVersion: number;
  /** Why writes are refused; absent when the file is writable. */
  readonly readOnlyReason?: string;
  /** Versions applied by this open, oldest first, kept when a later step stops it. */
  readonly applied: readonly number[];
  /** The step that failed, when one did; nothing after it ran. */
  readonly stopped?: StoppedStep;
  /** The live schema after migrating, so queries can adapt to a file they only read. */
  readonly schema: LiveSchema;
}

/** A step an open would take, with the SQL it runs (no version for this cache's objects on the uniqc lineage). */
export interface PendingStep {
  readonly version: number | null;
  readonly name: string;
  readonly sql: readonly string[];
}

/** What opening a file would do, found without writing anything: for `doctor` and `migrate status`. */
export interface MigrationPlan {
  readonly applicationId: number;
  readonly userVersion: number;
  readonly lineage: Lineage;
  readonly version: number;
  readonly supportedVersion: number;
  readonly readOnlyReason?: string;
  readonly pending: readonly PendingStep[];
}

/** One lineage's way with its files: what opening one would do, and opening it. */
export interface LineageOpener {
  plan(file: FileState, capabilities: Capabilities): Omit<MigrationPlan, "applicationId" | "userVersion">;
  open(driver: Driver, file: FileState): Promise<SchemaState>;
}

/** How long opening waits for other processes to let go of the file while switching it to WAL. */
const WAL_SWITCH_TIMEOUT_MS = 5000;

/**
 * Switches the file to WAL. That needs the file to itself, and SQLite answers "database is
 * locked" at once, without waiting out the busy timeout, while another process holds it even to
 * read, as when two processes open a new file together. So the switch is retried for a while.
 */
export async function switchToWal(driver: Driver): Promise<void> {
  const deadline = Date.now() + WAL_SWITCH_TIMEOUT_MS;
  for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
    try {
      await driver.all("PRAGMA journal_mode = WAL");
      return;
    } catch (error) {
      // Drivers word this differently but all carry SQLite's own message.
      if (!/database is locked/i.test(String((error as Error)?.message)) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

/** Opens the file so that SQLite itself refuses writes, as the store does. */
export async function readOnly(
  driver: Driver,
  file: FileState,
  state: Pick<SchemaState, "lineage" | "version" | "supportedVersion" | "readOnlyReason">,
): Promise<SchemaState> {
  await driver.run("PRAGMA query_only = 1");
  return { ...state, userVersion: file.userVersion, applied: [], schema: file.schema };
}

/** Runs each change; a column addition only where the live table lacks the column. */
export async function applyChanges(tx: Executor, schema: LiveSchema, changes: readonly SchemaChange[]): Promise<void> {
  for (const change of changes) {
    if (typeof change === "string") await tx.run(change);
    else if (!schema.get(change.table)?.has(change.column)) await tx.run(change.sql);
  }
}

/** The SQL of each change, for a plan. */
export const sqlOf = (changes: readonly SchemaChange[]) =>
  changes.map((change) => (typeof change === "string" ? change : change.sql));
