/**
 * Circuit drawing, with no DOM: read OriginIR or OpenQASM 2.0 text, draw it as SVG.
 */
import { CircuitSyntaxError } from "../../shared/errors.ts";
import type { Circuit } from "./circuit.ts";
import { parseOriginIr } from "./originir.ts";
import { parseQasm } from "./qasm.ts";
import { circuitSvg } from "./svg.ts";

export { LIMITS, type Circuit, type Operation } from "./circuit.ts";
export { circuitSvg } from "./svg.ts";
export { histogramSvg, outcomesOf } from "./histogram.ts";

/** Reads a circuit, telling the language from its first statement. */
export function parseCircuit(text: string): Circuit {
  if (/^\s*(\/\/[^\n]*\n\s*)*OPENQASM\b/i.test(text)) return parseQasm(text);
  if (/^\s*(\/\/[^\n]*\n\s*)*QINIT\b/i.test(text)) return parseOriginIr(text);
  throw new CircuitSyntaxError(1, "the text is neither OriginIR (QINIT …) nor OpenQASM 2.0 (OPENQASM 2.0;)");
}

/** The SVG of a circuit text; throws {@link CircuitSyntaxError} when it cannot be read. */
export function drawCircuit(text: string): string {
  return circuitSvg(parseCircuit(text));
}
