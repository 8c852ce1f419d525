/**
 * Reads kept between identical requests.
 *
 * A dashboard asks for the same newest page and the same counts again and again, and while the
 * data is unchanged so are the answers. Whether it changed is asked of the driver before every
 * read (see `Driver.changeStamp`): on a shared file SQLite's `data_version` and this connection's
 * `total_changes()`, on a replica that its process owns, its own writes and its pulls. An answer
 * is served again only while the stamp stands still, so no writer can make it stale, and nothing
 * has to remember to invalidate it.
 */

/** What is kept at most, counted in characters of JSON (a page of 100 tasks is about 50,000). */
const MAX_CHARS = 4_000_000;

/** A kept answer and what it weighs, in characters. */
interface Kept {
  readonly value: unknown;
  readonly chars: number;
}

export class PageCache {
  readonly #stampNow: () => Promise<string>;
  #stamp = "";
  readonly #kept = new Map<string, Kept>();
  #chars = 0;

  constructor(stampNow: () => Promise<string>) {
    this.#stampNow = stampNow;
  }

  /**
   * The answer for `key` as of now: kept from an earlier read of the same data, or loaded.
   * `chars` weighs an answer; anything kept must be frozen, since every caller gets the same one.
   */
  async read<T>(key: string, load: () => Promise<T>, chars: (value: T) => number = () => 64): Promise<T> {
    const stamp = await this.#stampNow();
    if (stamp !== this.#stamp) {
      this.#kept.clear();
      this.#chars = 0;
      this.#stamp = stamp;
    }
    const kept = this.#kept.get(key);
    if (kept) return kept.value as T;
    const value = await load();
    const weight = chars(value);
    // Another read may have seen a newer stamp meanwhile; this answer then belongs to no stamp.
    if (this.#stamp === stamp && weight <= MAX_CHARS) this.#keep(key, { value, chars: weight });
    return value;
  }

  #keep(key: string, entry: Kept): void {
    const twin = this.#kept.get(key);
    if (twin) this.#chars -= twin.chars;
    this.#kept.set(key, entry);
    this.#chars += entry.chars;
    // Oldest first: a Map iterates in insertion order.
    for (const [oldKey, old] of this.#kept) {
      if (this.#chars <= MAX_CHARS) break;
      this.#kept.delete(oldKey);
      this.#chars -= old.chars;
    }
  }
}
