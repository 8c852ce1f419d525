/**
 * Row counts kept in memory for a file that keeps none in its tables.
 */
import type { Driver, Transaction } from "../driver/driver.ts";
import { ID_LIST } from "../shared/id-sets.ts";
import type { Table } from "./queries.ts";

/** How many rows of a table have one backend and status. */
export interface GroupCount {
  readonly backend: string;
  readonly status: string;
  readonly n: number;
}

/** Every group of a table counted, in one pass over its `(backend, status, …)` index. */
export const COUNT_SQL = (table: Table) =>
  `SELECT backend, status, COUNT(*) AS n FROM ${table} GROUP BY backend, status`;
const keyOf = (backend: string, status: string) => JSON.stringify([backend, status]);

/** Counted groups as of a change stamp, by {@link keyOf} their backend and status. */
interface Counted {
  stamp: string;
  readonly groups: Map<string, { backend: string; status: string; n: number }>;
}

/**
 * The counts of a file that keeps none (a synced replica, where triggers do not travel): counted
 * once, then kept and moved by each write that says which tasks it touches (see
 * {@link KeptCounts.tally}), so a write costs its own rows rather than a count of every row. A
 * change the counts were not told of (a pull, another process, a write by SQL alone) moves the
 * change stamp past theirs, and they are counted again.
 */
export class KeptCounts {
  readonly #driver: Driver;
  readonly #tables: readonly Table[];
  readonly #kept = new Map<Table, Counted>();

  constructor(driver: Driver, tables: readonly Table[]) {
    this.#driver = driver;
    this.#tables = tables;
  }

  async groups(table: Table): Promise<readonly GroupCount[]> {
    const stamp = await this.#driver.changeStamp();
    let counted = this.#kept.get(table);
    if (counted?.stamp !== stamp) {
      const rows = await this.#driver.all<GroupCount>(COUNT_SQL(table));
      const groups = rows.map((row) => ({
        backend: String(row.backend),
        status: String(row.status),
        n: Number(row.n),
      }));
      counted = { stamp, groups: new Map(groups.map((group) => [keyOf(group.backend, group.status), group])) };
      // A write committed between the stamp and the count leaves it behind its stamp: counted again next time.
      this.#kept.set(table, counted);
    }
    return [...counted.groups.values()].filter((group) => group.n !== 0).map((group) => ({ ...group }));
  }

  /** Counts again every table whose counts are kept, now, rather than at the next read. */
  async recount(): Promise<void> {
    for (const table of [...this.#kept.keys()]) await this.groups(table);
  }

  /**
   * Runs `write` in `tx`, and once it commits moves the kept counts by what it did to the tasks
   * `ids`, read before and after it by key. Nothing is read where no counts are kept as of now.
   */
  async tally<T>(tx: Transaction, ids: readonly string[], write: () => Promise<T>): Promise<T> {
    const before = await tx.changeStamp();
    const current = this.#tables.filter((table) => this.#kept.get(table)?.stamp === before);
    if (current.length === 0) return write();
    // Rows, not groups: the replica's engine answers a GROUP BY by walking a whole index, even
    // for one key. One id is looked up by key: the engine's `json_each` costs 0.2 ms on its own.
    const [match, arg] = ids.length === 1 ? ["= ?", ids[0]!] : [`IN (${ID_LIST})`, JSON.stringify(ids)];
    const sql = current
      .map((table) => `SELECT '${table}' AS tbl, backend, status FROM ${table} WHERE task_id ${match}`)
      .join(" UNION ALL ");
    const groupsOf = () =>
      tx.all<{ tbl: Table; backend: string; status: string }>(
        sql,
        current.map(() => arg),
      );
    const old = await groupsOf();
    const result = await write();
    const moved = [...old.map((row) => ({ ...row, n: -1 })), ...(await groupsOf()).map((row) => ({ ...row, n: 1 }))];
    const after = await tx.changeStamp();
    tx.afterCommit(() => {
      for (const table of current) {
        const counted = this.#kept.get(table);
        if (counted?.stamp !== before) continue;
        for (const row of moved) {
          if (row.tbl !== table) continue;
          const [backend, status] = [String(row.backend), String(row.status)];
          const group = counted.groups.get(keyOf(backend, status));
          if (group) group.n += row.n;
          else counted.groups.set(keyOf(backend, status), { backend, status, n: row.n });
        }
        counted.stamp = after;
      }
    });
    return result;
  }
}
