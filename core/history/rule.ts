/**
 * The rule by which a shared task history merges: given every version of one task that has
 * reached a replica, what the task is. Every replica applies it to the same versions and reaches
 * the same answer, in whatever order the versions arrived.
 *
 * 1. A version that had seen another replaces it (causality, from the version vectors).
 * 2. Of the versions left (none had seen another), the winner is, in this order: not a delete
 *    that had not seen a recorded value another of them holds (a delete never erases what it had
 *    not seen); one that holds an outcome (a result or an error) some other had not seen; a
 *    terminal one (`success`, `failed`, `cancelled`, or a delete); the later clock; the higher
 *    replica id.
 * 3. The task shows the winner's status with the winner's outcome, so a status never stands
 *    beside another version's result. A compiled circuit keeps the value of whichever version
 *    left wrote it, unless a version that had seen that write replaced it: the winner's value
 *    when it has one, else the best-ranked version's that does.
 * 4. The versions that lost stay beside the task (its conflicts) until a version that had seen
 *    them all replaces them.
 */
import { TERMINAL_STATUSES } from "../shared/validation.ts";
import {
  FIELD_KEYS,
  RECORDED_FIELDS,
  fieldDot,
  covers,
  dotOf,
  joinVectors,
  namedFields,
  sumOf,
  type Dot,
  type Place,
  type RecordedField,
  type TaskVersion,
  type VersionColumns,
  type VersionMeta,
  type VersionVector,
} from "./version.ts";

/** What a task is, once its versions are merged. */
export interface SettledTask {
  /** Where it is: the winning version's place. */
  readonly place: Place;
  /** Its columns: the winner's, with each recorded field as rule 3 says. */
  readonly columns: VersionColumns;
  /** What its row stores as `sync_version`: all it has seen, the latest clock, each field's dot. */
  readonly version: VersionMeta;
  /** The versions none of which had seen another, in the order of their dots, when there are more than one. */
  readonly siblings: readonly TaskVersion[] | undefined;
}

const TERMINAL: ReadonlySet<string> = new Set(TERMINAL_STATUSES);

/** The recorded fields that say how a task ended, and so go with its status. */
export const OUTCOME_FIELDS = ["result_json", "error_message"] as const satisfies readonly RecordedField[];

/** Whether a version is final: a terminal status, or a delete. */
export const isTerminal = (version: TaskVersion) =>
  version.place === "deleted" || TERMINAL.has(String(version.columns.status));

/** Whether `version` holds a value of one of `fields` that `other` had not seen written. */
function holdsUnseen(version: TaskVersion, other: TaskVersion, fields: readonly RecordedField[]): boolean {
  return fields.some(
    (field) => (version.columns[field] ?? null) !== null && !covers(other.version.vv, fieldDot(version.version, field)),
  );
}

/** Orders copies of one version, or versions with the same standing: negative when `a` wins over `b`. */
export function compareRank(a: TaskVersion, b: TaskVersion): number {
  const byKind = Number(isTerminal(b)) - Number(isTerminal(a));
  if (byKind !== 0) return byKind;
  if (a.version.c !== b.version.c) return b.version.c - a.version.c;
  const [wa, wb] = [a.version.w ?? "", b.version.w ?? ""];
  if (wa !== wb) return wa < wb ? 1 : -1;
  // Only copies of one unversioned row get here; their place decides, so the order is total.
  return a.place === b.place ? 0 : a.place < b.place ? 1 : -1;
}

/**
 * Versions none of which had seen another, winner first (rule 2). A version's standing is read
 * against all the others, so every replica holding the same versions ranks them alike.
 */
export function rankConcurrent(versions: readonly TaskVersion[]): TaskVersion[] {
  const others = (version: TaskVersion) => versions.filter((other) => other !== version);
  const standing = new Map(
    versions.map((version) => [
      version,
      {
        // A delete that had not seen what another holds would erase it.
        blind: version.place === "deleted" && others(version).some((o) => holdsUnseen(o, version, RECORDED_FIELDS)),
        news: others(version).some((o) => holdsUnseen(version, o, OUTCOME_FIELDS)),
      },
    ]),
  );
  return [...versions].sort((a, b) => {
    const [sa, sb] = [standing.get(a)!, standing.get(b)!];
    if (sa.blind !== sb.blind) return sa.blind ? 1 : -1;
    if (sa.news !== sb.news) return sa.news ? -1 : 1;
    return compareRank(a, b);
  });
}

/** The versions none of the others had seen, winner first. */
export function frontierOf(versions: readonly TaskVersion[]): TaskVersion[] {
  const byDot = new Map<Dot, TaskVersion>();
  for (const version of versions) {
    const dot = dotOf(version.version);
    const held = byDot.get(dot);
    if (!held || compareRank(version, held) < 0) byDot.set(dot, version);
  }
  const distinct = [...byDot.entries()];
  return rankConcurrent(
    distinct
      .filter(
        ([dot], i) =>
          !distinct.some(([other, version], j) => j !== i && other !== dot && covers(version.version.vv, dot)),
      )
      .map(([, version]) => version),
  );
}

/** The value of a recorded field that rule 3 keeps among `frontier` (winner first), with its dot. */
function recordedValue(
  frontier: readonly TaskVersion[],
  field: RecordedField,
): { value: string | number | null; dot: Dot } {
  const dotIn = (version: TaskVersion) => fieldDot(version.version, field);
  const replaced = (version: TaskVersion) =>
    frontier.some(
      (other) => other !== version && covers(other.version.vv, dotIn(version)) && dotIn(other) !== dotIn(version),
    );
  const kept =
    frontier.find((version) => (version.columns[field] ?? null) !== null && !replaced(version)) ?? frontier[0]!;
  return { value: kept.columns[field] ?? null, dot: dotIn(kept) };
}

/**
 * Merges the versions of one task found on this replica. `vectors` are the version vectors of
 * the rows they came from, which count what those rows had seen even of versions now replaced.
 */
export function settleVersions(versions: readonly TaskVersion[], vectors: readonly VersionVector[] = []): SettledTask {
  const frontier = frontierOf(versions);
  const winner = frontier[0];
  if (!winner) throw new Error("a task with no version cannot be settled");
  const vv = joinVectors([...vectors, ...frontier.map((version) => version.version.vv)]);
  if (frontier.length === 1) {
    return {
      place: winner.place,
      columns: winner.columns,
      version: { ...winner.version, vv, s: sumOf(vv), f: namedFields(winner.version) },
      siblings: undefined,
    };
  }

  const columns: Record<string, string | number | null> = { ...winner.columns };
  const f: Record<string, Dot> = {};
  if (winner.place !== "deleted") {
    for (const field of RECORDED_FIELDS) {
      if (!(field in winner.columns)) continue;
      // The outcome goes with the winner's status; the rest keep what nobody replaced.
      const { value, dot } = (OUTCOME_FIELDS as readonly RecordedField[]).includes(field)
        ? { value: winner.columns[field] ?? null, dot: fieldDot(winner.version, field) }
        : recordedValue(frontier, field);
      columns[field] = value;
      if (dot !== "") f[FIELD_KEYS[field]] = dot;
    }
  }
  const c = Math.max(...frontier.map((version) => version.version.c));
  const siblings = [...frontier].sort((a, b) => (dotOf(a.version) < dotOf(b.version) ? -1 : 1));
  return {
    place: winner.place,
    columns,
    version: { vv, s: sumOf(vv), ...(winner.version.w ? { w: winner.version.w } : {}), c, f },
    siblings,
  };
}
