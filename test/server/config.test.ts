/** The server's settings from flags and environment: the sync flags and their refusals. */
import { describe, expect, it } from "vitest";
import { ConfigError, readConfig } from "../../apps/server/config.ts";

describe("sync settings", () => {
  it("reads the sync flags, and the environment when a flag is absent", () => {
    const config = readConfig(
      ["--db", "r.db", "--sync-url", "http://127.0.0.1:9", "--sync-token", "t", "--sync-interval", "500ms"],
      {},
    );
    expect(config).toMatchObject({
      db: "r.db",
      syncUrl: "http://127.0.0.1:9",
      syncToken: "t",
      syncIntervalMs: 500,
      importFrom: undefined,
    });
    const fromEnv = readConfig([], {
      UNIQC_DB: "r.db",
      UNIQC_SYNC_URL: "libsql://x.turso.io",
      UNIQC_SYNC_TOKEN: "secret",
      UNIQC_SYNC_INTERVAL: "2m",
      UNIQC_IMPORT_FROM: "p.sqlite",
    });
    expect(fromEnv).toMatchObject({
      syncUrl: "libsql://x.turso.io",
      syncToken: "secret",
      syncIntervalMs: 120_000,
      importFrom: "p.sqlite",
    });
  });

  it.each([
    ["5s", 5000],
    ["0", 0],
    ["1.5", 1500],
    ["250ms", 250],
  ])("--sync-interval %s is %d ms", (text, ms) => {
    expect(readConfig(["--db", "r.db", "--sync-url", "http://h", "--sync-interval", text], {}).syncIntervalMs).toBe(ms);
  });

  it.each([
    [["--sync-url", "http://h"], /needs --db/],
    [["--db", "r.db", "--import-from", "p.sqlite"], /give --sync-url too/],
    [["--db", "r.db", "--sync-url", "http://h", "--sync-interval", "soon"], /--sync-interval must be a duration/],
    [["--db", "r.db", "--sync-url", "http://h", "--sync-interval=-1s"], /--sync-interval must be a duration/],
  ])("refuses %j", (argv, message) => {
    expect(() => readConfig(argv, {})).toThrow(ConfigError);
    expect(() => readConfig(argv, {})).toThrow(message);
  });
});
