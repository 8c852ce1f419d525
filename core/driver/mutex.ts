/**
 * A first-come, first-served async lock.
 *
 * One SQLite connection serves many concurrent requests; without this, two async transactions
 * would interleave their statements on the same connection and commit each other's work.
 */
export class Mutex {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `task` once every task queued before it has settled. */
  run<T>(task: () => T | Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    // The next task waits for this one whether it succeeds or fails.
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
