/**
 * The seed's lineage, which this cache continues with its own v3 and v4. The header counts only
 * the steps both lineages share: it stays at 2, and this cache's later steps are recognised by
 * their shape, so the Python package still runs its own v3 to v5 on a file it opens.
 */
import type { Capabilities, Driver } from "../driver/driver.ts";
import {
  describeMismatch,
  hasAdded,
  inferVersion,
  readFile,
  withoutAdded,
  type FileState,
  type VersionShape,
} from "./introspection.ts";
import { applyChanges, readOnly, sqlOf, switchToWal, type LineageOpener, type SchemaState } from "./opening.ts";
import { APPLICATION_ID, SHARED_VERSION, type AddedObjects, type Migration, type SchemaChange } from "./schema.ts";

/** A migration as it runs on one driver: its unsynced part only where the file is not a replica. */
interface Step extends VersionShape {
  readonly changes: readonly SchemaChange[];
}

function stepOf(migration: Migration, synced: boolean): Step {
  const { version, changes, tables, unsynced, indexes = [] } = migration;
  if (!unsynced || synced) return { version, changes, tables, indexes };
  return { version, changes: [...changes, ...unsynced.changes], tables: { ...tables, ...unsynced.tables }, indexes };
}

/**
 * Opens seed-lineage files with `migrations`, one transaction a step; `added` are the objects
 * such a file keeps beside the versions (a replica's merge objects), added once it is current.
 */
export function seedOpener(migrations: readonly Migration[], added: AddedObjects | undefined): LineageOpener {
  const stepsFor = (capabilities: Capabilities) =>
    migrations.map((migration) => stepOf(migration, capabilities.synced));
  const versionOf = (file: FileState, capabilities: Capabilities, steps: readonly Step[]) =>
    Math.max(
      capabilities.writesUserVersion ? file.userVersion : 0,
      inferVersion(added ? withoutAdded(file.schema, added) : file.schema, file.objects, steps),
    );

  /** The version a file is at (header or shape, whichever is further), and why it may only be read. */
  function standing(file: FileState, capabilities: Capabilities, steps: readonly Step[]) {
    const claimed = versionOf(file, capabilities, steps);
    const readOnlyReason =
      claimed > steps.length
        ? `the file is at schema v${claimed} and this build knows up to v${steps.length}; it was written by a newer program`
        : describeMismatch(added ? withoutAdded(file.schema, added) : file.schema, steps, claimed);
    return { claimed, readOnlyReason };
  }

  /** Runs one step and its version bump in one transaction; a failure leaves the file as it was. */
  const applyStep = (driver: Driver, step: Step, steps: readonly Step[], stamp: boolean) =>
    driver.transaction(async (tx) => {
      // Another process may have migrated while we waited for the write lock.
      const file = await readFile(tx, driver.capabilities);
      if (versionOf(file, driver.capabilities, steps) >= step.version) return false;
      if (stamp) await tx.run(`PRAGMA application_id = ${APPLICATION_ID}`);
      await applyChanges(tx, file.schema, step.changes);
      if (driver.capabilities.writesUserVersion && step.version <= SHARED_VERSION) {
        await tx.run(`PRAGMA user_version = ${step.version}`);
      }
      return true;
    });

  /** Adds `added` once, in one transaction. */
  async function addObjects(driver: Driver, objects: AddedObjects): Promise<void> {
    if (hasAdded((await readFile(driver, driver.capabilities)).schema, objects)) return;
    await driver.transaction(async (tx) => {
      await applyChanges(tx, (await readFile(tx, driver.capabilities)).schema, objects.changes);
    });
  }

  return {
    plan(file, capabilities) {
      const steps = stepsFor(capabilities);
      const { claimed, readOnlyReason } = standing(file, capabilities, steps);
      const pending = readOnlyReason
        ? []
        : steps.slice(claimed).map((step) => ({
            version: step.version,
            name: migrations[step.version - 1]!.name,
            sql: sqlOf(step.changes),
          }));
      return {
        lineage: "seed",
        version: claimed,
        supportedVersion: steps.length,
        ...(readOnlyReason ? { readOnlyReason } : {}),
        pending,
      };
    },

    async open(driver, file): Promise<SchemaState> {
      const { capabilities } = driver;
      const steps = stepsFor(capabilities);
      const supportedVersion = steps.length;
      const { claimed, readOnlyReason } = standing(file, capabilities, steps);
      if (readOnlyReason !== undefined)
        return readOnly(driver, file, { lineage: "seed", version: claimed, supportedVersion, readOnlyReason });

      if (capabilities.walJournal) await switchToWal(driver);
      const stampNeeded = file.applicationId === 0 && capabilities.writesApplicationId;
      const applied: number[] = [];
      const stoppedAt = async (version: number, cause: unknown): Promise<SchemaState> => {
        const now = await readFile(driver, capabilities);
        const at = versionOf(now, capabilities, steps);
        return {
          lineage: "seed",
          version: at,
          supportedVersion,
          userVersion: now.userVersion,
          applied,
          stopped: { version, cause },
          schema: now.schema,
        };
      };
      for (const step of steps.slice(claimed)) {
        try {
          if (await applyStep(driver, step, steps, stampNeeded && applied.length === 0)) applied.push(step.version);
        } catch (cause) {
          return stoppedAt(step.version, cause);
        }
      }
      if (added) {
        try {
          await addObjects(driver, added);
        } catch (cause) {
          return stoppedAt(supportedVersion, cause);
        }
      }
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
    },
  };
}
