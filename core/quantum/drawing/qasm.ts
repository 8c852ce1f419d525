/**
 * Reads OpenQASM 2.0: `qreg`/`creg` declarations (several registers are laid out one after the
 * other), gate applications with parameters, `measure a -> b`, `barrier`, `reset`. Gate
 * definitions (`gate name … { … }`) are skipped: a defined gate is drawn as one labelled box.
 * An operation on a whole register applies to each of its bits, as the language says.
 */
import { CircuitSyntaxError } from "../../shared/errors.ts";
import { LIMITS, gateOperation, splitArguments, type Circuit, type Operation } from "./circuit.ts";

interface Register {
  readonly offset: number;
  readonly size: number;
}

export function parseQasm(text: string): Circuit {
  if (text.length > LIMITS.characters)
    throw new CircuitSyntaxError(0, `the circuit is longer than ${LIMITS.characters} characters`);
  // Statements end at `;`; keep each one's line number for errors.
  const source = text.replace(/\/\/[^\n]*/g, "");
  if (!/^\s*OPENQASM\s+2(\.\d+)?\s*;/.test(source))
    throw new CircuitSyntaxError(1, "expected OPENQASM 2.0; at the start");
  const qregs = new Map<string, Register>();
  const cregs = new Map<string, Register>();
  let qubits = 0;
  let clbits = 0;
  const operations: Operation[] = [];

  let line = 1;
  let position = 0;
  const next = (): { statement: string; at: number } | undefined => {
    while (position < source.length) {
      const end = source.indexOf(";", position);
      const brace = source.indexOf("{", position);
      // A gate definition's body is skipped whole.
      if (brace >= 0 && (end < 0 || brace < end) && /^\s*(gate|opaque)\b/.test(source.slice(position, brace))) {
        const close = source.indexOf("}", brace);
        if (close < 0) throw new CircuitSyntaxError(line, "a gate definition is not closed");
        line += countLines(source, position, close + 1);
        position = close + 1;
        continue;
      }
      if (end < 0) {
        if (source.slice(position).trim() !== "") throw new CircuitSyntaxError(line, "a statement does not end with ;");
        position = source.length;
        return undefined;
      }
      const raw = source.slice(position, end);
      const at = line + countLines(source, position, position + raw.length - raw.trimStart().length);
      line += countLines(source, position, end + 1);
      position = end + 1;
      const statement = raw.trim();
      if (statement !== "") return { statement, at };
    }
    return undefined;
  };

  const bits = (arg: string, registers: Map<string, Register>, at: number): number[] => {
    const match = /^([A-Za-z_]\w*)\s*(?:\[\s*(\d+)\s*\])?$/.exec(arg.trim());
    const register = match && registers.get(match[1]!);
    if (!match || !register) throw new CircuitSyntaxError(at, `unknown register in "${arg.slice(0, 40)}"`);
    if (match[2] === undefined) return Array.from({ length: register.size }, (_, i) => register.offset + i);
    const index = Number(match[2]);
    if (index >= register.size)
      throw new CircuitSyntaxError(at, `${match[1]}[${index}] is beyond its ${register.size} bits`);
    return [register.offset + index];
  };

  for (let item = next(); item; item = next()) {
    const { statement, at } = item;
    if (/^OPENQASM\b/i.test(statement) || /^include\b/.test(statement)) continue;
    const declaration = /^(qreg|creg)\s+([A-Za-z_]\w*)\s*\[\s*(\d+)\s*\]$/.exec(statement);
    if (declaration) {
      const [, kind, name, sizeText] = declaration;
      const size = Number(sizeText);
      if (kind === "qreg") {
        if (qubits + size > LIMITS.qubits) throw new CircuitSyntaxError(at, `more than ${LIMITS.qubits} qubits`);
        qregs.set(name!, { offset: qubits, size });
        qubits += size;
      } else {
        if (clbits + size > LIMITS.clbits)
          throw new CircuitSyntaxError(at, `more than ${LIMITS.clbits} classical bits`);
        cregs.set(name!, { offset: clbits, size });
        clbits += size;
      }
      continue;
    }
    if (operations.length >= LIMITS.operations)
      throw new CircuitSyntaxError(at, `more than ${LIMITS.operations} operations`);
    const measure = /^measure\s+(.+?)\s*->\s*(.+)$/.exec(statement);
    if (measure) {
      const from = bits(measure[1]!, qregs, at);
      const to = bits(measure[2]!, cregs, at);
      if (from.length !== to.length) throw new CircuitSyntaxError(at, "measure needs as many classical bits as qubits");
      for (const [i, qubit] of from.entries()) {
        operations.push({
          name: "measure",
          kind: "measure",
          targets: [qubit],
          controls: [],
          params: [],
          clbits: [to[i]!],
        });
      }
      continue;
    }
    const application = /^([A-Za-z_]\w*)\s*(?:\(([^)]*)\))?\s*(.*)$/.exec(statement);
    if (!application || application[3]!.trim() === "")
      throw new CircuitSyntaxError(at, `cannot read "${statement.slice(0, 60)}"`);
    const [, name, paramText, argText] = application;
    const args = splitArguments(argText!).map((arg) => bits(arg, qregs, at));
    if (name === "barrier") {
      operations.push({ name, kind: "barrier", targets: args.flat(), controls: [], params: [], clbits: [] });
      continue;
    }
    const params = paramText === undefined ? [] : splitArguments(paramText);
    // A whole register in a gate's arguments repeats the gate over its bits.
    const width = Math.max(...args.map((arg) => arg.length));
    for (let i = 0; i < width; i++) {
      if (operations.length >= LIMITS.operations)
        throw new CircuitSyntaxError(at, `more than ${LIMITS.operations} operations`);
      const wires = args.map((arg) => (arg.length === 1 ? arg[0]! : arg[i]!));
      if (new Set(wires).size !== wires.length) throw new CircuitSyntaxError(at, `${name} names a qubit twice`);
      if (name === "reset")
        operations.push({ name, kind: "reset", targets: wires, controls: [], params: [], clbits: [] });
      else operations.push(gateOperation(name!, wires, params));
    }
  }
  if (qubits === 0) throw new CircuitSyntaxError(0, "no qreg is declared");
  return { language: "qasm", qubits, clbits, operations };
}

function countLines(text: string, from: number, to: number): number {
  let lines = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 10) lines++;
  return lines;
}
