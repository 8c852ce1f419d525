/**
 * Opens a file the way the Python store does, so the two stay interchangeable: the SQLite header
 * says whose file it is (`application_id`) and which schema it has (`user_version`).
 *
 * Two lineages share v1 and v2 (see uniqc-lineage.ts): the seed's, which this cache continues
 * with its own v3 and v4, and the Python package's own v3 to v5. The live tables say which one a
 * file follows. The header counts only steps both lineages can read as theirs: on the seed
 * lineage it stays at 2 and this cache's later steps are recognised by their shape, so the
 * package's v3 to v5 still run on the file when it opens it; on the package's lineage it is
 * that package's alone, and never written here.
 *
 * Order matters: everything that decides whether we may write is read first, and nothing is
 * written (not even the journal mode) until the file is known to be ours and at a version we
 * understand.
 */
import type { Capabilities, Driver } from "../driver/driver.ts";
import { MigrationError } from "../shared/errors.ts";
import {
  checkOwnership,
  describeMismatch,
  describeUniqcMismatch,
  inferVersion,
  readFile,
  type FileState,
  type LiveSchema,
  type VersionShape,
} from "./introspection.ts";
import { APPLICATION_ID, MIGRATIONS, SHARED_VERSION, type Migration, type SchemaChange } from "./schema.ts";
import { UNIQC_NEWEST, hasSeedObjects, isUniqcLineage, ownObjects } from "./uniqc-lineage.ts";
import { HISTORY_CHANGES, hasHistory, withoutHistory } from "../history/schema.ts";

/** Which history a file follows after v2: the seed's (this cache's), or the Python package's own. */
export type Lineage = "seed" | "uniqc";

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
  /** Versions applied by this open, oldest first. */
  readonly applied: readonly number[];
  /** The live schema after migrating, so queries can adapt to a file they only read. */
  readonly schema: LiveSchema;
}

/** How long opening waits for other processes to let go of the file while switching it to WAL. */
const WAL_SWITCH_TIMEOUT_MS = 5000;

/**
 * Switches the file to WAL. That needs the file to itself, and SQLite answers "database is
 * locked" at once, without waiting out the busy timeout, while another process holds it even to
 * read, as when two processes open a new file together. So the switch is retried for a while.
 */
async function switchToWal(driver: Driver): Promise<void> {
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

/** Checks the file, then brings it to the newest version of its lineage, one transaction per step. */
export async function migrate(driver: Driver, migrations: readonly Migration[] = MIGRATIONS): Promise<SchemaState> {
  const { capabilities } = driver;
  const file = await readFile(driver, capabilities);
  checkOwnership(file.applicationId, file.schema);
  return isUniqcLineage(file.schema) ? openUniqcLineage(driver, file) : migrateSeedLineage(driver, file, migrations);
}

/** What opening a file would do, found without writing anything: for `doctor` and `migrate status`. */
export interface MigrationPlan {
  readonly applicationId: number;
  readonly userVersion: number;
  readonly lineage: Lineage;
  readonly version: number;
  readonly supportedVersion: number;
  readonly readOnlyReason?: string;
  /** The steps an open would take, each with the SQL it runs (its version is null for this cache's objects on the uniqc lineage). */
  readonly pending: readonly { version: number | null; name: string; sql: readonly string[] }[];
}

export async function inspect(driver: Driver, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationPlan> {
  const { capabilities } = driver;
  const file = await readFile(driver, capabilities);
  checkOwnership(file.applicationId, file.schema);
  const header = { applicationId: file.applicationId, userVersion: file.userVersion };
  if (isUniqcLineage(file.schema)) {
    const { version, readOnlyReason } = uniqcStanding(file, capabilities);
    const pending =
      readOnlyReason || hasOwnObjects(file)
        ? []
        : [
            {
              version: null,
              name: "this cache's objects (listing indexes, counters, compiled circuits)",
              sql: ownObjectsOf(file).changes,
            },
          ];
    return {
      ...header,
      lineage: "uniqc",
      version,
      supportedVersion: UNIQC_NEWEST,
      ...(readOnlyReason ? { readOnlyReason } : {}),
      pending,
    };
  }
  const steps = migrations.map((migration) => stepOf(migration, capabilities.synced));
  const { claimed, readOnlyReason } = seedStanding(file, capabilities, steps);
  const pending = readOnlyReason
    ? []
    : steps.slice(claimed).map((step) => ({
        version: step.version,
        name: migrations[step.version - 1]!.name,
        sql: step.changes.map((change) => (typeof change === "string" ? change : change.sql)),
      }));
  return {
    ...header,
    lineage: "seed",
    version: claimed,
    supportedVersion: migrations.length,
    ...(readOnlyReason ? { readOnlyReason } : {}),
    pending,
  };
}

/** The seed-lineage version a file is at (header or shape, whichever is further), and why it may only be read. */
function seedStanding(
  file: FileState,
  capabilities: Capabilities,
  steps: readonly Step[],
): { claimed: number; readOnlyReason: string | undefined } {
  // A replica's merge objects are not part of the schema versions (see history/schema.ts).
  if (capabilities.synced) file = { ...file, schema: withoutHistory(file.schema) };
  const claimed = seedVersionOf(file, capabilities, steps);
  const supported = steps.length;
  const readOnlyReason =
    claimed > supported
      ? `the file is at schema v${claimed} and this build knows up to v${supported}; it was written by a newer program`
      : describeMismatch(file.schema, steps, claimed);
  return { claimed, readOnlyReason };
}

const seedVersionOf = (file: FileState, capabilities: Capabilities, steps: readonly Step[]) =>
  Math.max(capabilities.writesUserVersion ? file.userVersion : 0, inferVersion(file.schema, file.objects, steps));

/** A uniqc-lineage file's version (its header), and why this cache may only read it. */
function uniqcStanding(
  file: FileState,
  capabilities: Capabilities,
): { version: number; readOnlyReason: string | undefined } {
  const version = file.userVersion;
  const readOnlyReason =
    !capabilities.writesUserVersion || capabilities.synced
      ? "the file follows the uniqc package's own lineage, which this cache writes only as a local file"
      : version > UNIQC_NEWEST
        ? `the file is at v${version} of the uniqc package's lineage and this build knows up to v${UNIQC_NEWEST}; it was written by a newer program`
        : describeUniqcMismatch(file.schema, version);
  return { version, readOnlyReason };
}

/** This cache's objects for a uniqc-lineage file as it stands. */
const ownObjectsOf = (file: FileState) => ownObjects(Boolean(file.schema.get("tasks")?.has("compiled_circuit_json")));

/** Whether a uniqc-lineage file has every object of ours, under its prefixed name only. */
function hasOwnObjects(file: FileState): boolean {
  const wanted = ownObjectsOf(file);
  return (
    Object.keys(wanted.tables).every((table) => file.schema.has(table)) &&
    wanted.objects.every((name) => file.objects.has(name)) &&
    !hasSeedObjects(file.schema, file.objects)
  );
}

async function migrateSeedLineage(
  driver: Driver,
  file: FileState,
  migrations: readonly Migration[],
): Promise<SchemaState> {
  const supportedVersion = migrations.length;
  const { capabilities } = driver;
  const steps = migrations.map((migration) => stepOf(migration, capabilities.synced));
  const versionOf = (state: FileState) => seedVersionOf(state, capabilities, steps);
  const { claimed, readOnlyReason } = seedStanding(file, capabilities, steps);
  if (readOnlyReason !== undefined)
    return readOnly(driver, file, { lineage: "seed", version: claimed, supportedVersion, readOnlyReason });

  if (capabilities.walJournal) await switchToWal(driver);
  const stampNeeded = file.applicationId === 0 && capabilities.writesApplicationId;
  const applied: number[] = [];
  for (const step of steps.slice(claimed)) {
    const ran = await applyStep(driver, step, versionOf, stampNeeded && applied.length === 0);
    if (ran) applied.push(step.version);
  }
  if (capabilities.synced) await addHistory(driver, supportedVersion);
  let now = await readFile(driver, capabilities);
  const stampMissing = capabilities.writesApplicationId && now.applicationId === 0;
  // Files this cache took to v3 or v4 before the header stopped at 2 get it back, so the Python
  // package runs its own later steps on them again; so do adopted files without one.
  const headerWrong = capabilities.writesUserVersion && now.userVersion !== SHARED_VERSION;
  if (stampMissing || headerWrong) {
    await driver.transaction(async (tx) => {
      if (stampMissing) await tx.run(`PRAGMA application_id = ${APPLICATION_ID}`);
      if (headerWrong) await tx.run(`PRAGMA user_version = ${SHARED_VERSION}`);
    });
    now = await readFile(driver, capabilities);
  }
  return {
    lineage: "seed",
    version: supportedVersion,
    supportedVersion,
    userVersion: now.userVersion,
    applied,
    schema: now.schema,
  };
}

/**
 * Opens a file of the Python package's own lineage: never migrated, never given a version of
 * ours, written only where the header is kept (a local file) so that package finds it as it
 * left it. This cache's own objects are added (or renamed from their seed-era names) alone.
 */
async function openUniqcLineage(driver: Driver, file: FileState): Promise<SchemaState> {
  const { capabilities } = driver;
  const { version, readOnlyReason } = uniqcStanding(file, capabilities);
  const state = { lineage: "uniqc" as const, version, supportedVersion: UNIQC_NEWEST };
  if (readOnlyReason !== undefined) return readOnly(driver, file, { ...state, readOnlyReason });

  if (capabilities.walJournal) await switchToWal(driver);
  if (!hasOwnObjects(file)) {
    try {
      await driver.transaction(async (tx) => {
        // Another process may have added them while we waited for the write lock.
        const current = await readFile(tx, driver.capabilities);
        if (hasOwnObjects(current)) return;
        for (const change of ownObjectsOf(current).changes) await tx.run(change);
      });
    } catch (error) {
      throw new MigrationError(version, error);
    }
  }
  const now = await readFile(driver, capabilities);
  return { ...state, userVersion: now.userVersion, applied: [], schema: now.schema };
}

/** Gives a replica the objects its merge rule needs, once, in one transaction. */
async function addHistory(driver: Driver, version: number): Promise<void> {
  if (hasHistory((await readFile(driver, driver.capabilities)).schema)) return;
  try {
    await driver.transaction(async (tx) => {
      const file = await readFile(tx, driver.capabilities);
      for (const change of HISTORY_CHANGES) {
        if (typeof change === "string") await tx.run(change);
        else if (!file.schema.get(change.table)?.has(change.column)) await tx.run(change.sql);
      }
    });
  } catch (error) {
    throw new MigrationError(version, error);
  }
}

async function readOnly(
  driver: Driver,
  file: FileState,
  state: Pick<SchemaState, "lineage" | "version" | "supportedVersion" | "readOnlyReason">,
): Promise<SchemaState> {
  // Belt and braces: the store refuses writes itself, this makes SQLite refuse them too.
  await driver.run("PRAGMA query_only = 1");
  return { ...state, userVersion: file.userVersion, applied: [], schema: file.schema };
}

/** Runs one step and its version bump in one transaction; a failure leaves the file as it was. */
async function applyStep(
  driver: Driver,
  migration: Step,
  versionOf: (file: FileState) => number,
  stamp: boolean,
): Promise<boolean> {
  try {
    return await driver.transaction(async (tx) => {
      // Another process may have migrated while we waited for the write lock.
      const file = await readFile(tx, driver.capabilities);
      if (versionOf(file) >= migration.version) return false;
      if (stamp) await tx.run(`PRAGMA application_id = ${APPLICATION_ID}`);
      for (const change of migration.changes) {
        if (typeof change === "string") await tx.run(change);
        else if (!file.schema.get(change.table)?.has(change.column)) await tx.run(change.sql);
      }
      if (driver.capabilities.writesUserVersion && migration.version <= SHARED_VERSION) {
        await tx.run(`PRAGMA user_version = ${migration.version}`);
      }
      return true;
    });
  } catch (error) {
    throw new MigrationError(migration.version, error);
  }
}

/** A migration as it runs on one driver: its unsynced part only where the file is not a replica. */
interface Step extends VersionShape {
  readonly changes: readonly SchemaChange[];
}

function stepOf(migration: Migration, synced: boolean): Step {
  const { version, changes, tables, unsynced, indexes = [] } = migration;
  if (!unsynced || synced) return { version, changes, tables, indexes };
  return { version, changes: [...changes, ...unsynced.changes], tables: { ...tables, ...unsynced.tables }, indexes };
}
