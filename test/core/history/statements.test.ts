/**
 * The guarded statements a replica's pushed changes become (core/history/statements.ts), run on
 * a SQLite file with a replica's tables: what they leave out must not change what they store.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openLocalFile } from "../../../adapters/local-file.ts";
import type { Connection, SqlValue } from "../../../core/index.ts";
import { HISTORY_CHANGES } from "../../../core/history/schema.ts";
import {
  VERSIONED_TABLES,
  mergeStatement,
  parseSiblings,
  stampSql,
  type VersionedRow,
} from "../../../core/history/statements.ts";
import { MIGRATIONS, type SchemaChange } from "../../../core/file/schema.ts";
import { tempDir } from "../../contract/fixtures.ts";

let temp: ReturnType<typeof tempDir>;
let db: Connection;
const apply = (change: SchemaChange) => db.run(typeof change === "string" ? change : change.sql);
beforeEach(async () => {
  // A replica's tables on this runtime's local driver: every step's synced changes, then the merge objects.
  temp = tempDir();
  db = await openLocalFile(temp.file("replica-tables.sqlite"));
  for (const migration of MIGRATIONS) for (const change of migration.changes) await apply(change);
  for (const change of HISTORY_CHANGES) await apply(change);
});
afterEach(async () => {
  await db.close();
  temp.remove();
});

/**
 * Runs SQL with numbered parameters (`?1`, as the sync engine takes them) on a driver that binds
 * by position: each mention becomes a `?` with its value.
 */
function positional(sql: string, values: readonly SqlValue[]): [string, SqlValue[]] {
  const args: SqlValue[] = [];
  const text = sql.replace(/\?(\d+)/g, (_, n: string) => {
    args.push(values[Number(n) - 1]!);
    return "?";
  });
  return [text, args];
}
const run = async (statement: ReturnType<typeof mergeStatement>) => {
  if (!statement) throw new Error("no statement");
  await db.run(...positional(statement.sql, statement.values));
};
const stored = async (id: string) => (await db.all("SELECT * FROM tasks WHERE task_id = ?", [id]))[0];

const row = (version: string, extra: Record<string, string | null> = {}): VersionedRow => ({
  task_id: "t1",
  backend: "originq:WK_C180",
  status: "running",
  shots: 1000,
  submit_time: "2026-01-01T00:00:00.000000+00:00",
  update_time: "2026-01-01T00:00:00.000000+00:00",
  result_json: null,
  metadata_json: "{}",
  compiled_circuit_json: null,
  sync_version: version,
  sync_siblings: null,
  ...extra,
});
const FIRST = '{"vv":{"aaaa":1},"s":1,"w":"aaaa","c":1000,"f":{"r":1}}';
const SECOND = '{"vv":{"aaaa":2},"s":2,"w":"aaaa","c":1001,"f":{}}';

describe("the statements a pushed change becomes", () => {
  it("every column they may leave out defaults to null, on every versioned table", async () => {
    for (const table of VERSIONED_TABLES) {
      const columns = await db.all<{ name: string; notnull: number; dflt_value: unknown }>(
        `PRAGMA table_info(${table})`,
      );
      expect(columns.length).toBeGreaterThan(1);
      for (const column of columns.filter((each) => each.notnull === 0 && each.name !== "task_id"))
        expect({ table, column: column.name, default: column.dflt_value }).toEqual({
          table,
          column: column.name,
          default: null,
        });
    }
  });

  it("a first version stores its nulls as sent", async () => {
    const first = row(FIRST);
    const statement = mergeStatement({ table: "tasks", type: "insert", after: first });
    expect(statement?.sql).not.toContain("result_json");
    await run(statement);
    expect(await stored("t1")).toEqual(first);
  });

  it("a version that had seen the stored one replaces its values with its own nulls", async () => {
    await run(mergeStatement({ table: "tasks", type: "insert", after: row(FIRST, { result_json: '{"counts":{}}' }) }));
    const second = row(SECOND, { status: "cancelled" });
    await run(mergeStatement({ table: "tasks", type: "insert", after: second }));
    expect(await stored("t1")).toEqual(second);
  });

  it("a version leaves out the vector its writer and count imply, and the guards read it as implied", async () => {
    await run(
      mergeStatement({ table: "tasks", type: "insert", after: row('{"s":1,"w":"aaaa","c":1000,"f":{"r":1}}') }),
    );
    // Concurrent with it: another replica's second version, also stored without its vector.
    const other = row('{"s":2,"w":"bbbb","c":1001,"f":{}}', { status: "failed" });
    await run(mergeStatement({ table: "tasks", type: "insert", after: other }));
    const merged = (await stored("t1")) as VersionedRow;
    expect(JSON.parse(String(merged.sync_version))).toMatchObject({ vv: { aaaa: 1, bbbb: 2 }, s: 3, m: 1 });
    expect(parseSiblings(String(merged.sync_siblings)).map((version) => version.version.vv)).toEqual([
      { aaaa: 1 },
      { bbbb: 2 },
    ]);
  });

  it("a stamp names the fields of an implied vector's writer, and leaves out a vector it implies itself", async () => {
    const stamp = async (replica: string, old: string) => {
      const [row] = await db.all<{ v: string }>(
        ...positional(`SELECT ${stampSql("?1", replica, [], { clock: "5" })} AS v`, [old]),
      );
      return JSON.parse(row!.v);
    };
    const old = '{"s":1,"w":"aaaa","c":1000,"f":{"r":1}}';
    expect(await stamp("aaaa", old)).toEqual({ s: 2, w: "aaaa", c: 1001, f: { r: "aaaa:1" } });
    expect(await stamp("bbbb", old)).toEqual({
      vv: { aaaa: 1, bbbb: 1 },
      s: 2,
      w: "bbbb",
      c: 1001,
      f: { r: "aaaa:1" },
    });
  });
});
