/**
 * The merge rule as a function of versions (core/history/rule.ts), case by case, without a
 * replica: which versions stay, which wins, and which recorded value is kept.
 */
import { describe, expect, it } from "vitest";
import { settleVersions } from "../../../core/history/rule.ts";
import { UNVERSIONED, type Place, type TaskVersion, type VersionVector } from "../../../core/history/version.ts";

/** A version written by `w` with vector `vv`, clock `c`, and recorded-field dots `f`. */
function version(
  w: string,
  vv: VersionVector,
  c: number,
  columns: Record<string, string | number | null>,
  f: Record<string, string> = {},
  place: Place = "tasks",
): TaskVersion {
  const s = Object.values(vv).reduce((a, b) => a + b, 0);
  return { place, columns: { status: "running", result_json: null, ...columns }, version: { vv, s, w, c, f } };
}

describe("the merge rule over versions", () => {
  it("a version that had seen another replaces it, whatever the clocks", () => {
    const first = version("a", { a: 1 }, 9_000, { status: "success", result_json: "1" }, { r: "a:1" });
    const later = version("b", { a: 1, b: 1 }, 1_000, { status: "running", result_json: null }, { r: "b:1" });
    const settled = settleVersions([first, later]);
    expect(settled.siblings).toBeUndefined();
    expect(settled.columns).toMatchObject({ status: "running", result_json: null });
    expect(settled.version.vv).toEqual({ a: 1, b: 1 });
  });

  it("of concurrent versions a terminal one wins, then the later clock, then the higher replica id", () => {
    const base = { a: 1 };
    const running = version("b", { ...base, b: 1 }, 5_000, { status: "running" });
    const failed = version("c", { ...base, c: 1 }, 1_000, { status: "failed" });
    expect(settleVersions([running, failed]).columns.status).toBe("failed");
    const early = version("b", { ...base, b: 1 }, 1_000, { status: "success", metadata_json: "early" });
    const late = version("c", { ...base, c: 1 }, 2_000, { status: "success", metadata_json: "late" });
    expect(settleVersions([early, late]).columns.metadata_json).toBe("late");
    const tieB = version("b", { ...base, b: 1 }, 1_000, { status: "success", metadata_json: "b" });
    const tieC = version("c", { ...base, c: 1 }, 1_000, { status: "success", metadata_json: "c" });
    expect(settleVersions([tieC, tieB]).columns.metadata_json).toBe("c");
    expect(settleVersions([tieB, tieC]).siblings?.length).toBe(2);
  });

  it("a delete is terminal: it beats a concurrent running save, not a later finished one", () => {
    const gone = version("a", { a: 2 }, 2_000, {}, {}, "deleted");
    expect(settleVersions([gone, version("b", { a: 1, b: 1 }, 3_000, { status: "running" })]).place).toBe("deleted");
    expect(settleVersions([gone, version("b", { a: 1, b: 1 }, 3_000, { status: "success" })]).place).toBe("tasks");
  });

  it("a version holding a result the others had not seen wins, and the task shows its status with it", () => {
    const withResult = version("b", { a: 1, b: 1 }, 1_000, { status: "success", result_json: "counts" }, { r: "b:1" });
    const without = version("c", { a: 1, c: 1 }, 2_000, { status: "failed", metadata_json: "note" });
    const settled = settleVersions([withResult, without]);
    expect(settled.columns).toMatchObject({ status: "success", result_json: "counts" });
    expect(settled.version.f).toEqual({ r: "b:1" });
    expect(settled.siblings?.length).toBe(2);
    // Two results neither had seen: the later clock wins, and brings its own result, not the other's.
    const other = version("c", { a: 1, c: 1 }, 2_000, { status: "failed", result_json: "partial" }, { r: "c:1" });
    expect(settleVersions([withResult, other]).columns).toMatchObject({ status: "failed", result_json: "partial" });
    // A failure that carries no result never shows another version's counts.
    const archivedFailed = version("c", { a: 1, c: 1 }, 9_000, { status: "failed" }, {}, "archived_tasks");
    const moved = settleVersions([archivedFailed, withResult]);
    expect([moved.place, moved.columns.status, moved.columns.result_json]).toEqual(["tasks", "success", "counts"]);
  });

  it("a delete that had not seen a recorded value leaves the task with it; one that had seen it deletes it", () => {
    const result = version("b", { a: 1, b: 1 }, 1_000, { status: "success", result_json: "counts" }, { r: "b:1" });
    const blind = version("c", { a: 1, c: 1 }, 60_000, {}, {}, "deleted");
    const kept = settleVersions([blind, result]);
    expect([kept.place, kept.columns.result_json]).toEqual(["tasks", "counts"]);
    const circuit = version("b", { a: 1, b: 1 }, 1_000, { compiled_circuit_json: "qasm" }, { x: "b:1" });
    expect(settleVersions([blind, circuit]).place).toBe("tasks");
    // The delete had seen b's result; d's concurrent save only carries it along.
    const seeing = version("c", { a: 1, b: 1, c: 1 }, 60_000, {}, {}, "deleted");
    const carried = version(
      "d",
      { a: 1, b: 1, d: 1 },
      2_000,
      { status: "running", result_json: "counts" },
      { r: "b:1" },
    );
    expect(settleVersions([seeing, carried]).place).toBe("deleted");
  });

  it("keeps a compiled circuit that no version which had seen it replaced", () => {
    const withCircuit = version(
      "b",
      { a: 1, b: 1 },
      1_000,
      { status: "success", compiled_circuit_json: "qasm" },
      { x: "b:1" },
    );
    const without = version("c", { a: 1, c: 1 }, 2_000, {
      status: "success",
      metadata_json: "note",
      compiled_circuit_json: null,
    });
    const settled = settleVersions([withCircuit, without]);
    expect(settled.columns).toMatchObject({ metadata_json: "note", compiled_circuit_json: "qasm" });
    expect(settled.version.f).toEqual({ x: "b:1" });
    // c had seen b's result and cleared it; d, concurrent with c, never wrote one: the clear stands.
    const cleared = version("c", { a: 1, b: 1, c: 1 }, 3_000, { status: "success", result_json: null }, { r: "c:1" });
    const other = version("d", { a: 1, b: 1, d: 1 }, 2_500, { status: "success", result_json: "counts" }, { r: "b:1" });
    expect(settleVersions([cleared, other]).columns.result_json).toBeNull();
  });

  it("the same version twice, or a row from before versions, changes nothing", () => {
    const one = version("a", { a: 1 }, 1_000, { status: "success" });
    expect(settleVersions([one, one]).siblings).toBeUndefined();
    const legacy: TaskVersion = { place: "tasks", columns: { status: "pending" }, version: UNVERSIONED };
    expect(settleVersions([legacy, one]).columns.status).toBe("success");
  });

  it("gives the same answer in any order", () => {
    const versions = [
      version("a", { a: 2 }, 4_000, { status: "pending" }),
      version("b", { a: 1, b: 1 }, 3_000, { status: "cancelled", result_json: "x" }, { r: "b:1" }),
      version("c", { a: 1, c: 1 }, 5_000, { status: "running" }, {}, "archived_tasks"),
    ];
    const answers = [versions, [...versions].reverse(), [versions[1]!, versions[2]!, versions[0]!]].map((order) =>
      JSON.stringify(settleVersions(order)),
    );
    expect(new Set(answers).size).toBe(1);
  });
});
