/**
 * What every group of operations shares for one open cache.
 */
import type { Driver } from "./driver.ts";
import { ReadOnlyError } from "./errors.ts";
import type { SchemaState } from "./migrator.ts";
import { tableShapes, type TableShapes } from "./queries.ts";
import type { Clock } from "./timestamps.ts";

export interface StoreContext {
  readonly driver: Driver;
  readonly shapes: TableShapes;
  readonly clock: Clock;
  /** Throws {@link ReadOnlyError} when the file may only be read. */
  assertWritable(): void;
}

export function createStoreContext(driver: Driver, state: SchemaState, clock: Clock): StoreContext {
  const { readOnlyReason, version, supportedVersion } = state;
  return Object.freeze({
    driver,
    shapes: tableShapes(state.schema),
    clock,
    assertWritable() {
      if (readOnlyReason !== undefined) throw new ReadOnlyError(version, supportedVersion, readOnlyReason);
    },
  });
}

/** Ids without repeats, in the order given, as one JSON argument for `json_each`. */
export function idSet(ids: readonly string[]): { unique: string[]; json: string } {
  const unique = [...new Set(ids)];
  return { unique, json: JSON.stringify(unique) };
}

/** The ids of `unique` that are not in `done`, in input order. */
export function missingFrom(unique: readonly string[], done: readonly string[]): string[] {
  const found = new Set(done);
  return unique.filter((id) => !found.has(id));
}
