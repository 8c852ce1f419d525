/** libSQL traps, each pinned by a test, and how targets are routed to adapters. */
import { createClient } from "@libsql/client";
import { describe, expect, it } from "vitest";
import { openLibsql } from "../../adapters/libsql.ts";
import { openConnection } from "../../adapters/open.ts";
import { MIGRATIONS } from "../../core/index.ts";
import { tempDir } from "../contract/fixtures.ts";

describe("libSQL", () => {
  it("runs only the first statement of execute('A; B'), so every migration change is one statement", async () => {
    const client = createClient({ url: ":memory:" });
    await client.execute("CREATE TABLE a (x); CREATE TABLE b (x)").catch(() => undefined);
    const tables = await client.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    expect(tables.rows.map((row) => row.name)).not.toContain("b");
    client.close();
    for (const migration of MIGRATIONS) {
      for (const change of migration.changes) {
        const sql = typeof change === "string" ? change : change.sql;
        // A trigger's body holds its own statements, between BEGIN and END.
        const outside = sql.replace(/\bBEGIN\b[\s\S]*\bEND$/, "");
        expect(outside.trim()).not.toContain(";");
      }
    }
  });

  it("keeps the busy timeout and foreign keys inside transactions on a local file", async () => {
    const temp = tempDir();
    const connection = openLibsql({ url: `file:${temp.file("t.sqlite")}` });
    try {
      const inside = await connection.transaction!(async (tx) => [
        await tx.all("PRAGMA busy_timeout"),
        await tx.all("PRAGMA foreign_keys"),
      ]);
      expect(inside).toEqual([[{ timeout: 5000 }], [{ foreign_keys: 1 }]]);
    } finally {
      await connection.close();
      temp.remove();
    }
  });

  it("ignores PRAGMA foreign_keys inside a transaction, which is why adapters set it on open", async () => {
    const connection = openLibsql({ url: ":memory:" });
    const inside = await connection.transaction!(async (tx) => {
      await tx.run("PRAGMA foreign_keys = OFF");
      return tx.all("PRAGMA foreign_keys");
    });
    expect(inside).toEqual([{ foreign_keys: 1 }]);
    await connection.close();
  });

  it("declares that remote servers keep no header fields and take many connections", async () => {
    for (const url of ["libsql://tasks.example.turso.io", "https://127.0.0.1:8080", "ws://127.0.0.1:8080"]) {
      const connection = await openConnection(url, { authToken: "secret" });
      expect(connection.capabilities).toEqual({
        adapter: "libsql",
        singleConnection: false,
        writesApplicationId: false,
        writesUserVersion: false,
        walJournal: false,
        synced: false,
      });
      await connection.close();
    }
  });

  it("routes paths to the runtime's driver and URLs to libSQL", async () => {
    const temp = tempDir();
    try {
      const local = await openConnection(temp.file("a/b/local.sqlite"));
      expect(local.capabilities.adapter).not.toBe("libsql");
      expect(local.capabilities.walJournal).toBe(true);
      await local.close();
      const viaUrl = await openConnection(`file:${temp.file("c/libsql.sqlite")}`);
      expect(viaUrl.capabilities).toMatchObject({ adapter: "libsql", walJournal: true, writesUserVersion: true });
      await viaUrl.close();
      const forced = await openConnection(temp.file("d/forced.sqlite"), { driver: "libsql" });
      expect(forced.capabilities.adapter).toBe("libsql");
      await forced.close();
      const memory = await openConnection(":memory:");
      expect(memory.capabilities.walJournal).toBe(false);
      await memory.close();
      await expect(openConnection("libsql://x.example", { driver: "local" })).rejects.toThrow(/file path/);
    } finally {
      temp.remove();
    }
  });
});
