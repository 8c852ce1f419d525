/**
 * Lists of task ids as statements take them: one JSON argument, for `json_each`.
 */

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
