/**
 * Prepared statements kept by their SQL, for the adapters that prepare their own. The store's
 * SQL is a small fixed set, so the bound only guards against SQL made per call filling memory:
 * past it the cache starts again.
 */
const MAX_CACHED_STATEMENTS = 256;

export class StatementCache<S> {
  readonly #statements = new Map<string, S>();
  get(sql: string): S | undefined {
    return this.#statements.get(sql);
  }
  add(sql: string, statement: S): S {
    if (this.#statements.size >= MAX_CACHED_STATEMENTS) this.#statements.clear();
    this.#statements.set(sql, statement);
    return statement;
  }
  clear(): void {
    this.#statements.clear();
  }
}
