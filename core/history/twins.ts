/**
 * A replica file copied to another machine, or restored from a backup, together with its id
 * would make versions whose dots collide with the original's, and the rule would keep only one
 * of each pair. So each replica leaves a mark under its id in the shared history
 * (`sync_replicas`) in every round that pushed its own changes, and keeps the same mark beside
 * its file. A round whose pull brings another mark under its id has met a second file with that
 * id (or a history that went on without this copy of the file): it takes a new id. Every version
 * made so far stays as it is; what the replica took from its machine's own cache file goes on
 * under the new id's importer.
 */
import type { DriverReplica, Transaction } from "../driver.ts";
import { importerOf } from "./history.ts";

const randomBytes = (n: number) => crypto.getRandomValues(new Uint8Array(n));
const newMark = () => Array.from(randomBytes(8), (byte) => byte.toString(16).padStart(2, "0")).join("");

/** Eight characters (41 bits) of base 36: every task row carries the ids of the replicas that wrote it. */
export const newReplicaId = () =>
  BigInt(`0x${Array.from(randomBytes(6), (byte) => byte.toString(16).padStart(2, "0")).join("")}`)
    .toString(36)
    .padStart(8, "0")
    .slice(-8);

/**
 * Inside the transaction that follows a pull: takes a new id when another file's mark stands
 * under this replica's, and leaves a new mark when this round pushed changes of its own (or the
 * id is new). Returns the id it gave up, if it did.
 */
export async function keepOwnId(tx: Transaction, replica: DriverReplica, pushed: boolean): Promise<string | undefined> {
  const [row] = await tx.all<{ mark: string }>("SELECT mark FROM sync_replicas WHERE replica_id = ?", [replica.id]);
  let id = replica.id;
  if (row && replica.mark !== undefined && String(row.mark) !== replica.mark) {
    id = newReplicaId();
    const [from, to] = [importerOf(replica.id), importerOf(id)];
    await tx.run(
      `INSERT INTO sync_imports (import_key, digest, sync_version)
       SELECT ? || substr(import_key, ?), digest, sync_version FROM sync_imports WHERE import_key >= ? AND import_key < ?
       ON CONFLICT (import_key) DO NOTHING`,
      [to, from.length + 1, `${from}/`, `${from}0`],
    );
  }
  const renewed = id !== replica.id ? replica.id : undefined;
  if (pushed || renewed !== undefined) {
    const mark = newMark();
    await tx.run(
      `INSERT INTO sync_replicas (replica_id, mark) VALUES (?, ?)
       ON CONFLICT (replica_id) DO UPDATE SET mark = excluded.mark`,
      [id, mark],
    );
    // Kept beside the file only once the history holds it.
    tx.afterCommit(() => replica.keep({ id, mark }));
  }
  return renewed;
}
