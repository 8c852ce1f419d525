/**
 * The state-vector simulator against known states (Bell, GHZ, QFT, single-qubit rotations) and,
 * for random circuits, against a dense reference written here independently: each gate as a full
 * 2^n × 2^n matrix built column by column from its textbook definition, multiplied onto |0…0⟩.
 */
import { describe, expect, it } from "vitest";
import { parseCircuit } from "../../core/quantum/drawing/index.ts";
import { evaluateParameter } from "../../core/quantum/simulation/expression.ts";
import { NotSimulable, evolve, simulate } from "../../core/quantum/simulation/statevector.ts";

type C = [number, number];
const mul = (a: C, b: C): C => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
const add = (a: C, b: C): C => [a[0] + b[0], a[1] + b[1]];
const expi = (t: number): C => [Math.cos(t), Math.sin(t)];

/** Textbook single-qubit matrices, rows of [re, im]. */
function textbook(name: string, p: number[]): C[][] {
  const [t = 0, f = 0, l = 0] = p;
  const c = Math.cos(t / 2);
  const s = Math.sin(t / 2);
  const r = Math.SQRT1_2;
  switch (name) {
    case "h":
      return [
        [
          [r, 0],
          [r, 0],
        ],
        [
          [r, 0],
          [-r, 0],
        ],
      ];
    case "x":
      return [
        [
          [0, 0],
          [1, 0],
        ],
        [
          [1, 0],
          [0, 0],
        ],
      ];
    case "y":
      return [
        [
          [0, 0],
          [0, -1],
        ],
        [
          [0, 1],
          [0, 0],
        ],
      ];
    case "z":
      return [
        [
          [1, 0],
          [0, 0],
        ],
        [
          [0, 0],
          [-1, 0],
        ],
      ];
    case "s":
      return [
        [
          [1, 0],
          [0, 0],
        ],
        [
          [0, 0],
          [0, 1],
        ],
      ];
    case "t":
      return [
        [
          [1, 0],
          [0, 0],
        ],
        [[0, 0], expi(Math.PI / 4)],
      ];
    case "rx":
      return [
        [
          [c, 0],
          [0, -s],
        ],
        [
          [0, -s],
          [c, 0],
        ],
      ];
    case "ry":
      return [
        [
          [c, 0],
          [-s, 0],
        ],
        [
          [s, 0],
          [c, 0],
        ],
      ];
    case "rz":
      return [
        [expi(-t / 2), [0, 0]],
        [[0, 0], expi(t / 2)],
      ];
    case "u3":
      return [
        [[c, 0], mul(expi(l), [-s, 0])],
        [mul(expi(f), [s, 0]), mul(expi(f + l), [c, 0])],
      ];
    default:
      throw new Error(name);
  }
}

interface RefGate {
  name: string;
  params: number[];
  controls: number[];
  targets: number[];
}

/** The state after `gates` on n qubits, by full matrices. */
function reference(n: number, gates: RefGate[]): C[] {
  const size = 2 ** n;
  let state: C[] = Array.from({ length: size }, (_, i) => (i === 0 ? [1, 0] : [0, 0]));
  for (const gate of gates) {
    // Column b of the full matrix is the gate applied to basis state b.
    const full: C[][] = Array.from({ length: size }, () => Array.from({ length: size }, (): C => [0, 0]));
    for (let b = 0; b < size; b++) {
      const on = gate.controls.every((q) => (b >> q) & 1);
      if (!on) {
        full[b]![b] = [1, 0];
        continue;
      }
      if (gate.name === "swap") {
        const [a, c] = gate.targets as [number, number];
        const bitA = (b >> a) & 1;
        const bitC = (b >> c) & 1;
        const to = (b & ~(1 << a) & ~(1 << c)) | (bitC << a) | (bitA << c);
        full[to]![b] = [1, 0];
        continue;
      }
      const q = gate.targets[0]!;
      const u = textbook(gate.name, gate.params);
      const v = (b >> q) & 1;
      for (const w of [0, 1]) {
        const to = (b & ~(1 << q)) | (w << q);
        full[to]![b] = add(full[to]![b]!, u[w]![v]!);
      }
    }
    state = full.map((row) => row.reduce((sum, entry, j) => add(sum, mul(entry, state[j]!)), [0, 0] as C));
  }
  return state;
}

/** The same gates as OpenQASM 2.0. */
function qasmOf(n: number, gates: RefGate[]): string {
  const lines = gates.map((g) => {
    const qubits = [...g.controls, ...g.targets].map((q) => `q[${q}]`).join(",");
    const params = g.params.length ? `(${g.params.join(",")})` : "";
    const name =
      g.name === "swap"
        ? "swap"
        : g.controls.length === 2
          ? "ccx"
          : g.controls.length === 1
            ? { x: "cx", z: "cz", rx: "crx", u3: "cu3", h: "ch", y: "cy" }[g.name]!
            : g.name;
    return `${name}${params} ${qubits};`;
  });
  return ["OPENQASM 2.0;", 'include "qelib1.inc";', `qreg q[${n}];`, `creg c[${n}];`, ...lines].join("\n");
}

/** A seeded generator, so a failure names a circuit that can be made again. */
function random(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

describe("gate parameters", () => {
  it("reads numbers, pi, the four operations, unary signs and parentheses, and nothing else", () => {
    expect(evaluateParameter("pi/4")).toBeCloseTo(Math.PI / 4, 15);
    expect(evaluateParameter("-PI / 2")).toBeCloseTo(-Math.PI / 2, 15);
    expect(evaluateParameter("2*pi/3")).toBeCloseTo((2 * Math.PI) / 3, 15);
    expect(evaluateParameter("(pi)/2 - -1")).toBeCloseTo(Math.PI / 2 + 1, 15);
    expect(evaluateParameter("1.5708")).toBe(1.5708);
    expect(evaluateParameter("1e-3")).toBe(0.001);
    expect(evaluateParameter(".5*π")).toBeCloseTo(Math.PI / 2, 15);
    for (const bad of ["", "alpha", "pi pi", "1/", "(1", "process.exit()", "1/0", "2**3"]) {
      expect(evaluateParameter(bad), bad).toBeUndefined();
    }
  });
});

describe("the state-vector simulator", () => {
  it("gives the Bell and GHZ states their two outcomes, c[0] rightmost", () => {
    const bell = simulate(
      parseCircuit("QINIT 2\nCREG 2\nH q[0]\nCNOT q[0],q[1]\nMEASURE q[0],c[0]\nMEASURE q[1],c[1]"),
    );
    expect(bell.bits).toBe(2);
    expect(Object.keys(bell.probabilities).sort()).toEqual(["00", "11"]);
    expect(bell.probabilities["00"]).toBeCloseTo(0.5, 12);
    const ghz = simulate(
      parseCircuit(
        'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[5];\ncreg c[5];\nh q[0];\ncx q[0],q[1];\ncx q[1],q[2];\ncx q[2],q[3];\ncx q[3],q[4];\nmeasure q -> c;',
      ),
    );
    expect(ghz.probabilities).toEqual({ "00000": expect.closeTo(0.5, 12), "11111": expect.closeTo(0.5, 12) });
    const flipped = simulate(parseCircuit("QINIT 3\nCREG 2\nX q[0]\nMEASURE q[0],c[0]"));
    expect(flipped.probabilities).toEqual({ "01": 1 });
  });

  it("turns |5⟩ into the quantum Fourier transform's amplitudes, e^(2πi·5k/8)/√8", () => {
    // x = 5 = 101: q[0] and q[2] set. The textbook QFT, then the swap that puts its bits in order.
    const qft = parseCircuit(
      [
        "OPENQASM 2.0;",
        'include "qelib1.inc";',
        "qreg q[3];",
        "x q[0];",
        "x q[2];",
        "h q[2];",
        "cp(pi/2) q[1],q[2];",
        "cp(pi/4) q[0],q[2];",
        "h q[1];",
        "cp(pi/2) q[0],q[1];",
        "h q[0];",
        "swap q[0],q[2];",
      ].join("\n"),
    );
    const { re, im } = evolve(qft);
    for (let k = 0; k < 8; k++) {
      const [cr, ci] = expi((2 * Math.PI * 5 * k) / 8);
      expect(re[k]).toBeCloseTo(cr / Math.sqrt(8), 12);
      expect(im[k]).toBeCloseTo(ci / Math.sqrt(8), 12);
    }
  });

  it("rotates one qubit as the textbook matrices do, and undoes a dagger block", () => {
    const ry = evolve(parseCircuit("QINIT 1\nRY q[0],(pi/3)"));
    expect([ry.re[0], ry.re[1]]).toEqual([expect.closeTo(Math.cos(Math.PI / 6), 12), expect.closeTo(0.5, 12)]);
    const hByU3 = evolve(parseCircuit("OPENQASM 2.0;\nqreg q[1];\nu3(pi/2,0,pi) q[0];"));
    expect([hByU3.re[0], hByU3.re[1]]).toEqual([expect.closeTo(Math.SQRT1_2, 12), expect.closeTo(Math.SQRT1_2, 12)]);
    const undone = simulate(
      parseCircuit(
        "QINIT 1\nCREG 1\nH q[0]\nS q[0]\nT q[0]\nDAGGER\nS q[0]\nT q[0]\nENDDAGGER\nH q[0]\nMEASURE q[0],c[0]",
      ),
    );
    expect(undone.probabilities["0"]).toBeCloseTo(1, 12);
  });

  it("matches the dense reference on 200 random circuits of up to four qubits", () => {
    const next = random(20261203);
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
    for (let round = 0; round < 200; round++) {
      const n = 1 + Math.floor(next() * 4);
      const gates: RefGate[] = [];
      for (let g = 0; g < 12; g++) {
        const qubits = [...Array(n).keys()].sort(() => next() - 0.5);
        const kind = pick(
          n >= 3 ? ["one", "one", "controlled", "swap", "toffoli"] : n === 2 ? ["one", "controlled", "swap"] : ["one"],
        );
        const angle = () => Math.round((next() * 4 - 2) * 1000) / 1000;
        if (kind === "one") {
          const name = pick(["h", "x", "y", "z", "s", "t", "rx", "ry", "rz", "u3"]);
          const params = ["rx", "ry", "rz"].includes(name)
            ? [angle()]
            : name === "u3"
              ? [angle(), angle(), angle()]
              : [];
          gates.push({ name, params, controls: [], targets: [qubits[0]!] });
        } else if (kind === "controlled") {
          const name = pick(["x", "z", "rx", "u3", "h", "y"]);
          const params = name === "rx" ? [angle()] : name === "u3" ? [angle(), angle(), angle()] : [];
          gates.push({ name, params, controls: [qubits[0]!], targets: [qubits[1]!] });
        } else if (kind === "swap")
          gates.push({ name: "swap", params: [], controls: [], targets: [qubits[0]!, qubits[1]!] });
        else gates.push({ name: "x", params: [], controls: [qubits[0]!, qubits[1]!], targets: [qubits[2]!] });
      }
      const text = qasmOf(n, gates);
      const expected = reference(n, gates);
      const { re, im } = evolve(parseCircuit(text));
      for (let i = 0; i < 2 ** n; i++) {
        expect(re[i], `${text}\namplitude ${i}`).toBeCloseTo(expected[i]![0], 10);
        expect(im[i], `${text}\namplitude ${i}`).toBeCloseTo(expected[i]![1], 10);
      }
    }
  });

  it("says why it cannot simulate a circuit: too wide, an unknown gate, a reset, a gate after measuring, a parameter it cannot read", () => {
    const refusals: [string, RegExp][] = [
      ["QINIT 17\nH q[0]", /17 qubits; this simulator takes at most 16/],
      ["QINIT 2\nFOO q[0]", /FOO is not one this simulator knows/],
      ["QINIT 1\nRESET q[0]", /resets a qubit/],
      ["QINIT 1\nCREG 1\nMEASURE q[0],c[0]\nH q[0]", /after measuring it/],
      ["QINIT 1\nRX q[0],(alpha)", /"alpha" of RX is not a number/],
      ["QINIT 1\nRX q[0]", /RX takes 1 parameter/],
    ];
    for (const [text, reason] of refusals) {
      expect(() => simulate(parseCircuit(text)), text).toThrow(NotSimulable);
      expect(() => simulate(parseCircuit(text)), text).toThrow(reason);
    }
  });
});
