/**
 * Reads OriginIR, the language of OriginQ's backends:
 *
 *   QINIT 3 / CREG 3 / H q[0] / CNOT q[0],q[1] / RX q[2],(1.5708) / MEASURE q[0],c[0]
 *
 * with `BARRIER`, `RESET`, and `DAGGER … ENDDAGGER` and `CONTROL q[..] … ENDCONTROL` blocks.
 */
import { CircuitSyntaxError } from "../../shared/errors.ts";
import { LIMITS, gateOperation, splitArguments, type Circuit, type Operation } from "./circuit.ts";

const INDEX = /^([qc])\s*\[\s*(\d+)\s*\]$/i;

export function parseOriginIr(text: string): Circuit {
  if (text.length > LIMITS.characters)
    throw new CircuitSyntaxError(0, `the circuit is longer than ${LIMITS.characters} characters`);
  let qubits = 0;
  let clbits = 0;
  const operations: Operation[] = [];
  let dagger = 0;
  const controls: number[][] = [];

  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\/\/.*$/, "").trim();
    if (line === "") continue;
    const at = i + 1;
    const space = line.search(/\s/);
    const word = (space < 0 ? line : line.slice(0, space)).toUpperCase();
    const rest = space < 0 ? "" : line.slice(space + 1).trim();
    const register = (arg: string, kind: "q" | "c") => {
      const match = INDEX.exec(arg);
      if (!match || match[1]!.toLowerCase() !== kind)
        throw new CircuitSyntaxError(at, `expected ${kind}[n], found "${arg.slice(0, 40)}"`);
      const index = Number(match[2]);
      const size = kind === "q" ? qubits : clbits;
      if (index >= size) throw new CircuitSyntaxError(at, `${kind}[${index}] is beyond the ${size} declared`);
      return index;
    };

    if (word === "QINIT" || word === "CREG") {
      const count = Number(rest);
      const limit = word === "QINIT" ? LIMITS.qubits : LIMITS.clbits;
      if (!/^\d+$/.test(rest) || count > limit)
        throw new CircuitSyntaxError(at, `${word} takes a count up to ${limit}`);
      if (word === "QINIT") qubits = count;
      else clbits = count;
      continue;
    }
    if (word === "DAGGER") dagger++;
    else if (word === "ENDDAGGER") dagger = Math.max(0, dagger - 1);
    else if (word === "CONTROL") controls.push(splitArguments(rest).map((arg) => register(arg, "q")));
    else if (word === "ENDCONTROL") controls.pop();
    else {
      if (operations.length >= LIMITS.operations)
        throw new CircuitSyntaxError(at, `more than ${LIMITS.operations} operations`);
      const args = splitArguments(rest);
      if (word === "MEASURE") {
        if (args.length !== 2) throw new CircuitSyntaxError(at, "MEASURE takes q[n],c[m]");
        operations.push({
          name: "MEASURE",
          kind: "measure",
          targets: [register(args[0]!, "q")],
          controls: [],
          params: [],
          clbits: [register(args[1]!, "c")],
        });
        continue;
      }
      const params =
        args.length > 0 && args.at(-1)!.startsWith("(") ? splitArguments(args.pop()!.replace(/^\(|\)$/g, "")) : [];
      const wires = args.map((arg) => register(arg, "q"));
      if (word === "BARRIER") {
        operations.push({
          name: "BARRIER",
          kind: "barrier",
          targets: wires.length ? wires : [...Array(qubits).keys()],
          controls: [],
          params: [],
          clbits: [],
        });
        continue;
      }
      if (word === "RESET") {
        operations.push({ name: "RESET", kind: "reset", targets: wires, controls: [], params: [], clbits: [] });
        continue;
      }
      if (!/^[A-Z][A-Z0-9_]*$/.test(word) || wires.length === 0)
        throw new CircuitSyntaxError(at, `cannot read "${line.slice(0, 60)}"`);
      if (new Set(wires).size !== wires.length) throw new CircuitSyntaxError(at, `${word} names a qubit twice`);
      const gate = gateOperation(word, wires, params, dagger % 2 === 1);
      const outer = controls.flat();
      operations.push(outer.length ? { ...gate, controls: [...outer, ...gate.controls] } : gate);
    }
  }
  if (qubits === 0) throw new CircuitSyntaxError(0, "no QINIT: this is not OriginIR");
  return { language: "originir", qubits, clbits, operations };
}
