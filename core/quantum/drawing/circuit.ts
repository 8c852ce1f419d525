/**
 * A circuit as the drawer sees it: wires and a list of operations, whatever language it came in.
 */

export interface Operation {
  /** The gate's name as written (`H`, `cx`, `MEASURE`), shown on its box. */
  readonly name: string;
  readonly kind: "gate" | "measure" | "barrier" | "reset";
  /** The qubits the gate acts on (targets), in order. */
  readonly targets: readonly number[];
  /** Control qubits, drawn as dots on a vertical line. */
  readonly controls: readonly number[];
  /** Parameters as written (`pi/4`, `1.5708`). */
  readonly params: readonly string[];
  /** Classical bits a measurement writes. */
  readonly clbits: readonly number[];
  /** Inside `DAGGER … ENDDAGGER` (OriginIR): drawn with a dagger mark. */
  readonly dagger?: boolean;
}

export interface Circuit {
  readonly language: "originir" | "qasm";
  readonly qubits: number;
  readonly clbits: number;
  readonly operations: readonly Operation[];
}

/** Bounds that keep a hostile circuit from costing unbounded time or memory. */
export const LIMITS = Object.freeze({ characters: 1_000_000, qubits: 1024, clbits: 1024, operations: 100_000 });

/**
 * Gates drawn with control dots: the name, how many leading qubits control, and the name shown
 * on the target (`X` for a CNOT's ⊕ is drawn as a circle, see svg.ts).
 */
export const CONTROLLED: Readonly<Record<string, { controls: number; target: string }>> = {
  cnot: { controls: 1, target: "X" },
  cx: { controls: 1, target: "X" },
  cy: { controls: 1, target: "Y" },
  cz: { controls: 1, target: "Z" },
  ch: { controls: 1, target: "H" },
  cr: { controls: 1, target: "R" },
  cp: { controls: 1, target: "P" },
  cu1: { controls: 1, target: "U1" },
  cu3: { controls: 1, target: "U3" },
  crx: { controls: 1, target: "RX" },
  cry: { controls: 1, target: "RY" },
  crz: { controls: 1, target: "RZ" },
  toffoli: { controls: 2, target: "X" },
  ccx: { controls: 2, target: "X" },
  cswap: { controls: 1, target: "SWAP" },
};

/** Splits `a, b, (c, d)` at top-level commas. */
export function splitArguments(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of text) {
    if (char === "(") depth++;
    if (char === ")") depth--;
    if (char === "," && depth === 0) {
      parts.push(current.trim());
      current = "";
    } else current += char;
  }
  if (current.trim() !== "") parts.push(current.trim());
  return parts;
}

/** Builds an operation from a gate name and its qubits, placing controls for known controlled gates. */
export function gateOperation(name: string, qubits: number[], params: string[], dagger = false): Operation {
  const controlled = CONTROLLED[name.toLowerCase()];
  if (controlled && qubits.length === controlled.controls + (controlled.target === "SWAP" ? 2 : 1)) {
    return {
      name,
      kind: "gate",
      controls: qubits.slice(0, controlled.controls),
      targets: qubits.slice(controlled.controls),
      params,
      clbits: [],
      dagger,
    };
  }
  return { name, kind: "gate", controls: [], targets: qubits, params, clbits: [], dagger };
}
