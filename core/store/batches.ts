/**
 * How long work over many rows may hold the write lock: the sizes and pauses of its transactions.
 */

/** Short transactions, for work that must never keep another writer waiting long. */
export interface Batch {
  /** Rows a transaction takes at most. */
  readonly rows: number;
  readonly pauseMs: number;
  /**
   * About how long a transaction over given ids may hold the write lock: each chunk is sized from
   * the last one's pace, starting small. Ids scattered over a large file cost ten times what the
   * neighbouring rows a retention run moves do, so no fixed size suits both.
   */
  readonly lockMs?: number;
  /** Told how long each transaction held the write lock, and how many rows it did. */
  readonly onTransaction?: (ms: number, rows: number) => void;
}

/** A thousand tasks a transaction: tens of milliseconds on a million-task file. */
export const MAINTENANCE_ROWS = 1000;

/** Transactions of {@link MAINTENANCE_ROWS} with a pause between them: work that never keeps another writer waiting long. */
export const SHORT_TRANSACTIONS: Batch = Object.freeze({ rows: MAINTENANCE_ROWS, pauseMs: 100 });

/**
 * Moves of given ids, wherever they lie in the file: transactions sized to hold the write lock
 * about 100 ms, at most {@link MAINTENANCE_ROWS} tasks each.
 */
export const PACED_TRANSACTIONS: Batch = Object.freeze({ ...SHORT_TRANSACTIONS, lockMs: 100 });
