/**
 * The migrator where the file or the driver is awkward, on real files: drivers that cannot keep
 * the header (remote libSQL, sync replicas), whose version follows from the live schema; and the
 * switch to WAL, which SQLite refuses at once while another process is switching the file too.
 */
import { describe, expect, it } from "vitest";
import { openLibsql } from "../../adapters/libsql.ts";
import { openLocalFile } from "../../adapters/local-file.ts";
import { createTaskCache, type Connection, type SqlValue } from "../../core/index.ts";
import { readFile } from "../../core/file/introspection.ts";
import { SEED_V1, SEED_V2, seedRow, tempDir } from "../contract/fixtures.ts";

function withoutHeader(connection: Connection): Connection {
  return Object.assign(Object.create(connection), {
    capabilities: { ...connection.capabilities, writesApplicationId: false, writesUserVersion: false },
  });
}

async function header(path: string) {
  const connection = openLibsql({ url: `file:${path}` });
  const [row] = await connection.all<{ a: number; v: number }>(
    "SELECT (SELECT application_id FROM pragma_application_id) AS a, (SELECT user_version FROM pragma_user_version) AS v",
  );
  await connection.close();
  return row;
}

describe("migrator without header writes", () => {
  it("migrates a fresh database from the schema alone and leaves the header alone", async () => {
    const temp = tempDir();
    const path = temp.file("remote-like.sqlite");
    try {
      const cache = await createTaskCache(withoutHeader(openLibsql({ url: `file:${path}` })));
      expect(cache.info).toMatchObject({ schemaVersion: 4, applied: [1, 2, 3, 4], readOnly: false });
      await cache.save({ task_id: "t", backend: "b", status: "pending" });
      await cache.close();
      expect(await header(path)).toEqual({ a: 0, v: 0 });
      const again = await createTaskCache(withoutHeader(openLibsql({ url: `file:${path}` })));
      expect(again.info.applied).toEqual([]);
      expect(await again.count()).toBe(1);
      await again.close();
    } finally {
      temp.remove();
    }
  });

  it("reads the version a replica's tables show and applies only what is missing", async () => {
    const temp = tempDir();
    const path = temp.file("replica.sqlite");
    try {
      const setup = openLibsql({ url: `file:${path}` });
      for (const sql of [...SEED_V1, ...SEED_V2]) await setup.run(sql);
      await setup.run(
        "INSERT INTO tasks (task_id, backend, status, shots, submit_time, update_time, result_json, metadata_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        seedRow(1),
      );
      await setup.close();
      const cache = await createTaskCache(withoutHeader(openLibsql({ url: `file:${path}` })));
      expect(cache.info.applied).toEqual([3, 4]);
      expect(await cache.count()).toBe(1);
      await cache.close();
    } finally {
      temp.remove();
    }
  });
});

/** The connection, with its first `times` WAL switches refused the way SQLite refuses them. */
function refusingWal(
  connection: Connection,
  times: number,
  message = "database is locked",
): Connection & { refused: number } {
  const wrapper = Object.assign(Object.create(connection), { refused: 0 });
  wrapper.all = (sql: string, args?: SqlValue[]) => {
    if (/journal_mode = WAL/.test(sql) && wrapper.refused < times) {
      wrapper.refused++;
      return Promise.reject(new Error(message));
    }
    return connection.all(sql, args);
  };
  return wrapper;
}

describe("migrator switching a file to WAL", () => {
  it("retries while the file is locked, then opens it in WAL", async () => {
    const temp = tempDir();
    try {
      const connection = refusingWal(await openLocalFile(temp.file("busy.sqlite")), 3);
      const cache = await createTaskCache(connection);
      expect(connection.refused).toBe(3);
      expect(cache.info.applied).toEqual([1, 2, 3, 4]);
      const [mode] = await connection.all<{ journal_mode: string }>("PRAGMA journal_mode");
      expect(mode?.journal_mode).toBe("wal");
      await cache.close();
    } finally {
      temp.remove();
    }
  });

  it("does not retry other errors", async () => {
    const temp = tempDir();
    try {
      const connection = refusingWal(await openLocalFile(temp.file("broken.sqlite")), 100, "disk I/O error");
      await expect(createTaskCache(connection)).rejects.toThrow("disk I/O error");
      expect(connection.refused).toBe(1);
    } finally {
      temp.remove();
    }
  });
});

describe("reading a file's schema", () => {
  it("reads the same header, tables and objects statement by statement as in one snapshot", async () => {
    const temp = tempDir();
    const path = temp.file("read.sqlite");
    try {
      const cache = await createTaskCache(await openLocalFile(path));
      await cache.close();
      const connection = await openLocalFile(path);
      const reading = { internalTables: ["task_counts"] };
      const snapshot = await readFile(connection, reading);
      const byStatements = await readFile(connection, { ...reading, tableValuedPragmas: false });
      await connection.close();
      expect(snapshot.applicationId).not.toBe(0);
      expect(snapshot.schema.get("tasks")?.size).toBeGreaterThan(5);
      expect(snapshot.objects.size).toBeGreaterThan(3);
      expect(byStatements).toEqual(snapshot);
    } finally {
      temp.remove();
    }
  });
});
