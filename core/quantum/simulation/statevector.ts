/**
 * The ideal outcome distribution of a circuit, by evolving its state vector: 2^n complex
 * amplitudes, qubit k being bit k of an amplitude's index. Small on purpose: a circuit of at most
 * {@link MAX_QUBITS} qubits, of gates whose matrices are known, measured at its end.
 */
import type { Circuit, Operation } from "../drawing/circuit.ts";
import { CONTROLLED } from "../drawing/circuit.ts";
import { evaluateParameter } from "./expression.ts";

export const MAX_QUBITS = 16;

/** Amplitude updates one simulation may make (gates × 2^qubits): well under a second anywhere. */
const MAX_WORK = 50_000_000;

/** Why a circuit cannot be simulated here; the analysis says it to the person. */
export class NotSimulable extends Error {}

/** A 2×2 complex matrix, row by row: [re, im] of u00, u01, u10, u11. */
type Matrix = readonly [number, number, number, number, number, number, number, number];

const SQRT1_2 = Math.SQRT1_2;

const phase = (angle: number): Matrix => [1, 0, 0, 0, 0, 0, Math.cos(angle), Math.sin(angle)];

function u3(theta: number, phi: number, lambda: number): Matrix {
  const c = Math.cos(theta / 2);
  const s = Math.sin(theta / 2);
  return [
    c,
    0,
    -Math.cos(lambda) * s,
    -Math.sin(lambda) * s,
    Math.cos(phi) * s,
    Math.sin(phi) * s,
    Math.cos(phi + lambda) * c,
    Math.sin(phi + lambda) * c,
  ];
}

/** Single-qubit gates by name (lower case), from their parameters. */
const GATES: Readonly<Record<string, { params: number; matrix: (p: number[]) => Matrix }>> = {
  i: { params: 0, matrix: () => [1, 0, 0, 0, 0, 0, 1, 0] },
  id: { params: 0, matrix: () => [1, 0, 0, 0, 0, 0, 1, 0] },
  h: { params: 0, matrix: () => [SQRT1_2, 0, SQRT1_2, 0, SQRT1_2, 0, -SQRT1_2, 0] },
  x: { params: 0, matrix: () => [0, 0, 1, 0, 1, 0, 0, 0] },
  y: { params: 0, matrix: () => [0, 0, 0, -1, 0, 1, 0, 0] },
  z: { params: 0, matrix: () => [1, 0, 0, 0, 0, 0, -1, 0] },
  s: { params: 0, matrix: () => phase(Math.PI / 2) },
  sdg: { params: 0, matrix: () => phase(-Math.PI / 2) },
  t: { params: 0, matrix: () => phase(Math.PI / 4) },
  tdg: { params: 0, matrix: () => phase(-Math.PI / 4) },
  sx: { params: 0, matrix: () => [0.5, 0.5, 0.5, -0.5, 0.5, -0.5, 0.5, 0.5] },
  sxdg: { params: 0, matrix: () => [0.5, -0.5, 0.5, 0.5, 0.5, 0.5, 0.5, -0.5] },
  x1: { params: 0, matrix: () => u3(Math.PI / 2, -Math.PI / 2, Math.PI / 2) },
  y1: { params: 0, matrix: () => u3(Math.PI / 2, 0, 0) },
  z1: { params: 0, matrix: () => phase(Math.PI / 2) },
  rx: { params: 1, matrix: ([t]) => u3(t!, -Math.PI / 2, Math.PI / 2) },
  ry: { params: 1, matrix: ([t]) => u3(t!, 0, 0) },
  rz: {
    params: 1,
    matrix: ([t]) => [Math.cos(t! / 2), -Math.sin(t! / 2), 0, 0, 0, 0, Math.cos(t! / 2), Math.sin(t! / 2)],
  },
  p: { params: 1, matrix: ([l]) => phase(l!) },
  phase: { params: 1, matrix: ([l]) => phase(l!) },
  u1: { params: 1, matrix: ([l]) => phase(l!) },
  r: { params: 1, matrix: ([l]) => phase(l!) },
  u2: { params: 2, matrix: ([p, l]) => u3(Math.PI / 2, p!, l!) },
  u3: { params: 3, matrix: ([t, p, l]) => u3(t!, p!, l!) },
  u: { params: 3, matrix: ([t, p, l]) => u3(t!, p!, l!) },
};

/** Names of the same gate: OriginIR's and OpenQASM's. */
const ALIASES: Readonly<Record<string, string>> = { cnot: "cx", "s.dag": "sdg", "t.dag": "tdg" };

/** The conjugate transpose. */
function dagger(m: Matrix): Matrix {
  return [m[0], -m[1], m[4], -m[5], m[2], -m[3], m[6], -m[7]];
}

class State {
  readonly re: Float64Array;
  readonly im: Float64Array;
  constructor(qubits: number) {
    this.re = new Float64Array(2 ** qubits);
    this.im = new Float64Array(2 ** qubits);
    this.re[0] = 1;
  }

  /** Applies `m` to `target` where every qubit of `controls` is 1. */
  apply(m: Matrix, target: number, controls: readonly number[]): void {
    const bit = 1 << target;
    const mask = controls.reduce((all, q) => all | (1 << q), 0);
    const { re, im } = this;
    for (let i = 0; i < re.length; i++) {
      if (i & bit || (i & mask) !== mask) continue;
      const j = i | bit;
      const ar = re[i]!;
      const ai = im[i]!;
      const br = re[j]!;
      const bi = im[j]!;
      re[i] = m[0] * ar - m[1] * ai + m[2] * br - m[3] * bi;
      im[i] = m[0] * ai + m[1] * ar + m[2] * bi + m[3] * br;
      re[j] = m[4] * ar - m[5] * ai + m[6] * br - m[7] * bi;
      im[j] = m[4] * ai + m[5] * ar + m[6] * bi + m[7] * br;
    }
  }

  /** Exchanges qubits `a` and `b` where every control is 1; with `iSwap`, the exchanged amplitudes gain a factor i (or -i, inverted). */
  swap(a: number, b: number, controls: readonly number[], iSwap = 0): void {
    const mask = controls.reduce((all, q) => all | (1 << q), 0);
    const { re, im } = this;
    for (let i = 0; i < re.length; i++) {
      // Each pair once: from the index with a set and b clear.
      if (!(i & (1 << a)) || i & (1 << b) || (i & mask) !== mask) continue;
      const j = (i & ~(1 << a)) | (1 << b);
      const [ir, ii, jr, ji] = [re[i]!, im[i]!, re[j]!, im[j]!];
      // Multiplying by i·s turns (r, m) into (-s·m, s·r).
      re[i] = iSwap ? -iSwap * ji : jr;
      im[i] = iSwap ? iSwap * jr : ji;
      re[j] = iSwap ? -iSwap * ii : ir;
      im[j] = iSwap ? iSwap * ir : ii;
    }
  }
}

function parametersOf(operation: Operation, expected: number): number[] {
  if (operation.params.length !== expected)
    throw new NotSimulable(
      `${operation.name} takes ${expected} parameter(s), the circuit gives ${operation.params.length}`,
    );
  return operation.params.map((text) => {
    const value = evaluateParameter(text);
    if (value === undefined)
      throw new NotSimulable(`the parameter "${text.slice(0, 40)}" of ${operation.name} is not a number`);
    return value;
  });
}

/** Applies one gate, inverted when it stands inside a dagger block. */
function applyGate(state: State, operation: Operation): void {
  let name = operation.name.toLowerCase();
  name = ALIASES[name] ?? name;
  const controls = operation.controls;
  const controlled = CONTROLLED[name];
  // A known controlled gate stands for its target gate under its controls.
  if (controlled) name = controlled.target.toLowerCase();
  if (controlled && controls.length === 0) throw new NotSimulable(`${operation.name} is missing its control qubits`);
  if (name === "swap" || name === "iswap") {
    const [a, b] = operation.targets;
    if (operation.targets.length !== 2) throw new NotSimulable(`${operation.name} acts on two qubits`);
    state.swap(a!, b!, controls, name === "iswap" ? (operation.dagger ? -1 : 1) : 0);
    return;
  }
  const gate = GATES[name];
  if (!gate) throw new NotSimulable(`the gate ${operation.name} is not one this simulator knows`);
  if (operation.targets.length !== 1)
    throw new NotSimulable(`${operation.name} on ${operation.targets.length} qubits is not one this simulator knows`);
  const matrix = gate.matrix(parametersOf(operation, gate.params));
  state.apply(operation.dagger ? dagger(matrix) : matrix, operation.targets[0]!, controls);
}

/**
 * Gates in the order they act: inside a dagger block (OriginIR's `DAGGER … ENDDAGGER`), the gates
 * run backwards, each inverted.
 */
function inActingOrder(operations: readonly Operation[]): Operation[] {
  const ordered: Operation[] = [];
  let block: Operation[] = [];
  for (const operation of operations) {
    if (operation.dagger) block.push(operation);
    else {
      ordered.push(...block.reverse(), operation);
      block = [];
    }
  }
  return [...ordered, ...block.reverse()];
}

/** The ideal distribution of a circuit's measured bits, `c[0]` rightmost, as probabilities. */
export interface IdealDistribution {
  /** Outcome → probability, for every outcome above 1e-12. */
  probabilities: Record<string, number>;
  /** How many classical bits an outcome has. */
  bits: number;
}

/** The final state, before measurement: amplitudes by index, and which classical bit each measured qubit is read into. */
export function evolve(circuit: Circuit): { re: Float64Array; im: Float64Array; measured: Map<number, number> } {
  if (circuit.qubits > MAX_QUBITS)
    throw new NotSimulable(`the circuit has ${circuit.qubits} qubits; this simulator takes at most ${MAX_QUBITS}`);
  const gates = circuit.operations.filter((operation) => operation.kind === "gate");
  if (gates.length * 2 ** circuit.qubits > MAX_WORK)
    throw new NotSimulable(
      `the circuit has ${gates.length} gates on ${circuit.qubits} qubits: too much to simulate here`,
    );
  const state = new State(circuit.qubits);
  // Which classical bit each qubit is read into; a qubit measured twice keeps its last.
  const measured = new Map<number, number>();
  for (const operation of inActingOrder(circuit.operations)) {
    if (operation.kind === "barrier") continue;
    if (operation.kind === "reset") throw new NotSimulable("the circuit resets a qubit, which is not a unitary step");
    if (operation.kind === "measure") {
      measured.set(operation.targets[0]!, operation.clbits[0]!);
      continue;
    }
    const touched = [...operation.targets, ...operation.controls];
    if (touched.some((q) => measured.has(q)))
      throw new NotSimulable("the circuit acts on a qubit after measuring it, which an ideal distribution cannot show");
    applyGate(state, operation);
  }
  // A circuit that measures nothing is read whole, qubit k into bit k.
  if (measured.size === 0) for (let q = 0; q < circuit.qubits; q++) measured.set(q, q);
  return { re: state.re, im: state.im, measured };
}

export function simulate(circuit: Circuit): IdealDistribution {
  const state = evolve(circuit);
  const { measured } = state;
  const bits = Math.max(circuit.clbits, ...[...measured.values()].map((c) => c + 1));
  const probabilities: Record<string, number> = {};
  for (let i = 0; i < state.re.length; i++) {
    const p = state.re[i]! ** 2 + state.im[i]! ** 2;
    if (p < 1e-12) continue;
    const outcome = Array<string>(bits).fill("0");
    for (const [qubit, clbit] of measured) if (i & (1 << qubit)) outcome[bits - 1 - clbit] = "1";
    const key = outcome.join("");
    probabilities[key] = (probabilities[key] ?? 0) + p;
  }
  return { probabilities, bits };
}
