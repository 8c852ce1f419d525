/**
 * Commands about the file itself rather than its tasks: `doctor`, `migrate status` and
 * `migrate up`. They read the file without changing it, except `migrate up`.
 */
import { existsSync, statSync } from "node:fs";
import { DEFAULT_CACHE_PATH, openCache, openConnection } from "../../adapters/open.ts";
import { openLocalFile } from "../../adapters/local-file.ts";
import { createDriver, inspect, type Driver, type MigrationPlan } from "../../core/index.ts";
import { VERSION } from "../version.ts";
import { CliError } from "./output.ts";

const isUrl = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target) && !/^[a-z]:[\\/]/i.test(target);

/** A driver on the file that cannot write it (a URL is opened as it is: remote servers have no read-only mode). */
async function readOnlyDriver(target: string): Promise<Driver> {
  if (!isUrl(target) && !existsSync(target)) throw new CliError(`There is no cache file at ${target}.`);
  return createDriver(isUrl(target) ? await openConnection(target) : await openLocalFile(target, { readOnly: true }));
}

export interface DoctorReport {
  file: string;
  this_build: string;
  application_id: string;
  user_version: number;
  lineage: string;
  schema_version: number;
  supported_version: number;
  pending: string[];
  read_only: boolean;
  read_only_reason: string | null;
  integrity: string;
  file_bytes: number | null;
  wal_bytes: number | null;
  tasks: number;
  archived: number;
}

const size = (path: string) => (existsSync(path) ? statSync(path).size : null);

export async function doctor(target = DEFAULT_CACHE_PATH): Promise<DoctorReport> {
  const driver = await readOnlyDriver(target);
  try {
    const plan = await inspect(driver);
    const [integrity] = await driver.all<{ integrity_check: string }>("PRAGMA integrity_check(1)");
    const tables = new Set(
      (await driver.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")).map((row) =>
        String(row.name),
      ),
    );
    const count = async (table: string) =>
      tables.has(table)
        ? Number((await driver.all<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))[0]?.n ?? 0)
        : 0;
    return {
      file: target,
      this_build: VERSION,
      application_id: `0x${(plan.applicationId >>> 0).toString(16).toUpperCase().padStart(8, "0")}`,
      user_version: plan.userVersion,
      lineage: plan.lineage,
      schema_version: plan.version,
      supported_version: plan.supportedVersion,
      pending: plan.pending.map(stepName),
      read_only: plan.readOnlyReason !== undefined,
      read_only_reason: plan.readOnlyReason ?? null,
      integrity: String(integrity?.integrity_check ?? "unknown"),
      file_bytes: isUrl(target) ? null : size(target),
      wal_bytes: isUrl(target) ? null : size(`${target}-wal`),
      tasks: await count("tasks"),
      archived: await count("archived_tasks"),
    };
  } finally {
    await driver.close();
  }
}

export const stepName = (step: MigrationPlan["pending"][number]) =>
  step.version === null ? step.name : `v${step.version} ${step.name}`;

export async function migrationPlan(target = DEFAULT_CACHE_PATH): Promise<MigrationPlan> {
  const driver = await readOnlyDriver(target);
  try {
    return await inspect(driver);
  } finally {
    await driver.close();
  }
}

/**
 * Takes the file to the newest version. With `backup`, first writes a consistent copy of it
 * (`VACUUM INTO`, which keeps the header) that opens at the version it had.
 */
export async function migrateUp(
  target = DEFAULT_CACHE_PATH,
  backup?: string,
): Promise<{ applied: string[]; backup: string | null }> {
  const plan = await migrationPlan(target);
  if (plan.readOnlyReason) throw new CliError(`Cannot migrate ${target}: ${plan.readOnlyReason}.`);
  if (backup !== undefined && plan.pending.length > 0) {
    if (existsSync(backup)) throw new CliError(`${backup} already exists; the backup goes to a new file.`);
    const driver = await readOnlyDriver(target);
    try {
      await driver.run("VACUUM INTO ?", [backup]);
    } finally {
      await driver.close();
    }
  }
  const cache = await openCache(target, { syncIntervalMs: 0 });
  await cache.close();
  return {
    applied: plan.pending.map(stepName),
    backup: backup !== undefined && plan.pending.length > 0 ? backup : null,
  };
}
