/**
 * The version a task carries on a synced replica: who wrote it, what it had seen, and when.
 *
 * Causality is a version vector (replica id → how many versions of this task that replica has
 * made), so "had seen" is exact whatever the machines' clocks say. Every task row carries one,
 * so the stored form leaves out what it can: the vector of a version that has seen only its own
 * writer's versions (most of them: `{w: s}`), and an empty `f`. The clock part `c` (wall
 * milliseconds, never below the task's previous `c` + 1) only orders versions that did not see
 * each other. Recorded fields carry the dot (`replica:n`) of the version that wrote them, so a
 * merge can tell a value nobody has seen yet from one that a later version replaced.
 */

/** The fields a merge never drops unless a version that had seen them replaced them. */
export const RECORDED_FIELDS = ["result_json", "error_message", "compiled_circuit_json"] as const;
export type RecordedField = (typeof RECORDED_FIELDS)[number];

/** Each recorded field's key in a version's `f`: one letter, since every task row carries them. */
export const FIELD_KEYS: Readonly<Record<RecordedField, string>> = Object.freeze({
  result_json: "r",
  error_message: "e",
  compiled_circuit_json: "x",
});

/** One version's identity: `replica:n`, the n-th version of the task that replica made. */
export type Dot = string;

/** A version vector: per replica, how many of its versions of the task have been seen. */
export type VersionVector = Readonly<Record<string, number>>;

/** What the `sync_version` column holds, as JSON. */
export interface VersionMeta {
  /** Every version of the task this one has seen, itself included. */
  readonly vv: VersionVector;
  /** The sum of `vv`, so SQL can test "has seen all of" without walking a JSON object. */
  readonly s: number;
  /** The replica that wrote it (absent on rows written before versions existed). */
  readonly w?: string;
  /** Its clock: wall milliseconds, above every clock it had seen. */
  readonly c: number;
  /**
   * The dot of the version that wrote each recorded field, for fields ever written, by
   * {@link FIELD_KEYS}: {@link OWN} where this version wrote it (most do, and each task row
   * carries it), null where none did.
   */
  readonly f: Readonly<Record<string, Dot | typeof OWN | null>>;
  /**
   * Set on a row that shows the merge of its siblings: the row is then no version of its own,
   * and `vv` is all its siblings had seen (but for those added beside it since, see
   * statements.ts). A row without it is a version, and its siblings are further versions.
   */
  readonly m?: 1;
}

/** The stored form of a version (see {@link VersionMeta}): `vv` may be left out where it is `{[w]: s}`, `f` where empty. */
export type StoredVersion = Omit<VersionMeta, "vv" | "f"> & Partial<Pick<VersionMeta, "vv" | "f">>;

/** A version as it is stored: without what the rest of it implies. */
export function storedForm(meta: VersionMeta): StoredVersion {
  const { vv, f, ...rest } = meta;
  const replicas = Object.keys(vv);
  const implied = meta.w !== undefined && replicas.length === 1 && replicas[0] === meta.w && vv[meta.w] === meta.s;
  return { ...rest, ...(implied ? {} : { vv }), ...(Object.keys(f).length ? { f } : {}) };
}

/** A stored version whole again, or undefined when it is not one. */
export function wholeForm(stored: unknown): VersionMeta | undefined {
  if (!stored || typeof stored !== "object") return undefined;
  const meta = stored as Partial<VersionMeta>;
  if (typeof meta.s !== "number") return undefined;
  const vv =
    typeof meta.vv === "object" && meta.vv ? meta.vv : typeof meta.w === "string" ? { [meta.w]: meta.s } : undefined;
  return vv && { ...(meta as VersionMeta), vv, f: meta.f ?? {} };
}

/** The version of a row that predates versions: seen by every version. */
export const UNVERSIONED: VersionMeta = Object.freeze({ vv: Object.freeze({}), s: 0, c: 0, f: Object.freeze({}) });
export const UNVERSIONED_JSON = JSON.stringify(UNVERSIONED);

/** Where a version puts its task. */
export type Place = "tasks" | "archived_tasks" | "deleted";

/** The columns a version holds besides its id: a task's own, and `archived_at` in the archive. */
export type VersionColumns = Readonly<Record<string, string | number | null>>;

/** One whole version of a task. */
export interface TaskVersion {
  readonly place: Place;
  readonly columns: VersionColumns;
  readonly version: VersionMeta;
}

/** A replica id: short, and safe inside a quoted JSON path. */
export const REPLICA_ID = /^[a-z0-9]{4,32}$/;

/** In a version's `f`: written by this version. */
export const OWN = 1;

/** The dot of the version that wrote `field`, as `meta` records it ("" when never written). */
export function fieldDot(meta: VersionMeta, field: RecordedField): Dot {
  const dot = meta.f[FIELD_KEYS[field]];
  return dot === OWN ? dotOf(meta) : typeof dot === "string" ? dot : "";
}

/** The version's dot; unversioned rows share one, which every version covers. */
export function dotOf(meta: VersionMeta): Dot {
  return meta.w === undefined ? "" : `${meta.w}:${meta.vv[meta.w] ?? 0}`;
}

/** A version's `f` with every field named by its writer's dot, for a row whose vector is not that version's. */
export function namedFields(meta: VersionMeta): Record<string, Dot> {
  const named: Record<string, Dot> = {};
  for (const [field, key] of Object.entries(FIELD_KEYS)) {
    const dot = fieldDot(meta, field as RecordedField);
    if (dot !== "") named[key] = dot;
  }
  return named;
}

/** Whether a version with vector `vv` had seen the version `dot`. */
export function covers(vv: VersionVector, dot: Dot): boolean {
  if (dot === "") return true;
  const at = dot.lastIndexOf(":");
  return (vv[dot.slice(0, at)] ?? 0) >= Number(dot.slice(at + 1));
}

/** The pointwise maximum of vectors: everything any of them had seen. */
export function joinVectors(vectors: readonly VersionVector[]): Record<string, number> {
  const joined: Record<string, number> = {};
  for (const vv of vectors)
    for (const [replica, n] of Object.entries(vv)) joined[replica] = Math.max(joined[replica] ?? 0, n);
  return joined;
}

export const sumOf = (vv: VersionVector) => Object.values(vv).reduce((total, n) => total + n, 0);

/** Reads a stored `sync_version`; text that is not one counts as unversioned. */
export function parseVersion(text: unknown): VersionMeta {
  if (typeof text !== "string") return UNVERSIONED;
  try {
    return wholeForm(JSON.parse(text)) ?? UNVERSIONED;
  } catch {
    return UNVERSIONED;
  }
}

/** The `sync_version` text of a version. */
export const versionText = (meta: VersionMeta) => JSON.stringify(storedForm(meta));
