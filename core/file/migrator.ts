/**
 * Opens a file the way the Python store does, so the two stay interchangeable: the SQLite header
 * says whose file it is (`application_id`) and which schema it has (`user_version`).
 *
 * Two lineages share v1 and v2 (see uniqc-lineage.ts): the seed's, which this cache continues
 * (seed-opener.ts), and the Python package's own v3 to v5 (uniqc-opener.ts). The live tables say
 * which one a file follows, and that lineage's opener takes it from there.
 *
 * Order matters: everything that decides whether we may write is read first, and nothing is
 * written (not even the journal mode) until the file is known to be ours and at a version we
 * understand.
 */
import type { Driver } from "../driver/driver.ts";
import { checkOwnership, readFile, type FileState } from "./introspection.ts";
import type { LineageOpener, MigrationPlan, SchemaState } from "./opening.ts";
import { MIGRATIONS, type AddedObjects, type Migration } from "./schema.ts";
import { seedOpener } from "./seed-opener.ts";
import { uniqcOpener } from "./uniqc-opener.ts";
import { isUniqcLineage } from "./uniqc-lineage.ts";

export {
  LineageSchema,
  type Lineage,
  type MigrationPlan,
  type PendingStep,
  type SchemaState,
  type StoppedStep,
} from "./opening.ts";

/** The seed lineage's steps, and the objects kept beside them on this kind of file. */
export interface MigrateOptions {
  readonly migrations?: readonly Migration[];
  readonly added?: AddedObjects;
}

async function openerOf(driver: Driver, options: MigrateOptions): Promise<{ file: FileState; opener: LineageOpener }> {
  const file = await readFile(driver, driver.capabilities);
  checkOwnership(file.applicationId, file.schema);
  const opener = isUniqcLineage(file.schema)
    ? uniqcOpener
    : seedOpener(options.migrations ?? MIGRATIONS, options.added);
  return { file, opener };
}

/**
 * Checks the file, then brings it to the newest version of its lineage, one transaction per step.
 * A step that fails is the answer's `stopped`, beside the steps applied before it.
 */
export async function migrate(driver: Driver, options: MigrateOptions = {}): Promise<SchemaState> {
  const { file, opener } = await openerOf(driver, options);
  return opener.open(driver, file);
}

/** What {@link migrate} would do, found without writing anything. */
export async function inspect(driver: Driver, options: MigrateOptions = {}): Promise<MigrationPlan> {
  const { file, opener } = await openerOf(driver, options);
  return {
    applicationId: file.applicationId,
    userVersion: file.userVersion,
    ...opener.plan(file, driver.capabilities),
  };
}
