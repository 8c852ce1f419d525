/**
 * The Python package's own lineage (its v3 to v5): never migrated here, never given a version of
 * ours, and written only where the header is kept (a local file), so that package finds the file
 * as it left it. This cache's own objects are added alone, under their prefixed names.
 */
import type { Capabilities } from "../driver/driver.ts";
import { describeUniqcMismatch, readFile, type FileState } from "./introspection.ts";
import { applyChanges, readOnly, switchToWal, type LineageOpener, type SchemaState } from "./opening.ts";
import { UNIQC_NEWEST, hasSeedObjects, ownObjects } from "./uniqc-lineage.ts";

/** The file's version (its header), and why this cache may only read it. */
function standing(file: FileState, capabilities: Capabilities) {
  const version = file.userVersion;
  const readOnlyReason =
    !capabilities.writesUserVersion || capabilities.synced
      ? "the file follows the uniqc package's own lineage, which this cache writes only as a local file"
      : version > UNIQC_NEWEST
        ? `the file is at v${version} of the uniqc package's lineage and this build knows up to v${UNIQC_NEWEST}; it was written by a newer program`
        : describeUniqcMismatch(file.schema, version);
  return { version, readOnlyReason };
}

/** This cache's objects for the file as it stands. */
const ownObjectsOf = (file: FileState) => ownObjects(Boolean(file.schema.get("tasks")?.has("compiled_circuit_json")));

/** Whether the file has every object of ours, under its prefixed name only. */
function hasOwnObjects(file: FileState): boolean {
  const wanted = ownObjectsOf(file);
  return (
    Object.keys(wanted.tables).every((table) => file.schema.has(table)) &&
    wanted.objects.every((name) => file.objects.has(name)) &&
    !hasSeedObjects(file.schema, file.objects)
  );
}

export const uniqcOpener: LineageOpener = {
  plan(file, capabilities) {
    const { version, readOnlyReason } = standing(file, capabilities);
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
      lineage: "uniqc",
      version,
      supportedVersion: UNIQC_NEWEST,
      ...(readOnlyReason ? { readOnlyReason } : {}),
      pending,
    };
  },

  async open(driver, file): Promise<SchemaState> {
    const { capabilities } = driver;
    const { version, readOnlyReason } = standing(file, capabilities);
    const state = { lineage: "uniqc" as const, version, supportedVersion: UNIQC_NEWEST };
    if (readOnlyReason !== undefined) return readOnly(driver, file, { ...state, readOnlyReason });

    if (capabilities.walJournal) await switchToWal(driver);
    let stopped: SchemaState["stopped"];
    if (!hasOwnObjects(file)) {
      try {
        await driver.transaction(async (tx) => {
          // Another process may have added them while we waited for the write lock.
          const current = await readFile(tx, capabilities);
          if (!hasOwnObjects(current)) await applyChanges(tx, current.schema, ownObjectsOf(current).changes);
        });
      } catch (cause) {
        stopped = { version, cause };
      }
    }
    const now = await readFile(driver, capabilities);
    return { ...state, userVersion: now.userVersion, applied: [], ...(stopped ? { stopped } : {}), schema: now.schema };
  },
};
