/**
 * Every operation of the library is offered everywhere it belongs: over HTTP, by the typed client
 * (which is a `TaskCache`, so the compiler holds it), and by the CLI, or it is listed here as
 * deliberately absent with the reason; and docs/library.md names it. The tables are typed by the interface, so an operation
 * added to the library does not compile until it says where it is offered.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { expect, it } from "vitest";
import { openCache } from "../adapters/open.ts";
import { openCacheClient, type CacheClient } from "../apps/client/client.ts";
import { createApp } from "../apps/server/app.ts";
import { buildProgram } from "../apps/cli/program.ts";
import { OPERATION_KINDS, type TaskCache } from "../core/index.ts";
import { tempDir } from "./contract/fixtures.ts";
import { documentedEndpoints } from "./server/endpoints.ts";

/** Not offered there, and why. */
type Absent = { absent: string };

/** The route each operation is, as the OpenAPI document names it. */
const ROUTES: Record<keyof TaskCache, string | Absent> = {
  save: "put /api/tasks/{id}",
  get: "get /api/tasks/{id}",
  listText: "get /api/tasks",
  list: "get /api/tasks",
  count: "get /api/tasks",
  counts: "get /api/tasks/counts",
  backendCounts: "get /api/tasks/backends",
  delete: "delete /api/tasks/{id}",
  bulkDelete: "post /api/tasks/bulk-delete",
  deleteMatching: "post /api/tasks/delete-matching",
  clearCompleted: "post /api/tasks/clear-completed",
  archive: "post /api/tasks/{id}/archive",
  restore: "post /api/archive/restore/{id}",
  bulkArchive: "post /api/tasks/bulk-archive",
  archiveMatching: "post /api/tasks/archive-matching",
  restoreMatching: "post /api/archive/restore-matching",
  deleteArchivedMatching: "post /api/archive/delete-matching",
  archiveExpired: "post /api/tasks/archive-expired",
  countExpired: "get /api/tasks/expired",
  listArchivedText: "get /api/archive",
  listArchived: "get /api/archive",
  getArchived: "get /api/archive/{id}",
  countArchived: "get /api/archive",
  purgeArchived: "post /api/archive/purge",
  deleteArchived: "delete /api/archive/{id}",
  shards: "get /api/tasks/{id}/shards",
  getCircuit: "get /api/circuits/{id}",
  analyse: "get /api/tasks/{id}/analysis",
  compare: "get /api/compare",
  conflicts: "get /api/tasks/{id}/conflicts",
  conflicted: "get /api/conflicts",
  stats: "get /api/stats",
  maintain: "post /api/maintenance",
  importRows: "post /api/import",
  exportRows: "get /api/export",
  info: "get /api/version",
  sync: "post /api/sync",
  syncState: "get /api/health",
  changeStamp: "get /api/change-stamp",
  close: { absent: "a server's cache is closed by stopping the server" },
};

/** The command each operation is, as `uniqc-cache help` names it. */
const COMMANDS: Record<keyof TaskCache, string | Absent> = {
  save: { absent: "tasks are recorded by the programs that submit them, or brought in with `import`" },
  get: "tasks show",
  listText: "tasks list",
  list: "tasks list",
  count: "tasks list",
  counts: "tasks counts",
  backendCounts: { absent: "the dashboard and `stats` show tasks per backend" },
  delete: "tasks delete",
  bulkDelete: "tasks delete",
  deleteMatching: "matching delete",
  clearCompleted: { absent: "`matching delete --status …` deletes finished tasks, one status at a time" },
  archive: "archive move",
  restore: "restore",
  bulkArchive: "archive move",
  archiveMatching: "matching archive",
  restoreMatching: "matching restore",
  deleteArchivedMatching: "matching purge",
  archiveExpired: "archive expired",
  countExpired: { absent: "`archive expired` says what it moved and what it left" },
  listArchivedText: "tasks list",
  listArchived: "tasks list",
  getArchived: "tasks show",
  countArchived: "tasks counts",
  purgeArchived: "archive purge",
  deleteArchived: { absent: "`matching purge --id-prefix ID` deletes archived tasks for good" },
  shards: "tasks shards",
  getCircuit: { absent: "circuits are drawn by the dashboard; `tasks show` lists the compiled ones" },
  analyse: "tasks analyse",
  compare: "tasks compare",
  conflicts: "tasks conflicts",
  conflicted: "tasks conflicts",
  stats: "stats",
  maintain: "maintain",
  importRows: "import",
  exportRows: "export",
  info: "doctor",
  sync: "sync",
  syncState: "doctor",
  changeStamp: { absent: "a command reads the data once; nothing to watch" },
  close: { absent: "each command closes what it opened" },
};

const commandsOf = (command: Command, prefix = ""): string[] =>
  command.commands.flatMap((sub) => {
    const name = `${prefix}${sub.name()}`;
    return [name, ...commandsOf(sub, `${name} `)];
  });

it("lists every operation of the library, and only those", () => {
  const operations = Object.keys(OPERATION_KINDS).sort();
  expect(Object.keys(ROUTES).sort()).toEqual(operations);
  expect(Object.keys(COMMANDS).sort()).toEqual(operations);
});

it("offers each operation over HTTP, or says why not", async () => {
  const documented = new Set((await documentedEndpoints()).map(({ method, path }) => `${method} ${path}`));
  const missing = Object.entries(ROUTES).filter(([, route]) => typeof route === "string" && !documented.has(route));
  expect(missing).toEqual([]);
});

it("offers each operation in the CLI, or says why not", () => {
  const commands = new Set(commandsOf(buildProgram()));
  const missing = Object.entries(COMMANDS).filter(
    ([, command]) => typeof command === "string" && !commands.has(command),
  );
  expect(missing).toEqual([]);
});

it("offers each operation in the typed client, which is the library's interface", async () => {
  const temp = tempDir("uniqc-surface-");
  const cache = await openCache(temp.file("tasks.sqlite"));
  try {
    const app = createApp(cache, { version: "0.0.0", runtime: "node" });
    const client = await openCacheClient({
      url: "http://cache.test",
      fetch: (async (input: RequestInfo | URL, init?: RequestInit) => app.request(input, init)) as typeof fetch,
    });
    const lacking = Object.keys(OPERATION_KINDS).filter(
      (name) =>
        client[name as keyof CacheClient] === undefined ||
        typeof client[name as keyof CacheClient] !== typeof cache[name as keyof TaskCache],
    );
    expect(lacking).toEqual([]);
  } finally {
    await cache.close();
    temp.remove();
  }
});

it("names each operation in docs/library.md", () => {
  const page = readFileSync(join(import.meta.dirname, "..", "docs", "library.md"), "utf8");
  expect(Object.keys(OPERATION_KINDS).filter((name) => !new RegExp(`\`${name}[\`(]`).test(page))).toEqual([]);
});
