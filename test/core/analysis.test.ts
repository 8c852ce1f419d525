/** A task's ideal and measured distributions, their distance, and several tasks compared: through the library on a real file. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openLocalFile } from "../../adapters/local-file.ts";
import {
  InvalidInputError,
  NotFoundError,
  createTaskCache,
  hellingerFidelity,
  totalVariation,
  type TaskCache,
} from "../../core/index.ts";
import { tempDir } from "../contract/fixtures.ts";

const BELL = "QINIT 2\nCREG 2\nH q[0]\nCNOT q[0],q[1]\nMEASURE q[0],c[0]\nMEASURE q[1],c[1]";

let temp: ReturnType<typeof tempDir>;
let cache: TaskCache;
beforeEach(async () => {
  temp = tempDir("uniqc-analysis-");
  cache = await createTaskCache(await openLocalFile(temp.file("tasks.sqlite")));
});
afterEach(async () => {
  await cache.close();
  temp.remove();
});

describe("distances", () => {
  it("are 0 and 1 for the same distribution, 1 and 0 for disjoint ones, and read narrower ones on their shared bits", () => {
    expect(totalVariation({ "00": 0.5, "11": 0.5 }, { "11": 0.5, "00": 0.5 })).toBe(0);
    expect(hellingerFidelity({ "00": 0.5, "11": 0.5 }, { "00": 0.5, "11": 0.5 })).toBeCloseTo(1, 12);
    expect(totalVariation({ "0": 1 }, { "1": 1 })).toBe(1);
    expect(hellingerFidelity({ "0": 1 }, { "1": 1 })).toBe(0);
    expect(totalVariation({ "00": 0.5, "11": 0.5 }, { "00": 0.25, "01": 0.25, "10": 0.25, "11": 0.25 })).toBeCloseTo(
      0.5,
      12,
    );
    // Three bits against two: the leftmost is summed away.
    expect(totalVariation({ "100": 0.5, "011": 0.5 }, { "00": 0.5, "11": 0.5 })).toBe(0);
  });
});

describe("analyse", () => {
  it("puts a Bell task's measured counts beside the ideal, with their distance and fidelity", async () => {
    await cache.save({
      task_id: "bell",
      backend: "originq:WK_C180",
      status: "success",
      metadata: { circuit_ir: BELL },
      result: { counts: { "00": 480, "11": 470, "01": 30, "10": 20 } },
    });
    const analysis = await cache.analyse("bell");
    expect(analysis.circuit).toEqual({ format: "source", language: "originir", qubits: 2 });
    expect(analysis.not_simulated).toBeNull();
    expect(analysis.ideal).toEqual({ "00": expect.closeTo(0.5, 12), "11": expect.closeTo(0.5, 12) });
    expect(analysis.measured).toEqual({ "00": 0.48, "11": 0.47, "01": 0.03, "10": 0.02 });
    expect(analysis.shots).toBe(1000);
    // ½ (|0.5−0.48| + |0.5−0.47| + 0.03 + 0.02) = 0.05
    expect(analysis.tvd).toBeCloseTo(0.05, 12);
    expect(analysis.hellinger_fidelity).toBeCloseTo((Math.sqrt(0.5 * 0.48) + Math.sqrt(0.5 * 0.47)) ** 2, 12);
  });

  it("falls back to the compiled circuit, reads hexadecimal outcomes, and says why when nothing can be simulated", async () => {
    await cache.save({
      task_id: "qasm",
      backend: "ibm:ibm_kyiv",
      status: "success",
      metadata: { circuit_ir: "QINIT 2\nMYSTERY q[0]" },
      compiled_circuit: {
        qasm: 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\nx q[1];\nmeasure q -> c;',
      },
      result: { counts: { "0x2": 99, "0x0": 1 } },
    });
    const compiled = await cache.analyse("qasm");
    expect(compiled.circuit?.format).toBe("compiled");
    expect(compiled.ideal).toEqual({ "10": 1 });
    expect(compiled.measured).toEqual({ "10": 0.99, "00": 0.01 });
    expect(compiled.tvd).toBeCloseTo(0.01, 12);
    await cache.save({
      task_id: "wide",
      backend: "b",
      status: "running",
      metadata: { circuit_ir: "QINIT 20\nH q[0]" },
    });
    const wide = await cache.analyse("wide");
    expect(wide.ideal).toBeNull();
    expect(wide.not_simulated).toMatch(/20 qubits; this simulator takes at most 16/);
    expect([wide.measured, wide.tvd, wide.hellinger_fidelity]).toEqual([null, null, null]);
    await cache.save({ task_id: "bare", backend: "b", status: "pending" });
    expect((await cache.analyse("bare")).not_simulated).toBe("the task records no circuit");
    await cache.archive("bare");
    expect((await cache.analyse("bare")).task_id).toBe("bare");
    await expect(cache.analyse("nope")).rejects.toThrow(NotFoundError);
  });
});

describe("compare", () => {
  it("lays two to six tasks' outcomes side by side, with the distance of every pair", async () => {
    const runs = { a: { "00": 50, "11": 50 }, b: { "00": 40, "11": 40, "01": 20 }, c: undefined };
    for (const [id, counts] of Object.entries(runs)) {
      await cache.save({
        task_id: id,
        backend: `backend-${id}`,
        status: "success",
        ...(counts ? { result: { counts } } : {}),
      });
    }
    const comparison = await cache.compare(["a", "b", "c"]);
    expect(comparison.outcomes).toEqual(["00", "01", "11"]);
    expect(comparison.tasks.map((t) => [t.task_id, t.shots])).toEqual([
      ["a", 100],
      ["b", 100],
      ["c", null],
    ]);
    expect(comparison.tvd[0]![1]).toBeCloseTo(0.2, 12);
    expect(comparison.tvd[1]![0]).toBeCloseTo(0.2, 12);
    expect(comparison.tvd[0]![0]).toBe(0);
    expect(comparison.tvd[2]).toEqual([null, null, null]);
    await expect(cache.compare(["a"])).rejects.toThrow(InvalidInputError);
    // Hexadecimal outcomes are bit strings of one width, with or without a circuit to say it.
    await cache.save({ task_id: "hex", backend: "b", status: "success", result: { counts: { "0x0": 50, "0x3": 50 } } });
    expect((await cache.analyse("hex")).measured).toEqual({ "00": 0.5, "11": 0.5 });
    const mixed = await cache.compare(["a", "hex"]);
    expect(mixed.outcomes).toEqual(["00", "11"]);
    expect(mixed.tvd[0]![1]).toBe(0);
    await expect(cache.compare(["a", "b", "c", "a", "b", "c", "a"])).rejects.toThrow(InvalidInputError);
    await expect(cache.compare(["a", "zz"])).rejects.toThrow(NotFoundError);
  });
});
