/**
 * The adapters the contract runs against on the current runtime: its own local file driver,
 * libSQL on a file, libSQL in memory, and a replica synced with a real Turso sync server; and the
 * two file adapters again on files of the uniqc package's own lineage, made by a Python process
 * as that package makes them.
 */
import { existsSync } from "node:fs";
import { openLibsql } from "../../adapters/libsql.ts";
import { openLocalFile } from "../../adapters/local-file.ts";
import { openTursoSync } from "../../adapters/turso-sync.ts";
import { startSyncServer, type SyncServer } from "../../harness/sync-server.ts";
import type { ContractTarget } from "./cache-contract.ts";
import { tempDir } from "./fixtures.ts";
import { uniqcStore } from "../../harness/uniqc.ts";

/** What each target is, in order, for counting the cases it runs. */
export const TARGET_SHAPES: readonly Pick<ContractTarget, "files" | "replica" | "lineage">[] = [
  { files: true },
  { files: true },
  { files: false },
  { files: false, replica: true },
  { files: true, lineage: "uniqc" },
  { files: true, lineage: "uniqc" },
];

/** Targets plus the removal of what they made: scratch files, and the sync servers. */
export async function contractTargets(): Promise<{ targets: ContractTarget[]; cleanup: () => Promise<void> }> {
  const scratch = tempDir("uniqc-contract-");
  let n = 0;
  const scratchFile = () => scratch.file(`db-${++n}.sqlite`);
  // A file that does not exist yet is made by that package first, so every case, the ones that
  // name their own file too, starts from one of its files.
  const uniqcFile = (path = scratchFile()) => {
    if (!existsSync(path)) uniqcStore(path);
    return path;
  };
  const servers: SyncServer[] = [];
  const probe = await openLocalFile(":memory:");
  const localName = probe.capabilities.adapter;
  await probe.close();
  const targets: ContractTarget[] = [
    { name: `local file (${localName})`, files: true, connect: (path) => openLocalFile(path ?? scratchFile()) },
    {
      name: "libsql file:",
      files: true,
      connect: async (path) => openLibsql({ url: `file:${path ?? scratchFile()}` }),
    },
    { name: "libsql :memory:", files: false, connect: async () => openLibsql({ url: ":memory:" }) },
    {
      name: "turso sync replica",
      files: false,
      replica: true,
      // A server of its own for every connection, so each case starts from an empty history.
      connect: async () => {
        const server = await startSyncServer(scratchFile());
        servers.push(server);
        return openTursoSync({ path: scratchFile(), url: server.url });
      },
    },
    {
      name: `uniqc lineage v5, local file (${localName})`,
      files: true,
      lineage: "uniqc",
      connect: (path) => openLocalFile(uniqcFile(path)),
    },
    {
      name: "uniqc lineage v5, libsql file:",
      files: true,
      lineage: "uniqc",
      connect: async (path) => openLibsql({ url: `file:${uniqcFile(path)}` }),
    },
  ];
  const cleanup = async () => {
    await Promise.all(servers.map((server) => server.stop()));
    scratch.remove();
  };
  return { targets, cleanup };
}
