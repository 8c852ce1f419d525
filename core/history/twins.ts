/**
 * A replica file copied to another machine, or restored from a backup, together with its id
 * would make versions whose dots collide with the original's, and the rule would keep only one
 * of each pair. So each replica leaves a mark under its id in the shared history
 * (`sync_replicas`) with every push of its own changes, and keeps the same mark beside its file.
 * A round whose pull brings another mark under its id has met a second file with that id (or a
 * history that went on without this copy of the file): it takes a new id. Every version made so
 * far stays as it is; what the replica took from its machine's own cache file goes on under the
 * new id's importer.
 */
import type { DriverReplica, Transaction } from "../driver/driver.ts";
import { importerOf } from "./history.ts";

/** `n` random bytes as hex, from the Web Crypto every runtime has. */
const randomHex = (n: number) =>
  Array.from(crypto.getRandomValues(new Uint8Array(n)), (byte) => byte.toString(16).padStart(2, "0")).join("");
const newMark = () => randomHex(8);

/** Eight characters (41 bits) of base 36: every task row carries the ids of the replicas that wrote it. */
export const newReplicaId = () =>
  BigInt(`0x${randomHex(6)}`)
    .toString(36)
    .padStart(8, "0")
    .slice(-8);

/** Leaves a new mark under `id`, kept beside the file once the transaction commits. */
async function mark(tx: Transaction, replica: DriverReplica, id: string): Promise<void> {
  const mark = newMark();
  await tx.run(
    `INSERT INTO sync_replicas (replica_id, mark) VALUES (?, ?)
     ON CONFLICT (replica_id) DO UPDATE SET mark = excluded.mark`,
    [id, mark],
  );
  tx.afterCommit(() => replica.keep({ id, mark }));
}

/**
 * Before a push of this replica's own changes: a new mark, which goes out with them. Not in a
 * process's first round, whose pull must first see whether the history went on without this
 * file (a restored backup), before a mark of its own covers that.
 */
export const leaveMark = (tx: Transaction, replica: DriverReplica) => mark(tx, replica, replica.id);

/**
 * Inside the transaction that follows a pull: when another file's mark stands under this
 * replica's id, takes a new id (with a mark of its own), and goes on from what it took from its
 * machine's cache file under the new id's importer.
 */
export async function tellCopiesApart(tx: Transaction, replica: DriverReplica): Promise<void> {
  const [row] = await tx.all<{ mark: string }>("SELECT mark FROM sync_replicas WHERE replica_id = ?", [replica.id]);
  if (!row || replica.mark === undefined || String(row.mark) === replica.mark) return;
  const id = newReplicaId();
  const [from, to] = [importerOf(replica.id), importerOf(id)];
  await tx.run(
    `INSERT INTO sync_imports (import_key, digest, sync_version)
     SELECT ? || substr(import_key, ?), digest, sync_version FROM sync_imports WHERE import_key >= ? AND import_key < ?
     ON CONFLICT (import_key) DO NOTHING`,
    [to, from.length + 1, `${from}/`, `${from}0`],
  );
  await mark(tx, replica, id);
}
