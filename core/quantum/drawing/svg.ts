/**
 * Draws a circuit as SVG: a wire per qubit and per classical bit, gates packed into columns
 * (a gate goes in the first column where every wire it spans is free), controlled gates as dots
 * on a line, measurements as a meter with a line down to their bit. The drawing keeps its size:
 * a wide circuit is wide, and the page scrolls it rather than shrinking it.
 *
 * Every operation is one `<g class="op op-KIND">`, every wire a `<line class="wire wire-q|c">`,
 * so tests and styles can find them.
 */
import type { Circuit, Operation } from "./circuit.ts";
import { CONTROLLED } from "./circuit.ts";

const ROW = 40;
const LEFT = 56;
const TOP = 24;
const GAP = 12;
const CHAR = 7.5;

const escapeXml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The text on a gate's box: its name (the target's, for controlled gates), its parameters, a dagger. */
function labelOf(op: Operation): string {
  const controlled = op.controls.length > 0 ? CONTROLLED[op.name.toLowerCase()] : undefined;
  const name = controlled ? controlled.target : op.name.toUpperCase();
  const params = op.params.length
    ? `(${op.params.map((p) => (p.length > 12 ? `${p.slice(0, 11)}…` : p)).join(",")})`
    : "";
  return `${name}${op.dagger ? "†" : ""}${params}`;
}

const drawnAsCross = (op: Operation) =>
  op.kind === "gate" && (op.name.toLowerCase() === "swap" || CONTROLLED[op.name.toLowerCase()]?.target === "SWAP");
const drawnAsPlus = (op: Operation) =>
  op.kind === "gate" && op.controls.length > 0 && CONTROLLED[op.name.toLowerCase()]?.target === "X";

function widthOf(op: Operation): number {
  if (op.kind === "barrier" || drawnAsCross(op) || drawnAsPlus(op)) return 24;
  if (op.kind === "measure") return 32;
  return Math.max(32, labelOf(op).length * CHAR + 14);
}

/** Columns of operations: each in the first column after every earlier one on the wires it spans. */
function pack(circuit: Circuit): { column: number; op: Operation }[] {
  const free = new Array<number>(circuit.qubits).fill(0);
  return circuit.operations.map((op) => {
    const wires = [...op.targets, ...op.controls];
    // A measurement's line runs down past every lower qubit to the classical wires.
    const low = Math.min(...wires);
    const high = op.kind === "measure" ? circuit.qubits - 1 : Math.max(...wires);
    let column = 0;
    for (let q = low; q <= high; q++) column = Math.max(column, free[q]!);
    for (let q = low; q <= high; q++) free[q] = column + 1;
    return { column, op };
  });
}

export function circuitSvg(circuit: Circuit): string {
  const placed = pack(circuit);
  const columns = placed.reduce((n, p) => Math.max(n, p.column + 1), 0);
  const widths = new Array<number>(columns).fill(0);
  for (const { column, op } of placed) widths[column] = Math.max(widths[column]!, widthOf(op));
  const starts: number[] = [];
  let x = LEFT + GAP;
  for (const width of widths) {
    starts.push(x);
    x += width + GAP;
  }
  const width = Math.ceil(x + GAP);
  const qy = (q: number) => TOP + q * ROW;
  const cy = (c: number) => TOP + (circuit.qubits + c) * ROW;
  const height = TOP + (circuit.qubits + circuit.clbits) * ROW - ROW / 2;

  const parts: string[] = [];
  for (let q = 0; q < circuit.qubits; q++) {
    parts.push(`<text class="wire-label" x="${LEFT - 8}" y="${qy(q) + 4}" text-anchor="end">q[${q}]</text>`);
    parts.push(`<line class="wire wire-q" x1="${LEFT}" y1="${qy(q)}" x2="${width - GAP}" y2="${qy(q)}"/>`);
  }
  for (let c = 0; c < circuit.clbits; c++) {
    parts.push(`<text class="wire-label" x="${LEFT - 8}" y="${cy(c) + 4}" text-anchor="end">c[${c}]</text>`);
    parts.push(`<line class="wire wire-c" x1="${LEFT}" y1="${cy(c) - 1.5}" x2="${width - GAP}" y2="${cy(c) - 1.5}"/>`);
    parts.push(`<line class="wire-c2" x1="${LEFT}" y1="${cy(c) + 1.5}" x2="${width - GAP}" y2="${cy(c) + 1.5}"/>`);
  }

  for (const { column, op } of placed) {
    const center = starts[column]! + widths[column]! / 2;
    const half = widthOf(op) / 2;
    const shapes: string[] = [];
    const box = (top: number, bottom: number, label: string) => {
      shapes.push(
        `<rect x="${center - half}" y="${top - 14}" width="${half * 2}" height="${bottom - top + 28}" rx="3"/>`,
      );
      shapes.push(
        `<text class="gate-label" x="${center}" y="${(top + bottom) / 2 + 4}" text-anchor="middle">${escapeXml(label)}</text>`,
      );
    };
    if (op.kind === "barrier") {
      const ys = op.targets.map(qy);
      shapes.push(
        `<line class="barrier" x1="${center}" y1="${Math.min(...ys) - 16}" x2="${center}" y2="${Math.max(...ys) + 16}"/>`,
      );
    } else if (op.kind === "measure") {
      const q = op.targets[0]!;
      const c = op.clbits[0]!;
      shapes.push(`<line class="measure-line" x1="${center}" y1="${qy(q) + 14}" x2="${center}" y2="${cy(c) - 6}"/>`);
      shapes.push(
        `<path class="measure-arrow" d="M${center - 4},${cy(c) - 8} L${center + 4},${cy(c) - 8} L${center},${cy(c) - 2} Z"/>`,
      );
      box(qy(q), qy(q), "M");
      shapes.push(`<text class="bit-label" x="${center + 6}" y="${cy(c) - 8}">${c}</text>`);
    } else {
      const all = [...op.targets, ...op.controls];
      if (all.length > 1) {
        shapes.push(
          `<line class="link" x1="${center}" y1="${qy(Math.min(...all))}" x2="${center}" y2="${qy(Math.max(...all))}"/>`,
        );
      }
      for (const control of op.controls)
        shapes.push(`<circle class="control" cx="${center}" cy="${qy(control)}" r="4.5"/>`);
      if (drawnAsPlus(op)) {
        const y = qy(op.targets[0]!);
        shapes.push(`<circle class="target" cx="${center}" cy="${y}" r="10"/>`);
        shapes.push(
          `<path class="target-plus" d="M${center - 10},${y} H${center + 10} M${center},${y - 10} V${y + 10}"/>`,
        );
      } else if (drawnAsCross(op)) {
        for (const target of op.targets) {
          const y = qy(target);
          shapes.push(
            `<path class="swap" d="M${center - 7},${y - 7} L${center + 7},${y + 7} M${center - 7},${y + 7} L${center + 7},${y - 7}"/>`,
          );
        }
      } else {
        // One box over the targets; an unknown gate on several qubits spans them all.
        const ys = op.targets.map(qy);
        box(Math.min(...ys), Math.max(...ys), op.kind === "reset" ? "|0⟩" : labelOf(op));
      }
    }
    parts.push(`<g class="op op-${op.kind}" data-name="${escapeXml(op.name)}">${shapes.join("")}</g>`);
  }

  // Scoped to this drawing: an inline SVG's style applies to the whole page it is in.
  const style = `<style>.uniqc-circuit .wire,.uniqc-circuit .wire-c2{stroke:#888;stroke-width:1}.uniqc-circuit .op rect{fill:#eef4ff;stroke:#2b59c3;stroke-width:1.2}.uniqc-circuit .op-measure rect{fill:#fff6e5;stroke:#b26a00}.uniqc-circuit .op-reset rect{fill:#f4f4f4;stroke:#555}.uniqc-circuit .link,.uniqc-circuit .target-plus,.uniqc-circuit .swap{stroke:#2b59c3;stroke-width:1.5;fill:none}.uniqc-circuit .control{fill:#2b59c3}.uniqc-circuit .target{fill:#fff;stroke:#2b59c3;stroke-width:1.5}.uniqc-circuit .barrier{stroke:#999;stroke-width:2;stroke-dasharray:4 3}.uniqc-circuit .measure-line{stroke:#b26a00;stroke-width:1.2;stroke-dasharray:3 2}.uniqc-circuit .measure-arrow{fill:#b26a00}.uniqc-circuit text{font:12px ui-monospace,Menlo,Consolas,monospace;fill:#222}.uniqc-circuit .wire-label{fill:#555}.uniqc-circuit .bit-label{font-size:10px;fill:#b26a00}</style>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" class="uniqc-circuit" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(`${circuit.language} circuit: ${circuit.qubits} qubits, ${circuit.operations.length} operations`)}">${style}${parts.join("")}</svg>`;
}
