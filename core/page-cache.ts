/**
 * Listing pages kept between identical requests.
 *
 * A dashboard asks for the same newest page again and again, and while the file is unchanged
 * so is the answer. Whether it changed is asked of SQLite before every read: `data_version`
 * moves when any other connection commits (another process, the Python store), and this
 * connection's `total_changes()` moves with our own writes. A page is served again only while
 * both stand still, so no writer can make it stale, and nothing has to remember to invalidate it.
 */
import type { Executor } from "./driver.ts";
import type { TaskPageText } from "./store-context.ts";

const STAMP_SQL = "SELECT data_version AS version, total_changes() AS changes FROM pragma_data_version";

/** Pages kept at most, counted in characters of JSON (a page of 100 tasks is about 50,000). */
const MAX_CHARS = 4_000_000;

export class PageCache {
  readonly #db: Executor;
  #stamp = "";
  readonly #pages = new Map<string, TaskPageText>();
  #chars = 0;

  constructor(db: Executor) {
    this.#db = db;
  }

  /** The page for `key` as of now: kept from an earlier read of the same file state, or loaded. */
  async read(key: string, load: () => Promise<TaskPageText>): Promise<TaskPageText> {
    const [row] = await this.#db.all<{ version: number; changes: number }>(STAMP_SQL);
    const stamp = `${row?.version}:${row?.changes}`;
    if (stamp !== this.#stamp) {
      this.#pages.clear();
      this.#chars = 0;
      this.#stamp = stamp;
    }
    const kept = this.#pages.get(key);
    if (kept) return kept;
    const page = await load();
    // Another read may have seen a newer stamp meanwhile; this page then belongs to no stamp.
    if (this.#stamp === stamp && page.tasks.length <= MAX_CHARS) this.#keep(key, page);
    return page;
  }

  #keep(key: string, page: TaskPageText): void {
    const twin = this.#pages.get(key);
    if (twin) this.#chars -= twin.tasks.length;
    this.#pages.set(key, page);
    this.#chars += page.tasks.length;
    // Oldest first: a Map iterates in insertion order.
    for (const [oldKey, old] of this.#pages) {
      if (this.#chars <= MAX_CHARS) break;
      this.#pages.delete(oldKey);
      this.#chars -= old.tasks.length;
    }
  }
}
