/**
 * The adapters the contract runs against on the current runtime: its own local file driver,
 * libSQL on a file, and libSQL in memory.
 */
import { openLibsql } from "../../adapters/libsql.ts";
import { openLocalFile } from "../../adapters/local-file.ts";
import type { ContractTarget } from "./cache-contract.ts";
import { tempDir } from "./fixtures.ts";

/** Targets plus the removal of the scratch folder their unnamed files go to. */
export async function contractTargets(): Promise<{ targets: ContractTarget[]; cleanup: () => void }> {
  const scratch = tempDir("uniqc-contract-");
  let n = 0;
  const scratchFile = () => scratch.file(`db-${++n}.sqlite`);
  const probe = await openLocalFile(":memory:");
  const localName = probe.capabilities.adapter;
  await probe.close();
  const targets: ContractTarget[] = [
    { name: `local file (${localName})`, files: true, connect: (path) => openLocalFile(path ?? scratchFile()) },
    { name: "libsql file:", files: true, connect: async (path) => openLibsql({ url: `file:${path ?? scratchFile()}` }) },
    { name: "libsql :memory:", files: false, connect: async () => openLibsql({ url: ":memory:" }) },
  ];
  return { targets, cleanup: scratch.remove };
}
