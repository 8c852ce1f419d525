/**
 * What the dashboard hears without asking: every task saved, archived, restored or deleted
 * through this server, and a `cache.changed` event with fresh counts whenever the data changed,
 * whoever changed it (another process, the Python package), noticed by watching the cache's
 * change stamp while anyone listens. Events are numbered; the last {@link KEEP} are kept, so a
 * client that reconnects with `Last-Event-ID` gets what it missed.
 */
import { WRITE_OPERATIONS, type TaskCache, type WriteOperation } from "../../core/index.ts";

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

/** What a write is announced as, from its result and its arguments. */
type Announcer<K extends WriteOperation> = (
  result: Awaited<ReturnType<TaskCache[K]>>,
  args: Parameters<TaskCache[K]>,
) => void;

/** Each write's announcement: a write the cache gains has no place here until it says what it tells. */
function announcers(hub: EventHub): { [K in WriteOperation]: Announcer<K> } {
  // A move of thousands is one event saying how many: a listener refreshes rather than replays.
  const each = (type: string, ids: readonly string[], extra: Record<string, unknown> = {}) =>
    ids.length > MANY
      ? hub.publish(type.replace("task.", "tasks."), { count: ids.length, ...extra })
      : ids.forEach((task_id) => {
          hub.publish(type, { task_id, ...extra });
        });
  // Moves by filter say how many; nothing is said of none.
  const counted = (type: string, count: number, extra: Record<string, unknown> = {}) => {
    if (count > 0) hub.publish(type, { count, ...extra });
  };
  return {
    save: (task) => hub.publish("task.saved", { task_id: task.task_id, status: task.status, backend: task.backend }),
    archive: (_, [id]) => each("task.archived", [id]),
    restore: (_, [id]) => each("task.restored", [id]),
    delete: (_, [id]) => each("task.deleted", [id]),
    deleteArchived: (_, [id]) => each("task.deleted", [id], { archived: true }),
    bulkArchive: (result) => each("task.archived", result.archived),
    bulkDelete: (result) => each("task.deleted", result.deleted),
    archiveExpired: (result) => each("task.archived", result.archived),
    // A dry run only counted.
    archiveMatching: (result, [filter]) => counted("tasks.archived", filter.dryRun ? 0 : result.count),
    restoreMatching: (result, [filter]) => counted("tasks.restored", filter.dryRun ? 0 : result.count),
    deleteMatching: (result, [filter]) => counted("tasks.deleted", filter.dryRun ? 0 : result.count),
    deleteArchivedMatching: (result, [filter]) =>
      counted("tasks.deleted", filter.dryRun ? 0 : result.count, { archived: true }),
    clearCompleted: (count) => counted("tasks.deleted", count),
    purgeArchived: (result, [options]) =>
      counted("tasks.deleted", options.dryRun ? 0 : result.count, { archived: true }),
    maintain: (report) => {
      counted("tasks.archived", report.archived);
      counted("tasks.deleted", report.purged, { archived: true });
    },
    importRows: (result) => counted("tasks.saved", result.written),
  };
}

/** The cache with every write announced on `hub` once it has succeeded. */
export function announcing(cache: TaskCache, hub: EventHub): TaskCache {
  const announce = announcers(hub) as Record<WriteOperation, (result: unknown, args: unknown[]) => void>;
  const writes = Object.fromEntries(
    WRITE_OPERATIONS.map((name) => {
      const write = cache[name] as (...args: unknown[]) => Promise<unknown>;
      return [
        name,
        async (...args: unknown[]) => {
          const result = await write(...args);
          announce[name](result, args);
          return result;
        },
      ];
    }),
  );
  return { ...cache, ...writes } as TaskCache;
}
