/**
 * The behaviour of the cache, as one list of cases that every adapter on every runtime must pass.
 * It uses `node:assert` (present on Node, Deno and Bun) rather than a runner's own `expect`, so
 * vitest and the Deno and Bun runners execute exactly the same checks.
 */
import type { Connection, Lineage } from "../../core/index.ts";
import { behaviourCases } from "./behaviour-cases.ts";
import { lineageCases } from "./lineage-cases.ts";

/** An adapter under test. */
export interface ContractTarget {
  readonly name: string;
  /** Opens an unmigrated connection on a file, or in memory when `path` is omitted. */
  connect(path?: string): Promise<Connection>;
  /** In-memory targets skip the cases about files. */
  readonly files: boolean;
  /** A synced replica: no header, no triggers; the cases about those skip it. */
  readonly replica?: boolean;
  /** The lineage of the files a fresh connection opens: the uniqc package's makes one as it would. */
  readonly lineage?: Lineage;
}

export interface ContractCase {
  readonly name: string;
  readonly needsFile?: boolean;
  /** A case about one lineage's files only. */
  readonly lineage?: Lineage;
  run(target: ContractTarget): Promise<void>;
}

/** Whether a case runs on a target. */
export function appliesTo(contractCase: ContractCase, target: Pick<ContractTarget, "files" | "lineage">): boolean {
  return (
    (!contractCase.needsFile || target.files) &&
    (!contractCase.lineage || contractCase.lineage === (target.lineage ?? "seed"))
  );
}

export const cacheContract: readonly ContractCase[] = [...behaviourCases, ...lineageCases];
