/**
 * What the dashboard hears without asking: every task saved, archived, restored or deleted
 * through this server, and a `cache.changed` event with fresh counts whenever the data changed,
 * whoever changed it (another process, the Python package), noticed by watching the cache's
 * change stamp while anyone listens. Events are numbered; the last {@link KEEP} are kept, so a
 * client that reconnects with `Last-Event-ID` gets what it missed.
 */
import type { TaskCache } from "../../core/index.ts";

export interface CacheEvent {
  readonly id: number;
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
}

const KEEP = 1000;
/** Above this many tasks, one move is announced as one event. */
const MANY = 100;

export class EventHub {
  readonly #cache: TaskCache;
  readonly #pollMs: number;
  readonly #kept: CacheEvent[] = [];
  /** Each listener, with what ends its stream when the hub closes. */
  readonly #listeners = new Map<(event: CacheEvent) => void, () => void>();
  // Ids go on growing across restarts, so a client that resumes with an id from before one
  // is not told it has seen everything.
  #nextId = Date.now();
  #stamp: string | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(cache: TaskCache, options: { pollMs?: number } = {}) {
    this.#cache = cache;
    this.#pollMs = options.pollMs ?? 1000;
  }

  publish(type: string, data: Record<string, unknown>): void {
    const event = Object.freeze({ id: this.#nextId++, type, data: Object.freeze(data) });
    this.#kept.push(event);
    if (this.#kept.length > KEEP) this.#kept.shift();
    for (const listener of this.#listeners.keys()) listener(event);
  }

  /**
   * Events after `lastId` that are still kept, then every new one to `listener`, in order with
   * none missed: both happen in the same turn, so no event falls between them. `closed` resolves
   * when the hub closes, so that the stream ends and the server can stop. Nothing of a listener
   * is kept after `stop`, however many streams come and go.
   */
  listen(
    lastId: number | undefined,
    listener: (event: CacheEvent) => void,
  ): { missed: CacheEvent[]; closed: Promise<void>; stop: () => void } {
    const missed = lastId === undefined ? [] : this.#kept.filter((event) => event.id > lastId);
    let end = () => {};
    const closed = this.#closed ? Promise.resolve() : new Promise<void>((resolve) => (end = resolve));
    this.#listeners.set(listener, end);
    if (this.#listeners.size === 1) void this.#watch();
    return {
      missed,
      closed,
      stop: () => {
        this.#listeners.delete(listener);
        if (this.#listeners.size === 0) clearTimeout(this.#timer);
      },
    };
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const end of this.#listeners.values()) end();
  }

  /** Checks the change stamp while anyone listens; a move is announced with fresh counts. */
  async #watch(): Promise<void> {
    clearTimeout(this.#timer);
    if (this.#closed || this.#listeners.size === 0) return;
    try {
      const stamp = await this.#cache.changeStamp();
      if (this.#stamp !== undefined && stamp !== this.#stamp) {
        const [counts, archived] = await Promise.all([this.#cache.counts(), this.#cache.countArchived()]);
        this.publish("cache.changed", { counts, archived });
      }
      this.#stamp = stamp;
    } catch {
      // The cache is closing; the next look, if any, will tell.
    }
    if (!this.#closed && this.#listeners.size > 0) this.#timer = setTimeout(() => void this.#watch(), this.#pollMs);
  }
}

/** The cache with every write announced on `hub` once it has succeeded. */
export function announcing(cache: TaskCache, hub: EventHub): TaskCache {
  // A move of thousands is one event saying how many: a listener refreshes rather than replays.
  const each = (type: string, ids: readonly string[], extra: Record<string, unknown> = {}) =>
    ids.length > MANY
      ? hub.publish(type.replace("task.", "tasks."), { count: ids.length, ...extra })
      : ids.forEach((task_id) => {
          hub.publish(type, { task_id, ...extra });
        });
  return {
    ...cache,
    async save(input) {
      const task = await cache.save(input);
      hub.publish("task.saved", { task_id: task.task_id, status: task.status, backend: task.backend });
      return task;
    },
    async archive(id) {
      await cache.archive(id);
      each("task.archived", [id]);
    },
    async restore(id) {
      await cache.restore(id);
      each("task.restored", [id]);
    },
    async delete(id) {
      await cache.delete(id);
      each("task.deleted", [id]);
    },
    async deleteArchived(id) {
      await cache.deleteArchived(id);
      each("task.deleted", [id], { archived: true });
    },
    async bulkArchive(ids) {
      const result = await cache.bulkArchive(ids);
      each("task.archived", result.archived);
      return result;
    },
    async bulkDelete(ids) {
      const result = await cache.bulkDelete(ids);
      each("task.deleted", result.deleted);
      return result;
    },
    async archiveExpired(options) {
      const result = await cache.archiveExpired(options);
      each("task.archived", result.archived);
      return result;
    },
  };
}
