/**
 * The guarded statements a replica's pushed changes become (core/history/statements.ts), run on
 * a SQLite file with a replica's tables: what they leave out must not change what they store.
 */
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HISTORY_CHANGES } from "../../../core/history/schema.ts";
import {
  VERSIONED_TABLES,
  mergeStatement,
  parseSiblings,
  stampSql,
  type VersionedRow,
} from "../../../core/history/statements.ts";
import { MIGRATIONS, type SchemaChange } from "../../../core/schema.ts";

let db: Database.Database;
const apply = (change: SchemaChange) => db.exec(typeof change === "string" ? change : change.sql);
beforeEach(() => {
  // A replica's tables: every step's synced changes, then the merge objects.
  db = new Database(":memory:");
  for (const migration of MIGRATIONS) migration.changes.forEach(apply);
  HISTORY_CHANGES.forEach(apply);
});
afterEach(() => db.close());

const run = (statement: ReturnType<typeof mergeStatement>) => {
  if (!statement) throw new Error("no statement");
  // Numbered parameters, as the sync engine takes them: better-sqlite3 binds them by number.
  db.prepare(statement.sql).run(Object.fromEntries(statement.values.map((value, i) => [i + 1, value])));
};
const stored = (id: string) => db.prepare("SELECT * FROM tasks WHERE task_id = ?").get(id);

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
  it("every column they may leave out defaults to null, on every versioned table", () => {
    for (const table of VERSIONED_TABLES) {
      const columns = db.prepare(`PRAGMA table_info(${table})`).all() as {
        name: string;
        notnull: number;
        dflt_value: unknown;
      }[];
      expect(columns.length).toBeGreaterThan(1);
      for (const column of columns.filter((each) => each.notnull === 0 && each.name !== "task_id"))
        expect({ table, column: column.name, default: column.dflt_value }).toEqual({
          table,
          column: column.name,
          default: null,
        });
    }
  });

  it("a first version stores its nulls as sent", () => {
    const first = row(FIRST);
    const statement = mergeStatement({ table: "tasks", type: "insert", after: first });
    expect(statement?.sql).not.toContain("result_json");
    run(statement);
    expect(stored("t1")).toEqual(first);
  });

  it("a version that had seen the stored one replaces its values with its own nulls", () => {
    run(mergeStatement({ table: "tasks", type: "insert", after: row(FIRST, { result_json: '{"counts":{}}' }) }));
    const second = row(SECOND, { status: "cancelled" });
    run(mergeStatement({ table: "tasks", type: "insert", after: second }));
    expect(stored("t1")).toEqual(second);
  });

  it("a version leaves out the vector its writer and count imply, and the guards read it as implied", () => {
    run(mergeStatement({ table: "tasks", type: "insert", after: row('{"s":1,"w":"aaaa","c":1000,"f":{"r":1}}') }));
    // Concurrent with it: another replica's second version, also stored without its vector.
    const other = row('{"s":2,"w":"bbbb","c":1001,"f":{}}', { status: "failed" });
    run(mergeStatement({ table: "tasks", type: "insert", after: other }));
    const merged = stored("t1") as VersionedRow;
    expect(JSON.parse(String(merged.sync_version))).toMatchObject({ vv: { aaaa: 1, bbbb: 2 }, s: 3, m: 1 });
    expect(parseSiblings(String(merged.sync_siblings)).map((version) => version.version.vv)).toEqual([
      { aaaa: 1 },
      { bbbb: 2 },
    ]);
  });

  it("a stamp names the fields of an implied vector's writer, and leaves out a vector it implies itself", () => {
    const stamp = (replica: string, old: string) =>
      JSON.parse(
        (db.prepare(`SELECT ${stampSql("?1", replica, [], { clock: "5" })} AS v`).get({ 1: old }) as { v: string }).v,
      );
    const old = '{"s":1,"w":"aaaa","c":1000,"f":{"r":1}}';
    expect(stamp("aaaa", old)).toEqual({ s: 2, w: "aaaa", c: 1001, f: { r: "aaaa:1" } });
    expect(stamp("bbbb", old)).toEqual({ vv: { aaaa: 1, bbbb: 1 }, s: 2, w: "bbbb", c: 1001, f: { r: "aaaa:1" } });
  });
});
